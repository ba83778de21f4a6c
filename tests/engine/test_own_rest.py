"""Thresholds on the patient's own rest (`SignalDef.rest`): a ratio driver's start, turn
and target scale to the rest the counter takes as each rep begins, only when that rest
lies further from the turn than the definition's, and never the fidget floor."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from coach.engine.thresholds import library_thresholds, on_own_rest
from coach.exercise.schema import PhaseDef
from tests.support.counting import Motion, falling, run

# Push-up-like hand reach (start above 0.82, turn below 0.7), written for straight arms at
# 1.0, full at 0.55.
REACH = falling(rest=1.0, target=0.55)


def shallow_push_ups(rest: float, bottom: float, n: int = 4) -> Motion:
    """Straight arms reading `rest` for 1 s, n reps to `bottom`, straight again for 1 s."""
    return Motion(rest).stay(1).reps(n, bottom).stay(1)


def test_a_longer_reach_scales_start_turn_and_target_but_not_min_range():
    scaled = library_thresholds(on_own_rest(REACH, 1.2))
    assert (scaled.start, scaled.turn, scaled.target) == pytest.approx((0.984, 0.84, 0.66))
    assert scaled.min_range == REACH.min_range


@pytest.mark.parametrize("own_rest", [1.0, 0.9, float("nan")])
def test_a_rest_at_or_nearer_the_turn_keeps_the_definitions_numbers(own_rest: float):
    assert on_own_rest(REACH, own_rest) is REACH


def test_a_definition_without_rest_is_never_scaled():
    plain = falling()
    assert on_own_rest(plain, 1.3) is plain


def test_reps_the_same_share_of_a_longer_reach_count():
    """From 1.16 at rest to 0.77 is a third of the patient's reach: past the turn scaled to
    them (0.81), short of the definition's 0.7. Partial: short of 0.55 x 1.16."""
    motion = shallow_push_ups(1.16, 0.77)
    _, plain = run(motion.samples(), falling(target=0.55))
    _, own = run(motion.samples(), REACH)
    assert len(plain) == 0
    assert len(own) == 4
    assert all(cycle.signal is not None for cycle in own)
    assert not any(cycle.signal.reached_target(cycle.extreme) for cycle in own if cycle.signal)


def test_a_full_rep_on_the_patients_reach():
    _, cycles = run(shallow_push_ups(1.16, 0.6).samples(), REACH)
    assert len(cycles) == 4
    assert all(c.signal is not None and c.signal.reached_target(c.extreme) for c in cycles)


def test_the_same_movement_from_the_definitions_rest_is_no_rep():
    """From the rest the definition was written for (1.0), a dip to 0.75 stays short of
    the turn (0.7): the scaling follows the patient's reach, it is no lower bar for all."""
    _, cycles = run(shallow_push_ups(1.0, 0.75).samples(), REACH)
    assert cycles == []


def test_the_fidget_floor_is_not_scaled():
    """Rest 1.3: the turn scales to 0.91 and the start to 1.07. A dip from a rest of 1.1
    held after it (its own turn 0.77) to 0.95 passes neither, and a dip of 0.15 from 1.0
    moves less than min_range (0.2) whatever the scaling: no rep."""
    motion = Motion(1.3).stay(1).to(1.1, 0.5).stay(3.5).reps(2, 0.95).to(1.0, 0.5).stay(3.5)
    _, cycles = run(motion.reps(2, 0.85).stay(1).samples(), REACH)
    assert cycles == []


def test_the_rest_is_the_patients_as_each_rep_begins():
    """One rep from straight arms at 1.16 to 0.77 counts (turn 0.81); once the arms rest
    at 1.0 for longer than the rest is kept (`max_rep_s`, here 5 s), the same dip to 0.77
    is short of 0.7."""
    motion = Motion(1.16).stay(1).reps(1, 0.77).to(1.0, 0.5).stay(5.5).reps(2, 0.77).stay(1)
    _, cycles = run(motion.samples(), falling(rest=1.0, max_rep_s=5))
    assert len(cycles) == 1


def test_a_rest_inside_the_start_band_is_refused():
    with pytest.raises(ValidationError, match="rest"):
        falling(rest=0.8)
    with pytest.raises(ValidationError, match="rest"):
        falling(
            driver="knee_flexion",
            start=PhaseDef(name="standing", below=35),
            turn=PhaseDef(name="bottom", above=60),
            rest=40,
        )
