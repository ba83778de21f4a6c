"""Builders for store tests: reps, and a patient with a plan and a few weeks of sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from coach.engine.results import AngleStats, Fault, Rep
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from coach.store.prescriptions import PlanItemSpec, ProgressRule

SLOW_DOWN = Fault("too_fast", "Slow down", "minor", 4.0, 0.9)
KNEES_IN = Fault("knees_cave_in", "Keep your knees over your toes", "major", 5.0, 0.6)


def make_rep(
    index: int,
    *,
    peak: float = 90.0,
    partial: bool = False,
    faults: tuple[Fault, ...] = (),
    side: str = "both",
) -> Rep:
    knee = AngleStats(min_deg=5.0, max_deg=peak, at_turn_deg=peak - 1)
    hip = AngleStats(min_deg=10.0, max_deg=70.0, at_turn_deg=69.0)
    start = index * 3.0
    return Rep(
        index,
        side,
        start,
        start + 1.0,
        start + 2.0,
        {"knee_flexion": knee, "hip_flexion": hip},
        partial,
        faults,
    )


@dataclass
class Seeded:
    patient_id: int
    plan_id: int
    squat_item: int
    plank_item: int
    session_ids: list[int]


def record_session(
    store: Store,
    patient_id: int,
    item_id: int | None,
    when: datetime,
    *,
    reps: int = 5,
    pain: tuple[int, int] = (2, 2),
    planned_reps: int = 5,
    faults: tuple[Fault, ...] = (),
    peak: float = 90.0,
) -> int:
    session = store.start_session(
        "squat",
        patient_id=patient_id,
        plan_item_id=item_id,
        pain_before=pain[0],
        planned_sets=1,
        planned_reps=planned_reps,
        started_at=when,
    )
    store.start_set(session, 1)
    for index in range(1, reps + 1):
        store.add_rep(session, 1, make_rep(index, peak=peak + index, faults=faults))
    store.finish_set(session, 1, reps_done=reps, held_s=0.0)
    store.finish_session(
        session,
        pain_after=pain[1],
        effort_borg=4,
        view="side",
        ended_at=when + timedelta(minutes=8),
    )
    return session


def seed_patient(
    store: Store,
    library: ExerciseLibrary,
    *,
    name: str = "Ana Example",
    clinician_id: int | None = None,
    start: date | None = None,
    days: int = 4,
) -> Seeded:
    """A patient with a squat (3x a week, 5 reps, progress rule) and a plank plan, and one
    squat session a day for the last `days` days; the third session is painful. Each
    session is at local noon, so it falls on its day whatever the hour the tests run."""
    now = datetime.now().astimezone()
    today = now.date()
    patient = store.add_patient(name, referrer="Dr Referrer", clinician_id=clinician_id)
    plan = store.create_plan(patient, start_date=start or today - timedelta(days=30))
    squat = store.add_plan_item(
        plan,
        PlanItemSpec.from_exercise(
            library.get("squat"), reps=5, sets=1, progress_rule=ProgressRule(add_reps=2)
        ),
    )
    plank = store.add_plan_item(plan, PlanItemSpec.from_exercise(library.get("plank")))
    sessions = []
    for n in range(days, 0, -1):
        when = datetime.combine(today - timedelta(days=n), time(12), now.tzinfo).astimezone(UTC)
        pain = (2, 6) if n == days - 2 else (2, 2)
        sessions.append(
            record_session(
                store, patient, squat, when, pain=pain, faults=(SLOW_DOWN,) if n % 2 else ()
            )
        )
    store.add_goal(patient, "Climb the stairs at home")
    return Seeded(patient, plan, squat, plank, sessions)
