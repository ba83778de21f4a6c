"""Builders for the assessment tests: synthetic movements whose truth is known, and the
recorded clips replayed through the tracker and smoother as the live page would."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coach.core.landmarks import Landmark
from coach.core.pose import Pose
from coach.runtime.tracker import PatientTracker
from coach.vision.recording import PoseRecording
from coach.vision.smoothing import PoseSmoother
from tests.support.synthetic import (
    STANDING,
    Camera,
    Motion,
    Posture,
    RenderOptions,
    Script,
    render_poses,
)

SIDE_LEFT = Camera(yaw_deg=90.0)  # side-on, the patient's left side nearest the camera
SIDE_RIGHT = Camera(yaw_deg=-90.0)
FRONT = Camera(yaw_deg=0.0)


def limit_and_back(
    target: Posture, *, start: Posture = STANDING, move_s: float = 1.5, hold_s: float = 2.5
) -> Motion:
    """Stand still, move to the limit, hold it, come back: one goniometer measurement."""
    return (
        Script(start)
        .hold(1.5)
        .move_to(target, move_s)
        .hold(hold_s)
        .move_to(start, move_s)
        .hold(1.0)
        .build()
    )


def smoothed(poses: list[Pose]) -> list[Pose]:
    """The poses as the pipeline hands them on: through the One Euro landmark smoother."""
    smoother = PoseSmoother()
    return [smoother.update(p) for p in poses]


def rendered(
    motion: Motion, camera: Camera, *, noise_px: float = 0.0, seed: int = 0, fps: float = 30.0
) -> list[Pose]:
    options = RenderOptions(
        fps=fps, image_noise_px=noise_px, world_noise_m=noise_px * 0.002, seed=seed
    )
    return smoothed(render_poses(motion, camera, options))


def replayed(path: Path) -> list[Pose]:
    """A recorded clip's patient, frame by frame, tracked and smoothed (no model needed)."""
    recording = PoseRecording.load(path)
    tracker, smoother = PatientTracker(), PoseSmoother()
    return [
        smoother.update(tracker.select(poses, float(t), recording.frame_wh))
        for t, poses in zip(recording.t_s, recording.frames(), strict=True)
    ]


_HAND_PARTS = ("wrist", "pinky", "index", "thumb")


def hands_on_hips(pose: Pose) -> Pose:
    """The same pose with both hands on the hips, elbows out. The synthetic body has no
    shoulder rotation, so the arms are placed in the image (the only space the stance test
    reads them in)."""
    if pose.is_empty:
        return pose
    image = pose.image_xyz.copy()
    for side, other in (("left", "right"), ("right", "left")):
        hip = image[Landmark[f"{side}_HIP".upper()]]
        shoulder = image[Landmark[f"{side}_SHOULDER".upper()]]
        outward = hip - image[Landmark[f"{other}_HIP".upper()]]
        outward[2] = 0.0
        outward /= np.linalg.norm(outward[:2])
        trunk = float(np.linalg.norm((shoulder - hip)[:2]))
        for part in _HAND_PARTS:
            image[Landmark[f"{side}_{part}".upper()]] = hip + outward * 0.08 * trunk
        image[Landmark[f"{side}_ELBOW".upper()]] = (shoulder + hip) / 2 + outward * 0.45 * trunk
    return pose.with_landmarks(image, pose.world_xyz)
