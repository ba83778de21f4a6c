"""Sets' landmarks for the tests: the patient's pose (person 0) of a recorded fixture, as
the live coach hands a set to the store."""

from __future__ import annotations

import numpy as np

from coach.engine.thresholds import Prescription
from coach.runtime.set_capture import recording_meta
from coach.vision.recording import PoseRecording
from tests.conftest import POSE_FIXTURES


def patient_set(
    name: str, exercise_id: str = "squat", prescription: Prescription | None = None
) -> PoseRecording:
    """The fixture `name`'s first person on each frame, as one set of `exercise_id`."""
    whole = PoseRecording.load(POSE_FIXTURES / f"{name}.npz")
    return PoseRecording(
        t_s=whole.t_s,
        frame_wh=whole.frame_wh,
        image_xyz=whole.image_xyz[:, :1],
        world_xyz=whole.world_xyz[:, :1],
        visibility=whole.visibility[:, :1],
        people=np.minimum(whole.people, 1),
        meta=recording_meta(exercise_id, prescription),
    )


def minute_of_exercise(name: str = "squat_front_counter20", fps: float = 30.0) -> PoseRecording:
    """60 s at `fps` of real movement: the fixture's frames played forwards, backwards,
    forwards ... (no jump where it turns), re-timed to `fps`."""
    one = patient_set(name)
    frames = int(60 * fps)
    order = np.concatenate([np.arange(len(one)), np.arange(len(one))[::-1]])
    picked = np.resize(order, frames)
    return PoseRecording(
        t_s=np.arange(frames) / fps,
        frame_wh=one.frame_wh,
        image_xyz=one.image_xyz[picked],
        world_xyz=one.world_xyz[picked],
        visibility=one.visibility[picked],
        people=one.people[picked],
        meta=one.meta,
    )


def with_gaps(recording: PoseRecording) -> PoseRecording:
    """The recording with nobody on every seventh frame (the patient stepped out)."""
    people = recording.people.copy()
    people[::7] = 0
    image, world = recording.image_xyz.copy(), recording.world_xyz.copy()
    image[::7], world[::7] = np.nan, np.nan
    return PoseRecording(
        recording.t_s,
        recording.frame_wh,
        image,
        world,
        recording.visibility,
        people,
        recording.meta,
    )
