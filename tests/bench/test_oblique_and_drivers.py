"""Every signal the camera gives (issue 19, part 3), on synthetic sequences.

- Oblique cameras: every counted exercise, its good reps filmed 30, 45 and 60 degrees
  round from each view it lists towards the next one, counts exactly.
- The issue's push-ups filmed obliquely: the shoulder-to-hand distance (the driver) never
  reaches its turn threshold while the elbow swings between about 32 and 80 degrees; with
  the elbow as a second driver all eight count.
- A definition with thresholds of its own for `oblique` (`reps.by_view.oblique`), watched
  by a patient swaying across the front / oblique boundary: the sticky view keeps one
  signal and no rep is lost.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from coach.engine.measures import MeasureComputer
from coach.engine.results import EngineRun
from coach.engine.thresholds import Prescription
from coach.engine.view import ViewEstimator
from coach.exercise.schema import DriversDef, ExerciseDef, PhaseDef
from coach.runtime.session import CoachSession
from tests.bench.framework import FPS, definition, depth_reaching, good_reps, run, swaying
from tests.bench.recipes import REPS_RECIPES, RepsRecipe
from tests.bench.rows_foundation import PUSH_UP, push_up_path
from tests.support.synthetic import Actor, Camera, Path, RenderOptions, Script, Tempo, render

OBLIQUE_DEG = (30.0, 45.0, 60.0)


def oblique_camera(recipe: RepsRecipe, view: str, degrees: float) -> Camera:
    """The recipe's camera for `view`, moved round the patient: `degrees` from square on
    (front or back) towards side-on, or for a side camera `degrees` from square on too,
    i.e. 90 - `degrees` round from side-on towards the front."""
    base = recipe.cameras[view]
    if view == "side":
        towards_front = 90.0 - degrees
        yaw = base.yaw_deg - towards_front if base.yaw_deg > 0 else base.yaw_deg + towards_front
    elif view == "back":
        yaw = base.yaw_deg - degrees
    else:
        yaw = base.yaw_deg + degrees
    return Camera(yaw, base.distance_m, base.height_m, base.tilt_deg)


# Known misses, with why: (exercise, view, degrees) -> reason.
OBLIQUE_GAPS = {
    ("step_up", "front", 30.0): "about 30 degrees round, the leg stepping up hides the other "
    "knee (in the generator) for the whole step: the knee-line tilt, the only driver, is "
    "unseen during each rep (it counts again from 40 degrees, and from the front)",
}
OBLIQUE_CASES = [
    pytest.param(
        recipe,
        view,
        degrees,
        id=f"{recipe.exercise_id}-{view}-{degrees:g}",
        marks=pytest.mark.xfail(strict=True, reason=OBLIQUE_GAPS[key])
        if (key := (recipe.exercise_id, view, degrees)) in OBLIQUE_GAPS
        else (),
    )
    for recipe in REPS_RECIPES
    for view in definition(recipe.exercise_id).views
    for degrees in OBLIQUE_DEG
]


@pytest.mark.parametrize(("recipe", "view", "degrees"), OBLIQUE_CASES)
def test_good_reps_filmed_at_an_angle_count_exactly(recipe: RepsRecipe, view: str, degrees: float):
    session = run(
        recipe.exercise_id,
        good_reps(recipe, 5, 3.0).build(),
        oblique_camera(recipe, view, degrees),
    )
    assert session.engine.rep_count == 5


# ---- the oblique push-ups ------------------------------------------------------------

OBLIQUE_FLOOR = Camera(yaw_deg=45.0, distance_m=2.5, height_m=0.4)
FLOOR_SQUARE_ON = Camera(yaw_deg=0.0, distance_m=2.5, height_m=0.4)  # swayed round below


@cache
def elbow_along_the_push_up() -> tuple[np.ndarray, np.ndarray]:
    """(depths, elbow flexion) along the good push-up, measured as the engine does from
    the oblique camera (world landmarks), without noise."""
    path = push_up_path()
    motion = Script(path.start).hold(1.0).along(path, 1.0, 4.0).build()
    recording = render(motion, OBLIQUE_FLOOR, RenderOptions(fps=10.0))
    computer, views = MeasureComputer(definition("push_up")), ViewEstimator()
    values = [
        computer.compute(poses[0], views.update(poses[0]))["elbow_flexion"].combined
        for poses in recording.frames()
    ]
    keep = recording.t_s >= 1.0
    depths = (1.0 - np.cos(np.pi * (recording.t_s[keep] - 1.0) / 4.0)) / 2.0
    assert views.current == "oblique"
    return depths, np.array(values)[keep]


def shallow_push_up(top_deg: float, bottom_deg: float) -> Path:
    """The good push-up between the depths where the elbow reads `top_deg` (never quite
    straight) and `bottom_deg` (a shallow bottom)."""
    depths, elbow = elbow_along_the_push_up()
    top, bottom = (depth_reaching(depths, elbow, v) for v in (top_deg, bottom_deg))
    full = push_up_path()
    return Path(np.linspace(0, 1, 21), full(np.linspace(top, bottom, 21)))


def without_other_drivers(exercise: ExerciseDef) -> ExerciseDef:
    assert exercise.reps is not None
    return exercise.model_copy(
        update={"reps": exercise.reps.model_copy(update={"other_drivers": []})}
    )


def replay(exercise: ExerciseDef, motion: Script, camera: Camera) -> tuple[CoachSession, EngineRun]:
    """Render with a little noise and replay in bulk: the session, and its run."""
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005)
    session = CoachSession(exercise)
    return session, session.run(render(motion.build(), camera, options))


def test_oblique_push_ups_where_the_hands_barely_near_the_shoulders_all_count():
    """8 push-ups from 45 degrees, the elbow between 32 and 80 degrees: the hand reach
    stays above its turn threshold throughout, so on it alone nothing counted; the
    elbow, the push-up's second driver, counts all eight."""
    path = shallow_push_up(32.0, 80.0)
    motion = Script(path.start).hold(1.5).reps(8, path, Tempo.period(3.0)).hold(1.0)
    exercise = definition("push_up")
    session, ran = replay(exercise, motion, OBLIQUE_FLOOR)
    engine = session.engine
    assert engine.view == "oblique"
    assert engine.rep_count == 8
    reach = exercise.reps.signal_of("hand_reach")  # type: ignore[union-attr]
    assert reach.turn.below is not None
    assert np.nanmin(ran.series["hand_reach"]) > reach.turn.below
    for rep in engine.reps:
        elbow = rep.angles["elbow_flexion"]
        assert elbow.min_deg == pytest.approx(32.0, abs=6.0)
        assert elbow.max_deg == pytest.approx(80.0, abs=6.0)
        assert rep.partial  # short of the elbow's target (90): counted and flagged
    alone, _ = replay(without_other_drivers(exercise), motion, OBLIQUE_FLOOR)
    assert alone.engine.rep_count == 0


def test_a_plan_on_the_second_driver_moves_its_thresholds():
    """Push-ups from 45 degrees with the elbow between 25 and 62 degrees: short of the
    elbow's turn (70), so nothing counts on the library's thresholds; a plan on the
    elbow (a rep counts from 50, full at 58) moves the elbow's thresholds, not the hand
    reach's, and every rep counts, full, on the elbow, its gauge on the plan's numbers."""
    path = shallow_push_up(25.0, 62.0)
    motion = Script(path.start).hold(1.5).reps(4, path, Tempo.period(3.0)).hold(1.0)
    recording = render(
        motion.build(), OBLIQUE_FLOOR, RenderOptions(fps=FPS, image_noise_px=1.0, seed=0)
    )
    library = CoachSession(definition("push_up"))
    library.replay(recording)
    assert library.engine.rep_count == 0
    plan = Prescription("elbow_flexion", target=58.0, counts_from=50.0)
    session = CoachSession(definition("push_up"), prescription=plan)
    results = session.replay(recording)
    engine = session.engine
    assert engine.rep_count == 4
    assert not any(rep.partial for rep in engine.reps)
    last = results[-1]
    assert last.driver == "elbow_flexion"
    assert last.driver_thresholds is not None
    assert (last.driver_thresholds.turn, last.driver_thresholds.target) == (50.0, 58.0)
    assert last.driver_thresholds.prescribed
    assert last.thresholds is not None and last.thresholds.driver == "hand_reach"
    assert not last.thresholds.prescribed  # the hand reach's only note: its own-rest scaling
    assert all("own rest" in note for note in last.thresholds.notes)


def test_the_same_shallow_push_ups_side_on_count_on_the_elbow_too():
    path = shallow_push_up(32.0, 80.0)
    motion = Script(path.start).hold(1.5).reps(5, path, Tempo.period(3.0)).hold(1.0)
    session, _ = replay(definition("push_up"), motion, PUSH_UP.cameras["side"])
    assert session.engine.rep_count == 5


# ---- a definition with oblique thresholds, the view swaying ----------------------------------


def with_oblique_thresholds(exercise_id: str, signal: DriversDef) -> ExerciseDef:
    exercise = definition(exercise_id)
    assert exercise.reps is not None
    by_view = {**exercise.reps.by_view, "oblique": signal}
    reps = exercise.reps.model_copy(update={"by_view": by_view})
    return exercise.model_copy(update={"reps": reps})


# The push-up counted on the elbow alone when oblique, with thresholds of its own.
OBLIQUE_ELBOW = DriversDef(
    driver="elbow_flexion",
    start=PhaseDef(name="arms straight", below=45),
    turn=PhaseDef(name="bottom", above=75),
    min_range=30,
)


@pytest.mark.parametrize("center_deg", [28.0, 30.0, 32.0, 53.0, 55.0, 57.0])
def test_a_view_swaying_across_an_oblique_boundary_counts_every_rep(center_deg: float):
    """A patient about 30 degrees (front / oblique) or 55 degrees (oblique / side) round,
    shifting +-5 degrees, the push-up counting on a different signal in each view: one
    view is kept, every rep counts."""
    exercise = with_oblique_thresholds("push_up", OBLIQUE_ELBOW)
    motion = good_reps(PUSH_UP, 6, 3.0).build()
    sway = swaying(center_deg)
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005)
    recording = render(Actor(motion, sway_deg=sway), FLOOR_SQUARE_ON, options)
    session = CoachSession(exercise)
    views = session.run(recording).view
    assert session.engine.rep_count == 6
    assert len(set(views[round(FPS) :])) == 1  # after the first window: no flicker


def test_the_oblique_thresholds_are_the_ones_counted_on():
    """Push-ups to an elbow bend of 72 degrees, from 45 degrees: past the default elbow
    turn (70), short of the oblique one (75): none count with the oblique thresholds."""
    path = shallow_push_up(30.0, 72.0)
    motion = Script(path.start).hold(1.5).reps(4, path, Tempo.period(3.0)).hold(1.0)
    shipped, _ = replay(definition("push_up"), motion, OBLIQUE_FLOOR)
    own, _ = replay(with_oblique_thresholds("push_up", OBLIQUE_ELBOW), motion, OBLIQUE_FLOOR)
    assert shipped.engine.rep_count == 4
    assert own.engine.rep_count == 0
