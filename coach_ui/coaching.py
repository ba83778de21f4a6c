"""Helpers for the live coaching page (coach_ui/views/live.py): the store recorder, the spoken
cues, the read-out beside the video and the session summary.

coach/ never imports this module (coach/ has no Streamlit dependency).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from coach.clinical.plans import assessed_range, prescription_for
from coach.engine.results import CueKind, Rep, sided_counts
from coach.engine.thresholds import Prescription, thresholds_in_force
from coach.exercise.schema import ExerciseDef, angle_name, measure_unit
from coach.runtime.guided import SetPlan, Stage
from coach.runtime.live import LiveSnapshot, set_line, shown_cue, spoken_cue, spoken_message
from coach.store import Store
from coach.vision.recording import PoseRecording
from coach_ui import camera
from coach_ui.analysis import measure_label
from coach_ui.todays_plan import LiveTarget

LIVE_STATS_ENV = "FORM_COACH_LIVE_STATS"


def live_stats_path() -> Path | None:
    """Where the live coach writes per-frame timings, for scripts/bench_live.py (unset: no)."""
    value = os.environ.get(LIVE_STATS_ENV)
    return Path(value) if value else None


@dataclass
class StoreRecorder:
    """Hands a live session's sets and reps to the store as they happen."""

    store: Store
    session_id: int

    def set_started(self, set_index: int) -> None:
        self.store.start_set(self.session_id, set_index)

    def rep(self, set_index: int, rep: Rep) -> None:
        self.store.add_rep(self.session_id, set_index, rep)

    def set_finished(self, set_index: int, reps: int, held_s: float) -> None:
        self.store.finish_set(self.session_id, set_index, reps_done=reps, held_s=held_s)

    def patient_id(self) -> int | None:
        """Whose record this recorder writes into (None: the home user's), read from the
        store each time: a landmark stream checks it before it writes."""
        return self.store.session_patient_id(self.session_id)

    def set_landmarks(self, set_index: int, recording: PoseRecording) -> None:
        # The store keeps nothing when the patient turned keeping landmarks off.
        self.store.save_set_recording(self.session_id, set_index, recording)


_speaker_component = components.declare_component(
    "form_coach_speaker", path=str(resources.files("coach_ui") / "components" / "speaker")
)


def speaker(utterances: list[tuple[str, str]], *, muted: bool, key: str) -> None:
    """Speak each new utterance in the browser, in order: `utterances` are (text, id), a
    new id meaning something new to say (`to_speak`). The component keeps its own on/off
    switch, and what it said."""
    _speaker_component(
        utterances=[{"id": cue_id, "text": text} for text, cue_id in utterances],
        muted=muted,
        key=key,
        default=None,
    )


# The effort scale is Borg's CR10; patients see its question and words, not its name.
EFFORT_SCALE = {
    0: "0 - nothing at all",
    0.5: "0.5 - very, very easy",
    1: "1 - very easy",
    2: "2 - easy",
    3: "3 - moderate",
    4: "4 - somewhat hard",
    5: "5 - hard",
    6: "6",
    7: "7 - very hard",
    8: "8",
    9: "9",
    10: "10 - extremely hard (almost the most I could do)",
}
EFFORT_QUESTION = "How hard was that? 0-10"
PAIN_HELP = "0 means no pain, 10 the worst pain you can imagine. Leave it at Not rated to skip."


# ---- the live page's blocks ----------------------------------------------------------------
_CUE_STYLE = {CueKind.GUIDANCE: st.warning, CueKind.FAULT: st.error, CueKind.PRAISE: st.success}


def to_speak(snapshot: LiveSnapshot) -> list[tuple[str, str]]:
    """What the server path's voice says now, each (text, id), a new id meaning a new
    utterance: the coach's cue, then the physiotherapist's last message in a shared
    session. The same choices as the landmark stream's state (`spoken_cue`,
    `spoken_message`), which the on-device camera speaks."""
    text, cue_id = spoken_cue(snapshot.result, snapshot.guided)
    cue = [(text, cue_id)] if text is not None and cue_id is not None else []
    message = spoken_message(snapshot.watch)
    return cue + ([message] if message is not None else [])


STUCK_AFTER_S = 15.0  # of frame time getting into position before the page says more
POSITIONING_SINCE_KEY = "live_positioning_since"


def stuck_hint(exercise: ExerciseDef, waited_s: float) -> str | None:
    """What the page adds once a patient has been getting into position for a while (the
    wrong exercise picked, the wrong side to the camera, lying down for a squat): the
    exercise, the view and the starting position, in words; None before `STUCK_AFTER_S`."""
    if waited_s < STUCK_AFTER_S:
        return None
    views = " or ".join(exercise.views)
    return (
        f"Not started yet? Check that you are doing the **{exercise.name.lower()}** (for "
        "another exercise, press **Discard this session** below and pick it), that the "
        f"camera sees you from the {views}, and that you start like this: "
        f"{exercise.instructions[0]}"
    )


def _waited_in_position_s(snapshot: LiveSnapshot) -> float:
    """Frame time spent getting into position since this stage began (0 outside it)."""
    result, guided = snapshot.result, snapshot.guided
    if result is None or guided is None or guided.stage is not Stage.POSITIONING:
        st.session_state.pop(POSITIONING_SINCE_KEY, None)
        return 0.0
    since = st.session_state.setdefault(POSITIONING_SINCE_KEY, result.t_s)
    return result.t_s - since


def choose_range(store: Store, exercise: ExerciseDef, target: LiveTarget) -> Prescription | None:
    """The range the live coach counts this patient on: the plan item's target and "counts
    from" depth; without them, the range the goniometer last measured on the driving angle,
    offered as a starting target. Says which, with where a rep counts."""
    if exercise.reps is None:
        return None
    prescription, where = prescription_for(exercise, target.item), "your physiotherapist's plan"
    if prescription is None:
        prescription, where = _offer_assessed_range(store, exercise, target), "your measured range"
    if prescription is None:
        return None
    force = thresholds_in_force(exercise.reps, prescription)
    full = f", full at {force.target:g}°" if force.target is not None else ""
    st.caption(
        f"Counting to {where}: a rep counts from {force.turn:.0f}°{full} "
        f"({angle_name(exercise, force.driver).lower()})."
    )
    return prescription


def _offer_assessed_range(
    store: Store, exercise: ExerciseDef, target: LiveTarget
) -> Prescription | None:
    """A checkbox offering the goniometer's last result on the driving angle as today's
    target, when it is short of the library's; the prescription if ticked."""
    assert exercise.reps is not None
    results = store.assessments(target.patient_id, kind="rom", measure=exercise.reps.driver)
    measured = assessed_range(exercise, results)
    library_target = exercise.reps.target
    if measured is None or library_target is None or measured.value_deg >= library_target:
        return None
    side = f" {measured.side}" if measured.side else ""
    offer = (
        f"Count to my measured range: {measured.value_deg:.0f}°{side} "
        f"(assessed {measured.taken_at:%d %b %Y})"
    )
    if not st.checkbox(offer, key=f"assessed_range_{exercise.id}"):
        return None
    return Prescription(measured.measure, target=measured.value_deg)


def show_live_panel(snapshot: LiveSnapshot, exercise: ExerciseDef, plan: SetPlan) -> None:
    """The coaching read-out beside the video: what to do, progress, count, the cue."""
    result, guided = snapshot.result, snapshot.guided
    if result is None or guided is None:
        camera.show_waiting()
        return
    st.markdown(f"#### {guided.message}")
    hint = stuck_hint(exercise, _waited_in_position_s(snapshot))
    if hint is not None:
        st.info(hint)
    if guided.stage is Stage.RESTING:  # the rest's own bar; the headline counts it down
        st.progress(1 - guided.rest_left_s / max(plan.rest_s, 1e-6), text="Resting")
    else:  # the words the device camera and a watching physiotherapist also show
        st.progress(guided.progress, text=set_line(guided, plan))
    # Two to a row and the measure on its own: three metrics side by side in this panel
    # cut their values off ("117...").
    columns = st.columns(2)
    columns[0].metric("Set", f"{min(guided.set_index, plan.sets)} of {plan.sets}")
    if exercise.mode == "hold":
        columns[1].metric("Held this session (s)", f"{guided.held_total_s:.1f}")
    else:
        # The session's reps are the sets' reps (the ones saved), not every movement the
        # camera saw while getting into position or resting.
        sides = sided_counts(Counter(rep.side for rep in snapshot.reps))
        label = ", ".join(f"{side} {count}" for side, count in sides.items())
        columns[1].metric(
            "Reps this session", len(snapshot.reps), help=f"By side: {label}" if label else None
        )
    if result.driver is not None:
        _driver_metric(snapshot, exercise, result.driver)
    cue = shown_cue(result, guided)
    if cue is not None:
        _CUE_STYLE[cue.kind](f"### {cue.text}")
    if snapshot.error:
        st.error(snapshot.error)


def _driver_metric(snapshot: LiveSnapshot, exercise: ExerciseDef, driver: str) -> None:
    """The driving measure beside the video. For reps: where the last rep turned (its
    deepest point), a number that stays put, since the video's overlay shows the angle of
    every frame and this panel, redrawn twice a second, would show it late and disagree
    with it. For holds: the angle now (it barely moves while held)."""
    unit = measure_unit(exercise, driver)
    name = angle_name(exercise, driver)
    if exercise.mode == "hold":
        value = snapshot.result.measures.get(driver) if snapshot.result else None
        label = name
    else:
        last = snapshot.reps[-1] if snapshot.reps else None
        stats = None if last is None else (last.angles.get(driver) or last.ratios.get(driver))
        value = None if stats is None else stats.at_turn_deg
        label = f"{name}, last rep"
    if value is None or value != value:
        shown = "--"
    else:
        shown = f"{value:.0f}{unit}" if unit else f"{value:.2f}"
    st.metric(label, shown)


def show_session_summary(store: Store, session_id: int, exercise: ExerciseDef) -> None:
    """The summary card: reps, best range of motion, faults, pain, compared with last time."""
    summary = store.summary(session_id)
    previous = store.previous_session(exercise.id, session_id)
    st.subheader(f"Your {exercise.name.lower()} session")
    columns = st.columns(4)
    if exercise.mode == "hold":
        delta = None if previous is None else f"{summary.held_s - previous.held_s:+.0f} s"
        columns[0].metric("Held correctly", f"{summary.held_s:.0f} s", delta=delta)
    else:
        delta = None if previous is None else summary.reps - previous.reps
        columns[0].metric("Repetitions", summary.reps, delta=delta)
    angle = next(iter(summary.best_rom_deg), None)
    if angle is not None:
        best = summary.best_rom_deg[angle]
        before = previous.best_rom_deg.get(angle) if previous else None
        columns[1].metric(
            f"Best range: {measure_label(exercise, angle).lower()}",
            f"{best:.0f}°",
            delta=None if before is None else f"{best - before:+.0f}°",
        )
    if summary.pain_before is not None and summary.pain_after is not None:
        columns[2].metric(
            "Pain before -> after",
            f"{summary.pain_before} -> {summary.pain_after}",
            delta=summary.pain_after - summary.pain_before,
            delta_color="inverse",
        )
    if summary.effort_borg is not None:
        columns[3].metric("How hard (0-10)", f"{summary.effort_borg:g}")
    if summary.faults:
        cues = {rule.id: rule.cue for rule in exercise.rules}
        st.markdown("**Tips to work on**")
        for rule_id, count in sorted(summary.faults.items(), key=lambda kv: -kv[1]):
            st.markdown(f"- {cues.get(rule_id, rule_id.replace('_', ' '))} ({count}x)")
    elif summary.reps or summary.held_s:
        st.success("No form faults seen. Well done!")
    if previous is None:
        st.caption("Your first session of this exercise: next time you will see the change.")
    else:
        st.caption(f"Compared with your last session on {previous.started_at:%d %b %Y}.")
