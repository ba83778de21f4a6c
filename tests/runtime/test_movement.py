"""`coach analyze`'s `movement` block and its warnings, on synthetic recordings replayed
through the coach (no model): the same `FrameResult`s the analysis tallies."""

from __future__ import annotations

import pytest

from coach.engine.thresholds import Prescription, library_thresholds
from coach.runtime.analysis import rep_to_json
from coach.runtime.movement import MovementLog
from coach.runtime.session import CoachSession
from tests.bench.framework import definition
from tests.bench.recipes import depth_for, on_body_rest
from tests.bench.rows_floor import GLUTE_BRIDGE
from tests.bench.rows_foundation import PUSH_UP, SQUAT
from tests.bench.rows_lower import STEP_UP, climb_on_and_off
from tests.bench.rows_upper import CRUNCH
from tests.support.synthetic import STANDING, RenderOptions, Script, Tempo, render

OPTIONS = RenderOptions(fps=15.0, image_noise_px=1.0, world_noise_m=0.005, seed=0)


def analysed(exercise_id: str, script: Script, camera, prescription=None):
    """(engine, movement blocks, warnings) for the script seen by the camera."""
    session = CoachSession(definition(exercise_id), prescription=prescription)
    log = MovementLog(session.exercise)
    for result in session.replay(render(script.build(), camera, OPTIONS)):
        log.add(result)
    return session.engine, log.movement(session.engine), log.warnings(session.engine)


def shallow_squats(depth: float = 0.5) -> Script:
    """Five squats to half the good depth: the knees bend to about 45 degrees side-on."""
    path = SQUAT.paths("both")
    return Script(path.start).hold(1.5).reps(5, path, Tempo.period(3.0), depth).hold(1.0)


def test_shallow_squats_say_how_far_the_knee_went_and_where_a_rep_counts():
    engine, movement, warnings = analysed("squat", shallow_squats(), SQUAT.cameras["side"])
    assert engine.rep_count == 0
    (block,) = movement
    assert block["measure"] == "knee_flexion" and block["view"] == "side"
    reached = block["range_seen"]["max"]
    assert 35 < reached < 55
    assert (block["thresholds"]["turn"], block["thresholds"]["prescribed"]) == (60, False)
    assert block["start_position"]["met"] and block["armed_s"] is not None
    assert len(block["short_movements"]) == 5
    assert warnings[0] == (
        f"Knee bend reached {reached:.0f} degrees at most; a rep counts from 60 degrees"
    )
    assert warnings[1].startswith("5 movements stopped short of where a rep counts (60 degrees)")


def test_with_a_target_at_their_range_the_same_squats_count_and_nothing_is_warned():
    prescription = Prescription("knee_flexion", target=40)
    engine, movement, warnings = analysed(
        "squat", shallow_squats(), SQUAT.cameras["side"], prescription
    )
    assert engine.rep_count == 5 and not any(rep.partial for rep in engine.reps)
    force = movement[0]["thresholds"]
    assert force["prescribed"] and force["target"] == 40 and force["turn"] < 40
    assert warnings == []


def test_never_in_the_start_position_names_the_check_and_its_value():
    """Standing where a heel slide starts lying down."""
    script = Script(STANDING).hold(6.0)
    engine, movement, warnings = analysed("heel_slide", script, SQUAT.cameras["side"])
    assert engine.rep_count == 0
    failing = movement[0]["start_position"]["failing"]
    assert not movement[0]["start_position"]["met"] and movement[0]["armed_s"] is None
    assert failing["measure"] == "body_tilt" and failing["value"] > 60
    assert warnings == [
        f"the start position was never met: Trunk tilt was about {failing['value']:g} "
        "degrees; it must be below 30"
    ]


def test_standing_still_for_a_squat_gives_the_reach_and_no_short_movements():
    engine, movement, warnings = analysed(
        "squat", Script(STANDING).hold(8.0), SQUAT.cameras["side"]
    )
    assert engine.rep_count == 0 and movement[0]["short_movements"] == []
    assert len(warnings) == 1 and warnings[0].startswith("Knee bend reached")


def test_a_rep_reports_its_ratio_measures_like_its_angles():
    path = PUSH_UP.paths("both")
    script = Script(path.start).hold(1.5).reps(3, path, Tempo.period(3.0)).hold(1.0)
    engine, _, _ = analysed("push_up", script, PUSH_UP.cameras["side"])
    assert engine.rep_count == 3
    rom = rep_to_json(engine.reps[0])["range_of_motion"]
    reach = rom["hand_reach"]
    assert reach["min_deg"] < 0.7 < 0.82 < reach["max_deg"]
    assert reach["rom_deg"] == pytest.approx(reach["max_deg"] - reach["min_deg"], abs=0.002)
    assert "elbow_flexion" in rom


def test_movements_smaller_than_min_range_are_said_to_be_beyond_any_plan():
    """A crunch lifting the trunk only about 6 degrees: short movements, found and named,
    but less than the 10 degrees a crunch rep must move, which no plan lowers."""
    path = CRUNCH.paths("both")
    script = Script(path.start).hold(1.5).reps(5, path, Tempo.period(3.0), 0.3).hold(1.0)
    engine, movement, warnings = analysed("crunch", script, CRUNCH.cameras["side"])
    assert engine.rep_count == 0 and len(movement[0]["short_movements"]) == 5
    assert "less than the 10 degrees a rep must move (min_range), so no plan" in warnings[-1]


def test_held_at_the_bottom_it_says_the_start_was_never_reached_again():
    """A recording opening on a push-up held low (a plank on the forearms, say): counting
    continues the rep the video began in, which never comes back to straight arms."""
    low = PUSH_UP.paths("both").at(0.9)
    engine, _, warnings = analysed("push_up", Script(low).hold(8.0), PUSH_UP.cameras["side"])
    assert engine.rep_count == 0
    assert warnings[0].startswith("Arm bend stayed between")
    assert warnings[0].endswith(
        "it never came back to the start (0.82 or more) that a rep begins and ends at"
    )


def test_one_slow_movement_through_both_ends_is_no_rep_and_says_what_a_rep_needs():
    """Down and up again over 40 s, past both thresholds: longer than a squat rep's 30 s."""
    path = SQUAT.paths("both")
    script = Script(path.start).hold(1.5).along(path, 1.0, 20.0).along(path, 0.0, 20.0).hold(1.5)
    engine, _, warnings = analysed("squat", script, SQUAT.cameras["side"])
    assert engine.rep_count == 0
    assert warnings == [
        "Knee bend went from the start (35 degrees or less) past where a rep counts (60 "
        "degrees), but no such movement made a rep: each must take 0.5-30 s, move 30 degrees "
        "from rest and begin in the start position"
    ]


def test_an_unseen_driver_is_said_to_be_unmeasured():
    from coach.engine.results import FrameResult, Status
    from coach.engine.thresholds import library_thresholds

    squat = definition("squat")
    log = MovementLog(squat)
    nan = float("nan")
    result = FrameResult(
        0.0,
        Status.NOT_VISIBLE,
        "front",
        1,
        {"knee_flexion": nan},
        "knee_flexion",
        None,
        0,
        {},
        0.0,
        False,
        None,
        None,
        start_position_met=True,
        thresholds=library_thresholds(squat.reps),
    )
    log.add(result)
    session = CoachSession(squat)
    assert log.warnings(session.engine)[0].startswith("Knee bend could not be measured")


def test_the_thresholds_shown_are_those_scaled_to_the_patients_own_rest():
    """Push-ups side-on from the generator's straight-arm reach (about 1.15, longer than
    the 1.0 the definition's hand-reach numbers are written for): the movement block, the
    gauge and the trace show the hand reach's thresholds as the counter scaled them, not
    the definition's 0.7 turn."""
    reps = definition("push_up").reps
    assert reps is not None
    scaled = library_thresholds(on_body_rest(PUSH_UP, "side", reps))
    depth = depth_for(PUSH_UP, "side", 0.77, driver="hand_reach")
    path = PUSH_UP.paths("both")
    script = Script(path.start).hold(1.5).reps(4, path, Tempo.period(3.0), depth).hold(1.0)
    session = CoachSession(definition("push_up"))
    log = MovementLog(session.exercise)
    results = session.replay(render(script.build(), PUSH_UP.cameras["side"], OPTIONS))
    for result in results:
        log.add(result)
    force = log.movement(session.engine)[0]["thresholds"]
    assert force["driver"] == "hand_reach"
    assert (force["start"], force["turn"], force["target"]) == pytest.approx(
        (scaled.start, scaled.turn, scaled.target), abs=0.02
    )
    assert force["turn"] > 0.75 and any("own rest" in note for note in force["notes"])
    # In a rep, the gauge marks what the rep is counted on (at rest, the thresholds follow
    # the rest as it settles after a rep, as the counter's do).
    during = [
        r.driver_thresholds
        for r in results
        if r.driver == "hand_reach" and r.phase is not None and r.phase != reps.start.name
    ]
    assert during and all(g is not None and g.turn > 0.75 for g in during)


def test_movements_past_the_turn_but_under_min_range_are_said_not_silent():
    """Glute bridges filmed from the back (at the feet), dropping the hips from the bridge
    (hip flexion reads about 7) to 24 degrees: past a plan's 'counts from' 16, but moving
    about 17 degrees, less than the 20 a rep must move (min_range, which no plan lowers).
    None counts, and each miss is in the movement block and the warnings with its reason."""
    depth = depth_for(GLUTE_BRIDGE, "back", 24.0)
    path = GLUTE_BRIDGE.paths("both")
    script = Script(path.start).hold(1.5).reps(5, path, Tempo.period(3.0), depth).hold(1.0)
    plan = Prescription("hip_flexion", counts_from=16.0)
    engine, movement, warnings = analysed(
        "glute_bridge", script, GLUTE_BRIDGE.cameras["back"], plan
    )
    assert engine.rep_count == 0
    missed = movement[0]["missed"]
    assert len(missed) == 5 and {m["why"] for m in missed} == {"min_range"}
    assert all(14 < m["moved"] < 20 for m in missed)
    said = [w for w in warnings if "min_range" in w]
    assert len(said) == 1 and said[0].startswith("5 movements passed where a rep counts (16.0")


def test_a_lone_shallow_movement_a_plan_alone_would_count_is_said_unconfirmed():
    """One squat to half the good depth, with a plan target at that depth: short of the
    library's turn, and alone (the evidence rule), so it does not count, and it says why."""
    path = SQUAT.paths("both")
    script = Script(path.start).hold(1.5).reps(1, path, Tempo.period(3.0), 0.5).hold(1.0)
    plan = Prescription("knee_flexion", target=40)
    engine, movement, warnings = analysed("squat", script, SQUAT.cameras["side"], plan)
    assert engine.rep_count == 0
    assert [m["why"] for m in movement[0]["missed"]] == ["unconfirmed"]
    assert any("counts only when repeated" in w for w in warnings)


def test_stepping_off_the_step_is_said_in_the_warnings():
    """Four step-ups, then stepping off the step: the exit passed the turn but the feet
    came down, so it is a movement that did not count, said with its reason."""
    engine, movement, warnings = analysed("step_up", climb_on_and_off(4), STEP_UP.cameras["front"])
    assert engine.rep_count == 4
    (block,) = movement
    assert [miss["why"] for miss in block["missed"]] == ["came_down"]
    (said,) = [w for w in warnings if "stepping off" in w]
    assert said.startswith("1 movement passed where a rep counts") and "mid_ankle" in said
