"""The assessment tasks as the live page runs them: recorded poses stand in for the webcam
and the model, and the results come out ready for the store."""

from __future__ import annotations

import pytest

from coach.assessment import load_measures
from coach.assessment.live import AssessmentSession
from coach.assessment.tasks import NOT_MEASURED, ChairStandTask, RomTask, StanceTask, TugTask
from coach.store import Store
from tests.assessment.sequences import SIDE_LEFT, SIDE_RIGHT, limit_and_back, rendered
from tests.bench.rows_lower import sit_to_stand_path
from tests.support.live import RecordedEstimator, play
from tests.support.synthetic import STANDING, Script, Tempo


def run_session(task, clip: str) -> AssessmentSession:
    estimator = RecordedEstimator(clip)
    session = AssessmentSession(task, estimator_factory=lambda: estimator)
    play(session, estimator.recording)
    return session


def test_knee_flexion_on_the_recorded_glute_bridge_clip_is_stored(tmp_path):
    """The bridge clip (side-on, knees bent about 110 degrees throughout) as the webcam."""
    task = RomTask(load_measures()["knee_flexion"])
    session = run_session(task, "glute_bridge_side")
    status = session.snapshot().status
    assert status is not None and status.lines[0] == "Knee flexion"
    (result,) = status.results
    assert result.side == "left" and 95 <= result.value <= 130
    assert result.details["jitter_deg"] < 2.0 and result.details["normal_range"] == [0, 130]
    store = Store(f"sqlite:///{tmp_path / 'coach.db'}")
    patient = store.default_patient()
    store.add_assessment(patient.id, **result.fields())
    (saved,) = store.assessments(patient.id, kind="rom", measure="knee_flexion")
    assert saved.value == pytest.approx(result.value) and saved.unit == "deg"


def test_a_wrong_view_says_how_to_turn_on_the_video():
    task = RomTask(load_measures()["shoulder_abduction"])  # needs the front; the clip is side
    status = run_session(task, "glute_bridge_side").snapshot().status
    assert status.message == "Face the camera" and status.results == ()


def test_chair_stand_task_result_against_the_norm():
    path = sit_to_stand_path()
    motion = Script(path.start).hold(4.0).reps(12, path, Tempo.period(2.5)).hold(1).build()
    task = ChairStandTask(age=67, sex="female")
    for pose in rendered(motion, SIDE_LEFT):
        status = task.update(pose)
    assert status.done
    (result,) = status.results
    assert result.fields()["unit"] == "{stands}" and result.value == 12
    assert result.details["norm_below"] == 11 and result.details["below_average"] is False
    assert "Not below average for females aged 65-69" in status.lines[-1]


def test_tasks_without_a_result_yet_have_none():
    from coach.core.pose import Pose

    empty = Pose.empty(0.0, (640, 480))
    for task in (TugTask(), StanceTask(), ChairStandTask(None, None)):
        status = task.update(empty)
        assert not status.done and status.results == ()
        assert status.message == "Step into view of the camera"


@pytest.mark.parametrize(("held_deg", "measured"), [(3, False), (120, True)])
def test_the_read_out_the_message_and_save_agree(held_deg, measured):
    """A knee barely moved (3 degrees, not a movement) shows no "best hold 3°" beside
    "Nothing measured yet": the read-out shows a best hold only when Save has it to keep,
    and the message says what to do."""
    motion = limit_and_back(STANDING.with_(right_knee_flexion=held_deg), hold_s=3.0)
    task = RomTask(load_measures()["knee_flexion"])
    for pose in rendered(motion, SIDE_RIGHT):
        status = task.update(pose)
    shown = "\n".join(status.lines)
    if measured:
        (result,) = status.results
        assert f"best hold {result.value:.0f}°" in shown
        assert status.message.startswith("Measured: press Save")
    else:
        assert status.results == () and "best hold" not in shown
        assert status.message == NOT_MEASURED and "hold still" in status.message
