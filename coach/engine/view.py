"""Which way the patient faces the camera, from the world landmarks.

The shoulder and hip lines are horizontal across the body. Seen from the front or back
they run across the image (along world x); seen side-on they run away from the camera
(along world z). The yaw of those lines tells the view whatever the posture (standing,
lying, on all fours). Whether the face points at the camera separates front from back
and does not change when the image is mirrored.
"""

from __future__ import annotations

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
    world = pose.world_xyz
    vectors = [
        world[Landmark.LEFT_SHOULDER] - world[Landmark.RIGHT_SHOULDER],
        world[Landmark.LEFT_HIP] - world[Landmark.RIGHT_HIP],
    ]
    across = np.abs(np.array([v[0] for v in vectors])).sum()
    depth = np.abs(np.array([v[2] for v in vectors])).sum()
    return float(np.degrees(np.arctan2(depth, across)))


def faces_camera(pose: Pose) -> bool:
    """True when the nose is nearer the camera than the shoulders (world z points away)."""
    world = pose.world_xyz
    shoulders_z = (world[Landmark.LEFT_SHOULDER, 2] + world[Landmark.RIGHT_SHOULDER, 2]) / 2
    return bool(world[Landmark.NOSE, 2] < shoulders_z)


def classify_view(yaw_deg: float, facing: bool) -> DetectedView:
    if yaw_deg <= FRONTAL_MAX_YAW_DEG:
        return "front" if facing else "back"
    if yaw_deg >= SIDE_MIN_YAW_DEG:
        return "side"
    return "oblique"


@dataclass
class ViewEstimator:
    """The view over the last `window_s` seconds (median yaw), so one odd frame is ignored."""

    window_s: float = 1.0
    _samples: deque[tuple[float, float, bool]] = field(default_factory=deque)

    def update(self, pose: Pose) -> DetectedView | None:
        if not pose.is_empty:
            self._samples.append((pose.t_s, body_yaw_deg(pose), faces_camera(pose)))
        while self._samples and self._samples[0][0] < pose.t_s - self.window_s:
            self._samples.popleft()
        return self.current

    @property
    def current(self) -> DetectedView | None:
        if not self._samples:
            return None
        yaw = float(np.median([s[1] for s in self._samples]))
        facing = sum(s[2] for s in self._samples) * 2 >= len(self._samples)
        return classify_view(yaw, facing)

    @property
    def yaw_deg(self) -> float | None:
        return float(np.median([s[1] for s in self._samples])) if self._samples else None
