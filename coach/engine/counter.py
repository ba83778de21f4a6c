"""A repetition counter on one driving signal, modelled on a line-crossing counter.

The signal (a joint angle) moves between two phases: `start` (e.g. standing, knee flexion
below 30) and `turn` (e.g. the bottom, knee flexion above 60). The gap between the two
thresholds is the hysteresis band, so jitter around one threshold never flips the phase;
a phase must also last `min_dwell_s` before it counts. A rep is a full cycle
start -> turn -> start that takes a plausible time and covers `min_range`.

The counter is armed only after the patient has settled in the start phase (and, when the
caller says so, in the start position), so getting into position is never a rep. Time is
the frame time passed to `update`; there is no clock inside.

The evidence for a rep must be strong. Its amplitude is one part: a rep passes the turn
threshold and covers `min_range`, the definition's fidget floor. Where a physio's plan
moved the turn towards the rest (`library`: the definition's thresholds, when those in
force differ), a movement that passes the plan's turn but not the library's is as small
as a fidget of the whole body can be, and amplitude alone cannot tell them apart; such a
rep counts only when it is regular: alike (`regular`) to the movement next to it, before
or after, as a patient repeating a movement is and a fidget's random shifts are not. The
first of a set is handed on when the second confirms it (both then count); one alone
never counts. `RepCounter` marks such a rep (`RepCycle.strong` False); `RepEvidence`
judges the reps of the driver counted on (`coach.engine.drivers.DriverChoice`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

import numpy as np

from coach.engine.short_cycles import SHORT_CYCLE_GAP_S, regular
from coach.engine.thresholds import library_thresholds, on_own_rest
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

    # False: the driver passed the turn in force (the plan's) but not the library's, and
    # the rep needs a regular neighbour to count (the module's evidence rule).
    strong: bool = True

    @property
    def range(self) -> float:
        return self.high - self.low

    @property
    def depth(self) -> float:
        """How far the driver moved in the rep (`range`), as `regular` compares cycles."""
        return self.range

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


# Why a movement that passed the turn did not count (`MissedRep`).
MissReason = Literal["min_range", "quick", "unconfirmed", "came_down"]


@dataclass(frozen=True)
class MissedRep:
    """A movement that passed the turn in force and came back, but did not count, and
    why: `min_range`, it moved less than the definition's fidget floor from rest;
    `quick`, it took less than `min_rep_s`; `unconfirmed`, it passed only the plan's turn
    and no movement next to it went alike (the evidence rule); `came_down`, its return
    brought the definition's `reps.climbs` point lower, not back up (stepping off a step:
    the engine judges it, `coach.engine.climb`). So a miss is never silent."""

    cycle: RepCycle
    reason: MissReason


@dataclass
class RepCounter:
    """`update(value, t_s, in_position)` -> a `RepCycle` when a rep completes, else None."""

    reps: RepsDef
    signal: SignalDef | None = None  # the thresholds to use; the default signal if None
    # The definition's own thresholds where `signal` is a plan's (None: `signal` is the
    # library's): a rep short of their turn needs a regular neighbour (module docstring).
    library: SignalDef | None = None
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
    _own_rest: float = float("nan")  # the rest the thresholds in use were scaled to
    # The movements past the turn that were no rep by time or range, in order (the caller
    # takes and clears them: `DriverChoice.missed`).
    missed: list[MissedRep] = field(default_factory=list)

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

    @property
    def signal_now(self) -> SignalDef:
        """The thresholds the rep in progress, or the next one, is counted on: `signal_def`,
        scaled to the patient's own rest where the definition asks (`SignalDef.rest`;
        `own_rest` is then the rest it was scaled to)."""
        return self._rep_signal

    @property
    def own_rest(self) -> float:
        """The patient's rest the thresholds were last scaled to (NaN: none measured)."""
        return self._rest_value() if self._rest else self._own_rest

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

    def update(
        self, value: float, t_s: float, in_position: bool = True, in_posture: bool = True
    ) -> RepCycle | None:
        """One frame of the driver (NaN: not seen). `in_position`: the frame meets the start
        position; `in_posture`: it meets the conditions of it that hold however far the
        rep has gone (`throughout` in the definition, such as lying face up for a
        crunch). A recording opening past the start continues a rep
        under way only in posture: a patient standing before lying down to crunch is not
        half-way through a crunch. Returns the rep completed on this frame, if any."""
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
            if (raw is Zone.START and not in_position) or not in_posture:
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
            self._own_rest = self._rest_value()
            self._use(on_own_rest(self.signal_def, self._own_rest))

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

    def _strong(self, extreme: float, signal: SignalDef) -> bool:
        """True when a rep reaching `extreme` passed the library's turn (scaled to the
        patient's own rest as `signal` was), or the counter runs on the library's."""
        if self.library is None:
            return True
        library = self.library
        if signal is not self.signal_def and self._rest:
            library = on_own_rest(library, self._rest_value())
        force = library_thresholds(library)
        return force.reached(extreme, force.turn)

    def _complete(self, end_s: float) -> RepCycle | None:
        """The cycle ending at `end_s`, if it is a rep by time and range (`strong`: by the
        library's turn too; `RepEvidence` judges the others)."""
        self.state = CounterState.READY
        signal = self._rep_signal
        cycle = self._cycle
        strong = self._strong(cycle["extreme"], signal)
        self._rest.clear()
        self._use(self.signal_def)
        rep = RepCycle(
            cycle["start_s"],
            cycle["turn_s"],
            end_s,
            cycle["extreme"],
            cycle["low"],
            cycle["high"],
            seen_from_start=not cycle.get("continued", False),
            signal=signal,
            strong=strong,
        )
        if rep.duration_s < self.reps.min_rep_s or rep.range < self.signal_def.min_range:
            quick = rep.duration_s < self.reps.min_rep_s
            self.missed.append(MissedRep(rep, "quick" if quick else "min_range"))
            return None
        self.count += 1
        return rep


@dataclass
class RepEvidence:
    """The evidence rule (module docstring) on the reps of the driver counted on:
    `judge(cycle)` -> the reps to count now, in order: `cycle` when it is strong or alike
    to the movement before it (with that one, if it was waiting); none while it waits for
    the next movement to be alike."""

    _last: RepCycle | None = None  # the last movement that passed the turn and min_range
    _last_counted: bool = False
    # The movements that waited for a like one in vain, in order (taken by the caller).
    missed: list[MissedRep] = field(default_factory=list)

    def judge(self, cycle: RepCycle) -> list[RepCycle]:
        last = self._last
        alike = last is not None and regular([last, cycle], SHORT_CYCLE_GAP_S)
        counted = cycle.strong or alike
        waiting = last is not None and not self._last_counted
        if waiting and not alike and last is not None:
            self.missed.append(MissedRep(last, "unconfirmed"))
        self._last, self._last_counted = cycle, counted
        if not counted:
            return []
        return [last, cycle] if alike and waiting and last is not None else [cycle]

    def flush(self) -> None:
        """The recording ended: a movement still waiting for a like one is missed."""
        if self._last is not None and not self._last_counted:
            self.missed.append(MissedRep(self._last, "unconfirmed"))
            self._last_counted = True
