"""A repetition counter on one driving signal, modelled on a line-crossing counter.

The signal (a joint angle) moves between two phases: `start` (e.g. standing, knee flexion
below 30) and `turn` (e.g. the bottom, knee flexion above 60). The gap between the two
thresholds is the hysteresis band, so jitter around one threshold never flips the phase;
a phase must also last `min_dwell_s` before it counts. A rep is a full cycle
start -> turn -> start that takes a plausible time and covers `min_range`.

The counter is armed only after the patient has settled in the start phase (and, when the
caller says so, in the start position), so getting into position is never a rep. Time is
the frame time passed to `update`; there is no clock inside.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from coach.engine.thresholds import on_own_rest
from coach.exercise.schema import RepsDef, SignalDef


class Zone(Enum):
    START = "start"
    BAND = "band"
    TURN = "turn"


class CounterState(Enum):
    UNARMED = "unarmed"  # waiting to see the patient settled in the start phase
    READY = "ready"  # in the start phase, armed
    OUTBOUND = "outbound"  # left the start phase, turn not reached yet
    RETURNING = "returning"  # turn reached, heading back to start


@dataclass(frozen=True)
class RepCycle:
    """One completed movement cycle of the driving signal (times in seconds)."""

    start_s: float
    turn_s: float  # when the driver was at its extreme
    end_s: float
    extreme: float  # the driver's value at the turn (max when rising, min when falling)
    low: float
    high: float
    seen_from_start: bool = True  # False: a recording began in the middle of this rep
    # The thresholds this rep was counted on: the counter's, scaled to the patient's own
    # rest when the definition asks (`SignalDef.rest`); None: the counter's as they are.
    signal: SignalDef | None = None

    @property
    def range(self) -> float:
        return self.high - self.low

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class RepCounter:
    """`update(value, t_s, in_position)` -> a `RepCycle` when a rep completes, else None."""

    reps: RepsDef
    signal: SignalDef | None = None  # the thresholds to use; the default signal if None
    settle_s: float = 0.3
    max_gap_s: float = 1.0
    # A recording may begin in the middle of a set (the patient was already exercising when
    # the camera started): with this set, a first sighting within `mid_movement_window_s`
    # of the first frame arms the counter at once (in the start position), or continues
    # the rep in progress when past the start phase. Live it stays off: the first
    # movements are the patient getting into position, never a rep.
    start_mid_movement: bool = False
    mid_movement_window_s: float = 1.0
    state: CounterState = CounterState.UNARMED
    count: int = 0
    _zone: Zone | None = None
    _candidate: Zone | None = None
    _candidate_since: float = 0.0
    _zone_since: float = 0.0
    _settled_since: float | None = None
    # (t_s, in position) on the recent start-phase frames: the position is judged by
    # majority over `position_window_s`, so one noisy frame neither blocks nor allows a rep.
    _position_votes: deque[tuple[float, bool]] = field(default_factory=deque)
    position_window_s: float = 0.5
    # (t_s, value) of the start-phase frames before this rep, over the last `max_rep_s`
    # (a rep cannot begin earlier): where the rep began (`_rest_before`).
    _rest: deque[tuple[float, float]] = field(default_factory=deque)
    _last_t_s: float | None = None
    _first_t_s: float | None = None  # the first frame seen, with or without the patient
    _cycle: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.signal is None:
            self.signal = self.reps
        # The thresholds as plain numbers: `update` runs on every frame of every recording.
        signal = self.signal
        self._rising = signal.rising
        self._rep_signal = signal
        self._use(signal)

    def _use(self, signal: SignalDef) -> None:
        """Count on `signal`'s thresholds from now on (the rep in progress's)."""
        start = signal.start.below if self._rising else signal.start.above
        turn = signal.turn.above if self._rising else signal.turn.below
        assert start is not None and turn is not None
        self._rep_signal = signal
        self._start_at, self._turn_at = start, turn

    @property
    def signal_def(self) -> SignalDef:
        """The thresholds this counter runs on."""
        assert self.signal is not None
        return self.signal

    def _raw_zone(self, value: float) -> Zone:
        if self._rising:
            if value < self._start_at:
                return Zone.START
            return Zone.TURN if value > self._turn_at else Zone.BAND
        if value > self._start_at:
            return Zone.START
        return Zone.TURN if value < self._turn_at else Zone.BAND

    def _confirmed_zone(self, raw: Zone, t_s: float) -> Zone:
        """The zone after debouncing: a new zone must last `min_dwell_s`."""
        if self._zone is None:
            self._zone, self._zone_since = raw, t_s
        if raw == self._zone:
            self._candidate = None
        elif raw != self._candidate:
            self._candidate, self._candidate_since = raw, t_s
        if self._candidate is not None and t_s - self._candidate_since >= self.reps.min_dwell_s:
            # The zone changed when the signal first entered it, not when we became sure.
            self._zone, self._zone_since, self._candidate = raw, self._candidate_since, None
        return self._zone

    def reset(self) -> None:
        """Forget any rep in progress and wait to settle again (count is kept)."""
        self.state = CounterState.UNARMED
        self._zone = self._candidate = None
        self._rest.clear()
        self._settled_since = None
        self._cycle = {}
        self._use(self.signal_def)

    @property
    def in_rep(self) -> bool:
        return self.state in (CounterState.OUTBOUND, CounterState.RETURNING)

    def update(self, value: float, t_s: float, in_position: bool = True) -> RepCycle | None:
        if self._first_t_s is None:
            self._first_t_s = t_s
        if value != value:  # NaN: the driver is not seen on this frame
            if self._last_t_s is not None and t_s - self._last_t_s > self.max_gap_s:
                self.reset()  # lost the patient for too long: never guess the rest of a rep
            return None
        self._last_t_s = t_s
        first_sighting = self._zone is None
        raw = self._raw_zone(value)
        zone = self._confirmed_zone(raw, t_s)
        if first_sighting and self._already_exercising(t_s):
            if raw is Zone.START and not in_position:
                return None
            if raw is Zone.START:  # no settling needed: the set is under way
                self.state = CounterState.READY
                self._vote_position(True, t_s)
                self._track_rest(value, t_s)
                return None
            self.state = CounterState.RETURNING if raw is Zone.TURN else CounterState.OUTBOUND
            self._cycle = {
                "start_s": t_s,
                "low": value,
                "high": value,
                "extreme": value,
                "turn_s": t_s,
                "continued": True,
            }
            return None
        if self.state is CounterState.UNARMED:
            if zone is Zone.START and in_position:
                if self._settled_since is None:
                    self._settled_since = t_s
                if t_s - self._settled_since >= self.settle_s:
                    self.state = CounterState.READY
                    self._position_votes.clear()
                    self._vote_position(True, t_s)
            else:
                self._settled_since = None
            return None
        if self.state is CounterState.READY:
            if raw is Zone.START:  # judge the position before the patient starts moving
                self._vote_position(in_position, t_s)
            if zone is Zone.START:
                self._track_rest(value, t_s)
                return None
            if not self._positioned:  # left the start phase from a wrong position
                self.reset()
                return None
            self.state = CounterState.OUTBOUND
            rest_value, rest_t = self._rest_before(value, t_s)
            self._cycle = {
                "start_s": rest_t,
                "low": min(rest_value, value),
                "high": max(rest_value, value),
                "extreme": value,
                "turn_s": t_s,
            }
        cycle = self._cycle
        cycle["low"], cycle["high"] = min(cycle["low"], value), max(cycle["high"], value)
        further = value > cycle["extreme"] if self._rising else value < cycle["extreme"]
        if further:
            cycle["extreme"], cycle["turn_s"] = value, t_s
        if t_s - cycle["start_s"] > self.reps.max_rep_s:
            self.reset()  # too slow to be a rep: the patient stopped mid-way
            return None
        if self.state is CounterState.OUTBOUND:
            if zone is Zone.TURN:
                self.state = CounterState.RETURNING
            elif zone is Zone.START:  # came back without reaching the turn: not a rep
                self.state = CounterState.READY
                self._rest.clear()
                self._use(self.signal_def)
            return None
        if zone is not Zone.START:
            return None
        return self._complete(self._zone_since)

    def _already_exercising(self, t_s: float) -> bool:
        """A recording that opens on the patient: the set may already be under way. (A rep
        in progress is continued whatever the position: its start was before the video.)"""
        assert self._first_t_s is not None
        return self.start_mid_movement and t_s - self._first_t_s <= self.mid_movement_window_s

    def _vote_position(self, in_position: bool, t_s: float) -> None:
        votes = self._position_votes
        votes.append((t_s, in_position))
        while votes and votes[0][0] < t_s - self.position_window_s:
            votes.popleft()

    @property
    def _positioned(self) -> bool:
        votes = self._position_votes
        return bool(votes) and 2 * sum(ok for _, ok in votes) >= len(votes)

    def _track_rest(self, value: float, t_s: float) -> None:
        """Keep the start-phase frames of the last `max_rep_s` before a rep (a rep cannot
        begin earlier), and put the next rep's thresholds on the patient's rest they show,
        where the definition asks (`SignalDef.rest`): in force before the movement leaves
        the start zone."""
        rest = self._rest
        rest.append((t_s, value))
        while rest[0][0] < t_s - self.reps.max_rep_s:
            rest.popleft()
        if self.signal_def.rest is not None:
            self._use(on_own_rest(self.signal_def, self._rest_value()))

    def _rest_before(self, value: float, t_s: float) -> tuple[float, float]:
        """(the driver at rest, when the movement left it) for a rep leaving the start
        phase now at `value`: the rep starts when the movement starts, not when a threshold
        is crossed. The rest is the 5th percentile (in the driver's direction) of the recent
        start-phase frames, so one noise peak does not pin it; the movement left it at the
        last of those frames within a tenth of the hysteresis band of it."""
        if not self._rest:
            return value, t_s
        times, values = (np.array(column) for column in zip(*self._rest, strict=True))
        rest = self._rest_value()
        margin = abs(self._turn_at - self._start_at) / 10
        deeper = values - rest if self._rising else rest - values
        near = np.flatnonzero(deeper <= margin)
        return rest, float(times[near[-1]])

    def _rest_value(self) -> float:
        """The driver at rest: the 5th percentile, in the driver's direction, of the recent
        start-phase frames (not empty)."""
        values = [value for _, value in self._rest]
        return float(np.percentile(values, 5 if self._rising else 95))

    def finish(self) -> RepCycle | None:
        """At the end of a recording: a rep whose return to start was still being confirmed
        (the stream ended inside `min_dwell_s`) is complete; anything less is not a rep."""
        if self.state is CounterState.RETURNING and self._candidate is Zone.START:
            return self._complete(self._candidate_since)
        return None

    def _complete(self, end_s: float) -> RepCycle | None:
        self.state = CounterState.READY
        self._rest.clear()
        signal = self._rep_signal
        self._use(self.signal_def)
        cycle = self._cycle
        rep = RepCycle(
            cycle["start_s"],
            cycle["turn_s"],
            end_s,
            cycle["extreme"],
            cycle["low"],
            cycle["high"],
            seen_from_start=not cycle.get("continued", False),
            signal=signal,
        )
        if rep.duration_s < self.reps.min_rep_s or rep.range < self.signal_def.min_range:
            return None
        self.count += 1
        return rep
