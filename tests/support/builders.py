"""Small builders shared by the unit tests: synthetic poses without a model or a video."""

from __future__ import annotations

import math

import numpy as np

from coach.core.landmarks import NUM_LANDMARKS, Landmark
from coach.core.pose import Pose

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


def seated_pose(
    t_s: float = 0.0,
    *,
    distance_m: float = 0.65,
    head_forward_m: float = 0.0,
    shoulder_raise_m: float = 0.0,
    lean_deg: float = 0.0,
    hips_in_view: bool = False,
    hfov_deg: float = 65.0,
    frame_wh: tuple[int, int] = FRAME_WH,
) -> Pose:
    """A person sitting square to a laptop webcam, projected with a pinhole camera.

    Camera axes: x to the image right, y down, z away. The shoulders are `distance_m` from
    the camera, 38 cm apart, the hips 50 cm below them at the same depth; the ears 15 cm
    above the shoulders and 15 cm apart; the eye centres 63 mm apart, 8 cm in front of the
    ears (so the eyes are `distance_m - 0.08 - head_forward_m` from the camera).
    `head_forward_m` moves the head towards the camera, `shoulder_raise_m` lifts the
    shoulders, `lean_deg` tips the upper body about the hips towards the person's left
    (image right: the camera image is not mirrored).
    """
    width, height = frame_wh
    focal = (width / 2) / np.tan(np.radians(hfov_deg) / 2)
    d, f = distance_m, head_forward_m
    points = {  # person's left = +x
        Landmark.LEFT_SHOULDER: (0.19, 0.20 - shoulder_raise_m, d),
        Landmark.RIGHT_SHOULDER: (-0.19, 0.20 - shoulder_raise_m, d),
        Landmark.LEFT_EAR: (0.075, 0.05, d - f),
        Landmark.RIGHT_EAR: (-0.075, 0.05, d - f),
        Landmark.LEFT_EYE: (0.0315, 0.03, d - f - 0.08),
        Landmark.RIGHT_EYE: (-0.0315, 0.03, d - f - 0.08),
        Landmark.NOSE: (0.0, 0.06, d - f - 0.10),
        Landmark.LEFT_HIP: (0.15, 0.70, d),
        Landmark.RIGHT_HIP: (-0.15, 0.70, d),
    }
    pivot = np.array([0.0, 0.70])
    turn = np.radians(lean_deg)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    image = np.full((NUM_LANDMARKS, 3), 0.5)
    image[:, 2] = 0.0
    visibility = np.zeros(NUM_LANDMARKS)
    for landmark, (x, y, z) in points.items():
        if landmark not in (Landmark.LEFT_HIP, Landmark.RIGHT_HIP):
            x, y = pivot + rotation @ (np.array([x, y]) - pivot)
        image[landmark] = (focal * x / z / width + 0.5, focal * y / z / height + 0.5, 0.0)
        visibility[landmark] = 1.0
    if not hips_in_view:
        visibility[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]] = 0.0
    return Pose(image, np.zeros((NUM_LANDMARKS, 3)), visibility, t_s, frame_wh)


def write_empty_room(path, frames: int = 20, size: tuple[int, int] = (320, 240)) -> bytes:
    """An H.264 clip of a room with nobody in it (the brightness drifts a little), written
    to `path`; returns its bytes."""
    from coach.vision.video import H264Writer

    width, height = size
    with H264Writer(path, 15.0, (width, height)) as writer:
        for i in range(frames):
            writer.write(np.full((height, width, 3), 40 + i, dtype=np.uint8))
    return path.read_bytes()


def turned_head(pose: Pose, degrees: float) -> Pose:
    """`pose` with the head turned `degrees` about the vertical through the ears' middle
    (the image is redrawn for the turned nose and ears; eyes follow the nose)."""
    image = pose.image_xyz.copy()
    left, right = image[Landmark.LEFT_EAR, :2], image[Landmark.RIGHT_EAR, :2]
    middle, half = (left + right) / 2, (left[0] - right[0]) / 2
    turn = math.radians(degrees)
    # Ears 7.5 cm either side, the nose 10 cm in front: in units of the ears' half width.
    image[Landmark.LEFT_EAR, 0] = middle[0] + half * math.cos(turn)
    image[Landmark.RIGHT_EAR, 0] = middle[0] - half * math.cos(turn)
    for eye in (Landmark.LEFT_EYE, Landmark.RIGHT_EYE, Landmark.NOSE):
        image[eye, 0] = middle[0] + (image[eye, 0] - middle[0]) * math.cos(turn)
        image[eye, 0] += half * (10 / 7.5) * math.sin(turn)
    return Pose(image, pose.world_xyz, pose.visibility, pose.t_s, pose.frame_wh)
