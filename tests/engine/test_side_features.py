"""Engine features for unilateral and asymmetric exercises, on synthetic motion:
alternating reps given to the leading side, left/right asymmetry rules, holds timed per
side, landmarks of the other side, and height ratios."""

from __future__ import annotations

import tomllib

import pytest

from coach.exercise.loader import parse_definition
from coach.runtime.session import CoachSession
from tests.support.synthetic import STANDING, Camera, Path, Script, Tempo, render

FRONT = Camera(yaw_deg=0.0, distance_m=3.0, height_m=1.0)

MARCH = """
id = "march"
name = "Marching knee lifts"
instructions = ["Lift one knee, then the other."]
views = ["front", "side"]
mode = "reps"
side = "alternating"

[angles.hip_flexion]
type = "flexion"
points = ["shoulder", "hip", "knee"]

[angles.lifted_hip]
type = "flexion"
points = ["shoulder", "hip", "knee"]

[reps]
driver = "hip_flexion"
start = { name = "standing", below = 20 }
turn = { name = "knee up", above = 35 }
min_range = 15
side_by = "lifted_hip"

[[rules]]
id = "lopsided"
measure = "hip_flexion"
when = "turn"
stat = "asymmetry"
fault_above = 200
cue = "Lift both knees the same"
"""

STORK = """
id = "stork"
name = "Standing on one leg"
instructions = ["Stand on one leg."]
views = ["front"]
mode = "hold"
side = "auto"

[ratios.foot_lift]
type = "height_ratio"
points = ["other_ankle", "ankle", "knee", "ankle"]

[angles.stance_knee]
type = "flexion"
points = ["hip", "knee", "ankle"]

[hold]
conditions = [
    { measure = "foot_lift", above = 0.25 },
    { measure = "stance_knee", below = 20 },
]
"""


def definition(text: str, **changes):
    data = tomllib.loads(text)
    for dotted, value in changes.items():
        target = data
        *path, key = dotted.split(".")
        for part in path:
            target = target[part]
        target[key] = value
    return parse_definition(data, "<test>")


def knee_lift(side: str) -> Path:
    return Path.between(
        STANDING, STANDING.with_(**{f"{side}_hip_flexion": 70.0, f"{side}_knee_flexion": 80.0})
    )


def replay(exercise, script: Script, camera: Camera = FRONT) -> CoachSession:
    session = CoachSession(exercise)
    session.replay(render(script.build(), camera))
    return session


def test_alternating_reps_go_to_the_leading_side():
    march = definition(MARCH)
    script = Script(STANDING).hold(1.5)
    for side in ("left", "right", "left", "right", "left"):
        script = script.rep(knee_lift(side), Tempo.period(2.0)).hold(0.5)
    engine = replay(march, script.hold(1.0)).engine
    assert [rep.side for rep in engine.reps] == ["left", "right", "left", "right", "left"]
    assert engine.reps_by_side == {"left": 3, "right": 2}


def test_alternating_needs_a_side_measure():
    from coach.core.errors import DefinitionError

    data = tomllib.loads(MARCH)
    del data["reps"]["side_by"]
    with pytest.raises(DefinitionError, match=r"reps\.side_by"):
        parse_definition(data, "<test>")


def test_asymmetry_rule_compares_the_sides_at_the_turn():
    """One knee lifted to 70 degrees, the other standing: a ~70 degree difference."""
    strict = definition(
        MARCH,
        **{
            "rules": [
                {
                    "id": "lopsided",
                    "measure": "hip_flexion",
                    "when": "turn",
                    "stat": "asymmetry",
                    "fault_above": 30,
                    "cue": "Lift both knees the same",
                }
            ]
        },
    )
    script = Script(STANDING).hold(1.5).rep(knee_lift("left"), Tempo.period(2.0)).hold(1.0)
    (rep,) = replay(strict, script).engine.reps
    assert [f.rule_id for f in rep.faults] == ["lopsided"]
    assert rep.faults[0].value == pytest.approx(70, abs=8)


def test_asymmetry_needs_a_measure_taken_on_both_sides():
    from coach.core.errors import DefinitionError

    data = tomllib.loads(MARCH)
    points = ["left_shoulder", "left_hip", "left_knee"]
    data["angles"]["left_only"] = {"type": "flexion", "points": points}
    data["rules"][0]["measure"] = "left_only"
    with pytest.raises(DefinitionError, match=r"rules\[0\].stat"):
        parse_definition(data, "<test>")


def test_holds_are_timed_per_side_with_the_other_legs_landmarks():
    stork = definition(STORK)
    lift_right = STANDING.with_(right_hip_flexion=40.0, right_knee_flexion=90.0)
    lift_left = STANDING.with_(left_hip_flexion=40.0, left_knee_flexion=90.0)
    script = (
        Script(STANDING)
        .hold(1.0)
        .move_to(lift_right, 0.5)
        .hold(6.0)
        .move_to(STANDING, 0.5)
        .hold(1.0)
        .move_to(lift_left, 0.5)
        .hold(3.0)
        .move_to(STANDING, 0.5)
        .hold(1.0)
    )
    engine = replay(stork, script).engine
    # Standing on the left leg (right foot lifted) for ~6 s, then on the right for ~3 s.
    assert engine.hold_by_side["left"] == pytest.approx(6.0, abs=0.6)
    assert engine.hold_by_side["right"] == pytest.approx(3.0, abs=0.6)
    assert engine.hold_s == pytest.approx(9.0, abs=1.0)


@pytest.mark.parametrize("point", ["ankle", "other_ankle"])
def test_climbs_names_one_point(point: str):
    """`reps.climbs` is one point's height: a name meaning a landmark on each side (both
    feet) is refused with the midpoint to write; one landmark or a midpoint loads."""
    from coach.core.errors import DefinitionError

    data = tomllib.loads(MARCH)
    data["reps"]["climbs"] = point
    with pytest.raises(DefinitionError, match=r"reps.*climbs.*mid_ankle"):
        parse_definition(data, "<test>")
    for one in ("mid_ankle", "left_ankle"):
        data["reps"]["climbs"] = one
        reps = parse_definition(data, "<test>").reps
        assert reps is not None and reps.climbs == one
