"""MediaPipe Tasks PoseLandmarker behind one adapter that returns `Pose` objects.

Nothing outside this module touches MediaPipe types. One estimator serves one stream
(a video file or one browser session): VIDEO mode keeps tracking state and needs strictly
increasing timestamps, so an estimator is never shared.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from coach.errors import ModelError
from coach.landmarks import NUM_LANDMARKS
from coach.model_bundle import resolve_model_path
from coach.pose import Pose


def poses_from_result(result: Any, t_s: float, frame_wh: tuple[int, int]) -> list[Pose]:
    """Convert a `PoseLandmarkerResult` into poses, largest person first.

    The one place MediaPipe's result type is read; anything else is a programming error.
    """
    if not (hasattr(result, "pose_landmarks") and hasattr(result, "pose_world_landmarks")):
        raise TypeError(
            f"expected a mediapipe PoseLandmarkerResult, got {type(result).__name__}"
        )
    poses = []
    pairs = zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)
    for image_lms, world_lms in pairs:
        if len(image_lms) != NUM_LANDMARKS or len(world_lms) != NUM_LANDMARKS:
            raise TypeError(
                f"expected {NUM_LANDMARKS} landmarks per pose, got {len(image_lms)} image and "
                f"{len(world_lms)} world landmarks"
            )
        image = np.array([(lm.x, lm.y, lm.z) for lm in image_lms], dtype=np.float64)
        world = np.array([(lm.x, lm.y, lm.z) for lm in world_lms], dtype=np.float64)
        visibility = np.array([lm.visibility or 0.0 for lm in image_lms], dtype=np.float64)
        poses.append(Pose(image, world, visibility, t_s, frame_wh))
    poses.sort(key=_apparent_size, reverse=True)
    return poses


def _blank_image():  # -> mp.Image
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), np.uint8))


def _others_than(patient: Pose, everyone: list[Pose]) -> list[Pose]:
    """Everyone but the person nearest the patient (the crowd check sees the patient too)."""
    if not everyone:
        return []
    centre = patient.image_xyz[:, :2].mean(axis=0)
    distances = [float(np.linalg.norm(p.image_xyz[:, :2].mean(axis=0) - centre)) for p in everyone]
    nearest = int(np.argmin(distances))
    return [p for i, p in enumerate(everyone) if i != nearest]


def _apparent_size(pose: Pose) -> float:
    """Area of the bounding box of the pose in normalised image units."""
    xy = pose.image_xyz[:, :2]
    return float(np.ptp(xy[:, 0]) * np.ptp(xy[:, 1]))


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """MediaPipe's C++ start-up logs (EGL, XNNPACK, feedback tensors) go straight to file
    descriptor 2; hide them so stderr carries only our own messages and progress bar."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with Path(os.devnull).open("w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class PoseEstimator:
    """Finds the patient in every frame and notices up to `num_poses - 1` other people.

    Looking for a second person on every frame makes MediaPipe run its person detector on
    every frame (it only tracks when it already has `num_poses` people), which costs about
    60% more per frame (26 -> 42 ms at 640x480 here). So by default one landmarker tracks one
    person on every frame and a second one, with `num_poses`, looks for others every
    `crowd_check_s` seconds; the others it found are returned with each frame until the next
    look. `crowd_check_s=None` runs a single `num_poses` landmarker on every frame.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        num_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        crowd_check_s: float | None = 0.5,
    ) -> None:
        self.model_path = resolve_model_path(model)
        self._settings = (min_detection_confidence, min_tracking_confidence)
        split = num_poses > 1 and crowd_check_s is not None
        self._main = self._landmarker(1 if split else num_poses)
        self._crowd = self._landmarker(num_poses) if split else None
        self.crowd_check_s = crowd_check_s
        self._others: list[Pose] = []
        self._last_check_s = -np.inf
        self._last_ms = {"main": -1, "crowd": -1}
        # MediaPipe logs once more to fd 2 on the first frame with a person in it.
        self._quiet = {"main": True, "crowd": True}

    def _landmarker(self, num_poses: int):  # -> vision.PoseLandmarker
        from mediapipe.tasks.python import BaseOptions, vision

        detection, tracking = self._settings
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=detection,
            min_pose_presence_confidence=detection,
            min_tracking_confidence=tracking,
        )
        try:
            # MediaPipe's C++ start-up logs go straight to fd 2, on creation and first use.
            with _native_stderr_silenced():
                landmarker = vision.PoseLandmarker.create_from_options(options)
                landmarker.detect_for_video(_blank_image(), 0)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load pose model {self.model_path}: {exc}") from exc
        return landmarker

    def _stamp(self, which: str, t_s: float) -> int:
        # MediaPipe needs strictly increasing integer milliseconds (after the warm-up call
        # at 0); frames whose times round to the same millisecond are stamped 1 ms apart.
        t_ms = max(round(t_s * 1000.0) + 1, self._last_ms[which] + 1)
        self._last_ms[which] = t_ms
        return t_ms

    def _run(self, which: str, image, t_s: float):  # -> PoseLandmarkerResult
        landmarker = self._main if which == "main" else self._crowd
        assert landmarker is not None
        stamp = self._stamp(which, t_s)
        if not self._quiet[which]:
            return landmarker.detect_for_video(image, stamp)
        with _native_stderr_silenced():
            result = landmarker.detect_for_video(image, stamp)
        self._quiet[which] = not result.pose_landmarks
        return result

    def detect(self, frame_rgb: np.ndarray, t_s: float) -> list[Pose]:
        """The patient (or the largest person) first, then anyone else noticed recently."""
        import mediapipe as mp

        if frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3 or frame_rgb.dtype != np.uint8:
            raise ValueError(
                f"expected an RGB uint8 frame of shape (H, W, 3), got {frame_rgb.shape} "
                f"{frame_rgb.dtype}"
            )
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame_rgb))
        height, width = frame_rgb.shape[:2]
        result = self._run("main", image, t_s)
        poses = poses_from_result(result, t_s, (width, height))
        if self._crowd is None:
            return poses
        if t_s - self._last_check_s >= self.crowd_check_s or t_s < self._last_check_s:
            self._last_check_s = t_s
            crowd = self._run("crowd", image, t_s)
            everyone = poses_from_result(crowd, t_s, (width, height))
            self._others = _others_than(poses[0], everyone) if poses else everyone
        return poses + self._others

    def close(self) -> None:
        self._main.close()
        if self._crowd is not None:
            self._crowd.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
