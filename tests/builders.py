"""Small builders shared by the unit tests: synthetic poses without a model or a video."""

from __future__ import annotations

import numpy as np

from coach.landmarks import NUM_LANDMARKS, Landmark
from coach.pose import Pose

FRAME_WH = (640, 480)


def make_pose(
    t_s: float = 0.0,
    *,
    image_xyz: np.ndarray | None = None,
    world_xyz: np.ndarray | None = None,
    visibility: np.ndarray | float = 1.0,
    frame_wh: tuple[int, int] = FRAME_WH,
    points: dict[Landmark, tuple[float, float, float]] | None = None,
    world_points: dict[Landmark, tuple[float, float, float]] | None = None,
) -> Pose:
    """A full 33-landmark pose; unnamed landmarks sit at the centre / origin."""
    image = np.full((NUM_LANDMARKS, 3), 0.5) if image_xyz is None else np.array(image_xyz)
    if image_xyz is None:
        image[:, 2] = 0.0
    world = np.zeros((NUM_LANDMARKS, 3)) if world_xyz is None else np.array(world_xyz)
    for index, xyz in (points or {}).items():
        image[index] = xyz
    for index, xyz in (world_points or {}).items():
        world[index] = xyz
    vis = np.broadcast_to(np.asarray(visibility, dtype=np.float64), (NUM_LANDMARKS,)).copy()
    return Pose(image, world, vis, t_s, frame_wh)


def numbered_pose(t_s: float = 0.0, frame_wh: tuple[int, int] = FRAME_WH) -> Pose:
    """A pose whose landmark i has distinct, recognisable coordinates (to track indices)."""
    i = np.arange(NUM_LANDMARKS, dtype=np.float64)
    image = np.stack([0.01 * i + 0.1, 0.02 * i + 0.05, -0.001 * i], axis=1)
    world = np.stack([0.03 * i - 0.5, 0.01 * i, 0.005 * i + 0.2], axis=1)
    visibility = 0.5 + 0.01 * i
    return Pose(image, world, visibility, t_s, frame_wh)
