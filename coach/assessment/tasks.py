"""Each assessment as one task with the same face for the live page: `update(pose)` ->
a `TaskStatus` (read-out lines, what to do now, whether it is over, results to store).

Results are `AssessmentResult`s whose fields are exactly `Store.add_assessment`'s, with
`details` holding what explains the number (jitter, view, normal range, norm used).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from coach.assessment.chair_stand import (
    ChairStandPhase,
    ChairStandTest,
    Sex,
    chair_stand_norm,
)
from coach.assessment.goniometer import RomMeasure
from coach.assessment.rom import RomMeasurement
from coach.assessment.stance import SingleLegStance, StancePhase
from coach.assessment.tug import FALL_RISK_S, TimedUpAndGo, TugPhase
from coach.core.landmarks import SIDES, Side
from coach.core.pose import Pose


@dataclass(frozen=True)
class AssessmentResult:
    """One stored number: `Store.add_assessment(patient_id, **result.fields())`."""

    kind: str
    measure: str
    value: float
    unit: str
    side: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "measure": self.measure,
            "value": self.value,
            "unit": self.unit,
            "side": self.side,
            "details": self.details,
        }


@dataclass(frozen=True)
class TaskStatus:
    lines: tuple[str, ...]  # the read-out, drawn on the video and shown by the page
    message: str | None  # what to do now
    done: bool
    results: tuple[AssessmentResult, ...] = ()


class AssessmentTask(Protocol):
    kind: str

    def update(self, pose: Pose) -> TaskStatus: ...


NOT_MEASURED = "Nothing measured yet: move to your limit and hold still there for 2 seconds"


def _deg(value: float) -> str:
    """An angle as the read-outs write it (the overlay draws "°" as "deg": coach.vision.draw)."""
    return "--" if math.isnan(value) else f"{value:.0f}°"


class RomTask:
    """A goniometer measurement; it never ends by itself (the patient saves when done)."""

    kind = "rom"

    def __init__(self, measure: RomMeasure) -> None:
        self.measure = measure
        self.measurement = RomMeasurement(measure)

    def update(self, pose: Pose) -> TaskStatus:
        reading = self.measurement.update(pose)
        results = self.results(reading.view)
        # "Best hold" is what Save would keep, so the read-out, the message and Save agree:
        # a hold too small to be a movement shows as not measured.
        kept = {r.side or "left": r.value for r in results}
        lines = [self.measure.label]
        sides: tuple[Side, ...] = SIDES if self.measure.sided else ("left",)
        for side in sides:
            angle = reading.angle_deg[side]
            if math.isnan(angle) and side not in kept:
                continue
            name = f"{side.capitalize()}: " if self.measure.sided else ""
            best = f"best hold {_deg(kept[side])}" if side in kept else "nothing held yet"
            held = "  holding" if reading.steady[side] else ""
            lines.append(f"{name}now {_deg(angle)}, {best}{held}")
        if reading.message:
            message = reading.message
        elif results:
            message = "Measured: press Save, or move further and hold still to measure again"
        else:
            message = NOT_MEASURED
        return TaskStatus(tuple(lines), message, False, results)

    def results(self, view: str | None = None) -> tuple[AssessmentResult, ...]:
        return tuple(
            AssessmentResult(
                "rom",
                self.measure.id,
                round(r.value_deg, 1),
                "deg",
                r.side,
                {
                    "jitter_deg": round(r.jitter_deg, 2),
                    "samples": r.samples,
                    "normal_range": list(r.normal_range),
                    "view": view or self.measure.view,
                    "method": "markerless video pose estimation, stable peak",
                },
            )
            for r in self.measurement.results()
        )


class ChairStandTask:
    """The 30-second chair stand, judged against STEADI for this age and sex (if known)."""

    kind = "chair_stand_30s"

    def __init__(self, age: int | None, sex: Sex | None, *, countdown_s: float = 3.0) -> None:
        self.test = ChairStandTest(countdown_s=countdown_s)
        self.norm = chair_stand_norm(age, sex) if age is not None and sex is not None else None
        self.age, self.sex = age, sex

    def update(self, pose: Pose) -> TaskStatus:
        state = self.test.update(pose)
        lines = [f"Chair stand: {state.stands} stands"]
        if state.phase is ChairStandPhase.RUNNING:
            lines.append(f"{state.seconds_left:.0f} s left")
        results: tuple[AssessmentResult, ...] = ()
        if state.phase is ChairStandPhase.DONE:
            details: dict[str, Any] = {
                "age": self.age,
                "sex": self.sex,
                "halfway_counted": self.test.halfway_counted,
            }
            if self.norm is not None:
                lines.append(self.norm.verdict(state.stands))
                details |= {
                    "norm_below": self.norm.below,
                    "source": self.norm.source,
                    "below_average": self.norm.is_below_average(state.stands),
                }
            results = (
                AssessmentResult(self.kind, "stands", state.stands, "{stands}", details=details),
            )
        return TaskStatus(tuple(lines), state.message, bool(results), results)


class TugTask:
    """Timed Up and Go, side-on."""

    kind = "timed_up_and_go"

    def __init__(self) -> None:
        self.test = TimedUpAndGo()

    def update(self, pose: Pose) -> TaskStatus:
        state = self.test.update(pose)
        lines = [f"Timed Up and Go: {state.elapsed_s:.1f} s"]
        results: tuple[AssessmentResult, ...] = ()
        if state.phase is TugPhase.DONE and state.time_s is not None:
            results = (
                AssessmentResult(
                    self.kind,
                    "time",
                    round(state.time_s, 2),
                    "s",
                    details={"fall_risk": bool(state.fall_risk), "threshold_s": FALL_RISK_S},
                ),
            )
        return TaskStatus(tuple(lines), state.message, bool(results), results)


class StanceTask:
    """Single-leg stance, eyes open, one attempt (the standing leg is the side)."""

    kind = "single_leg_stance"

    def __init__(self, *, max_s: float = 45.0) -> None:
        self.test = SingleLegStance(max_s=max_s)

    def update(self, pose: Pose) -> TaskStatus:
        state = self.test.update(pose)
        leg = f" on the {state.side} leg" if state.side else ""
        lines = [f"Single-leg stance{leg}: {state.held_s:.1f} s"]
        result = self.test.result()
        results: tuple[AssessmentResult, ...] = ()
        if result is not None:
            side, seconds = result
            results = (
                AssessmentResult(
                    self.kind,
                    "time",
                    round(seconds, 2),
                    "s",
                    side,
                    {"stopped_by": self.test.reason, "max_s": self.test.max_s, "eyes": "open"},
                ),
            )
        return TaskStatus(tuple(lines), state.message, state.phase is StancePhase.DONE, results)
