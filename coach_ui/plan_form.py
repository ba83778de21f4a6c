"""The plan editor's form for one exercise of a plan: dosage, range-of-motion target, notes
and the progress rule, checked by coach.store.prescriptions (a refused value is shown).

The form's widgets take their values from `st.session_state`, filled from what the form
is about (`PlanItemSpec`) whenever that changes: another exercise picked to add, or an
item saved or given its suggested dosage. Widget defaults alone would not do: a widget
keeps what it showed while its key stays the same, so the form would show one exercise's
dose and save another's.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from coach.clinical.plans import (
    driving_angle,
    prescribed_driver,
    prescription_for,
    range_text,
)
from coach.core.errors import CoachError
from coach.engine.thresholds import library_thresholds, thresholds_in_force
from coach.exercise.schema import ExerciseDef, SignalDef, angle_name
from coach.store.prescriptions import (
    NOTES_MAX_CHARS,
    PLAN_ITEM_LIMITS,
    PROGRESS_RULE_LIMITS,
    PlanItemSpec,
    ProgressRule,
)
from coach_ui import charts
from coach_ui.analysis import measure_label


def _form_values(exercise: ExerciseDef, base: PlanItemSpec) -> dict[str, Any]:
    """What each field shows for `base` (keyed by the field's name in the form)."""
    rule = base.progress_rule
    shown = rule or ProgressRule()
    angles = list(exercise.angles)
    return {
        "sets": base.sets,
        "hold": int(base.hold_s or 30),
        "reps": int(base.reps or 10),
        "rest": int(base.rest_s),
        "freq": base.frequency_per_week,
        "angle": base.rom_angle
        if base.rom_angle in angles
        else (driving_angle(exercise) or (angles[0] if angles else None)),
        "target": int(base.rom_target_deg or 0),
        "counts_from": int(base.counts_from_deg or 0),
        "notes": base.notes or "",
        "rule_on": rule is not None,
        "add_reps": shown.add_reps,
        "add_hold": int(shown.add_hold_s),
        "after": shown.after_sessions,
        "max_pain": shown.max_pain,
        "nomajor": shown.no_major_faults,
        "completed": shown.completed,
        "max_reps": shown.max_reps,
    }


def _show(key: str, exercise: ExerciseDef, base: PlanItemSpec) -> None:
    """Fill the form's fields from `base` when it is not what they were last filled from."""
    source = f"{key}__source"
    if st.session_state.get(source) != base:
        for name, value in _form_values(exercise, base).items():
            st.session_state[f"{key}_{name}"] = value
        st.session_state[source] = base


def progress_rule_fields(key: str) -> ProgressRule | None:
    """The progress-rule part of a plan item form (inside an st.form)."""
    on = st.checkbox(
        "Progress automatically",
        key=f"{key}_rule_on",
        help="Suggest more repetitions (or a longer hold) when the rule is met",
    )
    limits = PROGRESS_RULE_LIMITS
    c1, c2, c3, c4 = st.columns(4)
    add_reps = c1.number_input("Add reps", *limits["add_reps"], key=f"{key}_add_reps")
    add_hold = c2.number_input("Add hold (s)", *limits["add_hold_s"], key=f"{key}_add_hold")
    after = c3.number_input("After sessions", *limits["after_sessions"], key=f"{key}_after")
    max_pain = c4.number_input("Pain at most", *limits["max_pain"], key=f"{key}_max_pain")
    c5, c6, c7 = st.columns(3)
    no_major = c5.checkbox("No major fault", key=f"{key}_nomajor")
    completed = c6.checkbox("All reps done", key=f"{key}_completed")
    max_reps = c7.number_input("Most reps", *limits["max_reps"], key=f"{key}_max_reps")
    if not on:
        return None
    return ProgressRule(
        add_reps=int(add_reps),
        add_hold_s=float(add_hold),
        after_sessions=int(after),
        max_pain=int(max_pain),
        no_major_faults=bool(no_major),
        completed=bool(completed),
        max_reps=int(max_reps),
    )


def plan_item_form(exercise: ExerciseDef, base: PlanItemSpec, key: str) -> PlanItemSpec | None:
    """Dosage and targets for one exercise (inside an st.form), showing `base` (the plan
    item, or the library's dose for a new one); returns what the fields hold, or None if a
    value is refused (the reason is shown)."""
    _show(key, exercise, base)
    limits = PLAN_ITEM_LIMITS
    c1, c2, c3, c4 = st.columns(4)
    sets = c1.number_input("Sets", *limits["sets"], key=f"{key}_sets")
    if exercise.mode == "hold":
        hold = c2.number_input("Hold (s)", *limits["hold_s"], key=f"{key}_hold")
        reps = None
    else:
        reps = c2.number_input("Reps", *limits["reps"], key=f"{key}_reps")
        hold = None
    rest = c3.number_input("Rest (s)", *limits["rest_s"], key=f"{key}_rest")
    freq = c4.number_input("Times a week", *limits["frequency_per_week"], key=f"{key}_freq")
    angle = st.selectbox(
        "Range-of-motion angle",
        list(exercise.angles),
        key=f"{key}_angle",
        format_func=lambda a: exercise.angles[a].label or a,
    )
    target_col, counts_col = st.columns(2)
    target = target_col.number_input(
        "Range-of-motion target (°, 0 = none)",
        *limits["rom_target_deg"],
        key=f"{key}_target",
        help="A rep reaching it is full; short of it, partial ('go a little deeper').",
    )
    counts_from = counts_col.number_input(
        "A rep counts from (°, 0 = from the target)",
        *limits["counts_from_deg"],
        key=f"{key}_counts_from",
        help="Where a movement counts as a rep for this patient (the turn). Left at 0, the "
        "library's point, moved in proportion when the target is shallower.",
    )
    notes = st.text_area("Notes for the patient", max_chars=NOTES_MAX_CHARS, key=f"{key}_notes")
    rule = progress_rule_fields(key)
    try:
        spec = PlanItemSpec(
            exercise_id=exercise.id,
            sets=int(sets),
            reps=None if reps is None else int(reps),
            hold_s=None if hold is None else float(hold),
            rest_s=float(rest),
            frequency_per_week=int(freq),
            rom_angle=angle if target or counts_from else None,
            rom_target_deg=float(target) if target else None,
            counts_from_deg=float(counts_from) if counts_from else None,
            notes=notes or None,
            progress_rule=rule,
        )
    except CoachError as exc:
        st.error(str(exc))
        return None
    show_range(exercise, spec)
    return spec


def show_range(exercise: ExerciseDef, spec: PlanItemSpec) -> None:
    """What the range numbers mean for counting, as the live gauge will mark them, and on
    which driver they apply (`prescribed_driver`: a plan's numbers are angles, so a ratio
    driver such as the push-up's hand reach keeps the library's)."""
    if exercise.reps is None:
        return
    first = exercise.reps
    prescription = prescription_for(exercise, spec)
    signal = prescribed_driver(exercise, prescription)
    if prescription is not None and signal is None:
        st.caption(
            f"Reps are counted on {angle_name(exercise, first.driver).lower()}: a target "
            "on another angle is shown in the reports but does not change counting."
        )
        return
    signal = signal or first
    force = thresholds_in_force(signal, prescription)
    text = range_text(exercise, spec)
    st.caption(
        (f"For this patient: {text}." if text else "Counted on the library's range.")
        + _other_drivers_text(exercise, signal)
        + " The live gauge marks these points."
        + "".join(f" Note: {note}." for note in force.notes)
    )
    st.altair_chart(
        charts.thresholds_chart(
            library_thresholds(signal), force, measure_label(exercise, signal.driver)
        ),
        use_container_width=True,
    )


def _other_drivers_text(exercise: ExerciseDef, signal: SignalDef) -> str:
    """ " Reps are also counted on ...", when the definition counts on other drivers than
    the one the plan's numbers move; "" when it has only that one."""
    assert exercise.reps is not None
    others = dict.fromkeys(
        s.driver
        for drivers in (exercise.reps, *exercise.reps.by_view.values())
        for s in drivers.signals
        if s.driver != signal.driver
    )
    if not others:
        return ""
    names = []
    for driver in others:
        kind = "" if driver in exercise.angles else " (a distance ratio, not an angle)"
        names.append(f"{angle_name(exercise, driver).lower()}{kind}")
    return (
        f" Reps are also counted on {' and '.join(names)}, whichever moves more clearly: "
        f"the numbers above move only {angle_name(exercise, signal.driver).lower()}'s "
        "thresholds; the others keep the library's."
    )
