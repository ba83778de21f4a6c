"""A guided exercise session: positioning, sets of reps or holds, rest between sets.

Pure and clock-free like the engine: `update(result)` runs on the frame time of each
`FrameResult`. A set starts only once the patient has been in view, alone, in a view the
exercise can be judged from and in the start position for `ready_s`; counting pauses
(and says why) while they are out of view or someone else is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from coach.engine.results import FrameResult, Status
from coach.exercise.schema import ExerciseDef


class Stage(Enum):
    POSITIONING = "positioning"
    EXERCISING = "exercising"
    RESTING = "resting"
    DONE = "done"


class EventKind(Enum):
    SET_STARTED = "set_started"
    SET_FINISHED = "set_finished"
    SESSION_FINISHED = "session_finished"


# (lowest, highest) of what a guided session asks for, by field of `SetPlan`: a physio's
# dosage is brought within these (`SetPlan.within_limits`), and the Live coach page's
# inputs offer exactly these ranges.
SET_PLAN_LIMITS: dict[str, tuple[int, int]] = {
    "sets": (1, 10),
    "reps": (1, 50),
    "hold_s": (5, 300),
    "rest_s": (0, 600),
}


def _within(value: float, field: str) -> float:
    low, high = SET_PLAN_LIMITS[field]
    return min(max(value, low), high)


@dataclass(frozen=True)
class SetPlan:
    """What the patient is asked to do: from the exercise's dosage or the physio's plan."""

    sets: int
    reps: int | None = None
    hold_s: float | None = None
    rest_s: float = 60.0

    def __post_init__(self) -> None:
        if self.sets < 1:
            raise ValueError(f"a plan needs at least one set, got {self.sets}")
        if (self.reps is None) == (self.hold_s is None):
            raise ValueError("a set is either a number of reps or a hold time, not both")
        if self.rest_s < 0:
            raise ValueError(f"rest must be 0 s or more, got {self.rest_s}")

    @classmethod
    def from_dosage(cls, exercise: ExerciseDef) -> SetPlan:
        dosage = exercise.dosage
        if exercise.mode == "hold":
            return cls(dosage.sets, hold_s=dosage.hold_s or 30.0, rest_s=dosage.rest_s)
        return cls(dosage.sets, reps=dosage.reps or 10, rest_s=dosage.rest_s)

    @classmethod
    def within_limits(
        cls, sets: int, *, reps: int | None = None, hold_s: float | None = None, rest_s: float
    ) -> SetPlan:
        """A plan of these values, each brought within `SET_PLAN_LIMITS` (give either reps
        or hold_s)."""
        return cls(
            int(_within(sets, "sets")),
            reps=None if reps is None else int(_within(reps, "reps")),
            hold_s=None if hold_s is None else _within(hold_s, "hold_s"),
            rest_s=_within(rest_s, "rest_s"),
        )


@dataclass(frozen=True)
class GuidedEvent:
    kind: EventKind
    set_index: int
    t_s: float
    reps: int = 0
    held_s: float = 0.0


@dataclass(frozen=True)
class GuidedState:
    """What the page shows about the session at one moment."""

    stage: Stage
    set_index: int  # 1-based; the set in progress or the next one
    sets: int
    reps_in_set: int
    held_in_set_s: float
    progress: float  # 0..1 of the current set
    rest_left_s: float
    message: str  # plain language: what to do now
    held_total_s: float = 0.0  # held in this session's sets (finished ones and this one)
    target_hold_s: float | None = None  # a hold's seconds: this set's, or the next one's


class GuidedSession:
    """Runs the plan over the engine's frame results."""

    def __init__(self, plan: SetPlan, exercise: ExerciseDef, ready_s: float = 1.0) -> None:
        self.plan = plan
        self.exercise = exercise
        self.ready_s = ready_s
        self.stage = Stage.POSITIONING
        self.set_index = 1
        self._ready_since: float | None = None
        self._base_reps = 0
        self._base_hold_s = 0.0
        self._rest_until = 0.0
        self._last: GuidedState | None = None
        self._last_t_s = 0.0
        self._held_done_s = 0.0  # held in the finished sets
        # The hold under way keeps the target it started with: a change of the plan's
        # hold time (the physiotherapist's, while watching) is for the next hold.
        self._set_hold_s = plan.hold_s

    def _view_is_right(self, result: FrameResult) -> bool:
        return (
            result.view is None or result.view in self.exercise.views or (result.view == "oblique")
        )

    def _ready(self, result: FrameResult) -> bool:
        if result.people > 1 or not self._view_is_right(result):
            return False
        if self.exercise.mode == "hold":
            return result.holding
        return result.status is Status.ACTIVE

    def update(self, result: FrameResult) -> GuidedEvent | None:
        t_s = self._last_t_s = result.t_s
        event = None
        if self.stage is Stage.POSITIONING:
            if self._ready(result):
                self._ready_since = self._ready_since if self._ready_since is not None else t_s
                if t_s - self._ready_since >= self.ready_s:
                    self.stage = Stage.EXERCISING
                    self._base_reps, self._base_hold_s = result.reps, result.hold_s
                    self._set_hold_s = self.plan.hold_s
                    event = GuidedEvent(EventKind.SET_STARTED, self.set_index, t_s)
            else:
                self._ready_since = None
        elif self.stage is Stage.EXERCISING:
            reps, held = self._in_set(result)
            hold_s = self.target_hold_s
            done = (self.plan.reps is not None and reps >= self.plan.reps) or (
                hold_s is not None and held >= hold_s
            )
            if done:
                self._held_done_s += held
                last_set = self.set_index >= self.plan.sets
                kind = EventKind.SESSION_FINISHED if last_set else EventKind.SET_FINISHED
                event = GuidedEvent(kind, self.set_index, t_s, reps, held)
                if last_set:
                    self.stage = Stage.DONE
                else:
                    self.stage, self._rest_until = Stage.RESTING, t_s + self.plan.rest_s
        elif self.stage is Stage.RESTING and t_s >= self._rest_until:
            self.stage, self._ready_since = Stage.POSITIONING, None
            self.set_index += 1
        self._last = self._state(result)
        return event

    def _in_set(self, result: FrameResult) -> tuple[int, float]:
        return result.reps - self._base_reps, result.hold_s - self._base_hold_s

    def _state(self, result: FrameResult) -> GuidedState:
        reps, held = self._in_set(result) if self.stage is Stage.EXERCISING else (0, 0.0)
        if self.plan.reps is not None:
            progress = min(1.0, reps / self.plan.reps)
        else:
            hold_s = self.target_hold_s
            assert hold_s is not None
            progress = min(1.0, held / hold_s)
        rest_left = max(0.0, self._rest_until - result.t_s) if self.stage is Stage.RESTING else 0.0
        return GuidedState(
            self.stage,
            self.set_index,
            self.plan.sets,
            reps,
            held,
            progress if self.stage is Stage.EXERCISING else float(self.stage is Stage.DONE),
            rest_left,
            self._message(result, rest_left),
            self._held_done_s + held,
            self.target_hold_s,
        )

    def _message(self, result: FrameResult, rest_left: float) -> str:
        if self.stage is Stage.DONE:
            return "All sets done. Well done!"
        if self.stage is Stage.RESTING:
            return f"Rest: next set in {rest_left:.0f} s"
        if self.stage is Stage.EXERCISING:
            if result.status is Status.NO_PERSON:
                return "Paused: step back into view to carry on"
            if result.people > 1:
                return "Paused: only one person in view, please"
            return f"Set {self.set_index} of {self.plan.sets}"
        if result.guidance:
            return result.guidance
        return f"Hold still: set {self.set_index} starts in a moment"

    def stop(self) -> GuidedEvent | None:
        """The patient finished early: the set in progress ends with what it holds so far
        (a SESSION_FINISHED event with its reps and seconds held; None outside a set), and
        no later frame starts another."""
        last = self._last
        event = None
        if self.stage is Stage.EXERCISING and last is not None:
            self._held_done_s += last.held_in_set_s
            event = GuidedEvent(
                EventKind.SESSION_FINISHED,
                self.set_index,
                self._last_t_s,
                last.reps_in_set,
                last.held_in_set_s,
            )
        self.stage = Stage.DONE
        return event

    @property
    def target_hold_s(self) -> float | None:
        """The seconds of the hold under way (fixed when it started), else of the next
        hold (the plan's); None for a set of reps."""
        if self.plan.hold_s is None:
            return None
        return self._set_hold_s if self.stage is Stage.EXERCISING else self.plan.hold_s

    @property
    def state(self) -> GuidedState | None:
        return self._last
