"""Jitter filters for landmark streams.

The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) is a low-pass filter whose cutoff
rises with speed: still landmarks are smoothed hard (no jitter), moving ones lightly (no
visible lag). Time comes from the frames, so it behaves the same at 5 or 60 fps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.pose import Pose


def _smoothing_factor(dt_s: float, cutoff_hz: np.ndarray | float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff_hz))
    return 1.0 / (1.0 + tau / dt_s)


@dataclass
class OneEuroFilter:
    """One Euro filter over arrays of any fixed shape; `update(value, t_s)` -> filtered.

    min_cutoff_hz: cutoff at rest (lower = smoother when still).
    beta: how fast the cutoff rises with speed (higher = less lag when moving).
    """

    min_cutoff_hz: float = 1.0
    beta: float = 0.05
    derivative_cutoff_hz: float = 1.0
    _value: np.ndarray | None = None
    _derivative: np.ndarray | None = None
    _t_s: float | None = None

    def reset(self) -> None:
        self._value = self._derivative = None
        self._t_s = None

    def update(self, value: np.ndarray, t_s: float) -> np.ndarray:
        value = np.asarray(value, dtype=np.float64)
        if self._value is None or self._t_s is None or t_s <= self._t_s:
            self._value, self._derivative, self._t_s = value.copy(), np.zeros_like(value), t_s
            return value.copy()
        dt = t_s - self._t_s
        # A NaN input (landmark missing) restarts that element from its next real value.
        fresh = np.isnan(self._value) & ~np.isnan(value)
        previous = np.where(fresh, value, self._value)
        derivative = (value - previous) / dt
        alpha_d = _smoothing_factor(dt, self.derivative_cutoff_hz)
        derivative = alpha_d * derivative + (1 - alpha_d) * np.nan_to_num(self._derivative)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(derivative)
        alpha = _smoothing_factor(dt, cutoff)
        filtered = alpha * value + (1 - alpha) * previous
        self._value, self._derivative, self._t_s = filtered, derivative, t_s
        return filtered.copy()


@dataclass
class PoseSmoother:
    """Smooths one person's image and world landmarks; restarts after a gap.

    Image coordinates are smoothed in pixels-per-second terms through the normalised
    frame, world coordinates in metres; `beta` values are set for each unit.
    """

    # Chosen on the recorded clips (see docs/smoothing.md): about one frame of lag at
    # 24-30 fps while moving, and a still landmark's jitter cut about five-fold.
    min_cutoff_hz: float = 1.0
    image_beta: float = 10.0
    world_beta: float = 10.0
    max_gap_s: float = 0.5

    def __post_init__(self) -> None:
        self._image = OneEuroFilter(self.min_cutoff_hz, self.image_beta)
        self._world = OneEuroFilter(self.min_cutoff_hz, self.world_beta)
        self._last_t_s: float | None = None

    def reset(self) -> None:
        self._image.reset()
        self._world.reset()
        self._last_t_s = None

    def update(self, pose: Pose) -> Pose:
        if pose.is_empty:
            return pose
        if self._last_t_s is not None and pose.t_s - self._last_t_s > self.max_gap_s:
            self.reset()
        self._last_t_s = pose.t_s
        image = self._image.update(pose.image_xyz, pose.t_s)
        world = self._world.update(pose.world_xyz, pose.t_s)
        return pose.with_landmarks(image, world)
