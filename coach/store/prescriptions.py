"""What a physio prescribes for one exercise of a plan, as the store takes it in:
`PlanItemSpec` (dosage, target, notes) and its `ProgressRule`, both checked on construction.

The limits are defined once here (`PLAN_ITEM_LIMITS`, `PROGRESS_RULE_LIMITS`): the checks
use them, and the plan editor's inputs offer exactly these ranges. What the rules mean for
next time (progress, keep, less load) is coach.clinical.plans.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from coach.exercise.schema import ExerciseDef
from coach.store.records import (
    PlanItem,
    ValidationError,
    check_exercise_id,
    check_float_range,
    check_int_range,
    check_text,
)

# (lowest, highest) of each value a physio may prescribe for a plan item.
PLAN_ITEM_LIMITS: dict[str, tuple[int, int]] = {
    "sets": (1, 20),
    "reps": (1, 200),
    "hold_s": (1, 600),
    "rest_s": (0, 900),
    "frequency_per_week": (1, 14),
    "rom_target_deg": (0, 360),
    "counts_from_deg": (0, 360),
}
# (lowest, highest) of each value of a progress rule.
PROGRESS_RULE_LIMITS: dict[str, tuple[int, int]] = {
    "add_reps": (0, 20),
    "add_hold_s": (0, 60),
    "after_sessions": (1, 10),
    "max_pain": (0, 10),
    "max_reps": (1, 200),
    "max_hold_s": (1, 600),
}
NOTES_MAX_CHARS = 2000  # a plan item's notes for the patient


# ---- progress rules ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgressRule:
    """Progress the dosage when the last `after_sessions` sessions at the current dosage
    all had pain at most `max_pain` (and, if asked, no major form fault): add `add_reps`
    repetitions (or `add_hold_s` seconds to a hold), up to a ceiling."""

    add_reps: int = 2
    add_hold_s: float = 5.0
    after_sessions: int = 2
    max_pain: int = 3
    no_major_faults: bool = True
    completed: bool = True  # every prescribed rep (or hold) done in those sessions
    max_reps: int = 30
    max_hold_s: float = 120.0

    def __post_init__(self) -> None:
        check_int_range(self.add_reps, "reps to add", *PROGRESS_RULE_LIMITS["add_reps"])
        check_float_range(self.add_hold_s, "seconds to add", *PROGRESS_RULE_LIMITS["add_hold_s"])
        check_int_range(
            self.after_sessions, "sessions to wait", *PROGRESS_RULE_LIMITS["after_sessions"]
        )
        check_int_range(self.max_pain, "highest pain allowed", *PROGRESS_RULE_LIMITS["max_pain"])
        check_int_range(self.max_reps, "most reps", *PROGRESS_RULE_LIMITS["max_reps"])
        check_float_range(self.max_hold_s, "longest hold", *PROGRESS_RULE_LIMITS["max_hold_s"])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ProgressRule | None:
        if not data:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def text(self) -> str:
        amount = f"add {self.add_reps} reps (up to {self.max_reps})"
        if self.add_hold_s:
            amount += f" or {self.add_hold_s:g} s of hold (up to {self.max_hold_s:g} s)"
        faults = " and no major form fault" if self.no_major_faults else ""
        done = ", all prescribed reps done" if self.completed else ""
        return (
            f"{amount} when the last {self.after_sessions} sessions had pain at most "
            f"{self.max_pain}/10{faults}{done}"
        )


# ---- plan items ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanItemSpec:
    """What a physio prescribes for one exercise; validated on construction."""

    exercise_id: str
    sets: int
    reps: int | None = None
    hold_s: float | None = None
    rest_s: float = 60.0
    frequency_per_week: int = 3
    rom_angle: str | None = None
    rom_target_deg: float | None = None
    notes: str | None = None
    progress_rule: ProgressRule | None = None
    # Where a rep counts on rom_angle for this patient (the turn threshold); None: the
    # library's, moved by the target (coach.engine.thresholds).
    counts_from_deg: float | None = None

    def __post_init__(self) -> None:
        check_exercise_id(self.exercise_id)
        check_int_range(self.sets, "sets", *PLAN_ITEM_LIMITS["sets"])
        if (self.reps is None) == (self.hold_s is None):
            raise ValidationError("give either repetitions or a hold time, not both")
        if self.reps is not None:
            check_int_range(self.reps, "repetitions", *PLAN_ITEM_LIMITS["reps"])
        if self.hold_s is not None:
            check_float_range(self.hold_s, "hold (s)", *PLAN_ITEM_LIMITS["hold_s"])
        check_float_range(self.rest_s, "rest (s)", *PLAN_ITEM_LIMITS["rest_s"])
        check_int_range(
            self.frequency_per_week, "times per week", *PLAN_ITEM_LIMITS["frequency_per_week"]
        )
        if self.rom_target_deg is not None:
            check_float_range(
                self.rom_target_deg,
                "range-of-motion target (deg)",
                *PLAN_ITEM_LIMITS["rom_target_deg"],
            )
            if not self.rom_angle:
                raise ValidationError("a range-of-motion target needs the angle it is about")
        if self.counts_from_deg is not None:
            check_float_range(
                self.counts_from_deg, "counts from (deg)", *PLAN_ITEM_LIMITS["counts_from_deg"]
            )
            if not self.rom_angle:
                raise ValidationError("'counts from' needs the angle it is about")
        check_text(self.notes, "notes", max_len=NOTES_MAX_CHARS, required=False)

    @classmethod
    def from_exercise(cls, exercise: ExerciseDef, **overrides: Any) -> PlanItemSpec:
        """The library's dosage and target for this exercise, with the physio's overrides."""
        dose = exercise.dosage
        values: dict[str, Any] = {
            "exercise_id": exercise.id,
            "sets": dose.sets,
            "rest_s": float(dose.rest_s),
        }
        if exercise.mode == "hold":
            values["hold_s"] = float(dose.hold_s or 30.0)
        else:
            values["reps"] = dose.reps or 10
        if exercise.reps is not None and exercise.reps.driver in exercise.angles:
            values["rom_angle"] = exercise.reps.driver
            values["rom_target_deg"] = exercise.reps.target
        values.update(overrides)
        if "hold_s" in overrides and overrides["hold_s"] is not None:
            values["reps"] = overrides.get("reps")
        if "reps" in overrides and overrides["reps"] is not None:
            values["hold_s"] = overrides.get("hold_s")
        return cls(**values)

    @classmethod
    def from_item(cls, item: PlanItem, **overrides: Any) -> PlanItemSpec:
        values: dict[str, Any] = {
            "exercise_id": item.exercise_id,
            "sets": item.sets,
            "reps": item.reps,
            "hold_s": item.hold_s,
            "rest_s": item.rest_s,
            "frequency_per_week": item.frequency_per_week,
            "rom_angle": item.rom_angle,
            "rom_target_deg": item.rom_target_deg,
            "counts_from_deg": item.counts_from_deg,
            "notes": item.notes,
            "progress_rule": ProgressRule.from_dict(item.progress_rule),
        }
        values.update(overrides)
        return cls(**values)
