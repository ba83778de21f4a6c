"""Posture measures and findings on synthetic seated poses with a known geometry
(tests/builders.seated_pose: a pinhole camera, so the truth is exact)."""

from __future__ import annotations

import math

import pytest

from coach.core.landmarks import Landmark
from coach.posture.assess import Issue, Neutral, PostureLimits, assess
from coach.posture.measures import CameraModel, distance_is_plausible, facing_camera, measure
from tests.support.builders import seated_pose, turned_head

CAMERA = CameraModel()  # 65 degrees, 63 mm: the same as seated_pose's defaults


def neutral_for(**kwargs) -> Neutral:
    """The neutral of an upright pose at the same distance (and hips in view or not)."""
    keep = {k: v for k, v in kwargs.items() if k in ("distance_m", "hips_in_view")}
    return Neutral.from_measures(measure(seated_pose(**keep), CAMERA))


@pytest.mark.parametrize(
    ("pose_args", "expected"),
    [
        ({}, set()),  # upright, at 65 cm: nothing to say
        ({"head_forward_m": 0.02}, set()),  # 2 cm forward is within the 8% allowance
        ({"head_forward_m": 0.07}, {Issue.FORWARD_HEAD}),  # 7 cm: the head looks 12% bigger
        ({"shoulder_raise_m": 0.01}, set()),  # a 1 cm shrug: neck 7% shorter, allowed
        ({"shoulder_raise_m": 0.03}, {Issue.SHOULDERS_RAISED}),  # 3 cm: 20% shorter
        ({"lean_deg": 4}, set()),  # a small lean, shoulder line only
        ({"lean_deg": 12}, {Issue.LEANING}),  # shoulder line tilted 12 degrees
        ({"lean_deg": -12, "hips_in_view": True}, {Issue.LEANING}),  # trunk line, to the right
        ({"lean_deg": 5, "hips_in_view": True}, set()),
        ({"distance_m": 0.45}, {Issue.SCREEN_TOO_CLOSE}),  # eyes at 37 cm
        ({"distance_m": 1.25}, {Issue.SCREEN_TOO_FAR}),  # eyes at 117 cm
        (
            {"head_forward_m": 0.07, "shoulder_raise_m": 0.03},
            {Issue.FORWARD_HEAD, Issue.SHOULDERS_RAISED},
        ),
    ],
)
def test_findings_against_the_patients_neutral(pose_args, expected):
    measures = measure(seated_pose(**pose_args), CAMERA)
    findings = assess(measures, neutral_for(**pose_args))
    assert {f.issue for f in findings} == expected
    for finding in findings:
        assert finding.advice and finding.text


@pytest.mark.parametrize(
    ("pose_args", "name", "expected", "tolerance"),
    [
        ({"head_forward_m": 0.05}, "head_to_shoulders", 0.65 / 0.60, 0.005),  # relative
        ({"shoulder_raise_m": 0.03}, "neck_height", 0.12 / 0.15, 0.01),  # relative
        # Bending to the left lowers the left shoulder: tilt is + when the left one is higher.
        ({"lean_deg": 10}, "shoulder_tilt_deg", -10.0, 0.5),
        ({"lean_deg": -10}, "shoulder_tilt_deg", 10.0, 0.5),
        ({"lean_deg": 10, "hips_in_view": True}, "trunk_lean_deg", 10.0, 0.5),  # to the left
        ({"lean_deg": -15, "hips_in_view": True}, "trunk_lean_deg", -15.0, 0.5),
    ],
)
def test_each_measure_follows_the_geometry(pose_args, name, expected, tolerance):
    upright = measure(seated_pose(hips_in_view=pose_args.get("hips_in_view", False)), CAMERA)
    moved = measure(seated_pose(**pose_args), CAMERA)
    value = getattr(moved, name)
    if name in ("head_to_shoulders", "neck_height"):  # scale-free ratios: against upright
        value /= getattr(upright, name)
    assert value == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize("eyes_m", [0.35, 0.50, 0.62, 0.80, 1.10])
@pytest.mark.parametrize("frame_wh", [(640, 480), (1280, 720)])
def test_screen_distance_from_a_known_face_size(eyes_m, frame_wh):
    """Eyes 63 mm apart at a known depth, seen by a 65-degree camera: the distance back."""
    pose = seated_pose(distance_m=eyes_m + 0.08, frame_wh=frame_wh)
    assert measure(pose, CAMERA).screen_distance_m == pytest.approx(eyes_m, rel=0.01)


def test_a_wrong_field_of_view_assumption_scales_the_distance():
    """The stated assumption matters: a 75-degree camera read as 65 degrees reads further."""
    pose = seated_pose(distance_m=0.68, hfov_deg=75.0)
    read = measure(pose, CAMERA).screen_distance_m
    expected = 0.60 * math.tan(math.radians(37.5)) / math.tan(math.radians(32.5))
    assert read == pytest.approx(expected, rel=0.01)


def test_a_mirrored_image_swaps_the_sides_of_lean_but_nothing_else():
    """Why the live check measures on the camera's own image and mirrors only the display:
    on a mirrored image the model names the patient's left 'right'."""
    pose = seated_pose(lean_deg=9, hips_in_view=True)
    plain, mirrored = measure(pose, CAMERA), measure(pose.mirrored(), CAMERA)
    assert plain.trunk_lean_deg == pytest.approx(9.0, abs=0.1)
    assert mirrored.trunk_lean_deg == pytest.approx(-plain.trunk_lean_deg)
    assert mirrored.shoulder_tilt_deg == pytest.approx(-plain.shoulder_tilt_deg)
    for name in ("neck_height", "head_to_shoulders", "screen_distance_m"):
        assert getattr(mirrored, name) == pytest.approx(getattr(plain, name))


def test_no_measures_without_the_face_and_shoulders():
    pose = seated_pose()
    hidden = pose.visibility.copy()
    hidden[Landmark.LEFT_SHOULDER] = 0.1
    assert (
        measure(pose.__class__(pose.image_xyz, pose.world_xyz, hidden, 0.0, pose.frame_wh), CAMERA)
        is None
    )
    assert measure(pose.empty(0.0, (640, 480)), CAMERA) is None


def test_without_a_neutral_only_lean_and_distance_are_judged():
    measures = measure(seated_pose(head_forward_m=0.1, lean_deg=12, distance_m=0.45), CAMERA)
    assert {f.issue for f in assess(measures, None)} == {Issue.LEANING, Issue.SCREEN_TOO_CLOSE}


def test_a_patient_whose_shoulders_are_never_level_is_not_nagged():
    crooked = measure(seated_pose(lean_deg=10), CAMERA)
    assert assess(crooked, Neutral.from_measures(crooked)) == ()
    assert {f.issue for f in assess(crooked, None)} == {Issue.LEANING}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"horizontal_fov_deg": 10}, "horizontal_fov_deg"), ({"interpupillary_m": 63}, "0.04-0.08")],
)
def test_camera_assumptions_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CameraModel(**kwargs)


def test_limits_are_adjustable():
    measures = measure(seated_pose(head_forward_m=0.02), CAMERA)
    strict = PostureLimits(head_forward=0.02)
    assert {f.issue for f in assess(measures, neutral_for(), strict)} == {Issue.FORWARD_HEAD}


@pytest.mark.parametrize(
    ("degrees", "facing"),
    [(0, True), (20, True), (-30, True), (60, False), (85, False), (-85, False)],
)
def test_a_face_turned_side_on_is_not_measured(degrees, facing):
    """Side-on, the eyes overlap and read as metres away (the "1219 cm" case): the check
    measures only a face turned to the camera."""
    pose = turned_head(seated_pose(), degrees)
    assert facing_camera(pose) is facing
    assert (measure(pose, CAMERA) is not None) is facing


@pytest.mark.parametrize("distance_m", [0.15, 4.0, 12.0])
def test_a_distance_no_one_sits_at_a_screen_from_is_not_judged(distance_m):
    """The head and shoulders are still measured (their ratios do not depend on the
    distance), but a distance outside 20-300 cm draws no advice."""
    measures = measure(seated_pose(distance_m=distance_m), CAMERA)
    assert measures is not None and not distance_is_plausible(measures)
    assert {Issue.SCREEN_TOO_CLOSE, Issue.SCREEN_TOO_FAR}.isdisjoint(
        f.issue for f in assess(measures, None)
    )
