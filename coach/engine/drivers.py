"""Counting on the clearest of several drivers of one movement.

A definition may name more than one driver for a view (`other_drivers`): a push-up
lowers the chest to the hands and bends the elbows, and which of the two the camera shows
clearly depends on where it stands. Every driver gets its own `RepCounter` with its own
thresholds, and they run side by side until the first rep. The rule, once per view:

1. The first time a driver's counter completes a rep, the choice is made among the
   drivers that completed that rep too: a driver still on its way back from the turn is
   waited for (at most `grace_s`); one that never reached its turn threshold cannot be
   chosen, however much it moved.
2. Of those, the driver that moved most clearly wins: its range over the rep divided by
   its hysteresis band (the gap between its start and turn thresholds, as in force for
   that rep: scaled to the patient's own rest where the definition asks), so a distance
   ratio and an angle compare on the scale the definition gave each. The order of the
   file is a preference: a driver listed later wins only if it moved more clearly by
   more than `PREFERENCE` (a noisier measure of the same movement reads a little more
   range from its noise alone).
3. The choice is sticky: from then on only that driver counts, until the view changes
   (the engine then starts afresh with that view's drivers). A rep the chosen driver
   completed while the choice waited (a quick second rep inside `grace_s`) is handed on
   at the next frames, never dropped.

With one driver there is nothing to choose: its counter is used directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from coach.engine.counter import CounterState, MissedRep, RepCounter, RepCycle, RepEvidence
from coach.exercise.schema import DriversDef, RepsDef, SignalDef

# How much more clearly (as a factor) a driver listed later must have moved to win.
PREFERENCE = 1.25
# How long the first completed rep may wait for another driver still returning from its
# turn: the same movement ends on every driver within a fraction of a rep.
CHOICE_GRACE_S = 1.0


def clarity(signal: SignalDef, cycle: RepCycle) -> float:
    """How clearly a driver moved in one rep: its range over its hysteresis band."""
    start = signal.start.below if signal.rising else signal.start.above
    turn = signal.turn.above if signal.rising else signal.turn.below
    assert start is not None and turn is not None
    return cycle.range / abs(turn - start)


class DriverChoice:
    """Rep counters on every driver a view lists; `update` gives the reps of the one chosen
    by the module's rule (the only one, when the view lists one driver)."""

    def __init__(
        self,
        reps: RepsDef,
        signals: DriversDef,
        *,
        start_mid_movement: bool = False,
        grace_s: float = CHOICE_GRACE_S,
        libraries: Sequence[SignalDef | None] | None = None,
    ) -> None:
        """`libraries`: for each of `signals.signals`, the definition's own thresholds where
        a plan moved that driver's (None: the driver runs on the library's), for each
        counter's evidence rule (`RepCounter.library`)."""
        self.signals = signals
        self.grace_s = grace_s
        own = libraries if libraries is not None else [None] * len(signals.signals)
        self.counters = [
            RepCounter(reps, signal, start_mid_movement=start_mid_movement, library=library)
            for signal, library in zip(signals.signals, own, strict=True)
        ]
        self._drivers = [signal.driver for signal in signals.signals]
        self.chosen: int | None = 0 if len(self.counters) == 1 else None
        self._pending: list[tuple[int, RepCycle]] = []
        self._pending_since: float | None = None
        self._evidence = RepEvidence()
        self._queued: list[RepCycle] = []  # reps to count not yet handed on (one a frame)

    @property
    def start_mid_movement(self) -> bool:
        return self.counters[0].start_mid_movement

    @start_mid_movement.setter
    def start_mid_movement(self, value: bool) -> None:
        for counter in self.counters:
            counter.start_mid_movement = value

    @property
    def lead(self) -> RepCounter:
        """The counter whose state the patient is shown: the chosen one; before the choice,
        the first in a rep, else the first armed, else the first."""
        if self.chosen is not None:
            return self.counters[self.chosen]
        for wanted in (CounterState.RETURNING, CounterState.OUTBOUND, CounterState.READY):
            for counter in self.counters:
                if counter.state is wanted:
                    return counter
        return self.counters[0]

    @property
    def settle_s(self) -> float:
        """How long the lead counter's driver must settle in the start phase to arm."""
        return self.lead.settle_s

    @property
    def state(self) -> CounterState:
        return self.lead.state

    @property
    def in_rep(self) -> bool:
        return self.lead.in_rep

    @property
    def signal_def(self) -> SignalDef:
        """The thresholds of the driver counted on (before the choice: the lead's)."""
        return self.lead.signal_def

    def sees(self, values: Mapping[str, float]) -> bool:
        """True when any driver is measured on this frame."""
        return any(not math.isnan(values.get(name, math.nan)) for name in self._drivers)

    def update(
        self,
        values: Mapping[str, float],
        t_s: float,
        in_position: bool = True,
        in_posture: bool = True,
    ) -> RepCycle | None:
        """One frame's measures (a driver missing or NaN: not seen) -> the rep handed on at
        this frame on the chosen driver, if any: at most one a frame, in order (the first
        rep may come up to `grace_s` late; a rep the evidence rule held, when the next
        confirms it: `RepEvidence`)."""
        if self.chosen is not None:
            driver = self._drivers[self.chosen]
            cycle = self.counters[self.chosen].update(
                values.get(driver, math.nan), t_s, in_position, in_posture
            )
            return self._hand_on([] if cycle is None else [cycle])
        for k, counter in enumerate(self.counters):
            value = values.get(self._drivers[k], math.nan)
            cycle = counter.update(value, t_s, in_position, in_posture)
            if cycle is not None:
                self._pending.append((k, cycle))
                if self._pending_since is None:
                    self._pending_since = t_s
        if not self._pending:
            return self._hand_on([])
        assert self._pending_since is not None
        done = {k for k, _ in self._pending}
        returning = any(
            c.state is CounterState.RETURNING for k, c in enumerate(self.counters) if k not in done
        )
        if returning and t_s - self._pending_since < self.grace_s:
            return self._hand_on([])
        return self._hand_on(self._choose())

    def finish(self) -> RepCycle | None:
        """End of a recording: a last rep still being confirmed, on the chosen driver (or
        the choice among the drivers, if no rep has been counted yet); call it until it
        gives None for every rep still to hand on."""
        if self.chosen is not None:
            cycle = self.counters[self.chosen].finish()
            handed = self._hand_on([] if cycle is None else [cycle])
        else:
            for k, counter in enumerate(self.counters):
                cycle = counter.finish()
                if cycle is not None:
                    self._pending.append((k, cycle))
            handed = self._hand_on(self._choose() if self._pending else [])
        self._evidence.flush()
        return handed

    def missed(self) -> list[MissedRep]:
        """The movements of the driver counted on that passed its turn but did not count
        (`MissedRep`), since the last call; none before the choice (those of a driver not
        chosen are no miss: another driver counted the movement)."""
        if self.chosen is None:
            return []
        for k, counter in enumerate(self.counters):
            if k != self.chosen:
                counter.missed.clear()
        chosen = self.counters[self.chosen]
        found = sorted(chosen.missed + self._evidence.missed, key=lambda m: m.cycle.start_s)
        chosen.missed.clear()
        self._evidence.missed.clear()
        return found

    def _hand_on(self, cycles: list[RepCycle]) -> RepCycle | None:
        """Judge the chosen driver's new cycles by the evidence rule, and give the next rep
        to count (None: none)."""
        for cycle in cycles:
            self._queued.extend(self._evidence.judge(cycle))
        return self._queued.pop(0) if self._queued else None

    def _choose(self) -> list[RepCycle]:
        """The rule's step 2: the chosen driver's completed reps, the clearest first; the
        choice is sticky from now on."""
        best = min(self._pending, key=lambda entry: entry[0])
        best_clarity = clarity(best[1].signal or self.counters[best[0]].signal_def, best[1])
        for entry in sorted(self._pending, key=lambda entry: entry[0]):
            counted_on = entry[1].signal or self.counters[entry[0]].signal_def
            entry_clarity = clarity(counted_on, entry[1])
            if entry_clarity > PREFERENCE * best_clarity:
                best, best_clarity = entry, entry_clarity
        self.chosen = best[0]
        cycles = [c for j, c in self._pending if j == self.chosen]
        self._pending.clear()
        self._pending_since = None
        return cycles
