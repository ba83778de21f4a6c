"""One stream's pipeline: poses of a frame -> the patient -> smoothed -> the engine.

`CoachSession` owns everything stateful for one stream (a video file or one browser
session): the pose estimator (optional, so recorded poses can be replayed without the
model), the patient tracker, the smoother and the exercise engine. Nothing is shared
between sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose, mirror_landmarks
from coach.engine.engine import EngineFrames, ExerciseEngine
from coach.engine.results import EngineRun, FrameResult
from coach.engine.thresholds import Prescription
from coach.exercise.schema import ExerciseDef
from coach.runtime.tracker import PatientTracker, body_heights, hip_centres
from coach.vision.estimator import PoseEstimator
from coach.vision.recording import PoseRecording
from coach.vision.smoothing import PoseSmoother


@dataclass(frozen=True)
class FrameOutcome:
    """Everything one frame produced: all people seen, the patient (smoothed), the result,
    and the patient's pose as the tracker chose it, before smoothing (`tracked`: what a
    replay of the set takes, so replaying it smooths once, as live did)."""

    poses: list[Pose]
    patient: Pose
    result: FrameResult
    tracked: Pose


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
        prescription: Prescription | None = None,
    ) -> None:
        """`prescription`: the physio's target and "counts from" depth for this patient
        (`coach.engine.thresholds`); None counts on the definition's thresholds."""
        self.exercise = exercise
        self.estimator = estimator
        self.mirrored = mirrored
        self.tracker = PatientTracker()
        self.smoother = smoother if smoother is not None else PoseSmoother()
        self.engine = ExerciseEngine(
            exercise,
            pause_when_crowded=pause_when_crowded,
            recorded=recorded,
            prescription=prescription,
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
        return FrameOutcome(poses, smoothed, self.engine.update(smoothed, people), patient)

    def outcomes(self, recording: PoseRecording) -> Iterator[FrameOutcome]:
        """Each frame of a recorded pose sequence through the coach, as a recorded video is
        analysed (it may begin mid-rep); the caller closes it with `engine.finish()`."""
        self.engine.recorded = True
        for t_s, poses in zip(recording.t_s, recording.frames(), strict=True):
            yield self.process_poses(poses, float(t_s), recording.frame_wh)

    def replay(self, recording: PoseRecording) -> list[FrameResult]:
        """Run a recorded pose sequence through the coach as a recorded video is analysed:
        it may begin mid-rep and is closed at its end (see `ExerciseEngine.finish`)."""
        results = [outcome.result for outcome in self.outcomes(recording)]
        self.engine.finish()
        return results

    def run(self, recording: PoseRecording) -> EngineRun:
        """`replay` in bulk, with the same reps, faults, holds, views, statuses and measures:
        the tracker and the smoother step through the recording's arrays, and the engine
        takes the whole sequence as one batch (`ExerciseEngine.run`). For re-analysing
        recordings and for benchmarks; no cues are chosen."""
        self.engine.recorded = True
        image, world = recording.image_xyz, recording.world_xyz
        visibility = recording.visibility
        if self.mirrored:
            image, world, visibility = mirror_landmarks(image, world, visibility)
        n = len(recording)
        both = np.stack([image, world], axis=2)  # (N, P, 2, 33, 3): what the smoother takes
        hips, heights = hip_centres(image).tolist(), body_heights(image).tolist()
        people = recording.people.astype(int)
        chosen = np.full(n, -1)
        smoothed = np.full((n, 2, NUM_LANDMARKS, 3), np.nan)
        for i, (t_s, count) in enumerate(zip(recording.t_s.tolist(), people.tolist(), strict=True)):
            k = self.tracker.choose(hips[i][:count], heights[i][:count], t_s)
            if k is not None:
                chosen[i] = k
                smoothed[i] = self.smoother.update_landmarks(both[i, k], t_s)
        present = chosen >= 0
        width, height = recording.frame_wh
        frames = EngineFrames(
            t_s=recording.t_s.astype(np.float64),
            present=present,
            people=people,
            image_px=smoothed[:, 0, :, :2] * np.array([width, height], dtype=np.float64),
            world_xyz=smoothed[:, 1],
            visibility=np.where(
                present[:, None], visibility[np.arange(n), np.maximum(chosen, 0)], 0.0
            ),
        )
        result = self.engine.run(frames)
        self.engine.finish()
        return result
