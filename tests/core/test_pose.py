"""The Pose type: shape checks with useful messages, empty poses, pixels, mirroring."""

from __future__ import annotations

import re

import numpy as np
import pytest

from coach.core.landmarks import MIRROR_INDEX, NUM_LANDMARKS, Landmark
from coach.core.pose import Pose
from tests.support.builders import make_pose, numbered_pose

GOOD_IMAGE = np.zeros((NUM_LANDMARKS, 3))
GOOD_WORLD = np.zeros((NUM_LANDMARKS, 3))
GOOD_VIS = np.ones(NUM_LANDMARKS)


@pytest.mark.parametrize(
    ("image", "world", "visibility", "message"),
    [
        pytest.param(
            np.zeros((10, 3)),
            GOOD_WORLD,
            GOOD_VIS,
            "Pose.image_xyz must have shape (33, 3) or (0, 3) for an empty pose, got (10, 3)",
            id="image-wrong-count",
        ),
        pytest.param(
            np.zeros((33, 2)),
            GOOD_WORLD,
            GOOD_VIS,
            "Pose.image_xyz must have shape (33, 3), got (33, 2)",
            id="image-2d-coordinates",
        ),
        pytest.param(
            np.zeros(33),
            GOOD_WORLD,
            GOOD_VIS,
            "Pose.image_xyz must have shape (33, 3), got (33,)",
            id="image-flat",
        ),
        pytest.param(
            5.0,
            GOOD_WORLD,
            GOOD_VIS,
            "Pose.image_xyz must have shape (33, 3) or (0, 3) for an empty pose, got ()",
            id="image-scalar",
        ),
        pytest.param(
            GOOD_IMAGE,
            np.zeros((32, 3)),
            GOOD_VIS,
            "Pose.world_xyz must have shape (33, 3), got (32, 3)",
            id="world-wrong-count",
        ),
        pytest.param(
            GOOD_IMAGE,
            np.zeros((3, 33)),
            GOOD_VIS,
            "Pose.world_xyz must have shape (33, 3), got (3, 33)",
            id="world-transposed",
        ),
        pytest.param(
            GOOD_IMAGE,
            GOOD_WORLD,
            np.ones((33, 1)),
            "Pose.visibility must have shape (33,), got (33, 1)",
            id="visibility-column",
        ),
        pytest.param(
            np.zeros((0, 3)),
            np.zeros((33, 3)),
            np.zeros(0),
            "Pose.world_xyz must have shape (0, 3), got (33, 3)",
            id="empty-image-full-world",
        ),
    ],
)
def test_wrong_shapes_name_expected_and_actual(image, world, visibility, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Pose(image, world, visibility, 0.0, (640, 480))


@pytest.mark.parametrize(
    ("t_s", "frame_wh", "message"),
    [
        pytest.param(0.0, (0, 480), "frame_wh must be positive, got (0, 480)", id="zero-width"),
        pytest.param(0.0, (640, -1), "frame_wh must be positive, got (640, -1)", id="neg-height"),
        pytest.param(np.nan, (640, 480), "t_s must be a finite time", id="nan-time"),
        pytest.param(np.inf, (640, 480), "t_s must be a finite time", id="inf-time"),
    ],
)
def test_bad_time_or_frame_size(t_s, frame_wh, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Pose(GOOD_IMAGE, GOOD_WORLD, GOOD_VIS, t_s, frame_wh)


def test_empty_pose():
    empty = Pose.empty(2.5, (1280, 720))
    assert empty.is_empty
    assert empty.t_s == 2.5
    assert empty.frame_wh == (1280, 720)
    assert empty.image_xyz.shape == (0, 3)
    assert empty.world_xyz.shape == (0, 3)
    assert empty.visibility.shape == (0,)
    assert empty.image_px.shape == (0, 2)
    assert empty.mirrored() is empty


def test_full_pose_is_not_empty():
    assert not make_pose().is_empty


def test_inputs_are_converted_to_float_arrays():
    pose = Pose(
        [[1, 2, 3]] * NUM_LANDMARKS, [[0, 0, 0]] * NUM_LANDMARKS, [1] * NUM_LANDMARKS, 0, (2, 2)
    )
    assert pose.image_xyz.dtype == np.float64
    assert pose.world_xyz.shape == (NUM_LANDMARKS, 3)
    assert pose.visibility.dtype == np.float64


@pytest.mark.parametrize(
    ("frame_wh", "xy", "expected_px"),
    [
        ((640, 480), (0.5, 0.25), (320.0, 120.0)),
        ((1920, 1080), (0.0, 1.0), (0.0, 1080.0)),
        ((480, 640), (0.25, 0.5), (120.0, 320.0)),  # portrait: width first
        ((100, 100), (1.2, -0.1), (120.0, -10.0)),  # landmarks may lie outside the frame
    ],
)
def test_image_px_scales_by_frame_size(frame_wh, xy, expected_px):
    pose = make_pose(frame_wh=frame_wh, points={Landmark.LEFT_KNEE: (*xy, 0.3)})
    px = pose.image_px
    assert px.shape == (NUM_LANDMARKS, 2)
    assert px[Landmark.LEFT_KNEE] == pytest.approx(expected_px)
    assert px[Landmark.NOSE] == pytest.approx((0.5 * frame_wh[0], 0.5 * frame_wh[1]))


@pytest.mark.parametrize(
    ("landmark", "lands_on"),
    [
        (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
        (Landmark.RIGHT_SHOULDER, Landmark.LEFT_SHOULDER),
        (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
        (Landmark.RIGHT_FOOT_INDEX, Landmark.LEFT_FOOT_INDEX),
        (Landmark.LEFT_EYE_INNER, Landmark.RIGHT_EYE_INNER),
        (Landmark.NOSE, Landmark.NOSE),
    ],
)
def test_mirrored_swaps_sides_and_flips_x(landmark, lands_on):
    pose = numbered_pose(t_s=1.5)
    mirrored = pose.mirrored()
    ix, iy, iz = pose.image_xyz[landmark]
    wx, wy, wz = pose.world_xyz[landmark]
    assert mirrored.image_xyz[lands_on] == pytest.approx((1.0 - ix, iy, iz))
    assert mirrored.world_xyz[lands_on] == pytest.approx((-wx, wy, wz))
    assert mirrored.visibility[lands_on] == pose.visibility[landmark]
    assert mirrored.t_s == 1.5
    assert mirrored.frame_wh == pose.frame_wh


def test_mirrored_twice_is_the_original():
    pose = numbered_pose()
    twice = pose.mirrored().mirrored()
    np.testing.assert_allclose(twice.image_xyz, pose.image_xyz, atol=1e-12)
    np.testing.assert_array_equal(twice.world_xyz, pose.world_xyz)
    np.testing.assert_array_equal(twice.visibility, pose.visibility)


def test_mirrored_uses_the_mirror_table():
    pose = numbered_pose()
    mirrored = pose.mirrored()
    for index in range(NUM_LANDMARKS):
        source = MIRROR_INDEX[index]
        assert mirrored.world_xyz[index, 0] == -pose.world_xyz[source, 0]
    assert not pose.mirrored().image_xyz.flags.writeable


@pytest.mark.parametrize("attribute", ["image_xyz", "world_xyz", "visibility"])
def test_arrays_are_read_only(attribute):
    pose = numbered_pose()
    array = getattr(pose, attribute)
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 0.0
    assert not getattr(pose.mirrored(), attribute).flags.writeable


def test_pose_attributes_cannot_be_reassigned():
    pose = numbered_pose()
    with pytest.raises(AttributeError):
        pose.t_s = 3.0  # type: ignore[misc]


def test_with_landmarks_keeps_visibility_and_time():
    pose = numbered_pose(t_s=4.0)
    image = np.full((NUM_LANDMARKS, 3), 0.25)
    world = np.full((NUM_LANDMARKS, 3), -1.0)
    moved = pose.with_landmarks(image, world)
    assert moved.image_xyz[7] == pytest.approx((0.25, 0.25, 0.25))
    assert moved.world_xyz[7] == pytest.approx((-1.0, -1.0, -1.0))
    assert moved.t_s == 4.0
    np.testing.assert_array_equal(moved.visibility, pose.visibility)
    with pytest.raises(ValueError, match=re.escape("got (32, 3)")):
        pose.with_landmarks(image[:32], world)
