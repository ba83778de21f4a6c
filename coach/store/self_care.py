"""Self-management records: the flare-up plan kept with a treatment plan, posture check
summaries, and which pain-education lessons a patient has read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from coach.store.base import StoreBase
from coach.store.records import (
    FlareUpPlan,
    PostureCheck,
    ValidationError,
    aware,
    check_id,
    check_text,
)
from coach.store.rows import from_json, inserted_id
from coach.store.schema import flare_up_plans, lesson_reads, posture_checks

FLARE_UP_FIELDS = ("warning_signs", "reduce", "keep_doing", "helps", "seek_help")


class SelfCareStore(StoreBase):
    """Flare-up plans, posture check summaries and lessons read."""

    def save_flare_up_plan(self, plan_id: int, **fields: str | None) -> None:
        """Create or replace the flare-up plan of a treatment plan (fields: FLARE_UP_FIELDS)."""
        unknown = set(fields) - set(FLARE_UP_FIELDS)
        if unknown:
            raise ValidationError(
                f"unknown flare-up plan fields {sorted(unknown)}; use {FLARE_UP_FIELDS}"
            )
        plan_id = check_id(plan_id, "plan")
        values = {
            name: check_text(fields.get(name), name.replace("_", " "), max_len=2000, required=False)
            for name in FLARE_UP_FIELDS
        }
        now = self._clock()
        with self._writing("saving the flare-up plan") as connection:
            done = connection.execute(
                flare_up_plans.update()
                .where(flare_up_plans.c.plan_id == plan_id)
                .values(**values, updated_at=now)
            )
            if done.rowcount == 0:
                connection.execute(
                    flare_up_plans.insert().values(
                        plan_id=plan_id, **values, updated_at=now, created_at=now
                    )
                )

    def flare_up_plan(self, plan_id: int) -> FlareUpPlan | None:
        with self._reading() as connection:
            row = connection.execute(
                select(flare_up_plans).where(flare_up_plans.c.plan_id == check_id(plan_id, "plan"))
            ).one_or_none()
        if row is None:
            return None
        return FlareUpPlan(
            row.plan_id,
            row.warning_signs,
            row.reduce,
            row.keep_doing,
            row.helps,
            row.seek_help,
            aware(row.updated_at),
        )

    def add_posture_check(
        self,
        patient_id: int,
        *,
        started_at: datetime,
        ended_at: datetime,
        summary: dict[str, Any],
    ) -> int:
        """Keep the summary of a posture check (numbers only: no frames, no landmarks)."""
        start, end = aware(started_at), aware(ended_at)
        if start is None or end is None or end < start:
            raise ValidationError("a posture check must end after it starts")
        with self._writing("saving a posture check") as connection:
            return inserted_id(
                connection.execute(
                    posture_checks.insert().values(
                        patient_id=check_id(patient_id, "patient"),
                        started_at=start,
                        ended_at=end,
                        summary=summary,
                        created_at=self._clock(),
                    )
                )
            )

    def posture_checks(self, patient_id: int) -> list[PostureCheck]:
        with self._reading() as connection:
            rows = connection.execute(
                select(posture_checks)
                .where(posture_checks.c.patient_id == check_id(patient_id, "patient"))
                .order_by(posture_checks.c.started_at, posture_checks.c.id)
            )
            return [
                PostureCheck(
                    r.id,
                    r.patient_id,
                    aware(r.started_at),
                    aware(r.ended_at),
                    from_json(r.summary) or {},
                )
                for r in rows
            ]

    def mark_lesson_read(self, patient_id: int, lesson_id: str) -> None:
        """Remember that a lesson was read (the first time only)."""
        patient_id = check_id(patient_id, "patient")
        lesson = check_text(lesson_id, "lesson id", max_len=64)
        with self._writing("remembering a lesson read") as connection:
            seen = connection.execute(
                select(lesson_reads.c.id).where(
                    lesson_reads.c.patient_id == patient_id, lesson_reads.c.lesson_id == lesson
                )
            ).first()
            if seen is None:
                connection.execute(
                    lesson_reads.insert().values(
                        patient_id=patient_id, lesson_id=lesson, read_at=self._clock()
                    )
                )

    def lessons_read(self, patient_id: int) -> dict[str, datetime]:
        """lesson id -> when the patient first read it."""
        with self._reading() as connection:
            rows = connection.execute(
                select(lesson_reads.c.lesson_id, lesson_reads.c.read_at).where(
                    lesson_reads.c.patient_id == check_id(patient_id, "patient")
                )
            )
            return {r.lesson_id: aware(r.read_at) for r in rows}
