"""The numbers behind the progress charts, as plain rows (one dict per point).

The dashboard (Altair) and the PDF report (matplotlib) draw the same rows, so a chart
means the same thing on screen and on paper. Pure: no database, no plotting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from coach.clinical.pain_monitoring import ACCEPTABLE_DURING, PainAssessment, assess_pain
from coach.clinical.plans import counts_as_done, week_start
from coach.exercise.loader import ExerciseLibrary
from coach.store.records import Goal, Plan, RepRecord, SessionRecord


def exercise_name(library: ExerciseLibrary | None, exercise_id: str) -> str:
    if library is not None and exercise_id in library.ids():
        return library.get(exercise_id).name
    return exercise_id.replace("_", " ").capitalize()


def main_angle(
    library: ExerciseLibrary | None, exercise_id: str, plan: Plan | None = None
) -> str | None:
    """The angle whose range of motion a physio follows for this exercise: the plan's ROM
    angle, else the angle that counts the reps, else the exercise's first angle."""
    if plan is not None:
        for item in plan.items:
            if item.exercise_id == exercise_id and item.rom_angle:
                return item.rom_angle
    if library is None or exercise_id not in library.ids():
        return None
    exercise = library.get(exercise_id)
    if exercise.reps is not None and exercise.reps.driver in exercise.angles:
        return exercise.reps.driver
    return next(iter(exercise.angles), None)


def angle_label(library: ExerciseLibrary | None, exercise_id: str, angle: str) -> str:
    if library is not None and exercise_id in library.ids():
        measure = library.get(exercise_id).angles.get(angle)
        if measure is not None and measure.label:
            return measure.label
    return angle.replace("_", " ").capitalize()


def _target(
    plan: Plan | None, library: ExerciseLibrary | None, exercise_id: str, angle: str
) -> float | None:
    if plan is not None:
        for item in plan.items:
            if item.exercise_id == exercise_id and item.rom_angle == angle and item.active:
                return item.rom_target_deg
    if library is not None and exercise_id in library.ids():
        reps = library.get(exercise_id).reps
        if reps is not None and reps.driver == angle:
            return reps.target
    return None


def _normal(
    library: ExerciseLibrary | None, exercise_id: str, angle: str
) -> tuple[float, float] | None:
    if library is not None and exercise_id in library.ids():
        measure = library.get(exercise_id).angles.get(angle)
        if measure is not None and measure.normal_range:
            return measure.normal_range
    return None


def rom_rows(
    sessions: Iterable[SessionRecord], plan: Plan | None, library: ExerciseLibrary | None
) -> list[dict[str, Any]]:
    """Per session with reps: the main angle's best range of motion and the furthest it
    reached, with the target and the normal adult range of that angle."""
    rows = []
    for s in sessions:
        angle = main_angle(library, s.exercise_id, plan)
        if angle is None or angle not in s.best_rom_deg:
            continue
        normal = _normal(library, s.exercise_id, angle)
        rows.append(
            {
                "session_id": s.id,
                "started_at": s.started_at,
                "day": s.day,
                "exercise_id": s.exercise_id,
                "exercise": exercise_name(library, s.exercise_id),
                "angle": angle,
                "label": angle_label(library, s.exercise_id, angle),
                "rom_deg": round(s.best_rom_deg[angle], 1),
                "furthest_deg": round(s.furthest_deg.get(angle, float("nan")), 1),
                "target_deg": _target(plan, library, s.exercise_id, angle),
                "normal_low": normal[0] if normal else None,
                "normal_high": normal[1] if normal else None,
            }
        )
    return rows


def pain_rows(
    sessions: Iterable[SessionRecord], library: ExerciseLibrary | None = None
) -> list[dict[str, Any]]:
    rows = []
    for s in sessions:
        for when, value in (
            ("before", s.pain_before),
            ("during", s.pain_during),
            ("after", s.pain_after),
        ):
            if value is not None:
                rows.append(
                    {
                        "session_id": s.id,
                        "started_at": s.started_at,
                        "day": s.day,
                        "exercise": exercise_name(library, s.exercise_id),
                        "when": when,
                        "pain": value,
                    }
                )
    return rows


def volume_rows(
    sessions: Iterable[SessionRecord], library: ExerciseLibrary | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "session_id": s.id,
            "started_at": s.started_at,
            "day": s.day,
            "exercise": exercise_name(library, s.exercise_id),
            "reps": s.reps,
            "partial_reps": s.partial_reps,
            "sets": s.sets_done,
            "held_s": round(s.held_s, 1),
            "planned_reps": s.planned_reps,
            "planned_sets": s.planned_sets,
        }
        for s in sessions
    ]


def fault_rows(
    sessions: Iterable[SessionRecord], library: ExerciseLibrary | None = None
) -> list[dict[str, Any]]:
    """How often each fault was seen, over the sessions, most frequent first."""
    counts: Counter[tuple[str, str]] = Counter()
    for s in sessions:
        for rule, n in s.faults.items():
            counts[(s.exercise_id, rule)] += n
    cues: dict[tuple[str, str], str] = {}
    if library is not None:
        for exercise_id in {e for e, _ in counts}:
            if exercise_id in library.ids():
                for rule_def in library.get(exercise_id).rules:
                    cues[(exercise_id, rule_def.id)] = rule_def.cue
    return [
        {
            "exercise": exercise_name(library, e),
            "rule": rule,
            "fault": cues.get((e, rule), rule.replace("_", " ")),
            "count": n,
        }
        for (e, rule), n in counts.most_common()
    ]


def goal_rows(goals: Iterable[Goal]) -> list[dict[str, Any]]:
    """One row per score: the goal, the day, when to plot it (`at`, the day's local noon:
    a bare day would be drawn at midnight UTC, the day before west of Greenwich) and the
    score."""
    return [
        {"goal": g.activity, "day": x.scored_on, "at": local_noon(x.scored_on), "score": x.score}
        for g in goals
        for x in g.scores
    ]


def calendar_rows(
    sessions: Sequence[SessionRecord], first: date, last: date
) -> list[dict[str, Any]]:
    """One row per day: sessions done, with the week (its Monday) and the weekday."""
    counts = dict.fromkeys((first + timedelta(days=n) for n in range((last - first).days + 1)), 0)
    for s in sessions:
        if s.day in counts and counts_as_done(s):
            counts[s.day] += 1
    return [
        {"day": d, "week": week_start(d), "weekday": d.strftime("%a"), "sessions": n}
        for d, n in counts.items()
    ]


def flag_rows(
    sessions: Iterable[SessionRecord], library: ExerciseLibrary | None = None
) -> list[dict[str, Any]]:
    rows = []
    for s in sessions:
        pain = assess_pain(s.pain_before, s.pain_during, s.pain_after)
        if pain.flagged:
            rows.append(
                {
                    "session_id": s.id,
                    "day": s.day,
                    "exercise": exercise_name(library, s.exercise_id),
                    "reasons": "; ".join(pain.reasons),
                }
            )
    return rows


PAIN_LIMIT = ACCEPTABLE_DURING
FLAG_DAYS = 14  # the patient list counts the pain flags of the last two weeks


def recent_pain_flags(sessions: Iterable[SessionRecord], day: date) -> list[PainAssessment]:
    """The flagged pain assessments of the sessions in the `FLAG_DAYS` days up to `day`, in
    the sessions' order."""
    first = day - timedelta(days=FLAG_DAYS)
    flags = [
        assess_pain(s.pain_before, s.pain_during, s.pain_after)
        for s in sessions
        if first <= s.day <= day
    ]
    return [f for f in flags if f.flagged]


def rep_outline(reps: Sequence[RepRecord], angle: str) -> list[dict[str, Any]]:
    """The angle over a session as far as the stored reps tell it: for each rep, its least
    angle at the start and the end and its peak at the turn (the live coach stores each
    rep's statistics, not the angle on every frame). Empty when no rep has the angle."""
    points = []
    for rep in reps:
        stats = rep.angles.get(angle)
        if stats is None or stats.min_deg is None or stats.max_deg is None:
            continue
        peak = stats.peak_deg if stats.peak_deg is not None else stats.max_deg
        turn = rep.turn_s if rep.turn_s is not None else (rep.start_s + rep.end_s) / 2
        label = f"Rep {rep.rep_index}" + (f" ({rep.side})" if rep.side != "both" else "")
        for t_s, value, moment in (
            (rep.start_s, stats.min_deg, "start"),
            (turn, peak, "turn"),
            (rep.end_s, stats.min_deg, "end"),
        ):
            points.append(
                {
                    "t_s": round(t_s, 2),
                    "angle_deg": value,
                    "rep": label,
                    "rep_index": rep.rep_index,
                    "moment": moment,
                }
            )
    return points


# ---- chart axes from the data ------------------------------------------------------------
MAX_DATE_TICKS = 8


@dataclass(frozen=True)
class DateAxis:
    """A chart's time axis: its ends and its ticks (local noon of the days shown)."""

    start: datetime
    end: datetime
    ticks: tuple[datetime, ...]


def local_noon(day: date) -> datetime:
    """Noon of a calendar day in this computer's time zone: where a whole day's point (a
    goal scored that day) and a day's tick go on a time axis."""
    return datetime.combine(day, time(12)).astimezone()


def date_axis(moments: Iterable[datetime | date]) -> DateAxis:
    """The time axis for points at these moments (aware datetimes, or dates for whole days):
    from half a day before the first to half a day after the last, so a single session
    sits in the middle of a day-wide axis (a zero-wide axis makes plotting libraries invent
    a range: years of "01 Jan" ticks, or milliseconds), with a tick on each day, or every
    few days to keep at most `MAX_DATE_TICKS`. Raises ValueError with no moments."""
    local = [m.astimezone() if isinstance(m, datetime) else local_noon(m) for m in moments]
    if not local:
        raise ValueError("a date axis needs at least one moment")
    first, last = min(local), max(local)
    days = (last.date() - first.date()).days + 1
    step = -(-days // MAX_DATE_TICKS)  # ceiling division
    ticks = tuple(local_noon(first.date() + timedelta(days=n)) for n in range(0, days, step))
    half_day = timedelta(hours=12)
    return DateAxis(min(first, ticks[0]) - half_day, max(last, ticks[-1]) + half_day, ticks)


def value_domain(values: Iterable[float], *bounds: float | None) -> tuple[float, float]:
    """The (low, high) of a chart's value axis holding every value and every band bound
    (None bounds are ignored), with a twentieth of the span spare at each end so no point
    sits on the frame. NaN values are skipped. Raises ValueError with nothing to hold."""
    numbers = [v for v in (*values, *bounds) if v is not None and v == v]
    if not numbers:
        raise ValueError("a value axis needs at least one number")
    low, high = min(numbers), max(numbers)
    spare = max((high - low) / 20, 1.0)
    return low - spare, high + spare
