"""Patient-specific functional goals (PSFS style): up to five activities a patient finds hard,
each scored 0-10 over time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from coach.store.base import StoreBase
from coach.store.records import (
    MAX_GOALS,
    Goal,
    GoalScore,
    ValidationError,
    check_date,
    check_id,
    check_score,
    check_text,
)
from coach.store.rows import inserted_id
from coach.store.schema import (
    goal_scores,
    goals,
    patients,
)


class GoalStore(StoreBase):
    """Patient-specific functional goals (PSFS) and their scores."""

    # ---- goals (PSFS) -----------------------------------------------------------------------
    def add_goal(self, patient_id: int, activity: str) -> int:
        """A patient-chosen activity they find hard (PSFS); at most five at a time, also
        when several write at once: the transaction first writes to the patient's row,
        which takes the write lock (SQLite) or the row's lock (PostgreSQL), so the count
        below cannot change until this goal is committed."""
        text = check_text(activity, "activity", max_len=200)
        patient_id = check_id(patient_id, "patient")
        with self._writing("adding a goal") as connection:
            locked = connection.execute(
                patients.update().where(patients.c.id == patient_id).values(name=patients.c.name)
            )
            if locked.rowcount == 0:
                raise ValidationError(f"no patient {patient_id}")
            active = connection.execute(
                select(func.count())
                .select_from(goals)
                .where(goals.c.patient_id == patient_id, goals.c.active.is_(True))
            ).scalar_one()
            if active >= MAX_GOALS:
                raise ValidationError(
                    f"a patient has at most {MAX_GOALS} goals (PSFS); retire one first"
                )
            return inserted_id(
                connection.execute(
                    goals.insert().values(
                        patient_id=patient_id,
                        position=int(active) + 1,
                        activity=text,
                        active=True,
                        created_at=self._clock(),
                    )
                )
            )

    def score_goal(self, goal_id: int, score: int, *, scored_on: date | str | None = None) -> None:
        """0 = unable to do the activity, 10 = able to do it as before the problem."""
        day = check_date(scored_on, "date scored", required=False) or self._clock().date()
        with self._writing("scoring a goal") as connection:
            connection.execute(
                goal_scores.insert().values(
                    goal_id=check_id(goal_id, "goal"),
                    score=check_score(score, "goal score"),
                    scored_on=day,
                    created_at=self._clock(),
                )
            )

    def retire_goal(self, goal_id: int) -> None:
        with self._writing("retiring a goal") as connection:
            connection.execute(
                goals.update().where(goals.c.id == check_id(goal_id, "goal")).values(active=False)
            )

    def goal_patient_id(self, goal_id: int) -> int | None:
        with self._reading() as connection:
            return connection.execute(
                select(goals.c.patient_id).where(goals.c.id == check_id(goal_id, "goal"))
            ).scalar_one_or_none()

    def goals(self, patient_id: int, *, include_retired: bool = False) -> list[Goal]:
        query = select(goals).where(goals.c.patient_id == check_id(patient_id, "patient"))
        if not include_retired:
            query = query.where(goals.c.active.is_(True))
        with self._reading() as connection:
            rows = connection.execute(query.order_by(goals.c.position, goals.c.id)).all()
            out = []
            for row in rows:
                scores = connection.execute(
                    select(goal_scores.c.scored_on, goal_scores.c.score)
                    .where(goal_scores.c.goal_id == row.id)
                    .order_by(goal_scores.c.scored_on, goal_scores.c.id)
                )
                out.append(
                    Goal(
                        row.id,
                        row.patient_id,
                        row.position,
                        row.activity,
                        bool(row.active),
                        tuple(GoalScore(s[0], s[1]) for s in scores),
                    )
                )
            return out
