"""`MeasureComputer`: every measure type read back on known poses, per side, in the right
space, NaN where a landmark is unseen; one frame reads what a batch of frames reads."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.landmarks import NUM_LANDMARKS, Landmark
from coach.core.pose import Pose
from coach.engine.measures import FAR_SIDE_VISIBILITY_GAP, MeasureComputer, SidedValue, on_side
from coach.exercise.loader import ExerciseLibrary
from coach.exercise.schema import AngleDef, RatioDef
from tests.support.builders import make_pose

L = Landmark
LIBRARY = ExerciseLibrary()
VIEWS = [None, "front", "back", "side", "oblique"]
FRAME_WH = (640, 480)
S = np.sqrt(0.5)

# A body in world metres (y down): the left leg straight, the right knee bent to 90
# degrees (thigh forward, shin down), the trunk leaning 45 degrees forward, the left arm
# straight out sideways, the right arm hanging straight down.
BODY = {
    L.LEFT_HIP: (0.1, 0.0, 0.0),
    L.RIGHT_HIP: (-0.1, 0.0, 0.0),
    L.LEFT_KNEE: (0.1, 0.4, 0.0),
    L.RIGHT_KNEE: (-0.1, 0.0, -0.4),
    L.LEFT_ANKLE: (0.1, 0.8, 0.0),
    L.RIGHT_ANKLE: (-0.1, 0.4, -0.4),
    L.LEFT_HEEL: (0.1, 0.85, 0.05),
    L.RIGHT_HEEL: (-0.1, 0.45, -0.35),
    L.LEFT_FOOT_INDEX: (0.1, 0.85, -0.15),
    L.RIGHT_FOOT_INDEX: (-0.1, 0.3, -0.55),
    L.LEFT_SHOULDER: (0.1, -0.5 * S, -0.5 * S),
    L.RIGHT_SHOULDER: (-0.1, -0.5 * S, -0.5 * S),
    L.LEFT_ELBOW: (0.4, -0.5 * S, -0.5 * S),
    L.RIGHT_ELBOW: (-0.1, -0.5 * S + 0.3, -0.5 * S),
}


def world(definition, view=None, points=BODY, visibility=1.0) -> SidedValue:
    pose = make_pose(world_points=points, visibility=visibility)
    return MeasureComputer.of({"m": definition}).compute(pose, view)["m"]


def angle(kind: str, *points: str, **options) -> AngleDef:
    return AngleDef(type=kind, points=list(points), **options)


@pytest.mark.parametrize(
    ("definition", "left", "right", "center"),
    [
        pytest.param(
            angle("flexion", "hip", "knee", "ankle", space="world"),
            0.0,
            90.0,
            None,
            id="flexion-per-side",
        ),
        pytest.param(
            angle("included", "hip", "shoulder", "elbow", space="world"),
            90.0,
            45.0,
            None,
            id="included-trunk-to-arm",
        ),
        pytest.param(
            angle("segment_vertical", "mid_hip", "mid_shoulder", space="world"),
            None,
            None,
            45.0,
            id="vertical-side-less",
        ),
        pytest.param(
            angle("segment_horizontal", "knee", "ankle", space="world"),
            90.0,
            90.0,
            None,
            id="horizontal-shins-upright",
        ),
        pytest.param(
            angle("segment_horizontal", "hip", "knee", space="world"),
            90.0,
            0.0,
            None,
            id="horizontal-thigh-level",
        ),
        pytest.param(
            angle("between", "left_hip", "left_knee", "right_hip", "right_knee", space="world"),
            None,
            None,
            90.0,
            id="between-thighs",
        ),
        pytest.param(
            RatioDef(points=["left_knee", "right_knee", "left_hip", "right_hip"], space="world"),
            None,
            None,
            0.6 / 0.2,
            id="distance-ratio",
        ),
        pytest.param(
            RatioDef(
                type="height_ratio", points=["heel", "other_ankle", "knee", "ankle"], space="world"
            ),
            -0.45 / 0.4,
            0.35 / 0.4,
            None,
            id="height-ratio-per-side",
        ),
    ],
)
def test_each_measure_type_on_a_known_body(definition, left, right, center):
    value = world(definition)
    expected = {"left": left, "right": right, "center": center}
    for side, wanted in expected.items():
        got = getattr(value, side)
        if wanted is None:
            assert np.isnan(got), side
        else:
            assert got == pytest.approx(wanted, abs=1e-9), side


def test_an_unseen_landmark_makes_only_its_own_side_unseen():
    visibility = np.ones(NUM_LANDMARKS)
    visibility[L.RIGHT_ANKLE] = 0.49  # under the default 0.5
    value = world(angle("flexion", "hip", "knee", "ankle", space="world"), visibility=visibility)
    assert value.left == pytest.approx(0.0)
    assert np.isnan(value.right)
    visibility[L.RIGHT_ANKLE] = 0.5  # the threshold itself is seen
    value = world(angle("flexion", "hip", "knee", "ankle", space="world"), visibility=visibility)
    assert value.right == pytest.approx(90.0)


def test_a_zero_length_segment_has_no_angle():
    folded = {**BODY, L.LEFT_KNEE: BODY[L.LEFT_HIP]}
    value = world(angle("flexion", "hip", "knee", "ankle", space="world"), points=folded)
    assert np.isnan(value.left) and value.right == pytest.approx(90.0)


def test_image_angles_are_taken_in_pixels():
    """45 degrees on a 640 x 480 frame: equal pixel steps, not equal normalised ones."""
    pose = make_pose(
        points={L.LEFT_HIP: (0.5, 0.5, 0.0), L.LEFT_SHOULDER: (0.6, 0.5 - 0.1 * 640 / 480, 0.0)}
    )
    computer = MeasureComputer.of(
        {"lean": angle("segment_vertical", "left_hip", "left_shoulder", space="image")}
    )
    assert computer.compute(pose, None)["lean"].center == pytest.approx(45.0)


@pytest.mark.parametrize(
    ("plane", "view", "space"),
    [
        ("sagittal", "side", "image"),
        ("sagittal", "front", "world"),
        ("sagittal", "oblique", "world"),
        ("frontal", "front", "image"),
        ("frontal", "back", "image"),
        ("frontal", "side", "world"),
        ("any", "side", "world"),
        ("sagittal", None, "world"),
    ],
)
def test_auto_space_follows_the_view(plane, view, space):
    """The image shows the trunk upright, the world landmarks leaning 45 degrees."""
    pose = make_pose(
        points={L.LEFT_HIP: (0.5, 0.6, 0.0), L.LEFT_SHOULDER: (0.5, 0.3, 0.0)},
        world_points={L.LEFT_HIP: (0.0, 0.0, 0.0), L.LEFT_SHOULDER: (0.0, -0.4, -0.4)},
    )
    lean = angle("segment_vertical", "left_hip", "left_shoulder", plane=plane)
    value = MeasureComputer.of({"lean": lean}).compute(pose, view)["lean"].center
    assert value == pytest.approx({"image": 0.0, "world": 45.0}[space])


def test_an_empty_pose_has_every_measure_unseen():
    computer = MeasureComputer(LIBRARY.get("squat"))
    measured = computer.compute(Pose.empty(0.0, FRAME_WH), "side")
    assert list(measured) == computer.names
    assert all(np.isnan(v.on(None)) for v in measured.values())


def test_sides_lays_out_each_measure_per_side():
    computer = MeasureComputer.of(
        {
            "knee": angle("flexion", "hip", "knee", "ankle", space="world"),
            "trunk": angle("segment_vertical", "mid_hip", "mid_shoulder", space="world"),
        }
    )
    pose = make_pose(world_points=BODY)
    rows = computer.compute_rows(
        pose.image_px[None], pose.world_xyz[None], pose.visibility[None], None
    )
    sides = computer.sides(rows)
    assert computer.names == ["knee", "trunk"]
    np.testing.assert_allclose(sides["left"], [[0.0, np.nan]], atol=1e-9)
    np.testing.assert_allclose(sides["right"], [[90.0, np.nan]], atol=1e-9)
    np.testing.assert_allclose(sides["center"], [[np.nan, 45.0]], atol=1e-9)
    np.testing.assert_allclose(on_side(sides, None), [[45.0, 45.0]], atol=1e-9)


# ---- one frame is a batch of one ---------------------------------------------------------


def awkward_frames(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random poses with what breaks a careless rewrite: landmarks on top of each other
    (zero-length segments), exact and negative zeros, unseen, NaN and threshold visibility."""
    rng = np.random.default_rng(seed)
    image = rng.uniform(0.0, 1.0, size=(count, NUM_LANDMARKS, 3))
    world = rng.normal(0.0, 0.4, size=(count, NUM_LANDMARKS, 3))
    visibility = rng.uniform(0.0, 1.0, size=(count, NUM_LANDMARKS))
    for frame in range(0, count, 3):  # every third frame: collapse some landmarks together
        chosen = rng.choice(NUM_LANDMARKS, size=8, replace=False)
        image[frame, chosen] = image[frame, chosen[0]]
        world[frame, chosen] = world[frame, chosen[0]]
    world[::5, rng.choice(NUM_LANDMARKS, size=10)] = 0.0
    world[1::5, rng.choice(NUM_LANDMARKS, size=10)] = -0.0
    visibility[::7, rng.choice(NUM_LANDMARKS, size=4)] = np.nan
    visibility[2::4, rng.choice(NUM_LANDMARKS, size=12)] = 0.5  # the default threshold: seen
    return image, world, visibility


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("exercise_id", LIBRARY.ids())
def test_one_frame_reads_what_a_batch_of_frames_reads(exercise_id, view):
    """No frame's values depend on the others in its batch (the live frame step computes
    a batch of one, a recording's replay all frames at once)."""
    computer = MeasureComputer(LIBRARY.get(exercise_id))
    image, world, visibility = awkward_frames(40, seed=computer.row_count)
    pixels = image[..., :2] * np.array(FRAME_WH, dtype=np.float64)
    batch = computer.sides(computer.compute_rows(pixels, world, visibility, view))
    for i in range(len(image)):
        one = computer.compute(Pose(image[i], world[i], visibility[i], 0.0, FRAME_WH), view)
        for j, name in enumerate(computer.names):
            for side in ("left", "right", "center"):
                # repr: exact, NaN-aware, and tells 0.0 from -0.0
                assert repr(getattr(one[name], side)) == repr(float(batch[side][i, j]))


NAN = float("nan")


@pytest.mark.parametrize(
    ("left", "right", "center", "side", "expected"),
    [
        (10.0, 20.0, NAN, None, 15.0),  # both sides seen: their mean
        (10.0, NAN, NAN, None, 10.0),  # one side seen: that side
        (NAN, 20.0, NAN, None, 20.0),
        (NAN, NAN, NAN, None, NAN),  # neither: unseen
        (10.0, 20.0, 5.0, None, 5.0),  # a side-less measure: its single value
        (10.0, 20.0, NAN, "left", 10.0),
        (10.0, 20.0, NAN, "right", 20.0),
        (10.0, NAN, NAN, "right", NAN),  # the side asked for is unseen: no guessing
        (10.0, 20.0, 5.0, "right", 5.0),
        (-0.0, NAN, NAN, None, -0.0),  # the sign of a zero kept
        (-0.0, -0.0, NAN, None, -0.0),
    ],
)
def test_one_value_of_a_measure(left, right, center, side, expected):
    assert repr(SidedValue(left, right, center).on(side)) == repr(expected)
    columns = {"left": np.array([left]), "right": np.array([right]), "center": np.array([center])}
    assert repr(float(on_side(columns, side)[0])) == repr(expected)


# ---- side-on: the near side only ---------------------------------------------------------


def test_near_side_only_drops_a_far_side_the_model_is_much_less_sure_of():
    """Side-on, a sided measure is read on the near side only where the model is markedly
    less sure of the far side's landmarks (a limb behind the body, guessed); a far side
    seen about as well (legs apart in a stride) stays, and so does one whose near side
    cannot be measured."""
    computer = MeasureComputer.of(
        {
            "knee": angle("flexion", "hip", "knee", "ankle", space="world"),
            "trunk": angle("segment_vertical", "mid_hip", "mid_shoulder", space="world"),
        }
    )
    pose = make_pose(world_points=BODY)
    left = [lm.value for lm in L if "left" in lm.name.lower().split("_")]
    right = [lm.value for lm in L if "right" in lm.name.lower().split("_")]
    gap = FAR_SIDE_VISIBILITY_GAP
    visibility = np.full((5, NUM_LANDMARKS), 0.95)
    visibility[0, left] = 0.94 - gap  # the right side faces the camera, the left is hidden
    visibility[1, right] = 0.94 - gap  # the other way round
    visibility[2, left] = 0.96 - gap  # the left side nearly as sure as the right: both seen
    visibility[3, left] = 0.6  # the right side faces the camera, but its ankle is hidden
    visibility[3, L.RIGHT_ANKLE] = 0.3
    visibility[4, L.LEFT_KNEE] = 0.9  # front-on, both seen
    frames = len(visibility)
    rows = computer.compute_rows(
        np.repeat(pose.image_px[None], frames, axis=0),
        np.repeat(pose.world_xyz[None], frames, axis=0),
        visibility,
        "side",
    )
    kept = computer.sides(computer.near_side_only(rows, visibility, "side"))
    np.testing.assert_allclose(kept["left"][:, 0], [np.nan, 0.0, 0.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(kept["right"][:, 0], [90.0, np.nan, 90.0, np.nan, 90.0], atol=1e-9)
    np.testing.assert_allclose(kept["center"][:, 1], [45.0] * frames, atol=1e-9)
    # A new array: the rows given are left as they were.
    np.testing.assert_allclose(computer.sides(rows)["left"][:, 0], [0.0] * frames, atol=1e-9)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("exercise_id", LIBRARY.ids())
def test_each_measure_reads_what_it_reads_alone(exercise_id, view):
    """A definition's angles of every type are computed in one call (`AngleForm`), its
    points gathered at once: each measure's values are, bit for bit, those of a computer
    of that measure alone (one type, one function call)."""
    exercise = LIBRARY.get(exercise_id)
    computer = MeasureComputer(exercise)
    image, world, visibility = awkward_frames(30, seed=7 + computer.row_count)
    pixels = image[..., :2] * np.array(FRAME_WH, dtype=np.float64)
    together = computer.sides(computer.compute_rows(pixels, world, visibility, view))
    for j, (name, definition) in enumerate(({**exercise.angles, **exercise.ratios}).items()):
        alone = MeasureComputer.of({name: definition}, exercise.min_visibility)
        own = alone.sides(alone.compute_rows(pixels, world, visibility, view))
        for side in ("left", "right", "center"):
            # repr: exact, NaN-aware, and tells 0.0 from -0.0
            assert repr(together[side][:, j].tolist()) == repr(own[side][:, 0].tolist())


@pytest.mark.parametrize("exercise_id", ["squat", "push_up", "plank"])
def test_an_empty_batch_has_no_rows(exercise_id):
    """No frames in, (0, rows) out, not a reshape error (a recording with no frames)."""
    computer = MeasureComputer(LIBRARY.get(exercise_id))
    empty = computer.compute_rows(
        np.zeros((0, NUM_LANDMARKS, 2)),
        np.zeros((0, NUM_LANDMARKS, 3)),
        np.zeros((0, NUM_LANDMARKS)),
        "side",
    )
    assert empty.shape == (0, computer.row_count)
