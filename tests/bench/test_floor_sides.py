"""Sides of the floor and seated exercises (issue 3, group B) on synthetic motion.

The generic bench runs each row's "both" path; for the exercises counted per leg that is
both legs at once (see rows_floor.py). Here each leg works alone, as a patient does it:

- one leg's good reps are counted on that side only, with no faults, in every view, and a
  mirrored image does not swap the side;
- one leg's partial reps are counted and flagged, motion short of the turn is no rep;
- each rule fires on its fault done with one leg;
- reps of one leg, then the other, are reported left and right;
- the hamstring stretch is timed per leg;
- a bridge set started on the mat: recorded, its first lift is a rep under way and
  counts; live, it arms the counter (a known limit, held by a test).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from coach.engine.measures import MeasureComputer
from coach.engine.view import ViewEstimator
from coach.exercise.loader import ExerciseLibrary
from coach.runtime.session import CoachSession
from tests.bench.framework import (
    RepsRecipe,
    definition,
    depth_reaching,
    fired,
    good_reps,
    run,
    signal,
)
from tests.bench.rows_floor import (
    FLOOR_SIDE,
    FLOOR_SIDE_RIGHT,
    GLUTE_BRIDGE,
    HAMSTRING_STRETCH,
    ONE_LEG_FAULTS,
    REPS,
    SIDE_CAMERAS,
    SIDE_LEG_RAISE,
    SUPINE,
    bridge_path,
    stretch,
)
from tests.support.synthetic import Camera, Motion, Path, RenderOptions, Script, Tempo, render

LIBRARY = ExerciseLibrary()

PERIOD_S = 5.0
ONE_LEG = [
    pytest.param(recipe, view, side, id=f"{recipe.exercise_id}-{view}-{side}")
    for recipe in REPS
    if recipe.exercise_id in SIDE_CAMERAS
    for view in definition(recipe.exercise_id).views
    for side in ("left", "right")
]


def camera_for(recipe: RepsRecipe, view: str, side: str) -> Camera:
    return SIDE_CAMERAS[recipe.exercise_id][view][side]


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def test_every_one_leg_row_has_cameras_for_each_view():
    for recipe in REPS:
        if "left" in recipe.sides:
            views = set(definition(recipe.exercise_id).views)
            assert set(SIDE_CAMERAS[recipe.exercise_id]) == views, recipe.exercise_id


@pytest.mark.parametrize(("recipe", "view", "side"), ONE_LEG)
def test_one_leg_is_counted_on_its_side(recipe: RepsRecipe, view: str, side: str):
    motion = good_reps(recipe, 4, PERIOD_S, side).build()  # type: ignore[arg-type]
    session = run(recipe.exercise_id, motion, camera_for(recipe, view, side))
    assert session.engine.view == view
    assert session.engine.reps_by_side == {side: 4}
    assert session.engine.faults == []


@pytest.mark.parametrize(("recipe", "view", "side"), ONE_LEG)
def test_a_mirrored_image_keeps_the_side(recipe: RepsRecipe, view: str, side: str):
    motion = good_reps(recipe, 4, PERIOD_S, side).build()  # type: ignore[arg-type]
    camera = camera_for(recipe, view, side)
    assert run(recipe.exercise_id, motion, camera, mirrored=True).engine.reps_by_side == {side: 4}
    # Taken as an unmirrored image, the same frames swap the sides: mirroring restores them.
    plain = run(recipe.exercise_id, motion, camera, mirrored=True, session_mirrored=False)
    assert plain.engine.reps_by_side == {other(side): 4}


@cache
def one_leg_curve(exercise_id: str, view: str, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(depths, driver) along one leg's good path, as the engine measures it on that side."""
    recipe = next(r for r in REPS if r.exercise_id == exercise_id)
    path = recipe.paths(side)  # type: ignore[arg-type]
    motion = Script(path.start).hold(1.0).along(path, 1.0, 4.0).build()
    recording = render(motion, camera_for(recipe, view, side), RenderOptions(fps=10.0))
    computer = MeasureComputer(definition(exercise_id))
    views, driver = ViewEstimator(), signal(recipe, view).driver
    values = [
        computer.compute(poses[0], views.update(poses[0]))[driver].on(side)  # type: ignore[arg-type]
        for poses in recording.frames()
    ]
    keep = recording.t_s >= 1.0
    progress = (recording.t_s[keep] - 1.0) / 4.0
    return (1.0 - np.cos(np.pi * progress)) / 2.0, np.array(values)[keep]


def one_leg_reps(recipe: RepsRecipe, side: str, depth: float, path: Path | None = None):
    path = path or recipe.paths(side)  # type: ignore[arg-type]
    return Script(path.start).hold(1.5).reps(3, path, Tempo.period(PERIOD_S), depth).hold(1.0)


@pytest.mark.parametrize(("recipe", "view", "side"), ONE_LEG)
def test_one_leg_partial_reps_are_flagged_and_short_ones_are_no_reps(
    recipe: RepsRecipe, view: str, side: str
):
    chosen = signal(recipe, view)
    start = chosen.start.below if chosen.rising else chosen.start.above
    turn = chosen.turn.above if chosen.rising else chosen.turn.below
    assert start is not None and turn is not None and chosen.target is not None
    depths, values = one_leg_curve(recipe.exercise_id, view, side)
    camera = camera_for(recipe, view, side)
    partial = depth_reaching(depths, values, (turn + chosen.target) / 2)
    session = run(recipe.exercise_id, one_leg_reps(recipe, side, partial).build(), camera)
    assert session.engine.reps_by_side == {side: 3}
    assert all(rep.partial for rep in session.engine.reps)
    assert fired(session) == {"partial_range"}
    short = depth_reaching(depths, values, (start + turn) / 2)
    session = run(recipe.exercise_id, one_leg_reps(recipe, side, short).build(), camera)
    assert session.engine.rep_count == 0


ONE_LEG_FAULT_CASES = [
    pytest.param(exercise_id, rule_id, side, id=f"{exercise_id}-{rule_id}-{side}")
    for exercise_id, rules in ONE_LEG_FAULTS.items()
    for rule_id in rules
    for side in ("left", "right")
]


@pytest.mark.parametrize(("exercise_id", "rule_id", "side"), ONE_LEG_FAULT_CASES)
def test_each_rule_fires_on_one_legs_fault(exercise_id: str, rule_id: str, side: str):
    recipe = next(r for r in REPS if r.exercise_id == exercise_id)
    rule = next(r for r in definition(exercise_id).rules if r.id == rule_id)
    path = ONE_LEG_FAULTS[exercise_id][rule_id](side)
    for view in definition(exercise_id).views:
        if rule.views is not None and view not in rule.views:
            continue
        motion = one_leg_reps(recipe, side, 1.0, path).build()
        session = run(exercise_id, motion, camera_for(recipe, view, side))
        assert session.engine.reps_by_side == {side: 3}, view
        assert fired(session) == {rule_id}, view


def test_every_one_leg_rule_has_a_one_leg_fault():
    """Rows whose "both" moves both legs show each rule again with one leg."""
    for exercise_id, faults in ONE_LEG_FAULTS.items():
        recipe = next(r for r in REPS if r.exercise_id == exercise_id)
        shown = {rule for rule, fault in recipe.faults.items() if getattr(fault, "path", None)}
        assert set(faults) == shown, exercise_id


@pytest.mark.parametrize(
    "exercise_id", ["side_lying_leg_raise", "clamshell", "straight_leg_raise", "heel_slide"]
)
def test_one_leg_then_the_other_is_reported_per_side(exercise_id: str):
    """Four reps with the left leg, then (turned round, or the other leg on top) three with
    the right: reported left and right. The turn is a new recording: the generator has no
    motion for rolling over."""
    recipe = next(r for r in REPS if r.exercise_id == exercise_id)
    view = definition(exercise_id).views[0]
    counts = {}
    for side, n in (("left", 4), ("right", 3)):
        motion = good_reps(recipe, n, PERIOD_S, side).build()  # type: ignore[arg-type]
        counts |= run(exercise_id, motion, camera_for(recipe, view, side)).engine.reps_by_side
    assert counts == {"left": 4, "right": 3}


@pytest.mark.parametrize("view", ["front", "back"])
def test_standing_side_raises_alternating_legs_go_to_each_leg(view: str):
    script = Script(SIDE_LEG_RAISE.paths("left").start).hold(1.5)
    for side in ("left", "right", "left", "right", "left"):
        script.rep(SIDE_LEG_RAISE.paths(side), Tempo.period(4.0))  # type: ignore[arg-type]
    session = run("side_leg_raise", script.hold(1.0).build(), SIDE_LEG_RAISE.cameras[view])
    assert [rep.side for rep in session.engine.reps] == ["left", "right", "left", "right", "left"]
    assert session.engine.faults == []


def test_both_knees_to_the_chest_count_once():
    """Side-on, the far knee is hidden behind the near one: one rep each, on the near leg."""
    recipe = next(r for r in REPS if r.exercise_id == "knee_to_chest")
    session = run("knee_to_chest", good_reps(recipe, 4, PERIOD_S).build(), FLOOR_SIDE)
    assert session.engine.reps_by_side == {"left": 4}


@pytest.mark.parametrize(("side", "camera"), [("left", FLOOR_SIDE), ("right", FLOOR_SIDE_RIGHT)])
def test_the_hamstring_stretch_is_timed_on_the_stretched_leg(side: str, camera: Camera):
    hold = stretch(side)
    motion = (
        Script(SUPINE).hold(2.0).move_to(hold, 0.3).hold(11.7).move_to(SUPINE, 0.3).hold(2.0)
    ).build()
    session = run("hamstring_stretch", motion, camera)
    assert session.engine.hold_by_side[side] == pytest.approx(12.0, abs=0.6)
    assert session.engine.hold_by_side[other(side)] == 0.0
    assert session.engine.faults == []


def test_the_hamstring_stretch_times_each_leg_in_one_session():
    """Left leg 10 s, right leg 8 s, seen from the left: the lifted right leg is in view."""
    script = Script(SUPINE).hold(2.0)
    for side, seconds in (("left", 10.0), ("right", 8.0)):
        script.move_to(stretch(side), 0.3).hold(seconds - 0.3).move_to(SUPINE, 0.3).hold(2.0)
    session = run("hamstring_stretch", script.build(), HAMSTRING_STRETCH.cameras["side"])
    assert session.engine.hold_by_side["left"] == pytest.approx(10.0, abs=0.6)
    assert session.engine.hold_by_side["right"] == pytest.approx(8.0, abs=0.6)


def bridges_from_the_mat(lifts: int) -> Motion:
    path = bridge_path()
    script = Script(path).along(path, 1.0, 0.0).hold(2.0)  # lying on the mat, knees bent
    for _ in range(lifts):
        script.along(path, 0.0, 1.5).hold(2.0).along(path, 1.0, 1.5).hold(1.0)
    return script.build()


def test_a_recorded_bridge_set_started_on_the_mat_counts_every_lift():
    """A rep is counted from the top (hips up -> down -> up), which clips cut with the hips
    up need. A recording that opens with the hips down is a set already under way, so its
    first lift completes a rep too: 5 lifts, 5 bridges."""
    session = run("glute_bridge", bridges_from_the_mat(5), GLUTE_BRIDGE.cameras["side"])
    assert session.engine.rep_count == 5
    assert session.engine.faults == []


def test_a_live_bridge_set_started_on_the_mat_uses_the_first_lift_to_arm():
    """Live, the first movement is getting into position: the first lift arms the counter,
    so 5 lifts count 4. (Known limit of counting on the return to the start phase.)"""
    recording = render(bridges_from_the_mat(5), GLUTE_BRIDGE.cameras["side"], RenderOptions(fps=15))
    session = CoachSession(LIBRARY.get("glute_bridge"))
    for t_s, poses in zip(recording.t_s, recording.frames(), strict=True):
        session.process_poses(poses, float(t_s), recording.frame_wh)
    assert session.engine.rep_count == 4
