"""The stable peak of an angle: the most it reached while held still, not one noisy frame.

A goniometer reading is taken when the patient holds their limit. Here that is the
highest mean over windows of `window_s` seconds in which the smoothed angle stayed steady
(standard deviation under `max_std_deg` and a spread under `max_spread_deg`, so a slow
drift through the range is not a hold). The jitter reported with it is the standard
deviation inside that window. Time comes from the samples, never from a clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from coach.vision.smoothing import OneEuroFilter

# Angle smoothing: at rest a 1 Hz cutoff removes most landmark jitter; when the limb moves
# at 60 deg/s the cutoff rises to about 4 Hz so the reading keeps up.
ANGLE_MIN_CUTOFF_HZ = 1.0
ANGLE_BETA = 0.05


@dataclass(frozen=True)
class SteadyHold:
    """One steady window: its mean angle, the jitter inside it, and when it ended."""

    value_deg: float
    jitter_deg: float
    t_s: float
    samples: int


@dataclass
class StablePeak:
    """`update(angle_deg, t_s)` -> the smoothed angle; `peak` is the best steady hold."""

    window_s: float = 1.0
    max_std_deg: float = 2.0
    max_spread_deg: float = 6.0
    max_gap_s: float = 0.3
    peak: SteadyHold | None = None
    steady: bool = False  # the latest window is a hold
    _window: deque[tuple[float, float]] = field(default_factory=deque)
    _filter: OneEuroFilter = field(
        default_factory=lambda: OneEuroFilter(ANGLE_MIN_CUTOFF_HZ, ANGLE_BETA)
    )

    def reset_window(self) -> None:
        """Forget the current window (the patient moved out of view or turned away); the
        peak found so far is kept."""
        self._window.clear()
        self._filter.reset()
        self.steady = False

    def update(self, angle_deg: float, t_s: float) -> float:
        if not np.isfinite(angle_deg):
            if self._window and t_s - self._window[-1][0] > self.max_gap_s:
                self.reset_window()
            return float("nan")
        if self._window and t_s - self._window[-1][0] > self.max_gap_s:
            self.reset_window()
        smoothed = float(self._filter.update(np.array(angle_deg), t_s))
        window = self._window
        window.append((t_s, smoothed))
        while window and window[0][0] < t_s - self.window_s:
            window.popleft()
        self.steady = False
        # The window must cover (nearly) `window_s`: frame times are discrete.
        if t_s - window[0][0] >= self.window_s * 0.95 and len(window) >= 3:
            values = np.array([v for _, v in window])
            std = float(values.std())
            if std < self.max_std_deg and float(np.ptp(values)) < self.max_spread_deg:
                self.steady = True
                hold = SteadyHold(float(values.mean()), std, t_s, len(values))
                if self.peak is None or hold.value_deg > self.peak.value_deg:
                    self.peak = hold
        return smoothed
