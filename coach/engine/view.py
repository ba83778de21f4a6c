"""Which way the patient faces the camera, from the world landmarks.

The shoulder and hip lines are horizontal across the body. Seen from the front or back
they run across the image (along world x); seen side-on they run away from the camera
(along world z). The yaw of those lines tells the view whatever the posture (standing,
lying, on all fours). Whether the face points at the camera separates front from back
and does not change when the image is mirrored.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from coach.landmarks import Landmark
from coach.pose import Pose

DetectedView = Literal["front", "back", "side", "oblique"]

FRONTAL_MAX_YAW_DEG = 30.0
SIDE_MIN_YAW_DEG = 55.0


def body_yaw_deg(pose: Pose) -> float:
    """0 when the shoulders and hips are square to the camera, 90 when side-on."""
    return float(body_yaws_deg(pose.world_xyz))


def body_yaws_deg(world_xyz: np.ndarray) -> np.ndarray:
    """`body_yaw_deg` of (..., 33, 3) world landmarks, for many frames at once."""
    shoulder_l, shoulder_r = Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER
    shoulders = world_xyz[..., shoulder_l, :] - world_xyz[..., shoulder_r, :]
    hips = world_xyz[..., Landmark.LEFT_HIP, :] - world_xyz[..., Landmark.RIGHT_HIP, :]
    across = np.abs(shoulders[..., 0]) + np.abs(hips[..., 0])
    depth = np.abs(shoulders[..., 2]) + np.abs(hips[..., 2])
    return np.degrees(np.arctan2(depth, across))


def faces_camera(pose: Pose) -> bool:
    """True when the nose is nearer the camera than the shoulders (world z points away)."""
    return bool(faces_camera_many(pose.world_xyz))


def faces_camera_many(world_xyz: np.ndarray) -> np.ndarray:
    """`faces_camera` of (..., 33, 3) world landmarks."""
    shoulders_z = (
        world_xyz[..., Landmark.LEFT_SHOULDER, 2] + world_xyz[..., Landmark.RIGHT_SHOULDER, 2]
    ) / 2
    return world_xyz[..., Landmark.NOSE, 2] < shoulders_z


def classify_view(yaw_deg: float, facing: bool) -> DetectedView:
    if yaw_deg <= FRONTAL_MAX_YAW_DEG:
        return "front" if facing else "back"
    if yaw_deg >= SIDE_MIN_YAW_DEG:
        return "side"
    return "oblique"


def middle(sorted_values: list[float]) -> float:
    """The median of sorted values, as (a + b) / 2 of the middle pair (the same element
    twice when the count is odd): the one formula the frame step and the bulk replay share."""
    n = len(sorted_values)
    return (sorted_values[(n - 1) // 2] + sorted_values[n // 2]) / 2


@dataclass
class ViewEstimator:
    """The view over the last `window_s` seconds (median yaw), so one odd frame is ignored."""

    window_s: float = 1.0
    _samples: deque[tuple[float, float, bool]] = field(default_factory=deque)
    # The window's yaws kept sorted and its facing frames counted as samples come and go,
    # so each frame's view costs a bisection, not a sort.
    _sorted_yaws: list[float] = field(default_factory=list)
    _facing: int = 0

    def update(self, pose: Pose) -> DetectedView | None:
        if not pose.is_empty:
            self.add(pose.t_s, body_yaw_deg(pose), faces_camera(pose))
        self.forget_before(pose.t_s)
        return self.current

    def add(self, t_s: float, yaw_deg: float, facing: bool) -> None:
        """One frame's sample (what `update` takes from a pose), for the bulk replay."""
        self._samples.append((t_s, yaw_deg, facing))
        bisect.insort(self._sorted_yaws, yaw_deg)
        self._facing += facing

    def forget_before(self, t_s: float) -> None:
        while self._samples and self._samples[0][0] < t_s - self.window_s:
            _, yaw, facing = self._samples.popleft()
            del self._sorted_yaws[bisect.bisect_left(self._sorted_yaws, yaw)]
            self._facing -= facing

    @property
    def current(self) -> DetectedView | None:
        if not self._samples:
            return None
        return classify_view(middle(self._sorted_yaws), self._facing * 2 >= len(self._samples))

    @property
    def yaw_deg(self) -> float | None:
        return middle(self._sorted_yaws) if self._samples else None
