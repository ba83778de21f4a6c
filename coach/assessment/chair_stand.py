"""The 30-second chair stand test: a countdown, full stands counted for 30 s, and the score
against the CDC STEADI norms for the patient's age and sex.

Stands are counted by the engine's own rep counter on the sit-to-stand exercise's knee
angle (seated above 70 degrees, standing below 30, with its hysteresis and dwell): a stand
counts when the patient reaches standing, as the test counts it, not when they sit back
down. As the protocol says, a stand more than halfway up when the 30 s end counts too.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from coach.core.pose import Pose
from coach.engine.counter import CounterState, RepCounter
from coach.engine.measures import MeasureComputer
from coach.engine.rules import meets
from coach.engine.view import DetectedView, ViewEstimator
from coach.exercise.loader import DEFAULT_EXERCISES_DIR, load_definition
from coach.exercise.schema import ExerciseDef

NORMS_FILE = Path(str(resources.files("coach.assessment") / "data" / "chair_stand_norms.toml"))
Sex = Literal["male", "female"]


def sit_to_stand_definition() -> ExerciseDef:
    """The sit-to-stand exercise, whose knee angle and thresholds the tests count on."""
    return load_definition(DEFAULT_EXERCISES_DIR / "sit_to_stand.toml")


class StandCounter:
    """Counts full stands (seated -> standing) on a stream of poses, in frame time."""

    def __init__(self, exercise: ExerciseDef | None = None) -> None:
        self.exercise = exercise or sit_to_stand_definition()
        assert self.exercise.reps is not None, "the stand counter needs a reps exercise"
        self._measures = MeasureComputer(self.exercise)
        self._view = ViewEstimator()
        self._counter = RepCounter(self.exercise.reps)
        self.stands = 0
        self.stand_times_s: list[float] = []
        self.knee_deg = float("nan")

    @property
    def view(self) -> DetectedView | None:
        return self._view.current

    @property
    def seated_and_ready(self) -> bool:
        """Settled on the chair: the counter is armed for the next stand."""
        return self._counter.state is CounterState.READY

    @property
    def halfway_up(self) -> bool:
        """On the way up and past the middle of the seated-standing band."""
        signal = self._counter.signal_def
        assert signal.start.above is not None and signal.turn.below is not None
        middle = (signal.start.above + signal.turn.below) / 2
        return self._counter.state is CounterState.OUTBOUND and self.knee_deg < middle

    def update(self, pose: Pose) -> bool:
        """True when this frame completed a stand."""
        view = self._view.update(pose)
        if pose.is_empty:
            self.knee_deg = float("nan")
            self._counter.update(np.nan, pose.t_s)
            return False
        measured = self._measures.compute(pose, view)
        values = {name: value.combined for name, value in measured.items()}
        self.knee_deg = values[self.exercise.reps.driver]  # type: ignore[union-attr]
        in_position = all(
            meets(values.get(c.measure, np.nan), c) for c in self.exercise.start_position
        )
        before = self._counter.state
        self._counter.update(self.knee_deg, pose.t_s, in_position)
        stood = before is not CounterState.RETURNING and (
            self._counter.state is CounterState.RETURNING
        )
        if stood:
            self.stands += 1
            self.stand_times_s.append(pose.t_s)
        return stood


class ChairStandPhase(Enum):
    WAITING = "waiting"  # for the patient seated, in view
    COUNTDOWN = "countdown"
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class ChairStandState:
    phase: ChairStandPhase
    message: str
    seconds_left: float  # of the countdown or of the 30 s
    stands: int


class ChairStandTest:
    """`update(pose)` -> the test's state; stands count only between "Go" and 30 s."""

    def __init__(
        self,
        *,
        countdown_s: float = 3.0,
        duration_s: float = 30.0,
        counter: StandCounter | None = None,
    ) -> None:
        self.countdown_s = countdown_s
        self.duration_s = duration_s
        self._stands = counter or StandCounter()
        self.phase = ChairStandPhase.WAITING
        self._phase_since = 0.0
        self.go_s: float | None = None  # when the 30 s began
        self.stands = 0
        self.halfway_counted = False

    def update(self, pose: Pose) -> ChairStandState:
        t_s = pose.t_s
        stood = self._stands.update(pose)
        if self.phase is ChairStandPhase.WAITING and self._stands.seated_and_ready:
            self.phase, self._phase_since = ChairStandPhase.COUNTDOWN, t_s
        if self.phase is ChairStandPhase.COUNTDOWN:
            if not self._stands.seated_and_ready:  # stood up before "Go": wait again
                self.phase = ChairStandPhase.WAITING
                return self._state("Stay seated until the countdown says Go", 0.0)
            left = self.countdown_s - (t_s - self._phase_since)
            if left > 0:
                return self._state(f"Get ready: {int(np.ceil(left))}", left)
            self.phase, self._phase_since, self.go_s = ChairStandPhase.RUNNING, t_s, t_s
        if self.phase is ChairStandPhase.RUNNING:
            elapsed = t_s - self._phase_since
            if elapsed >= self.duration_s:
                self.phase = ChairStandPhase.DONE
                if self._stands.halfway_up:  # more than halfway up at the end: counts
                    self.stands += 1
                    self.halfway_counted = True
            else:
                self.stands += int(stood)
                return self._state(
                    "Go! Stand up fully and sit down, as many times as you can",
                    self.duration_s - elapsed,
                )
        if self.phase is ChairStandPhase.DONE:
            return self._state(f"Stop. {self.stands} full stands in 30 seconds", 0.0)
        return self._state(self._waiting_message(pose), 0.0)

    def _waiting_message(self, pose: Pose) -> str:
        if pose.is_empty:
            return "Step into view of the camera"
        if self._stands.view not in (None, *self._stands.exercise.views):
            return "Turn side-on to the camera, or face it"
        return "Sit on the front of the chair, feet flat, arms crossed on your chest"

    def _state(self, message: str, seconds_left: float) -> ChairStandState:
        return ChairStandState(self.phase, message, max(0.0, seconds_left), self.stands)


@dataclass(frozen=True)
class ChairStandNorm:
    """The STEADI threshold for one age band and sex: fewer stands is below average."""

    ages: tuple[int, int]
    sex: Sex
    below: int
    source: str

    def is_below_average(self, stands: int) -> bool:
        return stands < self.below

    def verdict(self, stands: int) -> str:
        band = f"{self.sex}s aged {self.ages[0]}-{self.ages[1]}"
        if self.is_below_average(stands):
            return (
                f"Below average for {band} (under {self.below}): a higher risk of "
                "falls (CDC STEADI)"
            )
        return f"Not below average for {band} ({self.below} or more, CDC STEADI)"


def chair_stand_norm(age: int, sex: Sex, path: Path = NORMS_FILE) -> ChairStandNorm | None:
    """The STEADI norm for this age and sex, or None outside the table's 60-94 years."""
    data = tomllib.loads(path.read_text())
    for band in data["band"]:
        low, high = band["ages"]
        if low <= age <= high:
            below = band["men_below" if sex == "male" else "women_below"]
            return ChairStandNorm((low, high), sex, int(below), data["source"])
    return None


AGE_RANGE = (18, 110)  # the adult ages the test is taken at (the norms cover 60-94)


def age_on(born: date | None, day: date, default: int = 70) -> int:
    """Whole years of age on `day` (the chair stand's norms are by age), kept within
    `AGE_RANGE`; `default` when the date of birth is not known."""
    if born is None:
        return default
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return min(AGE_RANGE[1], max(AGE_RANGE[0], years))
