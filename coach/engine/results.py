"""Typed results the engine hands to the app, the CLI and the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from coach.engine.thresholds import Thresholds
from coach.engine.view import DetectedView
from coach.exercise.schema import Severity

RepSide = Literal["both", "left", "right"]


class Status(Enum):
    """Whether the engine can judge the current frame, and if not, why."""

    NO_PERSON = "no_person"
    NOT_VISIBLE = "not_visible"  # the landmarks the exercise needs are out of view
    GETTING_READY = "getting_ready"  # visible, waiting for the start position
    ACTIVE = "active"  # counting or timing


@dataclass(frozen=True)
class Fault:
    """A form rule that fired: which rule, what the patient hears, how serious."""

    rule_id: str
    cue: str
    severity: Severity
    t_s: float
    value: float


@dataclass(frozen=True)
class AngleStats:
    """One angle over one rep, in degrees (clinical convention)."""

    min_deg: float
    max_deg: float
    at_turn_deg: float

    @property
    def rom_deg(self) -> float:
        return self.max_deg - self.min_deg


@dataclass(frozen=True)
class Rep:
    """One counted repetition."""

    index: int  # 1-based, over all sides
    side: RepSide
    start_s: float
    turn_s: float
    end_s: float
    angles: dict[str, AngleStats]
    partial: bool  # the range-of-motion target was missed
    faults: tuple[Fault, ...] = ()
    ratios: dict[str, AngleStats] = field(default_factory=dict)  # ratio measures, no unit

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def down_s(self) -> float:
        """Time from the start to the turn (the outbound half)."""
        return self.turn_s - self.start_s

    @property
    def up_s(self) -> float:
        return self.end_s - self.turn_s


class CueKind(Enum):
    GUIDANCE = "guidance"  # positioning: nothing can be judged until it is fixed
    FAULT = "fault"
    PRAISE = "praise"


@dataclass(frozen=True)
class Cue:
    text: str
    kind: CueKind
    severity: Severity
    t_s: float


@dataclass(frozen=True)
class PositionCheck:
    """A start-position condition (`ExerciseDef.start_position`) one frame did not meet:
    the measure, its value there (NaN: not seen) and the bounds it must pass."""

    measure: str
    value: float
    above: float | None
    below: float | None


@dataclass(frozen=True)
class FrameResult:
    """What the engine made of one frame."""

    t_s: float
    status: Status
    view: DetectedView | None
    people: int
    measures: dict[str, float]  # each measure's value on the judged side(s), NaN if unseen
    driver: str | None  # the name of the driving angle
    phase: str | None  # the current phase name from the definition
    reps: int
    reps_by_side: dict[str, int]
    hold_s: float
    holding: bool
    guidance: str | None  # why the frame cannot be judged, with the fix
    cue: Cue | None  # the cue to show now (one at a time, rate-limited)
    hold_by_side: dict[str, float] = field(default_factory=dict)
    active_faults: tuple[str, ...] = ()  # rule ids failing on this frame
    new_rep: Rep | None = None
    new_faults: tuple[Fault, ...] = field(default_factory=tuple)
    # Rep exercises (None for holds): whether this frame meets every start-position
    # condition, and if not the first one it fails; whether counting is armed (the patient
    # has settled in the start phase and position, so a movement from here can be a rep).
    start_position_met: bool | None = None
    start_position_failing: PositionCheck | None = None
    armed: bool = False
    # The view's (first) driver's thresholds in force (rep exercises) as the counter
    # counts on them now (the plan's, scaled to the patient's own rest where the
    # definition asks): the movement report's (`coach.runtime.movement`).
    thresholds: Thresholds | None = None
    # The same for `driver`, the measure counted on (with several drivers, the chosen
    # one: `coach.engine.drivers`), for the gauge and the trace; with one driver, the
    # same as `thresholds`.
    driver_thresholds: Thresholds | None = None
    # Each measure taken per side (it names a side-less landmark such as 'knee'), on the
    # left and on the right, NaN where unseen: what an author reads in `coach replay --trace`.
    measures_by_side: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineRun:
    """Per frame, what `ExerciseEngine.run` made of a whole recording (the fields of
    `FrameResult` an analysis keeps); reps, faults and holds stay on the engine."""

    t_s: Any  # (N,) np.ndarray
    status: list[Status]
    view: list[DetectedView | None]
    people: list[int]
    series: dict[str, Any]  # measure -> (N,) np.ndarray on the judged side, NaN if unseen
    start_position_met: list[bool | None] = field(default_factory=list)  # as in FrameResult
    armed: list[bool] = field(default_factory=list)


def sided_counts(by_side: Mapping[str, int]) -> dict[str, int]:
    """Left and right rep counts to show beside the total, or {} when they would not add
    up to it: some reps used both sides at once (a two-arm curl among one-arm ones) or no
    rep had a side. `by_side` maps a rep side to its count (`FrameResult.reps_by_side`)."""
    if by_side.get("both", 0) or not (by_side.get("left", 0) or by_side.get("right", 0)):
        return {}
    return {side: by_side.get(side, 0) for side in ("left", "right")}
