"""Jitter filters for landmark streams.

The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) is a low-pass filter whose cutoff
rises with speed: still landmarks are smoothed hard (no jitter), moving ones lightly (no
visible lag). Time comes from the frames, so it behaves the same at 5 or 60 fps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coach.core.pose import Pose


def _smoothing_factor(dt_s: float, cutoff_hz: np.ndarray | float) -> np.ndarray | float:
    """The exponential smoothing weight of a low-pass filter with this cutoff: with
    tau = 1 / (2 pi cutoff), 1 / (1 + tau / dt) = x / (x + 1) where x = 2 pi cutoff dt."""
    x = (2.0 * np.pi * dt_s) * cutoff_hz
    return x / (x + 1.0)


@dataclass
class OneEuroFilter:
    """One Euro filter over arrays of any fixed shape; `update(value, t_s)` -> filtered.

    min_cutoff_hz: cutoff at rest (lower = smoother when still).
    beta: how fast the cutoff rises with speed (higher = less lag when moving); an array
    that broadcasts against the values gives each element its own (image and world
    landmarks filtered in one call, each in its own units).
    """

    min_cutoff_hz: float = 1.0
    beta: float | np.ndarray = 0.05
    derivative_cutoff_hz: float = 1.0
    _value: np.ndarray | None = None
    _derivative: np.ndarray | None = None
    _t_s: float | None = None

    def reset(self) -> None:
        self._value = self._derivative = None
        self._t_s = None

    def update(self, value: np.ndarray, t_s: float) -> np.ndarray:
        """The filtered value (read-only: it is also the filter's state)."""
        # Written with few array operations: on a pose each costs as much as the arithmetic
        # itself, and a recording is smoothed frame by frame.
        value = np.asarray(value, dtype=np.float64)
        if self._value is None or self._derivative is None or self._t_s is None or t_s <= self._t_s:
            self._value, self._derivative, self._t_s = value.copy(), np.zeros_like(value), t_s
            self._value.setflags(write=False)
            return self._value
        dt = t_s - self._t_s
        previous = self._value
        change = value - previous
        missing = math.isnan(np.add.reduce(change, axis=None))  # in this input or the last output
        if missing:
            # A NaN input (landmark missing) restarts that element from its next real value.
            previous = np.where(np.isnan(previous) & ~np.isnan(value), value, previous)
            change = value - previous
        alpha_d = _smoothing_factor(dt, self.derivative_cutoff_hz)
        derivative = (alpha_d / dt) * change
        derivative += (1 - alpha_d) * self._derivative
        # The cutoff rises with speed: x = 2 pi dt (min_cutoff + beta |derivative|), and
        # the filtered value, previous + change x / (x + 1), is value - change / (x + 1).
        x_plus_1 = np.abs(derivative)
        x_plus_1 *= (2.0 * np.pi * dt) * self.beta
        x_plus_1 += 1.0 + (2.0 * np.pi * dt) * self.min_cutoff_hz
        filtered = value - change / x_plus_1
        filtered.setflags(write=False)
        if missing:  # the derivative of a missing element restarts from 0
            derivative = np.nan_to_num(derivative)
        self._value, self._derivative, self._t_s = filtered, derivative, t_s
        return filtered


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
        # Image and world landmarks stacked as (2, 33, 3), one filter call per frame.
        # One number when both are the same (the default): one array operation fewer a frame.
        betas = (
            self.image_beta
            if self.image_beta == self.world_beta
            else np.array([self.image_beta, self.world_beta]).reshape(2, 1, 1)
        )
        self._filter = OneEuroFilter(self.min_cutoff_hz, betas)
        self._last_t_s: float | None = None

    def reset(self) -> None:
        self._filter.reset()
        self._last_t_s = None

    def update(self, pose: Pose) -> Pose:
        if pose.is_empty:
            return pose
        image, world = self.update_landmarks(np.array((pose.image_xyz, pose.world_xyz)), pose.t_s)
        return pose.with_landmarks(image, world)

    def update_landmarks(self, image_world: np.ndarray, t_s: float) -> np.ndarray:
        """(2, 33, 3) image and world landmarks of one person -> smoothed. The step
        `update` takes, without `Pose` objects, so a recording can be replayed in bulk."""
        if self._last_t_s is not None and t_s - self._last_t_s > self.max_gap_s:
            self.reset()
        self._last_t_s = t_s
        return self._filter.update(image_world, t_s)
