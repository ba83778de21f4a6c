"""Reading MediaPipe's result into people: largest first, one person never counted twice."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np
import pytest
from mediapipe.tasks.python.components.containers.landmark import Landmark, NormalizedLandmark
from mediapipe.tasks.python.vision import PoseLandmarkerResult

from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose
from coach.vision.estimator import (
    SAME_PERSON_IOU,
    Inference,
    _CrowdLooks,
    box_iou,
    poses_from_result,
)


def _landmarks(box: tuple[float, float, float, float]) -> np.ndarray:
    """33 landmarks spread over a bounding box (x0, y0, x1, y1): x y z visibility."""
    x0, y0, x1, y1 = box
    xs = np.linspace(x0, x1, NUM_LANDMARKS)
    ys = np.linspace(y0, y1, NUM_LANDMARKS)[::-1]
    return np.column_stack([xs, ys, np.zeros(NUM_LANDMARKS), np.full(NUM_LANDMARKS, 0.9)])


def _result(*boxes: tuple[float, float, float, float]) -> PoseLandmarkerResult:
    """These people as MediaPipe's public result gives them: each world landmark is its
    image landmark less 0.5 (metres about the hips), with a visibility of its own."""
    rows = [_landmarks(box) for box in boxes]
    return PoseLandmarkerResult(
        pose_landmarks=[
            [NormalizedLandmark(x, y, z, visibility, presence=1.0) for x, y, z, visibility in r]
            for r in rows
        ],
        pose_world_landmarks=[
            [Landmark(x - 0.5, y - 0.5, z - 0.5, visibility=0.1) for x, y, z, _ in r] for r in rows
        ],
    )


def test_a_result_is_read_into_image_world_and_visibility():
    (pose,) = poses_from_result(_result(PATIENT), 2.0, (640, 480))
    expected = _landmarks(PATIENT)
    np.testing.assert_allclose(pose.image_xyz, expected[:, :3])
    np.testing.assert_allclose(pose.world_xyz, expected[:, :3] - 0.5)
    np.testing.assert_allclose(pose.visibility, expected[:, 3])  # the image landmarks'
    assert (pose.t_s, pose.frame_wh) == (2.0, (640, 480))


def test_a_visibility_not_given_reads_zero():
    result = _result(PATIENT)
    result.pose_landmarks[0][5] = NormalizedLandmark(0.4, 0.5, 0.0)
    (pose,) = poses_from_result(result, 0.0, (640, 480))
    assert pose.visibility[5] == 0.0 and pose.visibility[4] == pytest.approx(0.9)


def test_a_pose_of_the_wrong_length_is_refused():
    result = _result(PATIENT)
    del result.pose_landmarks[0][-1]
    with pytest.raises(TypeError, match="33 landmarks"):
        poses_from_result(result, 0.0, (640, 480))


def _pose(box: tuple[float, float, float, float]) -> Pose:
    (pose,) = poses_from_result(_result(box), 0.0, (640, 480))
    return pose


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0.0, 0.0, 1.0, 1.0), (0.0, 0.0, 1.0, 1.0), 1.0),
        ((0.0, 0.0, 1.0, 1.0), (0.5, 0.0, 1.5, 1.0), 1 / 3),
        ((0.0, 0.0, 1.0, 1.0), (2.0, 0.0, 3.0, 1.0), 0.0),
        ((0.0, 0.0, 1.0, 1.0), (0.25, 0.25, 0.75, 0.75), 0.25),
    ],
)
def test_box_iou(a, b, expected):
    assert box_iou(_pose(a), _pose(b)) == pytest.approx(expected)


PATIENT = (0.30, 0.20, 0.60, 0.90)
PATIENT_AGAIN = (0.31, 0.25, 0.60, 0.90)  # the same person found twice (IoU ~0.9)
BESIDE = (0.62, 0.25, 0.85, 0.85)  # someone standing beside the patient
PASSING_BEHIND = (0.45, 0.30, 0.65, 0.70)  # smaller, partly behind the patient (IoU ~0.3)


@pytest.mark.parametrize(
    ("boxes", "people"),
    [
        ([PATIENT], [PATIENT]),
        ([PATIENT, PATIENT_AGAIN], [PATIENT]),
        ([PATIENT_AGAIN, PATIENT], [PATIENT]),  # the larger of the two is kept
        ([BESIDE, PATIENT], [PATIENT, BESIDE]),  # largest first
        ([PATIENT, PASSING_BEHIND], [PATIENT, PASSING_BEHIND]),
        ([PATIENT, PATIENT_AGAIN, BESIDE], [PATIENT, BESIDE]),
    ],
)
def test_one_person_found_twice_counts_once(boxes, people):
    poses = poses_from_result(_result(*boxes), 1.0, (640, 480))
    got = [
        tuple(round(v, 2) for v in (*p.image_xyz[:, :2].min(0), *p.image_xyz[:, :2].max(0)))
        for p in poses
    ]
    assert got == people


def test_the_threshold_separates_the_examples():
    patient = _pose(PATIENT)
    assert box_iou(patient, _pose(PATIENT_AGAIN)) >= SAME_PERSON_IOU
    assert box_iou(patient, _pose(PASSING_BEHIND)) < SAME_PERSON_IOU
    assert box_iou(patient, _pose(BESIDE)) < SAME_PERSON_IOU


def _look(*boxes: tuple[float, float, float, float], after_s: float = 0.0) -> Future:
    """A crowd look that found these people, done now or `after_s` seconds from now."""
    look: Future = Future()
    people = poses_from_result(_result(*boxes), 0.0, (640, 480))
    if after_s:
        threading.Timer(after_s, look.set_result, (people,)).start()
    else:
        look.set_result(people)
    return look


@pytest.mark.parametrize(
    ("looks", "people_per_frame"),
    [
        ({}, [1, 1, 1, 1, 1, 1]),
        # Read three frames after the frame it looked at, never sooner or later.
        ({1: lambda: _look(PATIENT_AGAIN, BESIDE)}, [1, 1, 1, 1, 2, 2]),
        # Late (still running when its frame comes): waited for, so still three frames on.
        ({1: lambda: _look(PATIENT_AGAIN, BESIDE, after_s=0.05)}, [1, 1, 1, 1, 2, 2]),
        # The patient alone: nobody else, whoever the look lists first.
        ({0: lambda: _look(PATIENT_AGAIN)}, [1, 1, 1, 1, 1, 1]),
        # A new look while one is pending: the pending one is read first.
        (
            {0: lambda: _look(BESIDE, PATIENT_AGAIN), 1: lambda: _look(PATIENT_AGAIN)},
            [1, 2, 2, 2, 1, 1],
        ),
    ],
)
def test_crowd_looks_are_read_a_fixed_number_of_frames_after_their_frame(looks, people_per_frame):
    """Whatever the timing: the poses of a frame never depend on how fast a look ran."""
    reading = _CrowdLooks(lag_frames=3)
    counts = []
    for i in range(len(people_per_frame)):
        look = looks[i]() if i in looks else None
        poses = reading.poses(Inference(_result(PATIENT), i / 30, (640, 480), look))
        assert poses[0].image_xyz[:, 0].min() == pytest.approx(PATIENT[0])  # the patient first
        counts.append(len(poses))
    assert counts == people_per_frame
