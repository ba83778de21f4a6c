"""A timer for isometric holds that runs only while the position is correct and held.

The position must be correct for `enter_s` before the timer starts (that time counts, the
patient was already holding); a break shorter than `exit_s` is forgiven (a jittery frame),
a longer one stops the timer and the broken time is not counted.

A hold is still. A definition's conditions are deliberately wide (every body holds a plank
a little differently), so a slow way in or out passes through them for seconds: the
patient lowering into a plank is "correct" long before they are holding it. Given the
measures of the conditions, the timer therefore also asks that the body be held:

- on the way in, each measure has varied by at most half of `still_deg` over the last
  `still_s` (its odd frames aside): the body has stopped moving, so the approach is not
  timed (the hold is credited from the middle of that still stretch);
- once holding, each measure stays within `still_deg` of the held position (its values
  when the hold began, following a slow drift with a time constant of `FOLLOW_S`). A way
  out is seen only once it has gone `still_deg`, so it is dated back to where it began:
  from its last frame within half of `still_deg`, run back at its own speed (at most
  `still_s` back). The timer stops where the way out began, not where it left the
  conditions.

The measures are in degrees; a ratio of lengths is passed in radians' worth of degrees (a
limb turning by an angle changes a length ratio by about that angle in radians).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# How long the body must have been still to be holding: a fraction of a second, longer
# than the model's frame-to-frame jitter, shorter than any hold.
STILL_S = 0.5
# A pose model misplaces a landmark for a frame or two now and then: the still test leaves
# out this share of a measure's values at either end of the window.
SPIKES = 0.1
# How fast the held position follows a slow drift (a plank sagging a little over a long
# hold, still inside the conditions): much slower than any way out of the position.
FOLLOW_S = 5.0


@dataclass
class HoldTimer:
    """`update(correct, t_s, measures)` -> seconds held correctly so far (all bouts).

    Without `measures` (or with `still_deg` infinite) only `correct` counts."""

    enter_s: float = 0.3
    exit_s: float = 0.5
    still_deg: float = math.inf
    still_s: float = STILL_S
    held_s: float = 0.0
    bouts: int = 0
    holding: bool = False
    _conditions_since: float | None = None  # the conditions hold since
    _correct_since: float | None = None  # ... and the body is still since
    _broken_since: float | None = None  # when the break was first seen
    _break_began: float = 0.0  # when it began (the way out, dated back)
    _last_t_s: float | None = None
    _bout_s: float = 0.0
    _longest_ended_bout_s: float = 0.0
    _recent: deque[tuple[float, np.ndarray]] = field(default_factory=deque)
    _held_position: np.ndarray | None = None

    @property
    def longest_bout_s(self) -> float:
        """The longest single stretch held correctly, including the current one."""
        current = self._bout_s if self.holding else 0.0
        return max(self._longest_ended_bout_s, current)

    def update(self, correct: bool, t_s: float, measures: Sequence[float] = ()) -> float:
        """One frame: whether the conditions hold, its time, and the conditions' measures
        (degrees; NaN where unseen). Returns the seconds held so far, all bouts."""
        dt = 0.0 if self._last_t_s is None else max(0.0, t_s - self._last_t_s)
        self._last_t_s = t_s
        if not correct:
            self._conditions_since = None
        elif self._conditions_since is None:
            self._conditions_since = t_s
        held, since = self._held(np.asarray(measures, dtype=float), t_s)
        correct = correct and held
        if not self.holding:
            if not correct:
                self._correct_since = None
                return self.held_s
            if self._correct_since is None:  # since the conditions hold and the body is still
                assert self._conditions_since is not None
                self._correct_since = max(self._conditions_since, since or t_s)
            if t_s - self._correct_since >= self.enter_s:
                self.holding, self.bouts, self._broken_since = True, self.bouts + 1, None
                self._held_position = _mean([values for _, values in self._recent])
                self._bout_s = t_s - self._correct_since
                self.held_s += self._bout_s
            return self.held_s
        if correct:
            self._broken_since = None
            self._add(dt)
            return self.held_s
        if self._broken_since is None:
            # The break began between the two frames, or where the way out began.
            self._broken_since = t_s - dt / 2
            self._break_began = self._broken_since if since is None else since
        if t_s - self._broken_since < self.exit_s:
            self._add(dt)  # provisionally: a short break is forgiven
            return self.held_s
        self._add(dt - (t_s - self._break_began))  # the bout ended when the break began
        self._longest_ended_bout_s = max(self._longest_ended_bout_s, self._bout_s)
        self.holding, self._correct_since, self._held_position = False, None, None
        return self.held_s

    def _add(self, seconds: float) -> None:
        self.held_s += seconds
        self._bout_s += seconds

    def _held(self, values: np.ndarray, t_s: float) -> tuple[bool, float | None]:
        """Whether the body is held (the module's two tests; always, without measures),
        and since when: on the way in, since the middle of the still `still_s` (a quick
        arrival is credited a little late, a slow one a little early); on leaving the held
        position, when the way out began."""
        if values.size == 0 or math.isinf(self.still_deg):
            return True, None
        recent = self._recent
        dt = t_s - recent[-1][0] if recent else 0.0
        recent.append((t_s, values))
        while recent[0][0] < t_s - self.still_s:
            recent.popleft()
        position = self._held_position
        if not self.holding or position is None:
            stack = np.array([row for _, row in recent])
            still = all(_spread(column) <= self.still_deg / 2 for column in stack.T)
            return still, (t_s - self.still_s / 2) if still else None
        off = np.abs(values - position)
        seen = np.isfinite(off)
        if np.all(off[seen] <= self.still_deg):
            position[seen] += (values[seen] - position[seen]) * min(1.0, dt / FOLLOW_S)
            return True, None
        return False, self._way_out_since(position)

    def _way_out_since(self, position: np.ndarray) -> float:
        """When the way out began. The measure furthest out is followed back to its last
        frame within half of `still_deg` of the held position (inside the noise), and its
        path from there to now is run back at its own speed to the held position: a quick
        move began just before it was seen, a slow one further back (at most `still_s`)."""
        t_now, now = self._recent[-1]
        k = int(np.nanargmax(np.abs(now - position)))
        offs = [(t, abs(row[k] - position[k])) for t, row in self._recent]
        off_now = offs[-1][1]
        inside = [(t, off) for t, off in offs[:-1] if off <= self.still_deg / 2]
        if not inside:
            return self._recent[0][0]
        t_in, off_in = inside[-1]
        began = t_now - off_now * (t_now - t_in) / (off_now - off_in)
        return max(self._recent[0][0], min(t_in, began))


def _spread(values: np.ndarray) -> float:
    """How far a measure moved over the window, ignoring the model's odd frames: the
    span between its `SPIKES` and 1 - `SPIKES` quantiles (0 when it was never seen)."""
    seen = values[np.isfinite(values)]
    if seen.size == 0:
        return 0.0
    low, high = np.quantile(seen, [SPIKES, 1.0 - SPIKES])
    return float(high - low)


def _mean(rows: list[np.ndarray]) -> np.ndarray | None:
    """Each angle's mean over the frames where it was seen (NaN where never)."""
    if not rows:
        return None
    stack = np.array(rows)
    seen = np.isfinite(stack)
    counts = seen.sum(axis=0)
    totals = np.where(seen, stack, 0.0).sum(axis=0)
    return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
