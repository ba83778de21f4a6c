"""Row values in and records out: the conversions the store's parts share.

Kept apart from `base` (connection and transactions) so each part imports only the
mappings it needs, and so one row always becomes the same record whichever part reads it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import CursorResult, Row

from coach.store.records import AngleRecord, Patient, PlanItem, StoreError


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the row a single-row INSERT just added."""
    key = result.inserted_primary_key
    if key is None:  # SQLAlchemy gives none for an INSERT of several rows at once
        raise StoreError("the database gave no id for the new row")
    return int(key[0])


def plain_number(value: float | None) -> float | None:
    """A measure as stored in a JSON column: NaN becomes null (JSON has no NaN) and two
    decimals are plenty for degrees and seconds."""
    return None if value is None or value != value else round(float(value), 2)


def from_json(value: Any) -> Any:
    """A JSON column's value: SQLite hands back text, PostgreSQL the decoded value."""
    return json.loads(value) if isinstance(value, str) else value


def patient_record(row: Row) -> Patient:
    """A `patients` row as a `Patient` (SQLite stores the flag as 0/1)."""
    return Patient(
        row.id,
        row.name,
        row.date_of_birth,
        row.referrer,
        row.clinician_id,
        bool(row.is_default),
        row.notes,
    )


def plan_item_record(row: Row) -> PlanItem:
    """A `plan_items` row as a `PlanItem`, its progression rule decoded."""
    return PlanItem(
        row.id,
        row.plan_id,
        row.position,
        row.exercise_id,
        row.sets,
        row.reps,
        row.hold_s,
        row.rest_s,
        row.rom_angle,
        row.rom_target_deg,
        row.frequency_per_week,
        row.notes,
        from_json(row.progress_rule),
        bool(row.active),
        row.counts_from_deg,
    )


def angle_records(raw: Any) -> dict[str, AngleRecord]:
    """A rep's stored range of motion (JSON: angle name -> stats) as `AngleRecord`s."""
    return {
        name: AngleRecord(
            stats.get("min_deg"), stats.get("max_deg"), stats.get("rom_deg"), stats.get("peak_deg")
        )
        for name, stats in (from_json(raw) or {}).items()
    }
