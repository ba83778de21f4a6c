"""MediaPipe Tasks PoseLandmarker behind one adapter that returns `Pose` objects.

Nothing outside this module touches MediaPipe types, and only its public Tasks API is used
(`PoseLandmarker.detect_for_video` and its `PoseLandmarkerResult`). One estimator serves
one stream (a video file or one browser session): VIDEO mode keeps tracking state and
needs strictly increasing timestamps, so an estimator is never shared.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np

from coach.core.errors import ModelError
from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose
from coach.vision.model_bundle import resolve_model_path

if TYPE_CHECKING:
    import mediapipe as mp
    from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerResult


def poses_from_result(
    result: PoseLandmarkerResult, t_s: float, frame_wh: tuple[int, int]
) -> list[Pose]:
    """MediaPipe's `PoseLandmarkerResult` -> poses, largest person first (the one place
    its result is read)."""
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
        visibility = np.array([lm.visibility or 0.0 for lm in image_lms])  # None: not given
        poses.append(Pose(image, world, visibility, t_s, frame_wh))
    return people_in_order(poses)


def people_in_order(poses: list[Pose]) -> list[Pose]:
    """One frame's poses, as a landmarker returned them, in the order the rest of Form Coach
    reads them: largest person first, a person found twice kept once. The one ordering for
    every pose source (this module's own model, and landmarks streamed from a browser).
    Returns a new list; the poses themselves are not changed."""
    if len(poses) < 2:
        return list(poses)
    return _distinct_people(sorted(poses, key=_apparent_size, reverse=True))


# Two poses whose bounding boxes overlap this much (intersection over union) are one
# person found twice: looking for two people, the landmarker sometimes returns the patient
# twice (IoU 0.78-0.99 on a shared one-person clip), while two real people side by side or
# one walking past overlap far less.
SAME_PERSON_IOU = 0.5


def _box(pose: Pose) -> tuple[float, float, float, float]:
    low, high = pose.image_xyz[:, :2].min(axis=0), pose.image_xyz[:, :2].max(axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def box_iou(a: Pose, b: Pose) -> float:
    """Intersection over union of the two poses' landmark bounding boxes."""
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else 0.0


def _distinct_people(poses: list[Pose]) -> list[Pose]:
    """Poses (largest first) without repeats of a person already kept."""
    kept: list[Pose] = []
    for pose in poses:
        if all(box_iou(pose, other) < SAME_PERSON_IOU for other in kept):
            kept.append(pose)
    return kept


def _blank_image() -> mp.Image:
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
def _file_descriptor_2_hidden(hidden: bool) -> Iterator[None]:
    """With `hidden`, the process's file descriptor 2 points at /dev/null for the block:
    MediaPipe's C++ start-up lines (EGL, XNNPACK, feedback tensors) are written straight
    to it. Only for a one-shot process (`PoseEstimator`'s `quiet_start`): fd 2 is the
    whole process's, and in a server every other thread's errors would go too."""
    if not hidden:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with Path(os.devnull).open("w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def downscaled(frame_rgb: np.ndarray, max_side_px: int | None) -> np.ndarray:
    """The frame shrunk (area-averaged) so its longer side is at most `max_side_px`.

    The model sees a 256x256 crop whatever the input size, so a 720p or 1080p frame can
    be shrunk before it without losing detail the model would use; landmarks come back
    normalised to the frame, so nothing downstream changes."""
    height, width = frame_rgb.shape[:2]
    if max_side_px is None or max(height, width) <= max_side_px:
        return frame_rgb
    import cv2

    scale = max_side_px / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(frame_rgb, size, interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class Inference:
    """One frame through the tracking landmarker, not yet read into poses: what
    `PoseEstimator.infer` returns on the model's thread, for `PoseEstimator.poses_of` to
    read on another thread, so the model's thread does nothing but run the model."""

    result: PoseLandmarkerResult  # the tracking landmarker's, read only by `poses_of`
    t_s: float
    frame_wh: tuple[int, int]
    look: Future | None  # a crowd look started at this frame (its people, later)


class _CrowdLooks:
    """The reading side of the crowd check: who else is in view, updated frame by frame in
    frame order. A look's result is taken `lag_frames` frames after the frame it looked at
    (waiting for it if it is late), so the poses do not depend on timing."""

    def __init__(self, lag_frames: int) -> None:
        self.lag_frames = lag_frames
        self._others: list[Pose] = []
        self._pending: Future | None = None  # the look under way
        self._pending_patient: Pose | None = None
        self._pending_frames = 0  # frames until its result is taken

    def poses(self, inference: Inference) -> list[Pose]:
        poses = poses_from_result(inference.result, inference.t_s, inference.frame_wh)
        if inference.look is not None:
            self._take()  # a look still pending is finished first
            self._pending, self._pending_patient = inference.look, poses[0] if poses else None
            self._pending_frames = self.lag_frames
        elif self._pending is not None:
            self._pending_frames -= 1
            if self._pending_frames <= 0:
                self._take()
        return poses + self._others

    def _take(self) -> None:
        if self._pending is None:
            return
        everyone = self._pending.result()
        patient = self._pending_patient
        self._others = _others_than(patient, everyone) if patient is not None else everyone
        self._pending = self._pending_patient = None


class PoseEstimator:
    """Finds the patient in every frame and notices up to `num_poses - 1` other people.

    Looking for a second person on every frame makes MediaPipe run its person detector on
    every frame (it only tracks when it already has `num_poses` people), which makes each
    frame much slower (docs/benchmarks.md). So by default one landmarker tracks one
    person on every frame and a second one, with `num_poses`, looks for others every
    `crowd_check_s` seconds; the others it found are returned with each frame until the next
    look. Once a second (the default) a bystander is noticed within a second, and each look
    (a detector and two landmark passes, about two frames' tracking time) costs a small
    share of a core beside the model; `crowd_check_s=None` runs a single `num_poses` landmarker on
    every frame.

    The look runs on a worker thread alongside the next frames' tracking (MediaPipe
    releases the GIL), and its result is taken `crowd_lag_frames` frames after the one
    it looked at, always (waiting if it is late), so the poses returned do not depend on
    timing. `detect` runs the model and reads its result; a pipeline can split the two,
    `infer` on the model's thread and `poses_of` (in frame order) on another, which keeps
    turning results into poses and waiting for looks off the model's thread (they share
    no state but each look's future). `max_side_px` shrinks larger frames before the model
    (see `downscaled`); the poses keep the frame's own size. `quiet_start` hides
    MediaPipe's start-up lines while the landmarkers are built, by pointing the process's
    file descriptor 2 at /dev/null meanwhile: for a one-shot process only (the `coach`
    command), never in a server, where other threads' errors would be lost with them.
    """

    # A look (detector and two landmark passes) takes about two frames' tracking time:
    # taken sooner, the tracking thread would wait for it.
    crowd_lag_frames = 3

    def __init__(
        self,
        model: str | Path | None = None,
        num_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        crowd_check_s: float | None = 1.0,
        max_side_px: int | None = None,
        quiet_start: bool = False,
    ) -> None:
        self.model_path = resolve_model_path(model)
        self.max_side_px = max_side_px
        self._settings = (min_detection_confidence, min_tracking_confidence)
        split = num_poses > 1 and crowd_check_s is not None
        with _file_descriptor_2_hidden(quiet_start):
            self._main = self._landmarker(1 if split else num_poses)
            self._crowd = None
            if split:
                self._crowd = self._landmarker(num_poses)
        self.crowd_check_s = crowd_check_s
        self._last_check_s = -np.inf
        self._worker = ThreadPoolExecutor(1, "crowd-check") if self._crowd is not None else None
        self._looks = _CrowdLooks(self.crowd_lag_frames)
        self._last_ms = {"main": -1, "crowd": -1}

    def _landmarker(self, num_poses: int) -> PoseLandmarker:
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

    def _run(
        self, which: str, image: mp.Image, t_s: float, stamp: int | None = None
    ) -> PoseLandmarkerResult:
        """One landmarker ("main" or "crowd") on one image."""
        landmarker = self._main if which == "main" else self._crowd
        assert landmarker is not None
        stamp = self._stamp(which, t_s) if stamp is None else stamp
        return landmarker.detect_for_video(image, stamp)

    def detect(self, frame_rgb: np.ndarray, t_s: float) -> list[Pose]:
        """The patient (or the largest person) first, then anyone else noticed recently."""
        return self.poses_of(self.infer(frame_rgb, t_s))

    def infer(self, frame_rgb: np.ndarray, t_s: float) -> Inference:
        """Run the tracking landmarker on one RGB frame (and start a crowd look when one
        is due); `poses_of` reads the result."""
        import mediapipe as mp

        if frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3 or frame_rgb.dtype != np.uint8:
            raise ValueError(
                f"expected an RGB uint8 frame of shape (H, W, 3), got {frame_rgb.shape} "
                f"{frame_rgb.dtype}"
            )
        height, width = frame_rgb.shape[:2]
        pixels = np.ascontiguousarray(downscaled(frame_rgb, self.max_side_px))
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=pixels)
        interval, since_check = self.crowd_check_s, t_s - self._last_check_s
        due = (
            self._crowd is not None
            and interval is not None  # always so with a crowd landmarker
            and (since_check >= interval or since_check < 0)  # < 0: time went back
        )
        look = None
        if due:  # started first, so it runs while this frame is tracked
            self._last_check_s = t_s
            look = self._start_crowd_check(image, t_s, (width, height))
        result = self._run("main", image, t_s)
        return Inference(result, t_s, (width, height), look)

    def poses_of(self, inference: Inference) -> list[Pose]:
        """The people of an `infer` result: the patient (or the largest person) first, then
        anyone else noticed recently. Called once per frame, in frame order."""
        return self._looks.poses(inference)

    def _start_crowd_check(self, image: mp.Image, t_s: float, frame_wh: tuple[int, int]) -> Future:
        assert self._worker is not None
        stamp = self._stamp("crowd", t_s)

        def look() -> list[Pose]:
            return poses_from_result(self._run("crowd", image, t_s, stamp), t_s, frame_wh)

        return self._worker.submit(look)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)  # every look finishes: the landmarker closes next
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
