"""Camera view from world landmarks: yaw of the shoulder and hip lines, facing or not."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coach.core.landmarks import Landmark
from coach.core.pose import Pose
from coach.engine.view import (
    FRONTAL_MAX_YAW_DEG,
    SIDE_MIN_YAW_DEG,
    VIEW_MARGIN_DEG,
    VIEW_SWITCH_S,
    ViewEstimator,
    classify_view,
    counts_in,
    yaw_and_facing,
)
from tests.support.builders import make_pose

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


def body_yaw_deg(pose: Pose) -> float:
    yaw, _ = yaw_and_facing(pose.world_xyz)
    assert yaw.shape == ()
    return float(yaw)


def faces_camera(pose: Pose) -> bool:
    _, facing = yaw_and_facing(pose.world_xyz)
    assert facing.shape == ()
    return bool(facing)


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


def test_yaw_and_facing_of_many_frames_at_once():
    """Any leading shape: here two frames of three people, turned by a known amount."""
    turns = [[0.0, 20.0, 135.0], [-80.0, 180.0, 45.0]]
    world = np.array(
        [
            [world_pose(rotated_about_vertical(FRONT_FACING, turn)).world_xyz for turn in row]
            for row in turns
        ]
    )
    yaws, facing = yaw_and_facing(world)
    np.testing.assert_allclose(yaws, [[0.0, 20.0, 45.0], [80.0, 0.0, 45.0]], atol=1e-9)
    assert facing.tolist() == [[True, True, False], [True, False, True]]


def test_body_yaw_hand_built_front_and_side():
    front = world_pose(
        {
            Landmark.LEFT_SHOULDER: (0.2, -0.5, 0.0),
            Landmark.RIGHT_SHOULDER: (-0.2, -0.5, 0.0),
            Landmark.LEFT_HIP: (0.15, 0.0, 0.0),
            Landmark.RIGHT_HIP: (-0.15, 0.0, 0.0),
        }
    )
    side = world_pose(
        {
            Landmark.LEFT_SHOULDER: (0.0, -0.5, 0.2),
            Landmark.RIGHT_SHOULDER: (0.0, -0.5, -0.2),
            Landmark.LEFT_HIP: (0.0, 0.0, 0.15),
            Landmark.RIGHT_HIP: (0.0, 0.0, -0.15),
        }
    )
    assert body_yaw_deg(front) == pytest.approx(0.0)
    assert body_yaw_deg(side) == pytest.approx(90.0)


def test_body_yaw_does_not_depend_on_posture():
    # Lying face down side-on to the camera (a plank): the shoulder line still runs along
    # z, the body along x.
    plank = world_pose(
        {
            Landmark.LEFT_SHOULDER: (-0.5, -0.3, 0.18),
            Landmark.RIGHT_SHOULDER: (-0.5, -0.3, -0.18),
            Landmark.LEFT_HIP: (0.0, 0.0, 0.1),
            Landmark.RIGHT_HIP: (0.0, 0.0, -0.1),
        }
    )
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


# ---- sticky views (issue 6): hysteresis in yaw and facing, and a minimum time ----------------

FPS = 30.0


def hovering(low: float, high: float, seconds: float = 12.0, seed: int = 0) -> np.ndarray:
    """Per-frame yaws wandering between low and high: a slow sway plus frame jitter, so the
    1 s median itself keeps crossing the middle."""
    t = np.arange(round(seconds * FPS)) / FPS
    sway = 0.6 * np.sin(2 * np.pi * t / 2.3) + 0.4 * np.sin(2 * np.pi * t / 1.3 + 1.0)
    jitter = np.random.default_rng(seed).uniform(-1.0, 1.0, t.size)
    middle_deg, half = (low + high) / 2, (high - low) / 2
    return np.clip(middle_deg + half * (0.7 * sway + 0.3 * jitter), low, high)


def stepped(estimator: ViewEstimator, yaws, facing=True) -> list:
    """The estimator's view after each frame (yaw None: nobody seen)."""
    facings = np.broadcast_to(facing, (len(yaws),))
    return [
        estimator.step(i / FPS, None if yaw is None else float(yaw), bool(f))
        for i, (yaw, f) in enumerate(zip(yaws, facings, strict=True))
    ]


@pytest.mark.parametrize(
    ("low", "high", "facing"),
    [
        (25.0, 35.0, True),  # front / oblique
        (25.0, 35.0, False),  # back / oblique
        (FRONTAL_MAX_YAW_DEG - 8, FRONTAL_MAX_YAW_DEG + 8, True),  # a wider sway
        (50.0, 60.0, True),  # oblique / side
        (SIDE_MIN_YAW_DEG - 8, SIDE_MIN_YAW_DEG + 8, False),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_yaw_hovering_at_a_boundary_keeps_one_view(low, high, facing, seed):
    yaws = hovering(low, high, seed=seed)
    settled = round(FPS)  # the first window follows the median of the frames so far
    raw = stepped(ViewEstimator.prompt(), yaws, facing)[settled:]
    assert sum(a != b for a, b in itertools.pairwise(raw)) >= 3  # unsticky: flicker
    views = stepped(ViewEstimator(), yaws, facing)[settled:]
    assert len(set(views)) == 1


def test_front_and_back_do_not_flicker_on_odd_frames():
    """Facing the camera with every third frame read as turned away (the nose behind the
    shoulders for a moment): still front, and the same with the roles swapped."""
    odd = np.arange(300) % 3 == 2
    assert set(stepped(ViewEstimator(), [10.0] * 300, ~odd)) == {"front"}
    assert set(stepped(ViewEstimator(), [10.0] * 300, odd)) == {"back"}


def test_an_odd_first_frame_does_not_stick():
    """The first frame alone is the first view; the window's median then corrects it."""
    facing = np.arange(300) > 0
    views = stepped(ViewEstimator(), [10.0] * 300, facing)
    assert views[0] == "back"
    assert set(views[round(FPS) :]) == {"front"}


def turn(start: float, end: float) -> np.ndarray:
    """Yaws of a patient still at `start` for 3 s, turning steadily to `end` in 1 s (the
    turn ends at 4 s), then still for 3 s."""
    turning = np.linspace(start, end, round(FPS) + 1)[1:]
    return np.concatenate([np.full(round(3 * FPS), start), turning, np.full(round(3 * FPS), end)])


def sticky_band(view: str) -> tuple[float, float]:
    """The median yaws that keep `view`: its class widened by the margin on each side."""
    frontal, side, margin = FRONTAL_MAX_YAW_DEG, SIDE_MIN_YAW_DEG, VIEW_MARGIN_DEG
    return {
        "front": (-np.inf, frontal + margin),
        "back": (-np.inf, frontal + margin),
        "oblique": (frontal - margin, side + margin),
        "side": (side - margin, np.inf),
    }[view]


def latest_switch_s(yaws: np.ndarray, first: str) -> float:
    """When the design says the view must have switched: the raw yaw leaves the sticky band
    of the `first` view, the 1 s median follows half a second later, then `VIEW_SWITCH_S`
    (and a frame or two of rounding)."""
    low, high = sticky_band(first)
    crossing = int(np.argmax((yaws < low) | (yaws > high))) / FPS
    return crossing + 0.5 + VIEW_SWITCH_S + 2 / FPS


@pytest.mark.parametrize(
    ("start", "end", "facing", "first", "last", "within_s"),
    [
        (0.0, 90.0, True, "front", "side", 1.0),  # the case: front to side-on
        (90.0, 0.0, True, "side", "front", 1.0),
        (20.0, 70.0, True, "front", "side", 1.0),
        (90.0, 20.0, False, "side", "back", 1.0),
        (45.0, 0.0, False, "oblique", "back", 1.0),
        # Stopping 5 degrees past the margin: the median passes it late in the turn.
        (0.0, 45.0, True, "front", "oblique", 1.25),
    ],
)
def test_a_real_turn_is_followed_within_about_a_second(start, end, facing, first, last, within_s):
    """Facing (or turned away) throughout: side-on and oblique do not depend on it."""
    yaws = turn(start, end)
    views = stepped(ViewEstimator(), yaws, facing)
    t = np.arange(yaws.size) / FPS
    assert set(views[: round(3 * FPS)]) == {first}
    arrived = next(int(i) for i in range(yaws.size) if views[i] == last)
    assert t[arrived] - 4.0 <= within_s
    assert t[arrived] <= latest_switch_s(yaws, first)
    assert set(views[arrived:]) == {last}  # and stays


def test_front_to_back_turning_round_is_followed():
    """Turning round on the spot in a second: the yaw goes through side-on and back, the
    facing flips; the view ends as back within about a second of the turn's end."""
    half_turn = 90 - np.abs(np.linspace(-85, 85, round(FPS) + 1))
    yaws = np.concatenate([np.full(round(3 * FPS), 5.0), half_turn, np.full(round(3 * FPS), 5.0)])
    facing = np.arange(yaws.size) < 3.5 * FPS
    views = stepped(ViewEstimator(), yaws, facing)
    t = np.arange(yaws.size) / FPS
    arrived = next(t[i] for i in range(yaws.size) if views[i] == "back")
    assert arrived - 4.0 <= 1.0 and views[-1] == "back"


@pytest.mark.parametrize(
    ("excursion_s", "switches"),
    [
        (0.4, False),  # under half the window: the median never moves
        (VIEW_SWITCH_S - 0.1, False),  # a twist within one rep phase
        (VIEW_SWITCH_S + 0.3, True),  # stayed there: a real change of view
    ],
)
def test_a_short_excursion_past_the_margin_is_not_a_turn(excursion_s, switches):
    """Clearly oblique for a while, then square again."""
    yaws = np.concatenate(
        [
            np.full(round(2 * FPS), 10.0),
            np.full(round(excursion_s * FPS), FRONTAL_MAX_YAW_DEG + VIEW_MARGIN_DEG + 10),
            np.full(round(3 * FPS), 10.0),
        ]
    )
    views = stepped(ViewEstimator(), yaws)
    assert ("oblique" in views) is switches
    assert views[-1] == "front"


@pytest.mark.parametrize(
    ("yaw", "facing", "view"),
    [(10.0, True, "front"), (10.0, False, "back"), (33.0, True, "oblique"), (80.0, True, "side")],
)
def test_the_first_frame_gets_a_view_at_once(yaw, facing, view):
    assert ViewEstimator().step(0.0, yaw, facing) == view


def test_after_nobody_for_a_window_the_next_view_is_fresh():
    """Someone else may step in anywhere: an empty window forgets the sticky view."""
    estimator = ViewEstimator()
    stepped(estimator, [10.0] * 30)
    assert estimator.step(2.5) is None
    assert estimator.step(2.6, 35.0, True) == "oblique"


def test_prompt_estimator_follows_the_median_at_once():
    estimator = ViewEstimator.prompt()
    assert estimator.step(0.0, 29.0, True) == "front"
    assert estimator.step(0.1, 31.0, True) == "front"  # median (29 + 31) / 2 = 30
    assert estimator.step(0.2, 31.0, True) == "oblique"


def test_sticky_view_through_poses():
    """The frame step from poses: front at 25 deg stays front while the body sways to 35."""
    estimator = ViewEstimator()
    views = [
        estimator.update(world_pose(rotated_about_vertical(FRONT_FACING, yaw), t_s=i / FPS))
        for i, yaw in enumerate([25.0] * 15 + [35.0, 25.0] * 60)
    ]
    assert set(views) == {"front"}


@pytest.mark.parametrize(
    ("views", "view", "counted"),
    [
        (["side"], "side", True),
        (["side"], "oblique", True),  # between: often the best a room allows
        (["side"], "front", False),  # the side-on angles are seen edge-on
        (["side"], "back", False),
        (["front"], "side", True),  # 60 degrees round from the front reads side-on
        (["front"], "back", True),  # the same plane, mirrored
        (["back"], "front", True),
        (["side", "front"], "back", True),
        (["side"], None, True),  # not detected yet
    ],
)
def test_which_views_a_rep_exercise_counts_in(views, view, counted):
    assert counts_in(views, view) is counted
