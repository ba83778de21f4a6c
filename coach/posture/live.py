"""The posture check on a live webcam: streamlit-webrtc frames in, annotated frames out.

The webrtc plumbing is the live coach's (`coach.live.FrameLoop`: newest frame only, frame
time made monotonic across stream restarts, timings). The page reads a snapshot under a
lock, and what it asks for (calibrate, reminders on/off) is handed to the worker thread,
which applies it before the next frame. No frame is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from coach.estimator import PoseEstimator
from coach.landmarks import Landmark
from coach.live import FrameLoop
from coach.pose import Pose
from coach.posture.monitor import PostureMonitor, PostureState
from coach.posture.reminders import Nudge

GOOD_RGB = (46, 160, 67)
POOR_RGB = (245, 124, 0)


@dataclass(frozen=True)
class PostureSnapshot:
    state: PostureState | None
    nudges: tuple[Nudge, ...]
    reminders_on: bool
    sitting_s: float
    frames: int


def draw_posture(rgb: np.ndarray, pose: Pose, state: PostureState) -> np.ndarray:
    """Shoulder line, ear line and the neck between them; amber while posture is poor."""
    out = rgb.copy()
    if pose.is_empty or not state.present:
        return out
    colour = POOR_RGB if state.poor else GOOD_RGB
    px = pose.image_px
    points = {lm: tuple(int(v) for v in px[lm]) for lm in (
        Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)}
    mid_sh = tuple(int(v) for v in (px[Landmark.LEFT_SHOULDER] + px[Landmark.RIGHT_SHOULDER]) / 2)
    mid_ear = tuple(int(v) for v in (px[Landmark.LEFT_EAR] + px[Landmark.RIGHT_EAR]) / 2)
    cv2.line(out, points[Landmark.LEFT_SHOULDER], points[Landmark.RIGHT_SHOULDER], colour, 3)
    cv2.line(out, points[Landmark.LEFT_EAR], points[Landmark.RIGHT_EAR], colour, 2)
    cv2.line(out, mid_sh, mid_ear, colour, 2)
    for point in (*points.values(), mid_sh, mid_ear):
        cv2.circle(out, point, 5, colour, -1)
    return out


class LivePostureCheck(FrameLoop):
    """Everything stateful for one patient's live posture check."""

    def __init__(
        self,
        monitor: PostureMonitor,
        *,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        mirror_display: bool = True,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.mirror_display = mirror_display
        self._estimator_factory = estimator_factory or (
            lambda: PoseEstimator(num_poses=1, crowd_check_s=None))
        self._estimator: PoseEstimator | None = None
        self._state: PostureState | None = None
        self._frames = 0
        self._want_calibration = False
        self._want_reminders: bool | None = None

    # ---- page thread -------------------------------------------------------------------
    def calibrate(self) -> None:
        with self._lock:
            self._want_calibration = True

    def set_reminders(self, on: bool) -> None:
        with self._lock:
            self._want_reminders = on

    def snapshot(self) -> PostureSnapshot:
        with self._lock:
            reminders = (self.monitor.reminders_on if self._want_reminders is None
                         else self._want_reminders)  # fmt: skip
            return PostureSnapshot(self._state, self.monitor.nudges, reminders,
                                   self.monitor.sitting_s, self._frames)  # fmt: skip

    def summary(self) -> dict:
        with self._lock:
            return self.monitor.summary()

    # ---- worker thread -----------------------------------------------------------------
    def process_rgb(self, rgb: np.ndarray, t_s: float) -> tuple[np.ndarray, dict[str, float]]:
        """One RGB frame through pose and posture; the frame to show (mirrored) and the
        stage timings (ms)."""
        if self._estimator is None:
            self._estimator = self._estimator_factory()
        t_s = self._session_time(t_s)
        t0 = time.perf_counter()
        poses = self._estimator.detect(rgb, t_s)
        t1 = time.perf_counter()
        height, width = rgb.shape[:2]
        pose = poses[0] if poses else Pose.empty(t_s, (width, height))
        state = self.process_pose(pose)
        t2 = time.perf_counter()
        if self.mirror_display:
            shown = draw_posture(cv2.flip(rgb, 1), pose.mirrored(), state)
        else:
            shown = draw_posture(rgb, pose, state)
        timing = {"pose": 1000 * (t1 - t0), "engine": 1000 * (t2 - t1),
                  "draw": 1000 * (time.perf_counter() - t2)}  # fmt: skip
        return shown, timing

    def process_pose(self, pose: Pose) -> PostureState:
        """One pose (camera image, not mirrored) through the monitor, after applying what
        the page asked for."""
        with self._lock:
            if self._want_calibration:
                self.monitor.calibrate()
                self._want_calibration = False
            if self._want_reminders is not None:
                self.monitor.reminders_on, self._want_reminders = self._want_reminders, None
            state = self.monitor.update(pose)
            self._state, self._frames = state, self._frames + 1
        return state

    def close(self) -> None:
        """Release the model when the stream ends; the summary so far stays."""
        estimator, self._estimator = self._estimator, None
        if estimator is not None:
            estimator.close()
