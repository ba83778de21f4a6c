"""`MeasureComputer.compute` (one frame, plain floats) against `compute_rows` (many frames,
vectorised): the frame step and the bulk replay must read the same angles, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose
from coach.engine.measures import MeasureComputer, SidedValue, on_side
from coach.exercise.loader import ExerciseLibrary

LIBRARY = ExerciseLibrary()
VIEWS = [None, "front", "back", "side", "oblique"]
FRAME_WH = (640, 480)


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


def computers() -> list:
    return [
        pytest.param(MeasureComputer(LIBRARY.get(exercise_id)), id=exercise_id)
        for exercise_id in LIBRARY.ids()
    ]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("computer", computers())
def test_one_frame_reads_exactly_what_many_frames_read(computer, view):
    image, world, visibility = awkward_frames(120, seed=len(computer.names_rows))
    pixels = image[..., :2] * np.array(FRAME_WH, dtype=np.float64)
    bulk = computer.sided_columns(computer.compute_rows(pixels, world, visibility, view))
    for i in range(len(image)):
        pose = Pose(image[i], world[i], visibility[i], 0.0, FRAME_WH)
        one = computer.compute(pose, view)
        for name, value in one.items():
            for side in ("left", "right", "center"):
                # repr: exact, NaN-aware, and tells 0.0 from -0.0
                assert repr(getattr(value, side)) == repr(float(bulk[name][side][i])), (
                    name, side, i
                )


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
        (-0.0, NAN, NAN, None, -0.0),  # the sign of a zero kept, as on_side keeps it
        (-0.0, -0.0, NAN, None, -0.0),
    ],
)
def test_one_value_of_a_measure_as_the_columns_give_it(left, right, center, side, expected):
    value = SidedValue(left, right, center)
    columns = {"left": np.array([left]), "right": np.array([right]), "center": np.array([center])}
    assert repr(value.on(side)) == repr(expected)
    assert repr(float(on_side(columns, side)[0])) == repr(expected)
