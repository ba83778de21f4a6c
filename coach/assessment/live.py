"""One browser session's assessment: webcam frames in, annotated frames out.

The webrtc plumbing and the pose model's lifetime are the live coach's (`FrameLoop`:
newest frame only, monotonic frame time, model made on the first frame, `close`). Each
frame goes pose model -> patient tracker -> landmark smoother -> the task, and the task's
status is handed to the page under a lock. Counting runs on the camera's own image (left
is the patient's left); the picture shown is mirrored, as patients expect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from coach.assessment.tasks import AssessmentTask, TaskStatus
from coach.core.pose import Pose
from coach.runtime.live import FrameLoop
from coach.runtime.stream import StreamState
from coach.runtime.tracker import PatientTracker
from coach.vision.draw import draw_lines, draw_skeleton
from coach.vision.estimator import PoseEstimator
from coach.vision.smoothing import PoseSmoother


@dataclass(frozen=True)
class AssessmentSnapshot:
    status: TaskStatus | None
    frames: int
    fps: float


class AssessmentSession(FrameLoop[tuple[Pose, TaskStatus]]):
    """Everything stateful for one patient's assessment; never shared between sessions."""

    def __init__(
        self,
        task: AssessmentTask,
        *,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        mirror_display: bool = True,
    ) -> None:
        super().__init__(estimator_factory=estimator_factory)
        self.task = task
        self.mirror_display = mirror_display
        self._tracker = PatientTracker()
        self._smoother = PoseSmoother()
        self._status: TaskStatus | None = None

    def process_poses(
        self, poses: list[Pose], t_s: float, frame_wh: tuple[int, int]
    ) -> tuple[Pose, TaskStatus]:
        """One frame's poses through tracker, smoother and the task."""
        patient = self._smoother.update(self._tracker.select(poses, t_s, frame_wh))
        status = self.task.update(patient)
        with self._lock:
            self._status = status
        return patient, status

    def draw(self, rgb: np.ndarray, seen: tuple[Pose, TaskStatus]) -> np.ndarray:
        """The patient's skeleton and the task's lines and message over the (mirrored) frame."""
        patient, status = seen
        frame = cv2.flip(rgb, 1) if self.mirror_display else rgb.copy()
        draw_skeleton(frame, patient.mirrored() if self.mirror_display else patient, {})
        draw_lines(frame, list(status.lines), status.message)
        return frame

    def stream_state(self, seen: tuple[Pose, TaskStatus]) -> StreamState:
        """The task's read-out after this frame, as the page's panel shows it: its first
        line as the headline, the rest as details, what to do now as the cue. Nothing is
        said: the assessment page does not speak."""
        _, status = seen
        return StreamState(
            headline=status.lines[0] if status.lines else "",
            count=None,
            phase=None,
            gauge=None,
            cue=status.message,
            guidance=None,
            set=None,
            say=None,
            faults=[],
            details=list(status.lines[1:]),
        )

    def snapshot(self) -> AssessmentSnapshot:
        with self._lock:
            return AssessmentSnapshot(self._status, self._stats.frames, self._stats.fps())
