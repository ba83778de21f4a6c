"""Movements that stopped short: clear cycles of the driver that never reached the turn.

A patient who bends to 40 degrees where a rep counts from 60 moves through regular cycles
the rep counter never counts. They are not reps (the count stays honest: see the README's
"Choices we made"), but they must never pass in silence: the engine keeps each one, the
live coach tells the patient what to change after two in a row, and `coach analyze` says
in its warnings how far they went against where a rep counts.

A cycle here is an excursion of the driver from its rest (the most rested value since the
last cycle) by at least `floor`, back to within half of `floor` of that rest, taking a
plausible rep time. It is fed only while the counter is armed and not inside a counted
rep, so getting into position, a held plank or walking about unarmed never make one.

Where a physio's plan set the thresholds (`leaves`), a movement must also leave the plan's
start zone: the plan drew this patient's rest and range, so a movement that stays inside
their own rest is not an attempt at the planned one, however far it went from a still
frame (a fidget shifting the whole body moves most joints a few degrees). Without a plan
the library's start zone is a healthy adult's: a patient may well move inside it on every
rep (a crunch lifting the shoulders 7-10 degrees where the library's rest reaches 10), and
those are exactly the movements to tell them about.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# The longest pause between two short movements for them to be one patient repeating one
# movement (a rep's own time is bounded by the definition).
SHORT_CYCLE_GAP_S = 5.0
# How far from rest a movement short of the turn must go to be a clear movement, as a
# share of the definition's min_range (or of the hysteresis band, if wider).
SHORT_CYCLE_FLOOR = 0.5


@dataclass(frozen=True)
class ShortCycle:
    """One movement that did not count: its times, the rest it left from and how far it
    went (the driver's values, in the driver's units)."""

    start_s: float
    turn_s: float
    end_s: float
    rest: float
    extreme: float

    @property
    def depth(self) -> float:
        """How far the driver moved from its rest (always positive)."""
        return abs(self.extreme - self.rest)


@dataclass
class ShortCycleTracker:
    """`update(value, t_s)` -> a `ShortCycle` when an excursion from rest of at least
    `floor` returns to rest, else None. `rising`: the driver increases away from rest."""

    rising: bool
    floor: float
    min_s: float
    max_s: float
    # The start threshold of a plan in force (the driver's units): a movement must pass it
    # (module docstring). None: no plan, no such bound.
    leaves: float | None = None
    _rest: float | None = None  # in depth units (deeper = larger)
    _rest_t: float = 0.0
    _away: dict[str, float] | None = None

    def reset(self) -> None:
        """Forget the rest and any excursion (a counted rep, a lost patient, a new view)."""
        self._rest, self._away = None, None

    def update(self, value: float, t_s: float) -> ShortCycle | None:
        if value != value:  # NaN: nothing seen on this frame
            return None
        depth = value if self.rising else -value
        if self._rest is None or (self._away is None and t_s - self._rest_t > self.max_s):
            self._rest, self._rest_t, self._away = depth, t_s, None
            return None
        if self._away is None:
            if depth <= self._rest:
                self._rest, self._rest_t = depth, t_s
            elif depth - self._rest >= self.floor:
                self._away = {"start_s": self._rest_t, "extreme": depth, "turn_s": t_s}
            return None
        away = self._away
        if depth > away["extreme"]:
            away["extreme"], away["turn_s"] = depth, t_s
        if t_s - away["start_s"] > self.max_s:  # stopped away from rest: not a cycle
            self._rest, self._rest_t, self._away = depth, t_s, None
            return None
        if depth - self._rest > self.floor / 2:
            return None
        sign = 1.0 if self.rising else -1.0
        cycle = ShortCycle(
            away["start_s"], away["turn_s"], t_s, sign * self._rest, sign * away["extreme"]
        )
        self._rest, self._rest_t, self._away = depth, t_s, None
        if not self.min_s <= cycle.end_s - cycle.start_s <= self.max_s:
            return None
        if self.leaves is not None and away["extreme"] <= sign * self.leaves:
            return None  # never left the plan's start zone
        return cycle


class Cycle(Protocol):
    """A movement cycle as `regular` compares it: a short movement or a rep."""

    @property
    def start_s(self) -> float: ...

    @property
    def end_s(self) -> float: ...

    @property
    def depth(self) -> float: ...


def regular(cycles: Sequence[Cycle], max_gap_s: float) -> bool:
    """True when the cycles follow one another (each starts within `max_gap_s` of the last
    one's end) and went alike: the deepest at most twice the shallowest, the longest at
    most half as long again as the shortest (a patient repeating a movement at a steady
    tempo, not a fidget's shifts of any length)."""
    if len(cycles) < 2:
        return False
    depths = [c.depth for c in cycles]
    durations = [c.end_s - c.start_s for c in cycles]
    gaps_ok = all(b.start_s - a.end_s <= max_gap_s for a, b in itertools.pairwise(cycles))
    alike = max(depths) <= 2 * min(depths) and max(durations) <= 1.5 * min(durations)
    return gaps_ok and alike
