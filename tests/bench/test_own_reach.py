"""The push-up's hand reach on the patient's own reach (`rest = 1.0` in push_up.toml).

The generator's body reads a straight-arm reach of about 1.15 trunk lengths side-on, as
real patients read 1.07-1.17: longer arms for the trunk than the definition's numbers were
written for. Shallow push-ups that shorten that reach by a third (to 0.77) pass the turn
scaled to it (0.7 x 1.15) but not the definition's 0.7: they count, partial; on absolute
thresholds they would not. A movement short of the scaled turn still does not count.
The generator bends its elbows more for the same reach than the patients of the shared
clips (about 99 degrees at 0.77), so the elbow driver is left out: these are counted on
the hand reach alone.
"""

from __future__ import annotations

from coach.engine.thresholds import library_thresholds
from coach.exercise.schema import ExerciseDef
from coach.runtime.session import CoachSession
from tests.bench.framework import FPS, definition
from tests.bench.recipes import depth_for, driver_curve, on_body_rest
from tests.bench.rows_foundation import PUSH_UP
from tests.support.synthetic import RenderOptions, Script, Tempo, render

SIDE = PUSH_UP.cameras["side"]


def on_hand_reach(*, own_reach: bool = True) -> ExerciseDef:
    """The push-up counted on its hand reach alone (side-on), on the patient's own reach
    or (`own_reach` False) on the definition's absolute numbers."""
    exercise = definition("push_up")
    assert exercise.reps is not None
    update: dict[str, object] = {"other_drivers": []}
    if not own_reach:
        update["rest"] = None
    reps = exercise.reps.model_copy(update=update)
    return exercise.model_copy(update={"reps": reps})


def push_ups_to(reach: float, n: int = 4) -> Script:
    depth = depth_for(PUSH_UP, "side", reach, driver="hand_reach")
    path = PUSH_UP.paths("both")
    return Script(path.start).hold(1.5).reps(n, path, Tempo.period(3.0), depth).hold(1.0)


def counted(exercise: ExerciseDef, motion: Script) -> CoachSession:
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005, seed=0)
    session = CoachSession(exercise)
    session.run(render(motion.build(), SIDE, options))
    return session


def test_the_body_reads_a_reach_longer_than_the_definitions():
    _, reach = driver_curve("push_up", "side", "both", "hand_reach")
    assert reach[0] > 1.1


def test_a_third_of_the_own_reach_counts_partial_and_not_on_absolute_thresholds():
    motion = push_ups_to(0.77)
    session = counted(on_hand_reach(), motion)
    assert session.engine.rep_count == 4
    assert all(rep.partial for rep in session.engine.reps)
    assert counted(on_hand_reach(own_reach=False), motion).engine.rep_count == 0


def test_short_of_the_scaled_turn_is_no_rep():
    reps = definition("push_up").reps
    assert reps is not None
    scaled = library_thresholds(on_body_rest(PUSH_UP, "side", reps))
    assert scaled.turn > 0.7  # scaled to the body's reach
    halfway = (scaled.start + scaled.turn) / 2
    assert counted(on_hand_reach(), push_ups_to(halfway)).engine.rep_count == 0
