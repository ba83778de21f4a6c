"""Sides of the unilateral lower-body exercises on synthetic motion: alternating lunges and
step-ups give each rep to the leg that did it, single-leg stance is timed per standing
leg, and a mirrored webcam image swaps none of them."""

from __future__ import annotations

import pytest

from tests.bench.framework import definition, run
from tests.bench.rows_lower import (
    LUNGE,
    SINGLE_LEG_STANCE,
    STEP_UP,
    climb_on_and_off,
    lunge_path,
    on_one_leg,
    step_up_path,
)
from tests.support.synthetic import STANDING, Script, Tempo

OTHER = {"left": "right", "right": "left"}


def alternating_lunges(first: str, n: int) -> Script:
    script = Script(STANDING).hold(1.5)
    side = first
    for _ in range(n):
        script.rep(lunge_path(side), Tempo.period(4.0))  # type: ignore[arg-type]
        side = OTHER[side]
    return script.hold(1.0)


@pytest.mark.parametrize("view", ["side", "front"])
@pytest.mark.parametrize("first", ["left", "right"])
def test_alternating_lunges_go_to_the_leg_that_stepped_forward(view: str, first: str):
    session = run("lunge", alternating_lunges(first, 5).build(), LUNGE.cameras[view])
    second = OTHER[first]
    assert [rep.side for rep in session.engine.reps] == [first, second, first, second, first]
    assert session.engine.faults == []


@pytest.mark.parametrize("view", ["side", "front"])
def test_a_mirrored_image_of_lunges_keeps_the_sides(view: str):
    motion = alternating_lunges("left", 4).build()
    camera = LUNGE.cameras[view]
    assert run("lunge", motion, camera, mirrored=True).engine.reps_by_side == {
        "left": 2,
        "right": 2,
    }
    # Taken as an unmirrored image, the same frames swap the legs: mirroring puts them back.
    plain = run("lunge", motion, camera, mirrored=True, session_mirrored=False)
    assert [rep.side for rep in plain.engine.reps] == ["right", "left", "right", "left"]


def step_ups_on_each_leg(n: int, first: str = "left") -> Script:
    """n step-ups on one leg, then, standing on the step, n lowering the other foot."""
    first_path, second_path = step_up_path(first), step_up_path(OTHER[first])  # type: ignore[arg-type]
    script = Script(first_path).hold(1.5).reps(n, first_path, Tempo.period(4.0))
    # Standing tall on the step looks the same whichever leg works next.
    script.move_to(second_path.start, 0.5).hold(1.0)
    return script.reps(n, second_path, Tempo.period(4.0)).hold(1.0)


@pytest.mark.parametrize("first", ["left", "right"])
@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_step_ups_are_counted_on_the_leg_on_the_step(first: str, mirrored: bool):
    session = run(
        "step_up",
        step_ups_on_each_leg(4, first).build(),
        STEP_UP.cameras["front"],
        mirrored=mirrored,
    )
    assert [rep.side for rep in session.engine.reps] == [first] * 4 + [OTHER[first]] * 4
    assert session.engine.faults == []


def test_the_first_step_up_from_the_floor_counts():
    path = step_up_path("left")
    script = Script(STANDING).hold(1.5).move_to(path.end, 1.5).move_to(path.start, 1.5)
    session = run(
        "step_up",
        script.reps(3, path, Tempo.period(4.0)).hold(1.5).build(),
        STEP_UP.cameras["front"],
    )
    assert session.engine.reps_by_side == {"left": 4}


def test_stepping_off_the_step_is_not_a_rep():
    """Stepping off bends and straightens the working knee as a rep does; the feet ending
    lower, not back up on the step, tell it apart (`reps.climbs`), and it is kept as a
    movement that did not count, with why."""
    session = run("step_up", climb_on_and_off(4).build(), STEP_UP.cameras["front"])
    assert session.engine.rep_count == 4
    assert [miss.reason for miss in session.engine.missed] == ["came_down"]


def test_without_climbs_stepping_off_counts_as_a_rep():
    """The same sequence on the definition without `reps.climbs` counts the exit: the
    feet's height is what tells it apart, nothing else."""
    exercise = definition("step_up")
    assert exercise.reps is not None
    reps = exercise.reps.model_copy(update={"climbs": None})
    plain = exercise.model_copy(update={"reps": reps})
    session = run(plain, climb_on_and_off(4).build(), STEP_UP.cameras["front"])
    assert session.engine.rep_count == 5


def stance_on_each_leg() -> Script:
    """5.6 s on the left leg (right foot lifted), then 2.6 s on the right, each after a
    0.4 s lift of the other foot (not timed: getting into position)."""
    return (
        Script(STANDING)
        .hold(2.0)
        .move_to(on_one_leg("left"), 0.4)
        .hold(5.6)
        .move_to(STANDING, 0.4)
        .hold(2.0)
        .move_to(on_one_leg("right"), 0.4)
        .hold(2.6)
        .move_to(STANDING, 0.4)
        .hold(2.0)
    )


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_single_leg_stance_is_timed_per_standing_leg(mirrored: bool):
    camera = SINGLE_LEG_STANCE.cameras["front"]
    session = run("single_leg_stance", stance_on_each_leg().build(), camera, mirrored=mirrored)
    by_side = session.engine.hold_by_side
    assert by_side["left"] == pytest.approx(5.6, abs=0.5)
    assert by_side["right"] == pytest.approx(2.6, abs=0.5)
    assert session.engine.faults == []


def test_single_leg_stance_taken_as_unmirrored_swaps_the_legs():
    """The mirrored frames read as a plain image: the legs swap, so the mirroring in the
    session is what keeps them right."""
    camera = SINGLE_LEG_STANCE.cameras["front"]
    session = run(
        "single_leg_stance",
        stance_on_each_leg().build(),
        camera,
        mirrored=True,
        session_mirrored=False,
    )
    assert session.engine.hold_by_side["right"] == pytest.approx(5.6, abs=0.5)
    assert session.engine.hold_by_side["left"] == pytest.approx(2.6, abs=0.5)


@pytest.mark.parametrize("working", ["left", "right"])
def test_a_knee_caving_in_on_the_step_is_seen_on_either_leg(working: str):
    path = step_up_path(working, valgus=1.0)  # type: ignore[arg-type]
    motion = Script(path).hold(1.5).reps(3, path, Tempo.period(4.0)).hold(1.0).build()
    session = run("step_up", motion, STEP_UP.cameras["front"])
    assert session.engine.reps_by_side == {working: 3}
    assert {fault.rule_id for fault in session.engine.faults} == {"knee_caves_in"}
