"""The posture check on a live webcam: streamlit-webrtc frames in, annotated frames out.

The webrtc plumbing is the live coach's (`coach.runtime.live.FrameLoop`: newest frame only, frame
time made monotonic across stream restarts, timings, the pose model made on the first frame
and released by `close`; the summary so far stays). The page reads a snapshot under a
lock, and what it asks for (calibrate, reminders on/off) is handed to the worker thread,
which applies it before the next frame. No frame is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from coach.core.landmarks import Landmark
from coach.core.pose import Pose
from coach.posture.assess import POOR
from coach.posture.monitor import PostureMonitor, PostureState
from coach.posture.reminders import Nudge
from coach.runtime.live import FrameLoop
from coach.runtime.stream import StreamState
from coach.vision.estimator import PoseEstimator
from coach.vision.video import WORKING_MAX_SIDE_PX

GOOD_RGB = (46, 160, 67)
POOR_RGB = (245, 124, 0)


CALIBRATING_TEXT = "Calibrating: sit comfortably upright and look at the screen"
TURNED_AWAY_TEXT = (
    "Turn to face the camera: you seem to be sitting side-on to it. The check needs your "
    "face and both shoulders facing the screen."
)
NOT_IN_VIEW_TEXT = "I cannot see your face and both shoulders: sit in front of the camera."
GOOD_TEXT = "Your posture looks good."
GOOD_UNCALIBRATED_TEXT = "Looking fine. Calibrate to check your head and shoulders too."


def finding_lines(state: PostureState) -> list[tuple[bool, str]]:
    """Each finding as the panel shows it, (is it poor posture?, "**What.** Advice")."""
    return [
        (
            finding.issue in POOR,
            f"**{finding.text[:1].upper()}{finding.text[1:]}.** {finding.advice}",
        )
        for finding in state.findings
    ]


def posture_headline(state: PostureState) -> str:
    """The panel's main line for this state: calibrating, turned away, out of view, good
    posture, or (poor posture) the first finding."""
    if state.calibrating:
        return CALIBRATING_TEXT
    if state.turned_away:
        return TURNED_AWAY_TEXT
    if not state.present:
        return NOT_IN_VIEW_TEXT
    if not state.poor:
        return GOOD_TEXT if state.calibrated else GOOD_UNCALIBRATED_TEXT
    return finding_lines(state)[0][1]


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
    points = {
        lm: tuple(int(v) for v in px[lm])
        for lm in (
            Landmark.LEFT_SHOULDER,
            Landmark.RIGHT_SHOULDER,
            Landmark.LEFT_EAR,
            Landmark.RIGHT_EAR,
        )
    }
    mid_sh = tuple(int(v) for v in (px[Landmark.LEFT_SHOULDER] + px[Landmark.RIGHT_SHOULDER]) / 2)
    mid_ear = tuple(int(v) for v in (px[Landmark.LEFT_EAR] + px[Landmark.RIGHT_EAR]) / 2)
    cv2.line(out, points[Landmark.LEFT_SHOULDER], points[Landmark.RIGHT_SHOULDER], colour, 3)
    cv2.line(out, points[Landmark.LEFT_EAR], points[Landmark.RIGHT_EAR], colour, 2)
    cv2.line(out, mid_sh, mid_ear, colour, 2)
    for point in (*points.values(), mid_sh, mid_ear):
        cv2.circle(out, point, 5, colour, -1)
    return out


class LivePostureCheck(FrameLoop[tuple[Pose, PostureState]]):
    """Everything stateful for one patient's live posture check."""

    def __init__(
        self,
        monitor: PostureMonitor,
        *,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        mirror_display: bool = True,
    ) -> None:
        # One person at a desk: no bystander check.
        super().__init__(
            estimator_factory=estimator_factory
            or (
                lambda: PoseEstimator(
                    num_poses=1, crowd_check_s=None, max_side_px=WORKING_MAX_SIDE_PX
                )
            )
        )
        self.monitor = monitor
        self.mirror_display = mirror_display
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
            reminders = (
                self.monitor.reminders_on if self._want_reminders is None else self._want_reminders
            )
            return PostureSnapshot(
                self._state, self.monitor.nudges, reminders, self.monitor.sitting_s, self._frames
            )

    def summary(self) -> dict:
        with self._lock:
            return self.monitor.summary()

    # ---- worker thread -----------------------------------------------------------------
    def process_poses(
        self, poses: list[Pose], t_s: float, frame_wh: tuple[int, int]
    ) -> tuple[Pose, PostureState]:
        """One frame's poses through posture: the model looks for one person only."""
        pose = poses[0] if poses else Pose.empty(t_s, frame_wh)
        return pose, self.process_pose(pose)

    def draw(self, rgb: np.ndarray, seen: tuple[Pose, PostureState]) -> np.ndarray:
        """The shoulder and ear lines over the (mirrored) frame."""
        pose, state = seen
        if self.mirror_display:
            return draw_posture(cv2.flip(rgb, 1), pose.mirrored(), state)
        return draw_posture(rgb, pose, state)

    def stream_state(self, seen: tuple[Pose, PostureState]) -> StreamState:
        """The posture panel's read-out after this frame (`posture_headline`, the findings
        as details) and a reminder to say when one is due on this frame."""
        _, state = seen
        out_of_view = state.turned_away or not state.present
        return StreamState(
            headline=posture_headline(state),
            count=None,
            phase=None,
            gauge=None,
            cue=None,
            guidance=posture_headline(state) if out_of_view and not state.calibrating else None,
            set=None,
            say=state.nudge.text if state.nudge is not None else None,
            faults=[],
            details=[line for _, line in finding_lines(state)],
        )

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
