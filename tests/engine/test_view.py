"""Camera view from world landmarks: yaw of the shoulder and hip lines, facing or not."""

from __future__ import annotations

import numpy as np
import pytest

from coach.engine.view import (
    FRONTAL_MAX_YAW_DEG,
    SIDE_MIN_YAW_DEG,
    ViewEstimator,
    body_yaw_deg,
    classify_view,
    faces_camera,
)
from coach.landmarks import Landmark
from coach.pose import Pose
from tests.builders import make_pose

# A person facing the camera, in MediaPipe world coordinates (metres, origin between the
# hips, x to the image right, y down, z away from the camera). The patient's left is on
# the image right when they face the camera.
FRONT_FACING = {
    Landmark.LEFT_SHOULDER: (0.18, -0.5, 0.0),
    Landmark.RIGHT_SHOULDER: (-0.18, -0.5, 0.0),
    Landmark.LEFT_HIP: (0.1, 0.0, 0.0),
    Landmark.RIGHT_HIP: (-0.1, 0.0, 0.0),
    Landmark.NOSE: (0.0, -0.65, -0.1),  # nearer the camera than the shoulders
}


def rotated_about_vertical(points: dict, yaw_deg: float) -> dict:
    """The body turned by yaw_deg about the vertical (y) axis."""
    a = np.radians(yaw_deg)
    rotation = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    return {k: tuple(rotation @ np.array(v)) for k, v in points.items()}


def world_pose(points: dict, t_s: float = 0.0) -> Pose:
    return make_pose(t_s, world_points=points)


@pytest.mark.parametrize(
    ("yaw", "facing", "expected"),
    [
        (0.0, True, "front"),
        (0.0, False, "back"),
        (FRONTAL_MAX_YAW_DEG, True, "front"),  # the bound is still frontal
        (FRONTAL_MAX_YAW_DEG, False, "back"),
        (FRONTAL_MAX_YAW_DEG + 0.1, True, "oblique"),
        (45.0, False, "oblique"),
        (SIDE_MIN_YAW_DEG - 0.1, True, "oblique"),
        (SIDE_MIN_YAW_DEG, True, "side"),  # the bound is already side-on
        (90.0, True, "side"),
        (90.0, False, "side"),  # side-on: facing does not matter
    ],
)
def test_classify_view(yaw, facing, expected):
    assert classify_view(yaw, facing) == expected


def test_thresholds_leave_an_oblique_band():
    assert 0 < FRONTAL_MAX_YAW_DEG < SIDE_MIN_YAW_DEG < 90


@pytest.mark.parametrize(
    ("turn_deg", "expected_yaw"),
    [
        (0.0, 0.0),
        (20.0, 20.0),
        (45.0, 45.0),
        (70.0, 70.0),
        (90.0, 90.0),  # side-on
        (-90.0, 90.0),  # side-on, the other side
        (135.0, 45.0),  # turned away, 45 degrees from square
        (180.0, 0.0),  # back to the camera: square again
    ],
)
def test_body_yaw(turn_deg, expected_yaw):
    pose = world_pose(rotated_about_vertical(FRONT_FACING, turn_deg))
    assert body_yaw_deg(pose) == pytest.approx(expected_yaw, abs=1e-6)


def test_body_yaw_hand_built_front_and_side():
    front = world_pose({
        Landmark.LEFT_SHOULDER: (0.2, -0.5, 0.0), Landmark.RIGHT_SHOULDER: (-0.2, -0.5, 0.0),
        Landmark.LEFT_HIP: (0.15, 0.0, 0.0), Landmark.RIGHT_HIP: (-0.15, 0.0, 0.0),
    })  # fmt: skip
    side = world_pose({
        Landmark.LEFT_SHOULDER: (0.0, -0.5, 0.2), Landmark.RIGHT_SHOULDER: (0.0, -0.5, -0.2),
        Landmark.LEFT_HIP: (0.0, 0.0, 0.15), Landmark.RIGHT_HIP: (0.0, 0.0, -0.15),
    })  # fmt: skip
    assert body_yaw_deg(front) == pytest.approx(0.0)
    assert body_yaw_deg(side) == pytest.approx(90.0)


def test_body_yaw_does_not_depend_on_posture():
    # Lying face down side-on to the camera (a plank): the shoulder line still runs along
    # z, the body along x.
    plank = world_pose({
        Landmark.LEFT_SHOULDER: (-0.5, -0.3, 0.18), Landmark.RIGHT_SHOULDER: (-0.5, -0.3, -0.18),
        Landmark.LEFT_HIP: (0.0, 0.0, 0.1), Landmark.RIGHT_HIP: (0.0, 0.0, -0.1),
    })  # fmt: skip
    assert body_yaw_deg(plank) == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("turn_deg", "facing"),
    [(0.0, True), (20.0, True), (-25.0, True), (180.0, False), (160.0, False)],
)
def test_faces_camera(turn_deg, facing):
    assert faces_camera(world_pose(rotated_about_vertical(FRONT_FACING, turn_deg))) is facing


def test_facing_survives_mirroring():
    pose = world_pose(FRONT_FACING)
    assert faces_camera(pose.mirrored())
    assert body_yaw_deg(pose.mirrored()) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("turn_deg", "view"),
    [(0.0, "front"), (180.0, "back"), (90.0, "side"), (-80.0, "side"), (40.0, "oblique")],
)
def test_view_of_a_turned_body(turn_deg, view):
    pose = world_pose(rotated_about_vertical(FRONT_FACING, turn_deg))
    assert classify_view(body_yaw_deg(pose), faces_camera(pose)) == view


def test_view_estimator_ignores_one_odd_frame():
    estimator = ViewEstimator(window_s=1.0)
    side = rotated_about_vertical(FRONT_FACING, 90.0)
    for i in range(10):
        estimator.update(world_pose(side, t_s=i * 0.1))
    assert estimator.update(world_pose(FRONT_FACING, t_s=1.0)) == "side"
    assert estimator.update(Pose.empty(1.1, (640, 480))) == "side"  # nobody: keep the view
    assert estimator.yaw_deg == pytest.approx(90.0)


def test_view_estimator_follows_a_turn_and_forgets_old_frames():
    estimator = ViewEstimator(window_s=1.0)
    assert estimator.current is None
    for i in range(10):
        estimator.update(world_pose(FRONT_FACING, t_s=i * 0.1))
    assert estimator.current == "front"
    side = rotated_about_vertical(FRONT_FACING, 90.0)
    views = [estimator.update(world_pose(side, t_s=1.0 + i * 0.1)) for i in range(15)]
    assert views[0] == "front"
    assert views[-1] == "side"
    # nobody in view for longer than the window: no view at all
    assert estimator.update(Pose.empty(5.0, (640, 480))) is None
