"""`CoachSession.run` (the bulk replay) gives exactly what `replay` (the frame step) gives.

Both run the engine's one step: the bulk replay on a recording as one batch, the frame
step on each frame as a batch of one; these tests hold the batching sound. Every recorded
fixture, plain and mirrored, for its exercise and its zero-rep probes, and synthetic
sequences of every definition (reps, holds, dropouts, a bystander) are run both ways and
compared field by field: reps (times, sides, angles, partial flags, faults), all faults,
the movements that stopped short of the turn,
hold times, and per frame the status, the view, the measures shown, whether the start
position is met and whether counting is armed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from coach.exercise.loader import ExerciseLibrary
from coach.runtime.session import CoachSession
from coach.vision.recording import PoseRecording
from tests.bench.framework import FLOOR_FRONT, swaying, turning
from tests.bench.recipes import HOLD_RECIPES, REPS_RECIPES, good_reps
from tests.bench.rows_foundation import PUSH_UP, SQUAT
from tests.conftest import POSE_FIXTURES
from tests.support.synthetic import STANDING, Actor, Dropout, RenderOptions, Script, Tempo, render

LIBRARY = ExerciseLibrary()
CLIPS = json.loads((POSE_FIXTURES / "expected.json").read_text())["clips"]
FIXTURE_RUNS = [
    pytest.param(name, exercise_id, id=f"{name}-{exercise_id}")
    for name, clip in sorted(CLIPS.items())
    for exercise_id in [clip.get("exercise"), *clip.get("zero_rep_probes", [])]
    if exercise_id in LIBRARY
]


def assert_same(exercise_id: str, recording: PoseRecording, mirrored: bool = False) -> None:
    """Both paths on one recording, compared; each on a fresh session."""
    stepped = CoachSession(LIBRARY.get(exercise_id), mirrored=mirrored)
    frames = stepped.replay(recording)
    bulk = CoachSession(LIBRARY.get(exercise_id), mirrored=mirrored)
    run = bulk.run(recording)
    a, b = stepped.engine, bulk.engine
    # Compared by repr: exact (floats print round-trip) and NaN-aware, where == is not (an
    # angle unseen at a rep's turn is NaN on both paths).
    assert repr(b.reps) == repr(a.reps)
    assert repr(b.faults) == repr(a.faults)
    assert b.short_cycles == a.short_cycles
    assert (b.hold_s, b.longest_hold_s, b.hold_by_side) == (
        a.hold_s,
        a.longest_hold_s,
        a.hold_by_side,
    )
    assert run.status == [f.status for f in frames]
    assert run.view == [f.view for f in frames]
    assert run.people == [f.people for f in frames]
    assert run.start_position_met == [f.start_position_met for f in frames]
    assert run.armed == [f.armed for f in frames]
    for name, series in run.series.items():
        expected = np.array([f.measures.get(name, np.nan) for f in frames])
        np.testing.assert_array_equal(series, expected, err_msg=name)


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize(("name", "exercise_id"), FIXTURE_RUNS)
def test_bulk_run_equals_the_frame_step_on_every_recorded_fixture(name, exercise_id, mirrored):
    recording = PoseRecording.load(POSE_FIXTURES / f"{name}.npz")
    assert_same(exercise_id, recording, mirrored)


NOISY = RenderOptions(fps=15.0, image_noise_px=1.0, world_noise_m=0.005, seed=3)


@pytest.mark.parametrize("recipe", REPS_RECIPES, ids=lambda r: r.exercise_id)
def test_bulk_run_equals_the_frame_step_on_synthetic_reps(recipe):
    """Good reps, then shallow ones, in the definition's first view, with a dropout."""
    path = recipe.paths(recipe.sides[0])
    motion = (
        Script(path.start)
        .hold(1.5)
        .reps(3, path, Tempo.period(2.5))
        .reps(2, path, Tempo.period(2.0), depth=0.6)
        .hold(1.0)
        .build()
    )
    view = LIBRARY.get(recipe.exercise_id).views[0]
    lost = Dropout(("left_knee", "right_knee", "left_elbow", "right_elbow"), 4.0, 4.6)
    options = RenderOptions(
        fps=NOISY.fps, image_noise_px=1.0, world_noise_m=0.005, seed=3, dropouts=(lost,)
    )
    assert_same(recipe.exercise_id, render(motion, recipe.cameras[view], options))


@pytest.mark.parametrize("recipe", HOLD_RECIPES, ids=lambda r: r.exercise_id)
def test_bulk_run_equals_the_frame_step_on_synthetic_holds(recipe):
    """Rest, hold, a break, hold again, rest."""
    broken = next(iter(recipe.breaks.values()), recipe.rest)
    motion = (
        Script(recipe.rest)
        .hold(2.0)
        .move_to(recipe.hold, 0.3)
        .hold(5.0)
        .move_to(broken, 0.3)
        .hold(1.5)
        .move_to(recipe.hold, 0.3)
        .hold(4.0)
        .move_to(recipe.rest, 0.3)
        .hold(1.0)
        .build()
    )
    view = LIBRARY.get(recipe.exercise_id).views[0]
    assert_same(recipe.exercise_id, render(motion, recipe.cameras[view], NOISY))


def test_bulk_run_equals_the_frame_step_with_a_bystander_and_mirroring():
    patient = Actor(good_reps(SQUAT, 4, 3.0).build())
    walker = Script(STANDING).walk_in(6.0, 6.0, turn_deg=90.0).build()
    bystander = Actor(walker, x_m=-3.0, z_m=-1.0, enter_s=3.0, leave_s=9.0)
    recording = render([patient, bystander], SQUAT.cameras["front"], NOISY)
    assert recording.people.max() == 2
    assert_same("squat", recording)
    assert_same("squat", recording, mirrored=True)


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize(
    "sway",
    [
        pytest.param(swaying(30.0), id="swaying-at-30"),
        pytest.param(swaying(30.0, 12.0), id="swaying-past-the-margin"),
        pytest.param(turning(0.0, 90.0, 5.0), id="turning-mid-rep"),
        pytest.param(turning(90.0, 180.0, 4.0, 2.0), id="turning-away"),
    ],
)
def test_bulk_run_equals_the_frame_step_with_a_moving_view(sway, mirrored):
    """The sticky view (its hysteresis and switch timer) steps the same both ways, also when
    it switches the push-up's signal in the middle of a rep."""
    motion = good_reps(PUSH_UP, 5, 2.5).build()
    recording = render(Actor(motion, sway_deg=sway), FLOOR_FRONT, NOISY)
    assert_same("push_up", recording, mirrored)
