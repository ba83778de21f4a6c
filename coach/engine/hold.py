"""A timer for isometric holds that runs only while the position is correct.

The position must be correct for `enter_s` before the timer starts (that time counts, the
patient was already holding); a break shorter than `exit_s` is forgiven (a jittery frame),
a longer one stops the timer and the broken time is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class HoldTimer:
    """`update(correct, t_s)` -> seconds held correctly so far (all bouts)."""

    enter_s: float = 0.3
    exit_s: float = 0.5
    held_s: float = 0.0
    bouts: int = 0
    holding: bool = False
    _correct_since: float | None = None
    _broken_since: float | None = None
    _last_t_s: float | None = None
    _bout_s: float = 0.0
    _longest_ended_bout_s: float = 0.0

    @property
    def longest_bout_s(self) -> float:
        """The longest single stretch held correctly, including the current one."""
        current = self._bout_s if self.holding else 0.0
        return max(self._longest_ended_bout_s, current)

    def update(self, correct: bool, t_s: float) -> float:
        dt = 0.0 if self._last_t_s is None else max(0.0, t_s - self._last_t_s)
        self._last_t_s = t_s
        if not self.holding:
            if not correct:
                self._correct_since = None
                return self.held_s
            if self._correct_since is None:
                self._correct_since = t_s
            if t_s - self._correct_since >= self.enter_s:
                self.holding, self.bouts, self._broken_since = True, self.bouts + 1, None
                self._bout_s = t_s - self._correct_since
                self.held_s += self._bout_s
            return self.held_s
        if correct:
            self._broken_since = None
            self._add(dt)
            return self.held_s
        if self._broken_since is None:
            self._broken_since = t_s - dt / 2  # the break began between the two frames
        broken_for = t_s - self._broken_since
        if broken_for < self.exit_s:
            self._add(dt)  # provisionally: a short break is forgiven
            return self.held_s
        self._add(dt - broken_for)  # the bout ended when the break began
        self._longest_ended_bout_s = max(self._longest_ended_bout_s, self._bout_s)
        self.holding, self._correct_since = False, None
        return self.held_s

    def _add(self, seconds: float) -> None:
        self.held_s += seconds
        self._bout_s += seconds
