"""Store records built in memory, without a database: for the pure rules of coach.clinical
(adherence, today's list, pain flags) that read what the store would return."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from coach.store.records import SessionRecord


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
