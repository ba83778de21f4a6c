"""Assessment results: camera goniometry (range of motion) and the standard functional tests
(30-second chair stand, Timed Up and Go, single-leg stance), trended per patient."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from coach.store.base import StoreBase, checked_day_bounds
from coach.store.records import (
    Assessment,
    ValidationError,
    aware,
    check_id,
    check_text,
)
from coach.store.rows import from_json, inserted_id
from coach.store.schema import ASSESSMENT_KINDS, assessments

UNITS = ("deg", "s", "{stands}")
COUNT_UNITS = ("{stands}",)


def _value(stored: float, unit: str) -> float:
    """A count comes back whole (11 stands, not 11.0: exports and reports show it as it
    was counted); the column itself holds real numbers for degrees and seconds."""
    return round(stored) if unit in COUNT_UNITS else stored


class AssessmentStore(StoreBase):
    """Measured results of assessments, one row per measure and side."""

    def add_assessment(
        self,
        patient_id: int,
        *,
        kind: str,
        measure: str,
        value: float,
        unit: str,
        side: str | None = None,
        details: dict[str, Any] | None = None,
        source: str = "live",
        taken_at: datetime | None = None,
        notes: str | None = None,
    ) -> int:
        """Store one result; `details` holds what explains it (jitter, view, norm band)."""
        if kind not in ASSESSMENT_KINDS:
            raise ValidationError(
                f"assessment kind must be one of {ASSESSMENT_KINDS}, got {kind!r}"
            )
        if unit not in UNITS:
            raise ValidationError(f"assessment unit must be one of {UNITS}, got {unit!r}")
        if side not in (None, "left", "right"):
            raise ValidationError(f"side must be 'left', 'right' or none, got {side!r}")
        if source not in ("live", "video"):
            raise ValidationError(f"source must be 'live' or 'video', got {source!r}")
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValidationError(f"an assessment value must be a finite number, got {value!r}")
        if unit in COUNT_UNITS and value != int(value):
            raise ValidationError(f"a count ({unit}) must be a whole number, got {value!r}")
        values = {
            "patient_id": check_id(patient_id, "patient"),
            "kind": kind,
            "measure": check_text(measure, "measure", max_len=60),
            "side": side,
            "value": round(float(value), 2),
            "unit": unit,
            "details": details or {},
            "source": source,
            "notes": check_text(notes, "notes", max_len=2000, required=False),
            "taken_at": aware(taken_at) if taken_at is not None else self._clock(),
            "created_at": self._clock(),
        }
        with self._writing("saving an assessment") as connection:
            return inserted_id(connection.execute(assessments.insert().values(**values)))

    def assessments(
        self,
        patient_id: int,
        *,
        kind: str | None = None,
        measure: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
    ) -> list[Assessment]:
        """A patient's results, oldest first (optionally of one kind or measure); dates are
        local days, both ends included, as for `sessions`, so an export's range means the
        same for both."""
        start, end = checked_day_bounds(date_from, date_to)
        query = select(assessments).where(
            assessments.c.patient_id == check_id(patient_id, "patient")
        )
        if kind is not None:
            query = query.where(assessments.c.kind == kind)
        if measure is not None:
            query = query.where(assessments.c.measure == measure)
        if start is not None:
            query = query.where(assessments.c.taken_at >= start)
        if end is not None:
            query = query.where(assessments.c.taken_at < end)
        with self._reading() as connection:
            rows = connection.execute(query.order_by(assessments.c.taken_at, assessments.c.id))
            return [
                Assessment(
                    r.id,
                    r.patient_id,
                    r.kind,
                    r.measure,
                    r.side,
                    _value(r.value, r.unit),
                    r.unit,
                    aware(r.taken_at),
                    r.source,
                    from_json(r.details) or {},
                    r.notes,
                )
                for r in rows
            ]

    def assessment_patient_id(self, assessment_id: int) -> int | None:
        with self._reading() as connection:
            return connection.execute(
                select(assessments.c.patient_id).where(
                    assessments.c.id == check_id(assessment_id, "assessment")
                )
            ).scalar_one_or_none()
