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
    """Detects up to `num_poses` people per frame; `num_poses=2` lets us notice a bystander."""

    def __init__(
        self,
        model: str | Path | None = None,
        num_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        path = resolve_model_path(model)
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        try:
            with _native_stderr_silenced():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load pose model {path}: {exc}") from exc
        self.model_path = path
        self._last_ms = -1
        self._warmed_up = False

    def detect(self, frame_rgb: np.ndarray, t_s: float) -> list[Pose]:
        """Poses in one RGB frame (H, W, 3, uint8) at time `t_s`, largest first."""
        import mediapipe as mp

        if frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3 or frame_rgb.dtype != np.uint8:
            raise ValueError(
                f"expected an RGB uint8 frame of shape (H, W, 3), got {frame_rgb.shape} "
                f"{frame_rgb.dtype}"
            )
        # MediaPipe needs strictly increasing integer milliseconds; two frames whose times
        # round to the same millisecond are stamped 1 ms apart (their Pose keeps t_s).
        t_ms = max(round(t_s * 1000.0), self._last_ms + 1)
        self._last_ms = t_ms
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame_rgb))
        if self._warmed_up:
            result = self._landmarker.detect_for_video(image, t_ms)
        else:  # the first inference logs its own start-up lines
            with _native_stderr_silenced():
                result = self._landmarker.detect_for_video(image, t_ms)
            self._warmed_up = True
        height, width = frame_rgb.shape[:2]
        return poses_from_result(result, t_s, (width, height))

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
