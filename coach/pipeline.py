"""One stream's pipeline: poses of a frame -> the patient -> smoothed -> the engine.

`CoachSession` owns everything stateful for one stream (a video file or one browser
session): the pose estimator (optional, so recorded poses can be replayed without the
model), the patient tracker, the smoother and the exercise engine. Nothing is shared
between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.engine.engine import ExerciseEngine
from coach.engine.results import FrameResult
from coach.engine.tracker import PatientTracker
from coach.estimator import PoseEstimator
from coach.exercise.schema import ExerciseDef
from coach.filters import PoseSmoother
from coach.pose import Pose
from coach.recording import PoseRecording


@dataclass(frozen=True)
class FrameOutcome:
    """Everything one frame produced: all people seen, the patient (smoothed), the result."""

    poses: list[Pose]
    patient: Pose
    result: FrameResult


class CoachSession:
    """The coach for one stream of one exercise."""

    def __init__(
        self,
        exercise: ExerciseDef,
        *,
        estimator: PoseEstimator | None = None,
        mirrored: bool = False,
        smoother: PoseSmoother | None = None,
        pause_when_crowded: bool = False,
        recorded: bool = False,
    ) -> None:
        self.exercise = exercise
        self.estimator = estimator
        self.mirrored = mirrored
        self.tracker = PatientTracker()
        self.smoother = smoother if smoother is not None else PoseSmoother()
        self.engine = ExerciseEngine(
            exercise, pause_when_crowded=pause_when_crowded, recorded=recorded
        )

    def process_frame(self, rgb: np.ndarray, t_s: float) -> FrameOutcome:
        """Run the pose model on one RGB frame, then the coach."""
        if self.estimator is None:
            raise RuntimeError("this CoachSession has no estimator; use process_poses()")
        poses = self.estimator.detect(rgb, t_s)
        height, width = rgb.shape[:2]
        return self.process_poses(poses, t_s, (width, height))

    def process_poses(
        self, poses: list[Pose], t_s: float, frame_wh: tuple[int, int]
    ) -> FrameOutcome:
        """Run the coach on poses already detected (live, or replayed from a recording)."""
        if self.mirrored:
            poses = [p.mirrored() for p in poses]
        patient = self.tracker.select(poses, t_s, frame_wh)
        smoothed = self.smoother.update(patient)
        people = sum(1 for p in poses if not p.is_empty)
        return FrameOutcome(poses, smoothed, self.engine.update(smoothed, people))

    def replay(self, recording: PoseRecording) -> list[FrameResult]:
        """Run a recorded pose sequence through the coach as a recorded video is analysed:
        it may begin mid-rep and is closed at its end (see `ExerciseEngine.finish`)."""
        self.engine.recorded = True
        results = [
            self.process_poses(poses, float(t_s), recording.frame_wh).result
            for t_s, poses in zip(recording.t_s, recording.frames(), strict=True)
        ]
        self.engine.finish()
        return results
