"""The patient tracker: where a person is and how tall, and which person is the patient."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.landmarks import Landmark
from coach.core.pose import Pose
from coach.runtime.tracker import PatientTracker, body_heights, hip_centres, match_cost
from tests.support.builders import make_pose


def standing(hip_x: float, head_y: float = 0.2, feet_y: float = 0.9) -> Pose:
    """A person whose hips are level at (hip_x +- 0.05, 0.6), head to feet head_y..feet_y."""
    return make_pose(
        points={
            Landmark.LEFT_HIP: (hip_x + 0.05, 0.6, 0.0),
            Landmark.RIGHT_HIP: (hip_x - 0.05, 0.6, 0.0),
            Landmark.NOSE: (hip_x, head_y, 0.0),
            Landmark.LEFT_HEEL: (hip_x, feet_y, 0.0),
        }
    )


@pytest.mark.parametrize(
    ("left_hip", "right_hip", "centre"),
    [
        ((0.6, 0.5), (0.4, 0.7), (0.5, 0.6)),
        ((0.2, 0.2), (0.2, 0.2), (0.2, 0.2)),  # hips on top of each other
        ((1.1, 0.5), (0.9, 0.5), (1.0, 0.5)),  # partly outside the frame
    ],
)
def test_hip_centre_is_between_the_hips(left_hip, right_hip, centre):
    pose = make_pose(
        points={Landmark.LEFT_HIP: (*left_hip, 0.3), Landmark.RIGHT_HIP: (*right_hip, -0.3)}
    )
    assert hip_centres(pose.image_xyz) == pytest.approx(centre)


@pytest.mark.parametrize(("head_y", "feet_y", "height"), [(0.2, 0.9, 0.7), (0.45, 0.65, 0.2)])
def test_body_height_is_the_span_of_the_landmarks(head_y, feet_y, height):
    assert body_heights(standing(0.5, head_y, feet_y).image_xyz) == pytest.approx(height)


def test_many_frames_and_people_at_once():
    image = np.stack(
        [
            [standing(0.3).image_xyz, standing(0.7, 0.4, 0.8).image_xyz],
            [standing(0.35).image_xyz, standing(0.65, 0.3, 0.9).image_xyz],
        ]
    )
    np.testing.assert_allclose(
        hip_centres(image), [[[0.3, 0.6], [0.7, 0.6]], [[0.35, 0.6], [0.65, 0.6]]]
    )
    np.testing.assert_allclose(body_heights(image), [[0.7, 0.4], [0.7, 0.6]])


@pytest.mark.parametrize(
    ("hips", "expected"),
    [
        pytest.param([(0.50, 0.60), (0.52, 0.61)], 0, id="the-patient-stays-first"),
        pytest.param([(0.10, 0.60), (0.51, 0.60)], 1, id="the-patient-listed-second"),
        pytest.param([(0.95, 0.60)], None, id="only-a-stranger-far-away"),
    ],
)
def test_the_patient_is_the_person_nearest_where_they_were(hips, expected):
    tracker = PatientTracker()
    assert tracker.choose([(0.5, 0.6)], [0.8], 0.0) == 0
    assert tracker.choose(hips, [0.8] * len(hips), 1 / 30) == expected


def test_select_stays_with_the_patient_when_someone_else_is_first():
    tracker, frame_wh = PatientTracker(), (640, 480)
    patient, stranger = standing(0.5), standing(0.1)
    assert tracker.select([patient], 0.0, frame_wh) is patient
    assert tracker.select([stranger, Pose.empty(0.1, frame_wh), patient], 0.1, frame_wh) is patient
    assert tracker.select([stranger], 0.2, frame_wh).is_empty  # only a stranger: nobody
    assert tracker.select([], 0.3, frame_wh).is_empty


def test_select_takes_the_first_person_after_the_patient_has_been_gone_long_enough():
    tracker, frame_wh = PatientTracker(forget_after_s=2.0), (640, 480)
    tracker.select([standing(0.5)], 0.0, frame_wh)
    newcomer = standing(0.1)
    assert tracker.select([newcomer], 0.1, frame_wh).is_empty
    assert tracker.select([newcomer], 2.5, frame_wh) is newcomer


def test_the_patient_seen_twice_stays_the_whole_body_not_a_partial_copy():
    # The crowd check can find the patient twice: a partial body (half as tall) over the
    # same hips, held until the next look. Its hips may be nearer the patient's last place
    # than the patient's own, which move with the exercise; the tracker still follows the
    # whole body (seen on a mirrored front push-up clip).
    tracker = PatientTracker()
    assert tracker.choose([(0.348, 0.572)], [0.393], 0.0) == 0
    whole, copy = (0.347, 0.585), (0.341, 0.568)
    assert tracker.choose([whole, copy], [0.395, 0.181], 0.04) == 0
    assert tracker.choose([copy, whole], [0.181, 0.395], 0.08) == 1


@pytest.mark.parametrize(
    ("distance", "height", "cost"),
    [
        (0.0, 0.4, 0.0),  # the same place and size
        (0.2, 0.4, 0.5),  # half a body height away
        (0.0, 0.8, np.log(2)),  # twice as tall
        (0.0, 0.2, np.log(2)),  # half as tall: the same cost
    ],
)
def test_match_cost_is_the_move_in_body_heights_plus_the_log_height_ratio(distance, height, cost):
    assert match_cost(distance, height, 0.4) == pytest.approx(cost)
