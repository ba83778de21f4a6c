"""Angle maths: clinical convention, 2D and 3D, NaN safety and vectorisation."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.angles import (
    BETWEEN,
    FLEXION,
    FLEXION_TOWARDS,
    INCLUDED,
    ahead_ratio,
    angle_between_deg,
    between_segments_deg,
    distance_ratio,
    flexion_deg,
    flexion_towards_deg,
    height_ratio,
    included_angle_deg,
    line_offset,
    segment_to_horizontal_deg,
    segment_to_vertical_deg,
    towards_sign,
)

NAN = float("nan")
NAN2 = (np.nan, np.nan)
NAN3 = (np.nan, np.nan, np.nan)
S = np.sqrt(0.5)  # cos 45


@pytest.mark.parametrize(
    ("u", "v", "expected"),
    [
        pytest.param((1, 0), (0, 1), 90.0, id="2d-square"),
        pytest.param((2, 0), (-5, 0), 180.0, id="2d-opposite"),
        pytest.param((0, 0, 3), (0, 0, 0.1), 0.0, id="3d-same-way-scale-free"),
        pytest.param((1, 1, 0), (1, 0, 0), 45.0, id="3d-45"),
    ],
)
def test_angle_between_vectors(u, v, expected):
    assert angle_between_deg(u, v) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        # 2D (image pixels, y down)
        pytest.param((1, 0), (0, 0), (0, 1), 90.0, id="2d-right-angle"),
        pytest.param((0, 0), (0, 1), (0, 2), 180.0, id="2d-straight"),
        pytest.param((1, 0), (0, 0), (1, 0), 0.0, id="2d-folded"),
        pytest.param((1, 0), (0, 0), (S, S), 45.0, id="2d-45"),
        pytest.param((10, 0), (0, 0), (-3, 3), 135.0, id="2d-135-scale-free"),
        # 3D (world metres)
        pytest.param((1, 0, 0), (0, 0, 0), (0, 0, 1), 90.0, id="3d-right-angle-xz"),
        pytest.param((0, -1, 0), (0, 0, 0), (0, 0, -2), 90.0, id="3d-right-angle-yz"),
        pytest.param((0, 0, 1), (0, 0, 0), (0, 0, -1), 180.0, id="3d-straight-in-depth"),
        pytest.param((1, 1, 0), (1, 1, 1), (1, 1 + S, 1 + S), 135.0, id="3d-offset-135"),
    ],
)
def test_included_angle(a, b, c, expected):
    assert included_angle_deg(a, b, c) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("hip", "knee", "ankle", "expected"),
    [
        # Standing: hip above knee above ankle -> straight knee is 0 flexion.
        pytest.param((300, 200), (300, 300), (300, 400), 0.0, id="2d-straight-knee"),
        # Thigh horizontal, shin vertical: 90 degrees of flexion.
        pytest.param((200, 300), (300, 300), (300, 400), 90.0, id="2d-right-angle-knee"),
        # Heel nearly at the buttock.
        pytest.param((300, 300), (400, 300), (310, 300 + 1e-3), 180.0, id="2d-fully-folded"),
        pytest.param((0, -0.4, 0.4), (0, 0, 0), (0, 0.4, 0), 45.0, id="3d-45-forward"),
        pytest.param((0, -0.4, 0), (0, 0, 0), (0, 0.4, 0), 0.0, id="3d-straight"),
    ],
)
def test_flexion_clinical_zero(hip, knee, ankle, expected):
    assert flexion_deg(hip, knee, ankle) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(
    ("elbow", "expected"),
    [
        # included angle hip-shoulder-elbow: the shoulder's flexion/abduction
        pytest.param((0.0, 0.3, 0.0), 0.0, id="arm-by-side"),
        pytest.param((0.0, 0.0, -0.3), 90.0, id="arm-forward-3d"),
        pytest.param((0.3, 0.0, 0.0), 90.0, id="arm-out-sideways"),
        pytest.param((0.0, -0.3, 0.0), 180.0, id="arm-overhead"),
        pytest.param((0.0, 0.3 * S, -0.3 * S), 45.0, id="arm-half-forward"),
    ],
)
def test_shoulder_included_angle_arm_by_side_is_zero(elbow, expected):
    hip, shoulder = (0.0, 0.5, 0.0), (0.0, 0.0, 0.0)  # world y points down
    assert included_angle_deg(hip, shoulder, elbow) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("start", "end", "vertical", "horizontal"),
    [
        pytest.param((0, 0), (0, -5), 0.0, 90.0, id="2d-up"),  # image y down: up is -y
        pytest.param((0, 0), (0, 5), 180.0, 90.0, id="2d-down"),
        pytest.param((0, 0), (5, 0), 90.0, 0.0, id="2d-level-right"),
        pytest.param((0, 0), (-5, 0), 90.0, 0.0, id="2d-level-left"),
        pytest.param((0, 0), (1, -1), 45.0, 45.0, id="2d-leaning-45"),
        pytest.param((0, 0), (1, -np.sqrt(3)), 30.0, 60.0, id="2d-leaning-30"),
        pytest.param((0, 0, 0), (0, -1, 0), 0.0, 90.0, id="3d-up"),
        pytest.param((0, 0, 0), (0, 0, 1), 90.0, 0.0, id="3d-level-in-depth"),
        pytest.param((0, 0, 0), (0, -1, -1), 45.0, 45.0, id="3d-leaning-towards-camera"),
    ],
)
def test_segment_to_vertical_and_horizontal(start, end, vertical, horizontal):
    assert segment_to_vertical_deg(start, end) == pytest.approx(vertical, abs=1e-9)
    assert segment_to_horizontal_deg(start, end) == pytest.approx(horizontal, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "c", "d", "expected"),
    [
        pytest.param((0, 0), (1, 0), (5, 5), (7, 5), 0.0, id="2d-parallel"),
        pytest.param((0, 0), (1, 0), (5, 5), (3, 5), 180.0, id="2d-antiparallel"),
        pytest.param((0, 0), (1, 0), (5, 5), (5, 9), 90.0, id="2d-perpendicular"),
        pytest.param((0, 0, 0), (0, 0, 1), (1, 1, 1), (2, 1, 2), 45.0, id="3d-45"),
    ],
)
def test_between_segments(a, b, c, d, expected):
    assert between_segments_deg(a, b, c, d) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "c", "d", "expected"),
    [
        pytest.param((0, 0), (2, 0), (0, 0), (4, 0), 0.5, id="2d-half"),
        pytest.param((0, 0), (3, 4), (1, 1), (2, 1), 5.0, id="2d-five"),
        pytest.param((1, 1), (1, 1), (0, 0), (1, 0), 0.0, id="2d-zero-numerator"),
        pytest.param((0, 0, 0), (0, 0, 2), (0, 0, 0), (1, 0, 0), 2.0, id="3d-two"),
    ],
)
def test_distance_ratio(a, b, c, d, expected):
    assert distance_ratio(a, b, c, d) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("point", "reference", "a", "b", "expected"),
    [
        pytest.param((5, 90), (9, 100), (0, 0), (0, 40), 0.25, id="2d-above-y-down"),
        pytest.param((5, 110), (9, 100), (0, 0), (0, 40), -0.25, id="2d-below"),
        pytest.param((0, 100), (50, 100), (0, 0), (3, 4), 0.0, id="2d-level"),
        pytest.param((0, -0.1, 0.3), (0, 0.0, 0.0), (0, 0, 0), (0, 0.4, 0), 0.25, id="3d-above"),
    ],
)
def test_height_ratio(point, reference, a, b, expected):
    assert height_ratio(point, reference, a, b) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("point", "a", "b", "expected"),
    [
        # A body lying along x (shoulder at 0, ankle at 4): y points down in the image.
        pytest.param((2, 1), (0, 0), (4, 0), 0.25, id="2d-below-the-line-sags"),
        pytest.param((2, -1), (0, 0), (4, 0), -0.25, id="2d-above-the-line-pikes"),
        pytest.param((2, 1), (4, 0), (0, 0), 0.25, id="2d-either-way-along"),
        pytest.param((9, 0), (0, 0), (4, 0), 0.0, id="2d-on-the-line-beyond-its-ends"),
        pytest.param((1, 2), (0, 0), (4, 4), 0.125, id="2d-slanted-line"),
        pytest.param((2, 0.5, 0.5), (0, 0, 0), (4, 0, 0), np.sqrt(0.5) / 4, id="3d"),
    ],
)
def test_line_offset(point, a, b, expected):
    assert line_offset(point, a, b) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("knee", "toe", "heel", "ankle", "expected"),
    [
        # Side-on, facing image right (heel to toe: +x), shin 2 long.
        pytest.param((4, 0), (3, 2), (1, 2), (4, 2), 0.5, id="knee-past-the-toes"),
        pytest.param((2, 0), (3, 2), (1, 2), (2, 2), -0.5, id="knee-behind-the-toes"),
        pytest.param((-4, 0), (-3, 2), (-1, 2), (-4, 2), 0.5, id="facing-the-other-way"),
        pytest.param((3, 0), (3, 2), (1, 2), (3, 2), 0.0, id="knee-over-the-toes"),
    ],
)
def test_ahead_ratio(knee, toe, heel, ankle, expected):
    assert ahead_ratio(knee, toe, heel, ankle) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("hip", "knee", "ankle", "other_hip", "expected"),
    [
        # The left leg seen from the front (the other hip to the image left, x < 0).
        pytest.param((0, 0), (0, 1), (0, 2), (-1, 0), 0.0, id="straight"),
        pytest.param((0, 0), (-1, 1), (0, 2), (-1, 0), 90.0, id="knee-in-valgus"),
        pytest.param((0, 0), (1, 1), (0, 2), (-1, 0), -90.0, id="knee-out-varus"),
        pytest.param((0, 0), (1, 1), (0, 2), (5, 0), 90.0, id="the-right-leg-mirrors-it"),
        pytest.param((0, 0, 0), (-1, 1, 0), (0, 2, 3), (-1, 0, 0), 90.0, id="3d"),
    ],
)
def test_flexion_towards(hip, knee, ankle, other_hip, expected):
    assert flexion_towards_deg(hip, knee, ankle, other_hip) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("function", "points"),
    [
        pytest.param(flexion_towards_deg, [(0, 0), (1, 1), NAN2, (1, 0)], id="towards-nan"),
        pytest.param(ahead_ratio, [(0, 0), (1, 1), (1, 1), (1, 0)], id="ahead-no-direction"),
        pytest.param(line_offset, [(1, 1), (0, 0), NAN2], id="line-nan-end"),
        pytest.param(line_offset, [NAN3, (0, 0, 0), (1, 0, 0)], id="line-nan-point-3d"),
        pytest.param(line_offset, [(1, 1), (2, 2), (2, 2)], id="line-zero-length"),
        # NaN in -> NaN out, in 2D and 3D, whichever point is missing.
        pytest.param(included_angle_deg, [NAN2, (0, 0), (0, 1)], id="included-nan-a"),
        pytest.param(included_angle_deg, [(1, 0), NAN2, (0, 1)], id="included-nan-joint"),
        pytest.param(flexion_deg, [(1, 0, 0), (0, 0, 0), NAN3], id="flexion-nan-c-3d"),
        pytest.param(segment_to_vertical_deg, [NAN2, (0, 1)], id="vertical-nan"),
        pytest.param(segment_to_horizontal_deg, [(0, 0, 0), NAN3], id="horizontal-nan-3d"),
        pytest.param(between_segments_deg, [(0, 0), (1, 0), (0, 0), NAN2], id="between-nan"),
        pytest.param(distance_ratio, [(0, 0), NAN2, (0, 0), (1, 0)], id="ratio-nan-numerator"),
        pytest.param(distance_ratio, [(0, 0), (1, 0), NAN2, (1, 0)], id="ratio-nan-denominator"),
        # A zero-length segment has no direction: NaN, never a made-up 0 or 90.
        pytest.param(included_angle_deg, [(1, 1), (1, 1), (0, 1)], id="included-zero-ba"),
        pytest.param(flexion_deg, [(0, 0, 0), (0, 1, 0), (0, 1, 0)], id="flexion-zero-bc-3d"),
        pytest.param(segment_to_vertical_deg, [(2, 3), (2, 3)], id="vertical-zero-length"),
        pytest.param(segment_to_horizontal_deg, [(2, 3, 1), (2, 3, 1)], id="horizontal-zero"),
        pytest.param(between_segments_deg, [(0, 0), (1, 0), (4, 4), (4, 4)], id="between-zero"),
        pytest.param(distance_ratio, [(0, 0), (1, 0), (3, 3), (3, 3)], id="ratio-zero-denom"),
        pytest.param(height_ratio, [(0, 0), (0, 1), (3, 3), (3, 3)], id="height-zero-scale"),
        pytest.param(height_ratio, [NAN3, (0, 1, 0), (0, 0, 0), (0, 1, 0)], id="height-nan-3d"),
        pytest.param(angle_between_deg, [(0, 0, 0), (0, 1, 0)], id="vectors-zero-u"),
        pytest.param(angle_between_deg, [(1, 0), NAN2], id="vectors-nan-v"),
    ],
)
def test_nan_and_zero_length_give_nan(function, points):
    with np.errstate(all="raise"):  # and no floating-point warnings on the way
        result = function(*points)
    assert np.ndim(result) == 0
    assert np.isnan(result)


@pytest.mark.parametrize(
    ("function", "n_points"),
    [
        (included_angle_deg, 3),
        (flexion_deg, 3),
        (segment_to_vertical_deg, 2),
        (segment_to_horizontal_deg, 2),
        (between_segments_deg, 4),
        (distance_ratio, 4),
        (height_ratio, 4),
        (line_offset, 3),
        (flexion_towards_deg, 4),
        (ahead_ratio, 4),
    ],
)
@pytest.mark.parametrize("dimensions", [2, 3])
def test_vectorised_over_frames_matches_frame_by_frame(function, n_points, dimensions):
    rng = np.random.default_rng(7)
    frames = 50
    points = [rng.normal(size=(frames, dimensions)) for _ in range(n_points)]
    points[0][3] = np.nan  # one frame with a missing landmark
    points[1][5] = points[0][5]  # one frame with a zero-length first segment
    result = function(*points)
    assert result.shape == (frames,)
    expected = np.array([function(*(p[i] for p in points)) for i in range(frames)])
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-9, equal_nan=True)
    assert np.isnan(result[3])
    real_zero = (
        distance_ratio,
        height_ratio,
        line_offset,
        ahead_ratio,
    )  # 0/x, or the point on the line
    assert np.isnan(result[5]) or function in real_zero
    assert np.isfinite(np.delete(result, [3, 5])).all()


def test_vectorised_flexion_knee_bend_sequence():
    # A knee bending from straight to 90 degrees over 5 frames, world coordinates (N, 3).
    bends = np.radians([0.0, 22.5, 45.0, 67.5, 90.0])
    knee = np.zeros((5, 3))
    hip = np.tile([0.0, -0.45, 0.0], (5, 1))
    ankle = np.stack([np.zeros(5), 0.4 * np.cos(bends), -0.4 * np.sin(bends)], axis=1)
    np.testing.assert_allclose(flexion_deg(hip, knee, ankle), [0, 22.5, 45, 67.5, 90], atol=1e-9)


def test_angle_ranges():
    rng = np.random.default_rng(3)
    a, b, c, d = (rng.normal(size=(500, 3)) for _ in range(4))
    for values, high in [
        (included_angle_deg(a, b, c), 180),
        (flexion_deg(a, b, c), 180),
        (segment_to_vertical_deg(a, b), 180),
        (segment_to_horizontal_deg(a, b), 90),
        (between_segments_deg(a, b, c, d), 180),
    ]:
        assert values.min() >= 0.0
        assert values.max() <= high


@pytest.mark.parametrize(
    ("hip", "knee", "ankle", "other_hip", "expected"),
    [
        pytest.param((0, 0), (-1, 1), (0, 2), (-1, 0), 1.0, id="towards"),
        pytest.param((0, 0), (1, 1), (0, 2), (-1, 0), -1.0, id="away"),
        pytest.param((0, 0), (0, 1), (0, 2), (-1, 0), 1.0, id="on-the-line"),
        pytest.param((0, 0), (1, 1), (0, 0), (-1, 0), NAN, id="zero-length-line"),
        pytest.param((0, 0), NAN2, (0, 2), (-1, 0), NAN, id="nan-point"),
    ],
)
def test_towards_sign(hip, knee, ankle, other_hip, expected):
    """The sign `flexion_towards_deg` puts on the flexion (its `AngleForm` finish)."""
    sign = towards_sign(hip, knee, ankle, other_hip)
    assert repr(float(sign)) == repr(expected)


@pytest.mark.parametrize("form", [FLEXION, FLEXION_TOWARDS, INCLUDED, BETWEEN])
def test_an_angle_form_is_its_vectors_angle_then_its_finish(form):
    """The split `MeasureComputer` batches on: the vectors of a form's points, one
    `angle_between_deg`, the finish; the same numbers as calling the form."""
    rng = np.random.default_rng(3)
    points = [rng.normal(size=(20, 3)) for _ in range(4)]
    by_parts = form.finish(angle_between_deg(*form.vectors(*points)), *points)
    assert repr(by_parts.tolist()) == repr(form(*points).tolist())
