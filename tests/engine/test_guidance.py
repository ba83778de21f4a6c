"""What the engine tells a patient when it cannot judge: each case from real recorded poses."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.landmarks import Landmark
from coach.core.pose import Pose
from coach.engine.engine import CROWDED_CUE, NO_PERSON_CUE, ExerciseEngine, position_advice
from coach.engine.results import CueKind, PositionCheck, Status
from coach.vision.recording import PoseRecording
from tests.conftest import POSE_FIXTURES


def standing_side_poses() -> list[Pose]:
    """The first second of a side-on squat clip: a person standing still, side-on."""
    recording = PoseRecording.load(POSE_FIXTURES / "squat_side_studio.npz")
    return [poses[0] for poses, _ in zip(recording.frames(), range(20), strict=False)]


def with_hidden(pose: Pose, landmarks: list[Landmark]) -> Pose:
    visibility = pose.visibility.copy()
    visibility[landmarks] = 0.0
    return Pose(pose.image_xyz, pose.world_xyz, visibility, pose.t_s, pose.frame_wh)


def last_result(engine: ExerciseEngine, poses: list[Pose], people: int = 1):
    result = None
    for pose in poses:
        result = engine.update(pose, people)
    return result


def test_nobody_in_frame(library):
    engine = ExerciseEngine(library.get("squat"))
    result = engine.update(Pose.empty(0.0, (640, 480)), people=0)
    assert result.status is Status.NO_PERSON
    assert result.cue.text == NO_PERSON_CUE and result.cue.kind is CueKind.GUIDANCE


FEET = [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL]
WRISTS = [Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST]


@pytest.mark.parametrize(
    ("exercise_id", "hidden", "advice"),
    [
        ("squat", FEET, "Step back so your feet are visible"),
        ("bicep_curl", WRISTS, "Keep your arms in view"),
    ],
    ids=["squat-feet-cut-off", "curl-hands-out-of-view"],
)
def test_body_parts_out_of_frame(library, exercise_id, hidden, advice):
    engine = ExerciseEngine(library.get(exercise_id))
    poses = [with_hidden(pose, hidden) for pose in standing_side_poses()]
    result = last_result(engine, poses)
    assert result.status is Status.NOT_VISIBLE
    assert result.guidance == advice and result.cue.text == advice
    assert engine.rep_count == 0


def test_second_person_pauses_counting_when_asked(library):
    engine = ExerciseEngine(library.get("squat"), pause_when_crowded=True)
    result = last_result(engine, standing_side_poses(), people=2)
    assert result.guidance == CROWDED_CUE and result.cue.text == CROWDED_CUE


def test_wrong_view_says_how_to_turn(library):
    """A plank is judged side-on; a patient facing the camera is told to turn."""
    recording = PoseRecording.load(POSE_FIXTURES / "squat_front_counter20.npz")
    engine = ExerciseEngine(library.get("plank"))
    poses = [p[0] for p, _ in zip(recording.frames(), range(30), strict=False)]
    result = last_result(engine, poses)
    assert result.view == "front"
    assert result.status is Status.GETTING_READY
    assert result.guidance == "Turn side-on to the camera"


def test_standing_still_is_ready_with_no_cue_and_no_reps(library):
    engine = ExerciseEngine(library.get("squat"))
    result = last_result(engine, standing_side_poses())
    assert result.status is Status.ACTIVE and result.phase == "standing"
    assert result.reps == 0 and result.guidance is None
    assert np.isfinite(result.measures["knee_flexion"])


def test_each_frame_says_whether_the_start_position_is_met_and_counting_armed(library):
    """Standing side-on for a squat: in position from the first frame, armed once settled
    (`RepCounter.settle_s`), not before."""
    engine = ExerciseEngine(library.get("squat"))
    results = [engine.update(pose) for pose in standing_side_poses()]
    assert all(r.start_position_met and r.start_position_failing is None for r in results)
    assert not results[0].armed and results[-1].armed
    assert all(r.start_position_met is not None for r in results)


def test_a_failed_start_position_names_the_check_and_its_value(library):
    """Standing is not lying down for a heel slide: the body-tilt check fails with its
    value, and counting never arms."""
    definition = library.get("heel_slide")
    engine = ExerciseEngine(definition)
    results = [engine.update(pose) for pose in standing_side_poses()]
    last = results[-1]
    assert last.start_position_met is False and not any(r.armed for r in results)
    check = last.start_position_failing
    condition = definition.start_position[0]
    assert (check.measure, check.above, check.below) == (
        condition.measure,
        condition.above,
        condition.below,
    )
    assert check.value > condition.below + 20  # standing: the trunk is far from level


def test_a_hold_has_no_start_position_to_report(library):
    engine = ExerciseEngine(library.get("plank"))
    result = last_result(engine, standing_side_poses())
    assert result.start_position_met is None and result.start_position_failing is None


KNEE = " (knee bend is 50 degrees, should be below 30)"
FACE_UP = " (head and shoulders lifted is 0.01, should be above 0.05)"


@pytest.mark.parametrize(
    ("exercise_id", "measure", "value", "expected"),
    [
        ("heel_slide", "body_tilt", 80.0, ": you seem to be standing or sitting up"),
        ("squat", "trunk_lean", 85.0, ": you seem to be lying down"),
        ("squat", "trunk_lean", 50.0, ": you seem to be leaning or bent over"),
        ("straight_leg_raise", "knee_flexion", 50.0, KNEE),
        ("crunch", "face_up", 0.01, FACE_UP),
        ("heel_slide", "body_tilt", float("nan"), ""),
    ],
    ids=[
        "lying-not-standing",
        "standing-not-lying",
        "standing-not-bent",
        "angle",
        "ratio",
        "unseen",
    ],
)
def test_start_position_advice_says_what_looks_wrong(
    library, exercise_id, measure, value, expected
):
    exercise = library.get(exercise_id)
    condition = next(c for c in exercise.start_position if c.measure == measure)
    check = PositionCheck(measure, value, condition.above, condition.below)
    assert position_advice(exercise, check) == exercise.position_cue + expected


def test_the_getting_ready_guidance_names_the_failed_check(library):
    """Standing side-on where a heel slide starts lying down."""
    engine = ExerciseEngine(library.get("heel_slide"))
    result = last_result(engine, standing_side_poses())
    assert result.status is Status.GETTING_READY
    assert result.guidance.endswith(": you seem to be standing or sitting up")
