"""Stored assessment results read back: the previous value to compare with, a plain-words
line for a result, and trend rows for the dashboard's charts (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coach.assessment.goniometer import RomMeasure
from coach.assessment.tasks import AssessmentResult
from coach.assessment.tug import FALL_RISK_S
from coach.store.records import Assessment

UNIT_WORDS = {"deg": "deg", "s": "s", "{stands}": "stands"}
TEST_LABELS = {
    "chair_stand_30s": "30-second chair stand (full stands)",
    "timed_up_and_go": "Timed Up and Go (s)",
    "single_leg_stance": "Single-leg stance, eyes open (s)",
}


def previous_value(
    history: Iterable[Assessment], kind: str, measure: str, side: str | None
) -> float | None:
    """The latest stored value of this measure and side (history is oldest first)."""
    values = [
        a.value for a in history if a.kind == kind and a.measure == measure and a.side == side
    ]
    return values[-1] if values else None


def result_text(result: AssessmentResult, label: str, previous: float | None) -> str:
    """E.g. 'Knee flexion, left: 112 deg (normal adult range 0-130 deg; last time 105,
    +7)'."""
    side = f", {result.side}" if result.side else ""
    unit = f" {UNIT_WORDS[result.unit]}"
    notes = []
    normal = result.details.get("normal_range")
    if normal:
        notes.append(f"normal adult range {normal[0]:g}-{normal[1]:g}{unit}")
    if result.kind == "timed_up_and_go":
        risk = "a higher risk of falls" if result.value >= FALL_RISK_S else "under"
        notes.append(f"{FALL_RISK_S:g} s threshold: {risk}")
    if "below_average" in result.details:
        below = "below average" if result.details["below_average"] else "not below average"
        notes.append(f"{below} for age and sex (under {result.details['norm_below']}, STEADI)")
    if previous is not None:
        notes.append(f"last time {previous:g}, {result.value - previous:+g}")
    else:
        notes.append("first measurement")
    return f"{label}{side}: {result.value:g}{unit} ({'; '.join(notes)})"


def trend_rows(
    history: Iterable[Assessment], measures: dict[str, RomMeasure]
) -> list[dict[str, Any]]:
    """One row per stored result, with what its chart draws behind it: the normal range
    (range of motion) or the threshold (functional tests)."""
    rows = []
    for a in history:
        row: dict[str, Any] = {
            "kind": a.kind,
            "measure": a.measure,
            "side": a.side or "both",
            "value": a.value,
            "unit": a.unit,
            "taken_at": a.taken_at,
            "normal_low": None,
            "normal_high": None,
            "threshold": None,
            "threshold_label": None,
        }
        if a.kind == "rom":
            measure = measures.get(a.measure)
            row["label"] = measure.label if measure else a.measure.replace("_", " ")
            low, high = measure.normal_range if measure else (None, None)
            row["normal_low"], row["normal_high"] = low, high
        else:
            row["label"] = TEST_LABELS.get(a.kind, a.kind)
        if a.kind == "timed_up_and_go":
            row["threshold"] = FALL_RISK_S
            row["threshold_label"] = "12 s: higher fall risk (STEADI)"
        elif a.kind == "chair_stand_30s" and a.details.get("norm_below") is not None:
            row["threshold"] = float(a.details["norm_below"])
            row["threshold_label"] = (
                f"below {a.details['norm_below']}: below average for age and sex (STEADI)"
            )
        rows.append(row)
    return rows


def reference_text(row: dict[str, Any]) -> str:
    """What a trend row is read against, in words: the normal range (range of motion), the
    threshold (Timed Up and Go, chair stand with a STEADI norm), or '' where there is none
    (single-leg stance, a chair stand without age and sex)."""
    if row["normal_high"] is not None:
        unit = UNIT_WORDS.get(row["unit"], row["unit"])
        return f"normal adult range {row['normal_low']:g}-{row['normal_high']:g} {unit}"
    return row["threshold_label"] or ""


def first_and_latest(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per measure or test and side, the first and the latest trend row (rows oldest
    first) and how many there were: a report's before-and-after, in first-seen order."""
    groups: dict[tuple[str, str, Any], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["kind"], row["measure"], row["side"]), []).append(row)
    return [{"first": mine[0], "latest": mine[-1], "count": len(mine)} for mine in groups.values()]
