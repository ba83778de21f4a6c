"""Treatment plans: a patient's prescription of exercises, each with its own dose, target
and progress rule, overriding the exercise library's defaults.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row

from coach.store.base import StoreBase
from coach.store.prescriptions import NOTES_MAX_CHARS, PlanItemSpec
from coach.store.records import (
    Plan,
    PlanItem,
    StoreError,
    ValidationError,
    check_date,
    check_date_range,
    check_id,
    check_text,
)
from coach.store.rows import inserted_id, plan_item_record
from coach.store.schema import (
    plan_items,
    plans,
)


class PlanStore(StoreBase):
    """Treatment plans and their items (the physio's prescription)."""

    # ---- plans -----------------------------------------------------------------------------------
    def create_plan(
        self,
        patient_id: int,
        *,
        start_date: date | str,
        title: str = "Home exercise plan",
        end_date: date | str | None = None,
        notes: str | None = None,
        clinician_id: int | None = None,
        telehealth: bool = False,
    ) -> int:
        """A new plan for the patient; their earlier plans stop being active.
        `telehealth`: its sessions are shared live with the physiotherapist by default."""
        start = check_date(start_date, "start date")
        end = check_date(end_date, "end date", required=False)
        check_date_range(start, end)
        values = {
            "patient_id": check_id(patient_id, "patient"),
            "clinician_id": None if clinician_id is None else check_id(clinician_id, "clinician"),
            "title": check_text(title, "plan title", max_len=200),
            "start_date": start,
            "end_date": end,
            "notes": check_text(notes, "notes", max_len=4000, required=False),
            "active": True,
            "created_at": self._clock(),
            "telehealth": bool(telehealth),
        }
        with self._writing("creating a plan") as connection:
            connection.execute(
                plans.update()
                .where(plans.c.patient_id == values["patient_id"])
                .values(active=False)
            )
            return inserted_id(connection.execute(plans.insert().values(**values)))

    def update_plan(
        self,
        plan_id: int,
        *,
        title: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        clear_end_date: bool = False,
        notes: str | None = None,
        telehealth: bool | None = None,
    ) -> None:
        plan = self.get_plan(plan_id)
        start = check_date(start_date, "start date", required=False) or plan.start_date
        end = (
            None
            if clear_end_date
            else (check_date(end_date, "end date", required=False) or plan.end_date)
        )
        check_date_range(start, end)
        values: dict[str, Any] = {"start_date": start, "end_date": end}
        if title is not None:
            values["title"] = check_text(title, "plan title", max_len=200)
        if notes is not None:
            values["notes"] = check_text(notes, "notes", max_len=4000, required=False)
        if telehealth is not None:
            values["telehealth"] = bool(telehealth)
        with self._writing("updating a plan") as connection:
            connection.execute(plans.update().where(plans.c.id == plan.id).values(**values))

    def _item_values(self, spec: PlanItemSpec) -> dict[str, Any]:
        if not isinstance(spec, PlanItemSpec):
            raise ValidationError("a plan item must be a PlanItemSpec")
        rule = spec.progress_rule.to_dict() if spec.progress_rule is not None else None
        return {
            "exercise_id": spec.exercise_id,
            "sets": spec.sets,
            "reps": spec.reps,
            "hold_s": spec.hold_s,
            "rest_s": spec.rest_s,
            "rom_angle": spec.rom_angle,
            "rom_target_deg": spec.rom_target_deg,
            "counts_from_deg": spec.counts_from_deg,
            "frequency_per_week": spec.frequency_per_week,
            "notes": check_text(spec.notes, "notes", max_len=NOTES_MAX_CHARS, required=False),
            "progress_rule": rule,
        }

    def add_plan_item(self, plan_id: int, spec: PlanItemSpec) -> int:
        values = self._item_values(spec)
        plan_id = check_id(plan_id, "plan")
        with self._writing("adding an exercise to a plan") as connection:
            position = connection.execute(
                select(func.coalesce(func.max(plan_items.c.position), 0)).where(
                    plan_items.c.plan_id == plan_id
                )
            ).scalar_one()
            return inserted_id(
                connection.execute(
                    plan_items.insert().values(
                        plan_id=plan_id,
                        position=int(position) + 1,
                        active=True,
                        created_at=self._clock(),
                        **values,
                    )
                )
            )

    def update_plan_item(self, item_id: int, spec: PlanItemSpec) -> None:
        values = self._item_values(spec)
        with self._writing("changing a plan item") as connection:
            done = connection.execute(
                plan_items.update()
                .where(plan_items.c.id == check_id(item_id, "plan item"))
                .values(**values)
            )
            if done.rowcount == 0:
                raise StoreError(f"no plan item {item_id}")

    def remove_plan_item(self, item_id: int) -> None:
        """Take an exercise out of the plan; its past sessions keep pointing at it."""
        with self._writing("removing a plan item") as connection:
            connection.execute(
                plan_items.update()
                .where(plan_items.c.id == check_id(item_id, "plan item"))
                .values(active=False)
            )

    def _plan(self, connection: Connection, row: Row) -> Plan:
        items = connection.execute(
            select(plan_items)
            .where(plan_items.c.plan_id == row.id)
            .order_by(plan_items.c.position, plan_items.c.id)
        )
        return Plan(
            row.id,
            row.patient_id,
            row.clinician_id,
            row.title,
            row.start_date,
            row.end_date,
            row.notes,
            bool(row.active),
            tuple(plan_item_record(i) for i in items),
            bool(row.telehealth),
        )

    def get_plan(self, plan_id: int) -> Plan:
        with self._reading() as connection:
            row = connection.execute(
                select(plans).where(plans.c.id == check_id(plan_id, "plan"))
            ).one_or_none()
            if row is None:
                raise StoreError(f"no plan {plan_id}")
            return self._plan(connection, row)

    def plans_for(self, patient_id: int) -> list[Plan]:
        with self._reading() as connection:
            rows = connection.execute(
                select(plans)
                .where(plans.c.patient_id == check_id(patient_id, "patient"))
                .order_by(plans.c.start_date.desc(), plans.c.id.desc())
            ).all()
            return [self._plan(connection, row) for row in rows]

    def current_plan(self, patient_id: int) -> Plan | None:
        """The patient's active plan (the newest, if there were ever several)."""
        return next((p for p in self.plans_for(patient_id) if p.active), None)

    def get_plan_item(self, item_id: int) -> PlanItem:
        with self._reading() as connection:
            row = connection.execute(
                select(plan_items).where(plan_items.c.id == check_id(item_id, "plan item"))
            ).one_or_none()
        if row is None:
            raise StoreError(f"no plan item {item_id}")
        return plan_item_record(row)

    def plan_item_patient_id(self, item_id: int) -> int | None:
        with self._reading() as connection:
            return connection.execute(
                select(plans.c.patient_id)
                .join(plan_items, plan_items.c.plan_id == plans.c.id)
                .where(plan_items.c.id == check_id(item_id, "plan item"))
            ).scalar_one_or_none()
