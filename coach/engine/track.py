"""One rep track: a rep counter and what the engine learns alongside it, for one side.

The engine counts reps on one track ('both' sides together) or one per side ('auto', or a
named side). Besides its rep counter (`DriverChoice`, on the view's drivers), a track
follows three things on the same frames:

- the patient's own start position, for rules judged against it (`StartPosition`);
- the movements that stop short of the turn (`ShortMovements`);
- the per-frame form rules' state (`FrameRuleTracker`), and the faults they fired during
  the rep in progress.

`RepTrack.step` takes one frame through all of them, in that order, and says what
happened (`TrackStep`); the engine gathers what the tracks report into the frame's result.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from coach.core.landmarks import Side
from coach.engine.counter import CounterState, RepCycle
from coach.engine.drivers import DriverChoice
from coach.engine.results import Fault, RepSide
from coach.engine.rules import FrameRuleTracker, steady_value
from coach.engine.short_cycles import SHORT_CYCLE_GAP_S, ShortCycle, ShortCycleTracker, regular
from coach.engine.view import DetectedView

# How long after arming the start position is still being learnt (if no rep begins).
START_POSITION_S = 0.5


@dataclass
class StartPosition:
    """The patient's own start position (`MeasureComputer.compute_rows` values): the median
    of the frames from settling until the first rep, at most `START_POSITION_S` after
    arming. `rows` is None until the counter arms (again)."""

    rows: np.ndarray | None = None
    _armed_s: float | None = None

    def update(
        self, counter: DriverChoice, t_s: float, history: Iterable[tuple[float, np.ndarray]]
    ) -> None:
        """Learn from the settled frames that armed the counter and the start-phase frames
        after them (`history`: (t_s, row) of the recent measured frames)."""
        state = counter.state
        if state is CounterState.UNARMED:
            self.rows, self._armed_s = None, None
            return
        if state is not CounterState.READY:
            return
        if self._armed_s is None:
            self._armed_s = t_s
        if t_s - self._armed_s > START_POSITION_S:
            return
        since = self._armed_s - counter.settle_s
        rows = [row for at_s, row in history if at_s >= since]
        self.rows = steady_value(np.array(rows).reshape(len(rows), -1))


@dataclass
class ShortMovements:
    """The movements short of the turn (`ShortCycleTracker`), followed while the counter is
    armed and not returning from a turn, and the run of them since the last counted rep."""

    tracker: ShortCycleTracker
    run: list[ShortCycle] = field(default_factory=list)

    def update(
        self, state: CounterState, value: float, t_s: float, counted: bool
    ) -> ShortCycle | None:
        """One frame of the driver (`counted`: a rep was counted on it) -> the movement
        short of the turn it completes, if any."""
        if counted:
            self.run.clear()
        if counted or state in (CounterState.UNARMED, CounterState.RETURNING):
            self.tracker.reset()
            return None
        short = self.tracker.update(value, t_s)
        if short is not None:
            self.run.append(short)
        return short

    @property
    def repeated(self) -> bool:
        """True when the last two movements short of the turn went alike, one after the
        other (`regular`): a patient repeating a movement that does not count."""
        return regular(self.run[-2:], SHORT_CYCLE_GAP_S)


class TrackStep(NamedTuple):
    """What one frame did on a track."""

    seen: bool  # a driver was measured
    cycle: RepCycle | None  # the rep cycle it completed
    short: ShortCycle | None  # the movement short of the turn it completed
    short_repeated: bool  # `short` is the second alike in a row
    failing: list[str]  # per-frame rules failing now
    fired: list[Fault]  # per-frame faults fired on this frame


@dataclass
class RepTrack:
    """One rep counter: 'both' sides together (`side` None), or one side."""

    side: Side | None
    counter: DriverChoice
    rules: FrameRuleTracker
    short: ShortMovements
    start: StartPosition = field(default_factory=StartPosition)
    faults: deque[Fault] = field(default_factory=deque)  # fired in the rep in progress

    @property
    def label(self) -> RepSide:
        return self.side or "both"

    def restart(self, counter: DriverChoice, short: ShortCycleTracker) -> None:
        """Count afresh on other drivers (the view changed what is counted on)."""
        self.counter = counter
        self.short = ShortMovements(short)

    def step(
        self,
        values: Mapping[str, float],
        t_s: float,
        view: DetectedView | None,
        in_position: bool,
        history: Iterable[tuple[float, np.ndarray]],
        in_posture: bool = True,
    ) -> TrackStep:
        """One frame's measures on this track's side through the counter, the start
        position, the short movements and the per-frame rules (`in_position`,
        `in_posture`: as `RepCounter.update` takes them)."""
        counter = self.counter
        seen = counter.sees(values)
        cycle = counter.update(values, t_s, in_position, in_posture)
        self.start.update(counter, t_s, history)
        # Short movements are followed on the view's first driver, the one the movement
        # report reads. A movement past the turn of the driver counted on (before the
        # choice, of any driver) is a rep in progress (RETURNING) and resets the tracker:
        # before the choice, what it keeps stopped short of every driver's turn.
        first = values.get(counter.signals.driver, np.nan)
        short = self.short.update(counter.state, first, t_s, cycle is not None)
        failing: list[str] = []
        fired: list[Fault] = []
        if counter.state is not CounterState.UNARMED and seen:
            failing, fired = self.rules.update(values, t_s, view)
            self.faults.extend(fired)
        repeated = short is not None and self.short.repeated
        return TrackStep(seen, cycle, short, repeated, failing, fired)

    def faults_during(self, cycle: RepCycle) -> list[Fault]:
        """The per-frame faults fired during a finished rep (and forget those fired up to
        its end: a rep the evidence rule hands on late is followed by the one that
        confirmed it, whose faults are kept for it)."""
        during = [f for f in self.faults if cycle.start_s <= f.t_s <= cycle.end_s]
        while self.faults and self.faults[0].t_s <= cycle.end_s:
            self.faults.popleft()
        return during
