"""The patient tracker's per-frame numbers: one pose on plain floats, exactly as the bulk
replay computes them for many frames at once."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.landmarks import NUM_LANDMARKS, Landmark
from coach.runtime.tracker import PatientTracker, body_height, body_heights, hip_centre, hip_centres


def test_one_pose_on_plain_floats_agrees_exactly_with_many_frames_at_once():
    image = np.random.default_rng(11).uniform(-0.2, 1.2, size=(2000, NUM_LANDMARKS, 3))
    image[::4, Landmark.LEFT_HIP] = -0.0  # signed zeros must survive both ways
    assert [hip_centre(frame) for frame in image] == [tuple(h) for h in hip_centres(image).tolist()]
    assert [body_height(frame) for frame in image] == body_heights(image).tolist()


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
