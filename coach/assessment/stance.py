"""Single-leg stance time (eyes open), from the front: how long the patient stands on one
leg with the hands on the hips. The time stops, for good, when the lifted foot touches
down or a hand leaves its hip; the standing leg is the result's side.

The timing is the engine's hold timer (a break shorter than `exit_s` is a wobble, longer
ends the attempt); the measures are declared in the exercise vocabulary and computed by
the engine's measure computer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from coach.core.landmarks import SIDES, Side
from coach.core.pose import Pose
from coach.engine.hold import HoldTimer
from coach.engine.measures import MeasureComputer
from coach.engine.view import ViewEstimator
from coach.exercise.schema import AngleDef, RatioDef

MEASURES: dict[str, AngleDef | RatioDef] = {
    # The other foot's ankle above this side's ankle, over this side's shin (as in
    # coach/exercise/definitions/single_leg_stance.toml): 0 with both feet down.
    "foot_lift": RatioDef(type="height_ratio", points=["other_ankle", "ankle", "knee", "ankle"]),
    # A hand on its hip: the wrist near the hip (over the trunk length) ...
    "hand_to_hip": RatioDef(points=["wrist", "hip", "mid_shoulder", "mid_hip"]),
    # ... with the elbow out to the side, not an arm hanging down.
    "elbow_out": AngleDef(type="included", points=["hip", "shoulder", "elbow"], space="image"),
}
LIFT_START = 0.2  # the foot is up: about 8 cm for a 40 cm shin
LIFT_TOUCHDOWN = 0.08  # the foot is (nearly) down again
HAND_ON_HIP_MAX = 0.35
ELBOW_OUT_MIN_DEG = 20.0


class StancePhase(Enum):
    WAITING = "waiting"  # hands on hips, both feet down, facing the camera
    TIMING = "timing"
    DONE = "done"


@dataclass(frozen=True)
class StanceState:
    phase: StancePhase
    message: str
    side: Side | None  # the standing leg
    held_s: float


class SingleLegStance:
    """One attempt: `update(pose)` -> state; `result()` -> (standing side, seconds)."""

    def __init__(self, *, max_s: float = 45.0, exit_s: float = 0.2) -> None:
        self.max_s = max_s
        self._measures = MeasureComputer.of(MEASURES)
        self._view = ViewEstimator.prompt()  # a gate: the test stops once the patient turns
        self._timers = {side: HoldTimer(enter_s=0.2, exit_s=exit_s) for side in SIDES}
        self.side: Side | None = None
        self.phase = StancePhase.WAITING
        self.reason: str | None = None

    def update(self, pose: Pose) -> StanceState:
        t_s = pose.t_s
        view = self._view.update(pose)
        if self.phase is StancePhase.DONE:
            return self._state(f"Done: {self.held_s:.1f} s on the {self.side} leg")
        if pose.is_empty or view not in ("front", None):
            message = "Step into view of the camera" if pose.is_empty else "Face the camera"
            if self.phase is StancePhase.TIMING:
                self._stop("out of view")
            return self._state(message)
        measured = self._measures.compute(pose, view)
        hands = all(
            measured["hand_to_hip"].on(s) < HAND_ON_HIP_MAX
            and measured["elbow_out"].on(s) > ELBOW_OUT_MIN_DEG
            for s in SIDES
        )
        for side in SIDES if self.side is None else (self.side,):
            lift = measured["foot_lift"].on(side)
            threshold = LIFT_START if self.phase is StancePhase.WAITING else LIFT_TOUCHDOWN
            timer = self._timers[side]
            was_holding = timer.holding
            timer.update(bool(lift > threshold) and hands, t_s)
            if timer.holding and self.side is None:
                self.side, self.phase = side, StancePhase.TIMING
            if was_holding and not timer.holding:
                self._stop("foot down" if not lift > LIFT_TOUCHDOWN else "hands off hips")
        if self.phase is StancePhase.TIMING and self.held_s >= self.max_s:
            self._stop(f"reached {self.max_s:.0f} s")
        if self.phase is StancePhase.TIMING:
            return self._state("Keep your balance: hands on hips, foot off the floor")
        if self.phase is StancePhase.DONE:
            return self._state(f"Done: {self.held_s:.1f} s on the {self.side} leg")
        if not hands:
            return self._state("Put your hands on your hips")
        return self._state("Lift one foot off the floor and balance on the other leg")

    @property
    def held_s(self) -> float:
        if self.side is None:
            return 0.0
        return min(self._timers[self.side].longest_bout_s, self.max_s)

    def _stop(self, reason: str) -> None:
        """End the attempt (the hold timer already ended the bout when the break began)."""
        self.phase, self.reason = StancePhase.DONE, reason

    def result(self) -> tuple[Side, float] | None:
        """(standing side, seconds) once the attempt has ended."""
        if self.phase is not StancePhase.DONE or self.side is None:
            return None
        return self.side, self.held_s

    def _state(self, message: str) -> StanceState:
        return StanceState(self.phase, message, self.side, self.held_s)
