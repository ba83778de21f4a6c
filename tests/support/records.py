"""Store records built in memory, without a database: for the pure rules of coach.clinical
(adherence, today's list, pain flags) that read what the store would return."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from coach.store.records import GoalScore, SessionRecord


def session(
    day: date,
    *,
    sid: int = 1,
    item_id: int | None = 1,
    exercise: str = "squat",
    reps: int = 20,
    pain: tuple[int | None, int | None] = (2, 2),
    majors: int = 0,
    planned_reps: int | None = 10,
    source: str = "live",
) -> SessionRecord:
    """A five-minute session of patient 1 at noon local time on `day`, for plan item `item_id`."""
    when = datetime(day.year, day.month, day.day, 12).astimezone().astimezone(UTC)
    return SessionRecord(
        id=sid,
        patient_id=1,
        plan_item_id=item_id,
        exercise_id=exercise,
        source=source,
        started_at=when,
        ended_at=when + timedelta(minutes=5),
        view="side",
        planned_sets=2,
        planned_reps=planned_reps,
        planned_hold_s=None,
        pain_before=pain[0],
        pain_during=None,
        pain_after=pain[1],
        effort_borg=3,
        notes=None,
        reps=reps,
        major_faults=majors,
    )


# The sessions each chart is drawn with: one, many over months, and values at the ends of
# what can be measured (a range past the normal range's top, pain 0 and 10, no range).
CHART_CASES = ("one session", "many sessions", "extreme values")


def chart_sessions(case: str) -> list[SessionRecord]:
    """Squat sessions (knee_flexion, normal range 0-130) for one of `CHART_CASES`."""
    if case == "one session":
        days, roms, pains = [date(2026, 12, 7)], [95.0], [(3, 4)]
    elif case == "many sessions":
        start = date(2026, 9, 1)
        days = [start + timedelta(days=2 * n) for n in range(45)]
        roms = [60.0 + n for n in range(45)]
        pains = [(n % 11, (n + 3) % 11) for n in range(45)]
    else:
        days = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 7)]
        roms, pains = [154.0, 0.0, 131.5], [(0, 10), (10, 0), (None, 7)]
    return [
        replace(
            session(day, sid=n + 1, pain=pain),
            best_rom_deg={"knee_flexion": rom},
            furthest_deg={"knee_flexion": rom + 5},
        )
        for n, (day, rom, pain) in enumerate(zip(days, roms, pains, strict=True))
    ]


def goal_scores(case: str) -> tuple[GoalScore, ...]:
    """A goal's scores on the days of `chart_sessions(case)`, 0 to 10."""
    days = [s.day for s in chart_sessions(case)]
    return tuple(GoalScore(day, (3 * n) % 11) for n, day in enumerate(days))
