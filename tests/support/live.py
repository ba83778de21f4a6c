"""The live frame loops without a webcam or a model: recorded poses stand in for both.

`RecordedEstimator` plays a recording of tests/fixtures/poses back, one frame per call, and
`play` feeds blank frames at the recording's times through a loop that has a
`process_rgb` (the live coach, an assessment session). `ListRecorder` keeps what a live
coach hands its recorder.
"""

from __future__ import annotations

import numpy as np

from coach.engine.results import Rep
from coach.vision.recording import PoseRecording
from tests.conftest import POSE_FIXTURES


class RecordedEstimator:
    """Plays back a recording's poses, one frame per call, whatever the pixels."""

    def __init__(self, name: str) -> None:
        self.recording = PoseRecording.load(POSE_FIXTURES / f"{name}.npz")
        self._frames = iter(self.recording.frames())
        self.closed = False

    def detect(self, rgb: np.ndarray, t_s: float):
        return next(self._frames)

    def close(self) -> None:
        self.closed = True


def play(loop, recording: PoseRecording) -> None:
    """Blank frames at the recording's times through a live frame loop (the estimator
    plays the poses back), checking each annotated frame and its stage timings."""
    width, height = recording.frame_wh
    blank = np.zeros((height, width, 3), dtype=np.uint8)
    for t_s in recording.t_s:
        frame, timing = loop.process_rgb(blank, float(t_s))
        assert frame.shape == blank.shape and set(timing) == {"pose", "engine", "draw"}


class ListRecorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.landmarks: dict[int, PoseRecording] = {}  # set -> its poses

    def set_started(self, set_index: int) -> None:
        self.events.append(("set_started", set_index))

    def rep(self, set_index: int, rep: Rep) -> None:
        self.events.append(("rep", set_index, rep.index))

    def set_finished(self, set_index: int, reps: int, held_s: float) -> None:
        self.events.append(("set_finished", set_index, reps))

    def set_landmarks(self, set_index: int, recording: PoseRecording) -> None:
        self.landmarks[set_index] = recording
