"""One browser session's assessment: webcam frames in, annotated frames out.

The webrtc plumbing is the live coach's (`FrameLoop`: newest frame only, monotonic frame
time). Each frame goes pose model -> patient tracker -> landmark smoother -> the task, and
the task's status is handed to the page under a lock. Counting runs on the camera's own
image (left is the patient's left); the picture shown is mirrored, as patients expect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from coach.assessment.tasks import AssessmentTask, TaskStatus
from coach.draw import draw_lines, draw_skeleton
from coach.engine.tracker import PatientTracker
from coach.estimator import PoseEstimator
from coach.filters import PoseSmoother
from coach.live import FrameLoop


@dataclass(frozen=True)
class AssessmentSnapshot:
    status: TaskStatus | None
    frames: int
    fps: float


class AssessmentSession(FrameLoop):
    """Everything stateful for one patient's assessment; never shared between sessions."""

    def __init__(
        self,
        task: AssessmentTask,
        *,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        mirror_display: bool = True,
    ) -> None:
        super().__init__()
        self.task = task
        self.mirror_display = mirror_display
        self._estimator_factory = estimator_factory or (lambda: PoseEstimator(crowd_check_s=1.0))
        self._estimator: PoseEstimator | None = None
        self._tracker = PatientTracker()
        self._smoother = PoseSmoother()
        self._status: TaskStatus | None = None

    def process_rgb(self, rgb: np.ndarray, t_s: float) -> tuple[np.ndarray, dict[str, float]]:
        """One RGB frame through pose, tracker, smoother, the task and drawing."""
        if self._estimator is None:  # built on the worker thread, on the first frame
            self._estimator = self._estimator_factory()
        t_s = self._session_time(t_s)
        t0 = time.perf_counter()
        poses = self._estimator.detect(rgb, t_s)
        t1 = time.perf_counter()
        frame_wh = (rgb.shape[1], rgb.shape[0])
        patient = self._smoother.update(self._tracker.select(poses, t_s, frame_wh))
        status = self.task.update(patient)
        t2 = time.perf_counter()
        frame = cv2.flip(rgb, 1) if self.mirror_display else rgb.copy()
        draw_skeleton(frame, patient.mirrored() if self.mirror_display else patient, {})
        draw_lines(frame, list(status.lines), status.message)
        t3 = time.perf_counter()
        with self._lock:
            self._status = status
        timing = {"pose": 1000 * (t1 - t0), "engine": 1000 * (t2 - t1), "draw": 1000 * (t3 - t2)}
        return frame, timing

    def snapshot(self) -> AssessmentSnapshot:
        with self._lock:
            return AssessmentSnapshot(self._status, self._stats.frames, self._stats.fps())

    def close(self) -> None:
        """Release the model when the stream ends; a new one is made on restart."""
        estimator, self._estimator = self._estimator, None
        if estimator is not None:
            estimator.close()
