"""Timed Up and Go from a side view: the time from rising off the chair to sitting back
down, against the 12 s fall-risk threshold (CDC STEADI).

Seated and standing are the sit-to-stand exercise's knee thresholds (above 70 degrees and
below 30). The clock starts when the patient starts to move out of the settled seated
posture (knee and hip angles leave their resting values by `rest_margin_deg`: the lean
forward before seat-off counts) and stops when they are settled on the seat again (the
first frame back within the margin of the final seated posture, once that sit has lasted
`settle_s`, so a knee bent while walking is not a sit). While the patient walks out of
view the clock runs on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from coach.assessment.chair_stand import sit_to_stand_definition
from coach.core.pose import Pose
from coach.engine.measures import MeasureComputer
from coach.engine.view import ViewEstimator
from coach.exercise.schema import ExerciseDef

FALL_RISK_S = 12.0  # STEADI: 12 s or more, a raised risk of falling
HIP = "hip_flexion"
MAX_RUN_S = 20.0  # how much of a long sit is kept to find the resting posture


class TugPhase(Enum):
    WAITING = "waiting"  # for the patient seated, side-on
    READY = "ready"  # seated and settled: they go whenever they like
    WALKING = "walking"  # up and away; the clock runs
    DONE = "done"


@dataclass(frozen=True)
class TugState:
    phase: TugPhase
    message: str
    elapsed_s: float
    time_s: float | None  # the result, once done

    @property
    def fall_risk(self) -> bool | None:
        return None if self.time_s is None else self.time_s >= FALL_RISK_S


class TimedUpAndGo:
    """`update(pose)` -> the test's state, in frame time."""

    def __init__(
        self,
        exercise: ExerciseDef | None = None,
        *,
        settle_s: float = 0.5,
        rest_margin_deg: float = 3.0,
        max_s: float = 120.0,
    ) -> None:
        exercise = exercise or sit_to_stand_definition()
        assert exercise.reps is not None and HIP in exercise.angles
        self._knee = exercise.reps.driver
        seated, standing = exercise.reps.start.above, exercise.reps.turn.below
        assert seated is not None and standing is not None
        self.seated_above, self.standing_below = seated, standing
        self._measures = MeasureComputer(exercise)
        self._view = ViewEstimator.prompt()  # a gate: the test starts side-on, no count to keep
        self.settle_s, self.rest_margin_deg, self.max_s = settle_s, rest_margin_deg, max_s
        self.phase = TugPhase.WAITING
        self._seated_run: list[tuple[float, float, float]] = []  # (t, knee, hip) while seated
        self._started_s = 0.0
        self._stood = False
        self.time_s: float | None = None

    def _settled(self, t_s: float) -> bool:
        run = self._seated_run
        return bool(run) and t_s - run[0][0] >= self.settle_s

    def _at_rest(self, knee: float, hip: float, rest: tuple[float, float]) -> bool:
        margin = self.rest_margin_deg
        return abs(knee - rest[0]) <= margin and abs(hip - rest[1]) <= margin

    def _still(self, samples: list[tuple[float, float, float]]) -> bool:
        """Sitting still over the last `settle_s` (not still sinking onto the seat)."""
        recent = np.array([s[1:] for s in samples if s[0] >= samples[-1][0] - self.settle_s])
        return bool(np.ptp(recent, axis=0).max() <= 2 * self.rest_margin_deg)

    def _rest(self, samples: list[tuple[float, float, float]]) -> tuple[float, float]:
        """The resting seated posture: the median over the last `settle_s` of samples."""
        recent = [s for s in samples if s[0] >= samples[-1][0] - self.settle_s]
        return float(np.median([s[1] for s in recent])), float(np.median([s[2] for s in recent]))

    def update(self, pose: Pose) -> TugState:
        t_s = pose.t_s
        view = self._view.update(pose)
        knee = hip = float("nan")
        if not pose.is_empty:
            measured = self._measures.compute(pose, view)
            knee, hip = measured[self._knee].combined, measured[HIP].combined
        seated = bool(knee > self.seated_above) and not np.isnan(hip)
        if not seated and not np.isnan(knee):
            if self.phase is TugPhase.READY:  # off the seat: the clock started before
                self._start()
            self._seated_run = []
        elif seated:
            self._seated_run.append((t_s, knee, hip))
            while t_s - self._seated_run[0][0] > MAX_RUN_S:
                self._seated_run.pop(0)
        if self.phase is TugPhase.WAITING:
            if not (self._settled(t_s) and view == "side"):
                return self._state(self._waiting_message(pose, view), 0.0)
            self.phase = TugPhase.READY
        if self.phase is TugPhase.READY:
            return self._state(
                "When you are ready: stand up, walk to the mark 3 metres away "
                "at your normal pace, turn, walk back and sit down",
                0.0,
            )
        if self.phase is TugPhase.WALKING:
            self._stood |= bool(knee < self.standing_below)
            if self._stood and self._settled(t_s) and self._still(self._seated_run):
                rest = self._rest(self._seated_run)
                self.time_s = (
                    next(t for t, k, h in self._seated_run if self._at_rest(k, h, rest))
                    - self._started_s
                )
                self.phase = TugPhase.DONE
            elif t_s - self._started_s > self.max_s:
                self.phase, self._seated_run = TugPhase.WAITING, []
                return self._state(f"Stopped after {self.max_s:.0f} s: sit down to try again", 0.0)
            else:
                return self._state(
                    "Walk to the mark, turn, come back and sit down", t_s - self._started_s
                )
        assert self.time_s is not None
        risk = " (12 s or more: a higher risk of falls)" if self.time_s >= FALL_RISK_S else ""
        return self._state(f"Done: {self.time_s:.1f} s{risk}", self.time_s)

    def _start(self) -> None:
        """The clock starts at the last frame of the seated run still at rest: the lean
        forward before the seat-off is part of the test."""
        run = self._seated_run
        rest = float(np.median([k for _, k, _ in run])), float(np.median([h for *_, h in run]))
        at_rest = [t for t, k, h in run if self._at_rest(k, h, rest)]
        self._started_s = at_rest[-1] if at_rest else run[-1][0]
        self.phase, self._stood = TugPhase.WALKING, False

    @staticmethod
    def _waiting_message(pose: Pose, view: str | None) -> str:
        if pose.is_empty:
            return "Step into view of the camera"
        if view != "side":
            return "Put the chair side-on to the camera"
        return "Sit on the chair, back against the backrest, arms resting"

    def _state(self, message: str, elapsed_s: float) -> TugState:
        return TugState(self.phase, message, elapsed_s, self.time_s)
