"""Treatment plans as pure code: items built from the exercise library, today's list,
adherence, and the progress rules a physio sets.

No database and no Streamlit here: the functions take plans and session records from the
store and a date, so the dashboard, the reports and the tests share one definition of
"done", "due today" and "time to progress".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

from coach.clinical.pain_monitoring import Dosage, assess_pain, reduced_dosage
from coach.exercise.schema import ExerciseDef
from coach.store.records import (
    Plan,
    PlanItem,
    SessionRecord,
    ValidationError,
    check_exercise_id,
    check_float_range,
    check_int_range,
    check_text,
)


# ---- progress rules ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgressRule:
    """Progress the dosage when the last `after_sessions` sessions at the current dosage
    all had pain at most `max_pain` (and, if asked, no major form fault): add `add_reps`
    repetitions (or `add_hold_s` seconds to a hold), up to a ceiling."""

    add_reps: int = 2
    add_hold_s: float = 5.0
    after_sessions: int = 2
    max_pain: int = 3
    no_major_faults: bool = True
    completed: bool = True  # every prescribed rep (or hold) done in those sessions
    max_reps: int = 30
    max_hold_s: float = 120.0

    def __post_init__(self) -> None:
        check_int_range(self.add_reps, "reps to add", 0, 20)
        check_float_range(self.add_hold_s, "seconds to add", 0, 60)
        check_int_range(self.after_sessions, "sessions to wait", 1, 10)
        check_int_range(self.max_pain, "highest pain allowed", 0, 10)
        check_int_range(self.max_reps, "most reps", 1, 200)
        check_float_range(self.max_hold_s, "longest hold", 1, 600)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ProgressRule | None:
        if not data:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def text(self) -> str:
        amount = f"add {self.add_reps} reps (up to {self.max_reps})"
        if self.add_hold_s:
            amount += f" or {self.add_hold_s:g} s of hold (up to {self.max_hold_s:g} s)"
        faults = " and no major form fault" if self.no_major_faults else ""
        done = ", all prescribed reps done" if self.completed else ""
        return (
            f"{amount} when the last {self.after_sessions} sessions had pain at most "
            f"{self.max_pain}/10{faults}{done}"
        )


# ---- plan items ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanItemSpec:
    """What a physio prescribes for one exercise; validated on construction."""

    exercise_id: str
    sets: int
    reps: int | None = None
    hold_s: float | None = None
    rest_s: float = 60.0
    frequency_per_week: int = 3
    rom_angle: str | None = None
    rom_target_deg: float | None = None
    notes: str | None = None
    progress_rule: ProgressRule | None = None

    def __post_init__(self) -> None:
        check_exercise_id(self.exercise_id)
        check_int_range(self.sets, "sets", 1, 20)
        if (self.reps is None) == (self.hold_s is None):
            raise ValidationError("give either repetitions or a hold time, not both")
        if self.reps is not None:
            check_int_range(self.reps, "repetitions", 1, 200)
        if self.hold_s is not None:
            check_float_range(self.hold_s, "hold (s)", 1, 600)
        check_float_range(self.rest_s, "rest (s)", 0, 900)
        check_int_range(self.frequency_per_week, "times per week", 1, 14)
        if self.rom_target_deg is not None:
            check_float_range(self.rom_target_deg, "range-of-motion target (deg)", 0, 360)
            if not self.rom_angle:
                raise ValidationError("a range-of-motion target needs the angle it is about")
        check_text(self.notes, "notes", max_len=2000, required=False)

    @classmethod
    def from_exercise(cls, exercise: ExerciseDef, **overrides: Any) -> PlanItemSpec:
        """The library's dosage and target for this exercise, with the physio's overrides."""
        dose = exercise.dosage
        values: dict[str, Any] = {"exercise_id": exercise.id, "sets": dose.sets,
                                  "rest_s": float(dose.rest_s)}  # fmt: skip
        if exercise.mode == "hold":
            values["hold_s"] = float(dose.hold_s or 30.0)
        else:
            values["reps"] = dose.reps or 10
        if exercise.reps is not None and exercise.reps.driver in exercise.angles:
            values["rom_angle"] = exercise.reps.driver
            values["rom_target_deg"] = exercise.reps.target
        values.update(overrides)
        if "hold_s" in overrides and overrides["hold_s"] is not None:
            values["reps"] = overrides.get("reps")
        if "reps" in overrides and overrides["reps"] is not None:
            values["hold_s"] = overrides.get("hold_s")
        return cls(**values)

    @classmethod
    def from_item(cls, item: PlanItem, **overrides: Any) -> PlanItemSpec:
        values: dict[str, Any] = {
            "exercise_id": item.exercise_id, "sets": item.sets, "reps": item.reps,
            "hold_s": item.hold_s, "rest_s": item.rest_s,
            "frequency_per_week": item.frequency_per_week, "rom_angle": item.rom_angle,
            "rom_target_deg": item.rom_target_deg, "notes": item.notes,
            "progress_rule": ProgressRule.from_dict(item.progress_rule),
        }  # fmt: skip
        values.update(overrides)
        return cls(**values)


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
    done = sum(min(item.frequency_per_week, sum(belongs_to(s, item) for s in week))
               for item in items)  # fmt: skip
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
@dataclass(frozen=True)
class DosageAdvice:
    kind: Literal["keep", "progress", "reduce"]
    dosage: Dosage
    reason: str


def session_pain_peak(session: SessionRecord) -> int | None:
    values = [v for v in (session.pain_before, session.pain_during, session.pain_after)
              if v is not None]  # fmt: skip
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
    at_dose = [s for s in recent if s.planned_reps == item.reps and (
        item.hold_s is None or s.planned_hold_s == item.hold_s)][: rule.after_sessions]
    if len(at_dose) < rule.after_sessions:
        return DosageAdvice(
            "keep", current,
            f"{len(at_dose)} of {rule.after_sessions} sessions done at this dosage",
        )  # fmt: skip
    for session in at_dose:
        peak = session_pain_peak(session)
        if peak is None:
            return DosageAdvice("keep", current, "pain was not rated in every session")
        if peak > rule.max_pain:
            return DosageAdvice("keep", current, f"pain reached {peak}/10 (rule: at most "
                                f"{rule.max_pain})")  # fmt: skip
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
