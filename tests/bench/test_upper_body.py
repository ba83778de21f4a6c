"""The trunk and upper-body group on synthetic motion, beyond the shared bench: sides
counted apart (one arm or both in the raises, alternating legs in the bird dog, a side plank
on each side), a mirrored image that keeps them, and shrugging, which the generator cannot
move (it has no shoulder elevation): the shoulder and arm landmarks of a rendered raise are
lifted instead, as a patient hitching the shoulder towards the ear would move them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coach.core.landmarks import Landmark
from coach.exercise.loader import ExerciseLibrary
from coach.runtime.session import CoachSession
from coach.vision.recording import PoseRecording
from tests.bench.framework import RepsRecipe, WorkingSide, good_reps
from tests.bench.rows_upper import (
    BIRD_DOG,
    FRONT_RAISE,
    LATERAL_RAISE,
    SIDE_PLANK,
    side_plank,
)
from tests.support.synthetic import Camera, Motion, RenderOptions, Script, Tempo, render

LIBRARY = ExerciseLibrary()
FPS = 15.0
OTHER = {"left": "right", "right": "left"}


def run(
    exercise_id: str,
    motion: Motion,
    camera: Camera,
    *,
    mirrored: bool = False,
    session_mirrored: bool | None = None,
    shrug_m: float = 0.0,
) -> CoachSession:
    """Render with a little noise (lifting the shoulders `shrug_m` as the arms rise) and
    replay through a coach session; a mirrored image is watched mirrored unless told not."""
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005, mirrored=mirrored)
    recording = render(motion, camera, options)
    if shrug_m:
        recording = shrugged(recording, shrug_m)
    session = CoachSession(
        LIBRARY.get(exercise_id),
        mirrored=mirrored if session_mirrored is None else session_mirrored,
    )
    session.replay(recording)
    return session


def side_camera(nearest: str, height_m: float = 1.0, distance_m: float = 3.0) -> Camera:
    """Side-on with the `nearest` side towards the camera."""
    return Camera(
        yaw_deg=90.0 if nearest == "left" else -90.0, distance_m=distance_m, height_m=height_m
    )


# ---- arm raises: one arm, both arms, alternating arms ------------------------------------------

RAISE_VIEWS = [
    pytest.param(LATERAL_RAISE, "front", id="lateral_raise-front"),
    pytest.param(LATERAL_RAISE, "back", id="lateral_raise-back"),
    pytest.param(FRONT_RAISE, "side", id="front_raise-side"),
    pytest.param(FRONT_RAISE, "front", id="front_raise-front"),
]


def raise_camera(recipe: RepsRecipe, view: str, side: str) -> Camera:
    return side_camera(side) if view == "side" else recipe.cameras[view]


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize(("recipe", "view"), RAISE_VIEWS)
def test_one_arm_is_counted_on_its_side(recipe: RepsRecipe, view: str, side: WorkingSide):
    motion = good_reps(recipe, 4, 3.0, side).build()
    session = run(recipe.exercise_id, motion, raise_camera(recipe, view, side))
    assert session.engine.reps_by_side == {side: 4}
    assert session.engine.faults == []


@pytest.mark.parametrize(("recipe", "view"), [p for p in RAISE_VIEWS if p.values[1] != "side"])
def test_both_arms_together_count_once_as_both(recipe: RepsRecipe, view: str):
    session = run(recipe.exercise_id, good_reps(recipe, 4, 3.0).build(), recipe.cameras[view])
    assert session.engine.reps_by_side == {"both": 4}


def alternating_arms(recipe: RepsRecipe, n_each: int) -> Motion:
    script = Script(recipe.start).hold(1.5)
    for _ in range(n_each):
        for side in ("left", "right"):
            script.rep(recipe.paths(side), Tempo.period(3.0))  # type: ignore[arg-type]
    return script.hold(1.0).build()


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize("recipe", [LATERAL_RAISE, FRONT_RAISE], ids=lambda r: r.exercise_id)
def test_alternating_arms_count_each_side(recipe: RepsRecipe, mirrored: bool):
    motion = alternating_arms(recipe, 3)
    session = run(recipe.exercise_id, motion, recipe.cameras["front"], mirrored=mirrored)
    assert [rep.side for rep in session.engine.reps] == ["left", "right"] * 3


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize(("recipe", "view"), RAISE_VIEWS)
def test_a_mirrored_image_does_not_swap_the_arms(recipe: RepsRecipe, view: str, side: WorkingSide):
    motion = good_reps(recipe, 3, 3.0, side).build()
    camera = raise_camera(recipe, view, side)
    assert run(recipe.exercise_id, motion, camera, mirrored=True).engine.reps_by_side == {side: 3}
    # Taken as unmirrored, the same image swaps them: the mirroring is what puts them back.
    plain = run(recipe.exercise_id, motion, camera, mirrored=True, session_mirrored=False)
    assert plain.engine.reps_by_side == {OTHER[side]: 3}


# ---- bird dog: alternating legs ------------------------------------------------------------------


def alternating_bird_dog(order: tuple[str, ...]) -> Motion:
    script = Script(BIRD_DOG.start).hold(1.5)
    for side in order:
        script.rep(BIRD_DOG.paths(side), Tempo(down_s=1.5, hold_s=2.0, rest_s=1.0))  # type: ignore[arg-type]
    return script.hold(1.0).build()


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize("nearest", ["left", "right"])
def test_bird_dog_gives_each_rep_to_the_leg_stretched_out(nearest: str, mirrored: bool):
    """Side-on, the far leg is hidden behind the near one on all fours; both legs' reps are
    counted, each on its own side, whichever side faces the camera."""
    order = ("left", "right", "left", "right", "right", "left")
    camera = side_camera(nearest, height_m=0.4, distance_m=2.5)
    session = run("bird_dog", alternating_bird_dog(order), camera, mirrored=mirrored)
    assert [rep.side for rep in session.engine.reps] == list(order)
    assert session.engine.reps_by_side == {"left": 3, "right": 3}
    assert session.engine.faults == []


def test_bird_dog_taken_unmirrored_swaps_the_legs():
    order = ("left", "left", "right")
    camera = side_camera("left", height_m=0.4, distance_m=2.5)
    session = run(
        "bird_dog", alternating_bird_dog(order), camera, mirrored=True, session_mirrored=False
    )
    assert [rep.side for rep in session.engine.reps] == ["right", "right", "left"]


# ---- side plank: each side timed -----------------------------------------------------------------


def side_planks(left_s: float, right_s: float) -> Motion:
    """Left side plank, rest, roll over and a right side plank (both facing the camera).
    Each lasts its seconds from the start of a quick way in: `seconds - transition_s` in
    position."""
    step = SIDE_PLANK.transition_s
    rest_right = side_plank("right", hips_down_deg=55.0)
    return (
        Script(SIDE_PLANK.rest)
        .hold(2.0)
        .move_to(side_plank("left"), step)
        .hold(left_s - step)
        .move_to(SIDE_PLANK.rest, step)
        .hold(2.0)
        .move_to(rest_right, 1.0)
        .hold(1.0)
        .move_to(side_plank("right"), step)
        .hold(right_s - step)
        .move_to(rest_right, step)
        .hold(2.0)
        .build()
    )


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_side_plank_times_each_side(mirrored: bool):
    camera = SIDE_PLANK.cameras["front"]
    session = run("side_plank", side_planks(12.0, 7.0), camera, mirrored=mirrored)
    by_side = session.engine.hold_by_side
    step = SIDE_PLANK.transition_s
    assert by_side["left"] == pytest.approx(12.0 - step, abs=0.5)
    assert by_side["right"] == pytest.approx(7.0 - step, abs=0.5)
    assert session.engine.faults == []


def test_side_plank_taken_unmirrored_swaps_the_sides():
    camera = SIDE_PLANK.cameras["front"]
    session = run(
        "side_plank", side_planks(12.0, 7.0), camera, mirrored=True, session_mirrored=False
    )
    assert session.engine.hold_by_side["right"] == pytest.approx(
        12.0 - SIDE_PLANK.transition_s, abs=0.5
    )


# ---- shrugging ---------------------------------------------------------------------------------

ARM_PARTS = ("shoulder", "elbow", "wrist", "pinky", "index", "thumb")


def shrugged(
    recording: PoseRecording, lift_m: float, held_from_s: float | None = None
) -> PoseRecording:
    """The same recording with each shoulder girdle raised towards the ear by up to
    `lift_m` (the arm rides up with it), in proportion to how far that arm is raised (its
    wrist from lowest to highest); with `held_from_s`, raised fully from then on (over a
    third of a second) and held there, arm up or down."""
    image, world = recording.image_xyz.copy(), recording.world_xyz.copy()
    for side in ("left", "right"):
        arm = [Landmark[f"{side}_{part}".upper()].value for part in ARM_PARTS]
        shoulder, hip = arm[0], Landmark[f"{side}_hip".upper()].value
        wrist_y = world[:, 0, arm[2], 1]  # y down
        span = wrist_y.max() - wrist_y.min()
        if span < 0.1:  # this arm stays down
            continue
        lift = lift_m * np.clip((wrist_y.max() - wrist_y) / span, 0.0, 1.0)
        if held_from_s is not None:
            lift = lift_m * np.clip((recording.t_s - held_from_s) / 0.33, 0.0, 1.0)
        pixels_per_m = (image[:, 0, hip, 1] - image[:, 0, shoulder, 1]) / (
            world[:, 0, hip, 1] - world[:, 0, shoulder, 1]
        )
        world[:, 0, arm, 1] -= lift[:, None]
        image[:, 0, arm, 1] -= (lift * pixels_per_m)[:, None]
    return dataclasses.replace(recording, image_xyz=image, world_xyz=world)


SHRUG_CASES = [
    pytest.param(LATERAL_RAISE, "front", id="lateral_raise-front"),
    pytest.param(LATERAL_RAISE, "back", id="lateral_raise-back"),
    pytest.param(FRONT_RAISE, "side", id="front_raise-side"),
    pytest.param(FRONT_RAISE, "front", id="front_raise-front"),
]


@pytest.mark.parametrize(("recipe", "view"), SHRUG_CASES)
def test_shrugging_fires_on_a_shoulder_hitched_towards_the_ear(recipe: RepsRecipe, view: str):
    """9 cm of shoulder elevation at the top of each rep: cued on every rep, nothing else."""
    motion = good_reps(recipe, 3, 3.0).build()
    session = run(recipe.exercise_id, motion, recipe.cameras[view], shrug_m=0.09)
    assert session.engine.rep_count == 3
    assert {fault.rule_id for fault in session.engine.faults} == {"shrugging"}
    for rep in session.engine.reps:
        assert [f.rule_id for f in rep.faults] == ["shrugging"]


@pytest.mark.parametrize(("recipe", "view"), SHRUG_CASES)
def test_the_shoulder_blade_rising_with_the_arm_is_not_a_shrug(recipe: RepsRecipe, view: str):
    """The 3-4 cm the shoulder rises by itself as the arm comes up to shoulder height."""
    motion = good_reps(recipe, 3, 3.0).build()
    session = run(recipe.exercise_id, motion, recipe.cameras[view], shrug_m=0.035)
    assert session.engine.rep_count == 3
    assert session.engine.faults == []


@pytest.mark.parametrize(("recipe", "view"), SHRUG_CASES)
def test_a_shrug_held_through_the_set_is_judged_against_the_start_position(
    recipe: RepsRecipe, view: str
):
    """The shoulders hitched 9 cm after the start position was seen and kept up through
    every rep: no rep's own range shows it, the start position does, on every rep."""
    motion = good_reps(recipe, 3, 3.0).build()
    recording = render(motion, recipe.cameras[view], RenderOptions(fps=FPS, image_noise_px=1.0))
    session = CoachSession(LIBRARY.get(recipe.exercise_id))
    session.replay(shrugged(recording, 0.09, held_from_s=1.0))
    assert session.engine.rep_count == 3
    for rep in session.engine.reps:
        assert [f.rule_id for f in rep.faults] == ["shrugging"]
