"""Treatment plans as pure code: today's list, adherence, and what a plan item's dosage
and progress rule (coach.store.prescriptions) advise for next time.

No database and no Streamlit here: the functions take plans and session records from the
store and a date, so the dashboard, the reports and the tests share one definition of
"done", "due today" and "time to progress".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from coach.clinical.pain_monitoring import Dosage, assess_pain, reduced_dosage
from coach.engine.thresholds import Prescription, thresholds_in_force
from coach.exercise.schema import ExerciseDef, SignalDef
from coach.runtime.guided import SetPlan
from coach.store.prescriptions import PlanItemSpec, ProgressRule
from coach.store.records import Assessment, Plan, PlanItem, SessionRecord


def item_dosage(item: PlanItem) -> Dosage:
    return Dosage(item.sets, reps=item.reps, hold_s=item.hold_s)


def dosage_text(item: PlanItem) -> str:
    text = item_dosage(item).text()
    return f"{text}, {item.rest_s:g} s rest, {item.frequency_per_week}x a week"


# ---- sessions against the plan -------------------------------------------------------------
def counts_as_done(session: SessionRecord) -> bool:
    """A session counts for adherence when something was done: a rep, a hold, or the patient
    ticked the exercise off by hand."""
    return session.source == "manual" or session.reps > 0 or session.held_s > 0


def belongs_to(session: SessionRecord, item: PlanItem) -> bool:
    """A session is for a plan item when it names it, or, if it names none (started from the
    live page without a plan), when it is the same exercise."""
    if session.plan_item_id is not None:
        return session.plan_item_id == item.id
    return session.exercise_id == item.exercise_id


def week_start(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Adherence:
    done: int
    prescribed: int

    @property
    def fraction(self) -> float | None:
        return None if self.prescribed == 0 else min(1.0, self.done / self.prescribed)

    def text(self) -> str:
        return f"{self.done}/{self.prescribed}" if self.prescribed else "no plan"


def _active_items(plan: Plan | None, first: date, last: date) -> list[PlanItem]:
    if plan is None or not plan.active:
        return []
    if plan.start_date > last or (plan.end_date is not None and plan.end_date < first):
        return []
    return [item for item in plan.items if item.active]


def weekly_adherence(
    plan: Plan | None, sessions: Iterable[SessionRecord], any_day: date
) -> Adherence:
    """Sessions done vs prescribed in the week (Monday to Sunday) of `any_day`; each item
    counts at most its frequency, so extra sessions of one exercise do not hide another."""
    first = week_start(any_day)
    last = first + timedelta(days=6)
    items = _active_items(plan, first, last)
    week = [s for s in sessions if first <= s.day <= last and counts_as_done(s)]
    done = sum(
        min(item.frequency_per_week, sum(belongs_to(s, item) for s in week)) for item in items
    )
    return Adherence(done, sum(item.frequency_per_week for item in items))


def adherence_by_week(
    plan: Plan | None, sessions: Sequence[SessionRecord], first: date, last: date
) -> list[tuple[date, Adherence]]:
    weeks = []
    monday = week_start(first)
    while monday <= last:
        weeks.append((monday, weekly_adherence(plan, sessions, monday)))
        monday += timedelta(days=7)
    return weeks


def daily_counts(sessions: Iterable[SessionRecord], first: date, last: date) -> dict[date, int]:
    """Sessions done on each day from `first` to `last` (zero days included)."""
    counts = {first + timedelta(days=n): 0 for n in range((last - first).days + 1)}
    for session in sessions:
        if session.day in counts and counts_as_done(session):
            counts[session.day] += 1
    return counts


TodayStatus = Literal["done", "due", "optional", "complete"]


@dataclass(frozen=True)
class TodayItem:
    item: PlanItem
    status: TodayStatus  # done today / due today / can rest today / the week's quota is done
    done_today: int
    done_this_week: int
    advice: DosageAdvice

    @property
    def ticked(self) -> bool:
        return self.status in ("done", "complete")


def todays_exercises(
    plan: Plan | None, sessions: Sequence[SessionRecord], today: date
) -> list[TodayItem]:
    """The plan's exercises for today: done today, due, optional (the week's sessions fit in
    the days left even with a rest day today) or complete for the week."""
    if plan is None or not plan.active or not plan.covers(today):
        return []
    monday = week_start(today)
    days_left_after_today = 6 - (today - monday).days
    out = []
    for item in (i for i in plan.items if i.active):
        mine = [s for s in sessions if belongs_to(s, item) and counts_as_done(s)]
        this_week = [s for s in mine if monday <= s.day <= today]
        done_today = sum(s.day == today for s in this_week)
        still_owed = item.frequency_per_week - len(this_week)
        if done_today:
            status: TodayStatus = "done"
        elif still_owed <= 0:
            status = "complete"
        elif still_owed <= days_left_after_today and item.frequency_per_week < 7:
            status = "optional" if any(s.day == today - timedelta(days=1) for s in mine) else "due"
        else:
            status = "due"
        recent = sorted(mine, key=lambda s: s.started_at, reverse=True)
        out.append(TodayItem(item, status, done_today, len(this_week), next_dosage(item, recent)))
    return out


# ---- what to do next time --------------------------------------------------------------------
# The sessions to hand `next_dosage` (and `todays_exercises`): the last 90 days are plenty,
# as a progress rule looks back at most 10 sessions and a pain flag only at the latest.
ADVICE_DAYS = 90


@dataclass(frozen=True)
class DosageAdvice:
    kind: Literal["keep", "progress", "reduce"]
    dosage: Dosage
    reason: str


def session_pain_peak(session: SessionRecord) -> int | None:
    values = [
        v for v in (session.pain_before, session.pain_during, session.pain_after) if v is not None
    ]
    return max(values) if values else None


def completed_dose(session: SessionRecord) -> bool:
    """Every prescribed rep (or the whole hold time) done; a session ticked off by hand
    counts as done as prescribed."""
    if session.source == "manual":
        return True
    sets = session.planned_sets or 1
    if session.planned_reps is not None:
        return session.reps >= sets * session.planned_reps  # as the live coach counts a set
    if session.planned_hold_s is not None:
        return session.held_s >= 0.95 * sets * session.planned_hold_s
    return False


def next_dosage(item: PlanItem, recent: Sequence[SessionRecord]) -> DosageAdvice:
    """Safety first: a flagged last session means less load. Otherwise the item's progress
    rule, judged only on sessions done at the current dosage (so a progression already
    applied is not applied again on the same evidence)."""
    current = item_dosage(item)
    latest = recent[0] if recent else None
    if latest is not None:
        pain = assess_pain(latest.pain_before, latest.pain_during, latest.pain_after)
        if pain.flagged:
            lower = reduced_dosage(current)
            return DosageAdvice("reduce", lower, f"last session flagged: {pain.summary}")
    rule = ProgressRule.from_dict(item.progress_rule)
    if rule is None:
        return DosageAdvice("keep", current, "no progress rule set")
    at_dose = [
        s
        for s in recent
        if s.planned_reps == item.reps and (item.hold_s is None or s.planned_hold_s == item.hold_s)
    ][: rule.after_sessions]
    if len(at_dose) < rule.after_sessions:
        return DosageAdvice(
            "keep",
            current,
            f"{len(at_dose)} of {rule.after_sessions} sessions done at this dosage",
        )
    for session in at_dose:
        peak = session_pain_peak(session)
        if peak is None:
            return DosageAdvice("keep", current, "pain was not rated in every session")
        if peak > rule.max_pain:
            return DosageAdvice(
                "keep", current, f"pain reached {peak}/10 (rule: at most {rule.max_pain})"
            )
        if rule.no_major_faults and session.major_faults:
            return DosageAdvice("keep", current, "a major form fault in a recent session")
        if rule.completed and not completed_dose(session):
            return DosageAdvice("keep", current, "the prescribed dose was not completed")
    if current.reps is not None:
        reps = min(rule.max_reps, current.reps + rule.add_reps)
        if reps == current.reps:
            return DosageAdvice("keep", current, f"already at the ceiling of {rule.max_reps}")
        new = Dosage(current.sets, reps=reps)
    else:
        assert current.hold_s is not None
        hold = min(rule.max_hold_s, current.hold_s + rule.add_hold_s)
        if hold == current.hold_s:
            return DosageAdvice("keep", current, f"already at the ceiling of {rule.max_hold_s:g}")
        new = Dosage(current.sets, hold_s=hold)
    return DosageAdvice(
        "progress", new, f"the last {rule.after_sessions} sessions met the rule ({rule.text()})"
    )


def spec_with_dosage(item: PlanItem, dosage: Dosage) -> PlanItemSpec:
    """The item's prescription with a new dosage (what 'apply' on a suggestion saves)."""
    return PlanItemSpec.from_item(item, sets=dosage.sets, reps=dosage.reps, hold_s=dosage.hold_s)


def prescription_for(
    exercise: ExerciseDef, item: PlanItem | PlanItemSpec | None
) -> Prescription | None:
    """The plan item's (or the one being edited's) range-of-motion target and "counts
    from" depth as the prescription the engine counts this patient on
    (`coach.engine.thresholds`); None without an item, for a hold, or when the item
    prescribes neither on an angle."""
    if item is None or exercise.reps is None or item.rom_angle is None:
        return None
    prescription = Prescription(item.rom_angle, item.rom_target_deg, item.counts_from_deg)
    return None if prescription.empty else prescription


def driving_angle(exercise: ExerciseDef) -> str | None:
    """The measure a plan's range (or `coach analyze --target`) is on: the first of the
    definition's drivers that is an angle (the push-up's elbow bend, not its hand reach:
    a plan's numbers are degrees), in the default view first, then in the others. None
    for a hold, or when every driver is a ratio (the calf raise's heel lift)."""
    if exercise.reps is None:
        return None
    sets = [exercise.reps, *exercise.reps.by_view.values()]
    angles = (s.driver for drivers in sets for s in drivers.signals if s.driver in exercise.angles)
    return next(angles, None)


def prescribed_driver(exercise: ExerciseDef, prescription: Prescription | None) -> SignalDef | None:
    """The driver whose thresholds a prescription moves: the definition's driver (the
    first or another, in any view) whose measure it names. None without a prescription or
    when it names none of them (then it does not change counting). A plan's numbers are
    angles, so on an exercise whose first driver is a ratio (the push-up's hand reach)
    they move its angle driver (the elbow bend) and the ratio keeps the library's."""
    if prescription is None or exercise.reps is None:
        return None
    sets = [exercise.reps, *exercise.reps.by_view.values()]
    named = (s for drivers in sets for s in drivers.signals if s.driver == prescription.measure)
    return next(named, None)


@dataclass(frozen=True)
class AssessedRange:
    """A patient's range measured by the goniometer on an exercise's driving angle."""

    measure: str
    value_deg: float
    side: str | None
    taken_at: datetime


def assessed_range(exercise: ExerciseDef, results: Sequence[Assessment]) -> AssessedRange | None:
    """The range the goniometer last measured on the exercise's driving angle, to offer as
    the live coach's starting target: the smaller side of the latest day's results (the
    affected side is what limits). Only for a driver that rises from the start (a flexion
    or abduction measured to its end); None when there is no such result."""
    reps = exercise.reps
    if reps is None or not reps.rising or reps.driver not in exercise.angles:
        return None
    measured = [r for r in results if r.kind == "rom" and r.measure == reps.driver]
    if not measured:
        return None
    last_day = max(r.taken_at for r in measured).date()
    latest = [r for r in measured if r.taken_at.date() == last_day]
    least = min(latest, key=lambda r: r.value)
    return AssessedRange(least.measure, least.value, least.side, least.taken_at)


def range_text(exercise: ExerciseDef, item: PlanItem | PlanItemSpec | None) -> str | None:
    """The patient's range in a plan item, in words ("knee bend to 45°, a rep counts from
    30°"), with where the thresholds in force put a rep's count when the item gives only
    a target; None when the item prescribes no range the coach counts on."""
    prescription = prescription_for(exercise, item)
    if prescription is None or exercise.reps is None:
        return None
    signal = prescribed_driver(exercise, prescription)
    if signal is None:
        return None
    force = thresholds_in_force(signal, prescription)
    angle = exercise.angles.get(signal.driver)
    label = (angle.label if angle is not None and angle.label else signal.driver).lower()
    full = f" to {force.target:g}°" if force.target is not None else ""
    return f"{label}{full}, a rep counts from {force.turn:.0f}°"


def set_plan_for(exercise: ExerciseDef, item: PlanItem | None) -> SetPlan:
    """What the live coach asks for this exercise: the plan item's dosage, brought within
    what a guided session takes (coach.runtime.guided.SET_PLAN_LIMITS), or the library's
    dosage when the plan has no item for it."""
    if item is None:
        return SetPlan.from_dosage(exercise)
    if exercise.mode == "hold":
        hold = item.hold_s or exercise.dosage.hold_s or 30.0
        return SetPlan.within_limits(item.sets, hold_s=hold, rest_s=item.rest_s)
    reps = item.reps or exercise.dosage.reps or 10
    return SetPlan.within_limits(item.sets, reps=reps, rest_s=item.rest_s)
