"""DriverChoice: several drivers of one movement, the reps of the clearest."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.engine.counter import RepCounter
from coach.engine.drivers import DriverChoice, clarity
from coach.exercise.schema import PhaseDef, RepsDef, SignalDef
from tests.support.counting import falling

FPS = 30


def knots(n: int, ends: float) -> list[tuple[float, float]]:
    """Depth over time: still 1.5 s, `n` reps (1 s down, 1 s up, 0.5 s rest), `ends` s."""
    out, t = [(0.0, 0.0), (1.5, 0.0)], 1.5
    for _ in range(n):
        out += [(t + 1.0, 1.0), (t + 2.0, 0.0), (t + 2.5, 0.0)]
        t += 2.5
    return [*out, (t + ends, 0.0)]


# A push-up: the hand reach (a ratio) falls from about 1 towards 0.4, the elbow angle
# rises from about 20 degrees; both are driven by one depth (0 = arms straight, 1 = the
# deepest rep), each with its own reach at the bottom.
ELBOW = SignalDef(
    driver="elbow",
    start=PhaseDef(name="arms straight", below=40),
    turn=PhaseDef(name="bottom", above=70),
    min_range=30,
)
TWO_DRIVERS = falling(driver="reach", other_drivers=[ELBOW])


def frames(
    reach_drop: float, elbow_bend: float, n: int = 5, elbow_lag_s: float = 0.0, ends: float = 1.0
) -> list[tuple[float, dict[str, float]]]:
    """(t_s, measures) of `n` reps at depth 1; the reach falls by `reach_drop` from 1.0,
    the elbow bends by `elbow_bend` from 20, `elbow_lag_s` behind the reach."""
    points = knots(n, ends)
    times = np.arange(round(points[-1][0] * FPS) + 1) / FPS
    knot_t, knot_v = zip(*points, strict=True)
    depth = np.interp(times, knot_t, knot_v)
    lagged = np.interp(times - elbow_lag_s, knot_t, knot_v)
    return [
        (float(t), {"reach": 1.0 - reach_drop * d, "elbow": 20.0 + elbow_bend * e})
        for t, d, e in zip(times, depth, lagged, strict=True)
    ]


def count(reps: RepsDef, samples: list[tuple[float, dict[str, float]]]) -> tuple[DriverChoice, int]:
    """The choice after the samples and the end of the stream, and the reps it gave."""
    choice = DriverChoice(reps, reps)
    cycles = [choice.update(values, t_s) for t_s, values in samples] + [choice.finish()]
    return choice, sum(cycle is not None for cycle in cycles)


DRIVER_CASES = [
    # (reach drop, elbow bend, elbow lag, reps counted, the driver counted on)
    pytest.param(0.6, 100.0, 0.0, 5, "reach", id="side-on-both-clear-reach-clearer"),
    # The oblique push-ups: the reach never gets below its turn (0.7), the elbow
    # swings 20 -> 80 on every rep.
    pytest.param(0.15, 60.0, 0.0, 5, "elbow", id="reach-barely-changes-elbow-counts"),
    pytest.param(0.6, 40.0, 0.0, 5, "reach", id="elbow-short-of-its-turn-reach-counts"),
    pytest.param(0.35, 120.0, 0.0, 5, "elbow", id="both-complete-elbow-clearer"),
    # The elbow ends its rep 0.4 s after the reach: the choice waits for it, one rep.
    pytest.param(0.35, 120.0, 0.4, 5, "elbow", id="waits-for-a-driver-still-returning"),
    pytest.param(0.15, 40.0, 0.0, 0, "reach", id="neither-reaches-its-turn"),
]


@pytest.mark.parametrize(("drop", "bend", "lag", "expected", "driver"), DRIVER_CASES)
def test_counts_on_the_clearest_driver(drop, bend, lag, expected, driver):
    choice, counted = count(TWO_DRIVERS, frames(drop, bend, elbow_lag_s=lag))
    assert counted == expected
    assert choice.signal_def.driver == driver


def test_the_choice_is_sticky():
    """Chosen on the first rep (reach, the clearer), it stays: later reps where only the
    elbow reaches its turn are not counted on the elbow."""
    first = frames(0.6, 100.0, n=1, ends=0.5)
    later = frames(0.15, 100.0, n=3)
    t_end = first[-1][0] + 1 / FPS
    samples = first + [(t_end + t, values) for t, values in later]
    choice, counted = count(TWO_DRIVERS, samples)
    assert choice.signal_def.driver == "reach"
    assert counted == 1


def test_one_driver_counts_exactly_as_its_rep_counter():
    reps = falling(driver="reach")
    samples = frames(0.6, 100.0, n=4)
    counter = RepCounter(reps)
    alone = [counter.update(values["reach"], t_s) for t_s, values in samples]
    choice = DriverChoice(reps, reps)
    chosen = [choice.update(values, t_s) for t_s, values in samples]
    assert chosen == alone
    assert sum(c is not None for c in chosen) == 4


def test_a_rep_ending_with_the_recording_is_chosen_too():
    """The stream ends inside min_dwell_s of the return: `finish` makes the choice. (Up
    from the bottom from 2.5 s, the elbow is back under 40 degrees from about 3.17 s.)"""
    samples = [(t_s, values) for t_s, values in frames(0.15, 60.0, n=1) if t_s <= 3.2]
    choice = DriverChoice(TWO_DRIVERS, TWO_DRIVERS)
    assert all(choice.update(values, t_s) is None for t_s, values in samples)
    cycle = choice.finish()
    assert cycle is not None and choice.signal_def.driver == "elbow"


def test_sees_any_driver():
    choice = DriverChoice(TWO_DRIVERS, TWO_DRIVERS)
    assert choice.sees({"reach": math.nan, "elbow": 10.0})
    assert not choice.sees({"reach": math.nan})


def test_clarity_is_the_range_over_the_band():
    samples = frames(0.6, 100.0, n=1)
    counter = RepCounter(TWO_DRIVERS, ELBOW)
    cycles = [counter.update(values["elbow"], t_s) for t_s, values in samples]
    cycle = next(c for c in cycles if c is not None)
    assert clarity(ELBOW, cycle) == pytest.approx(cycle.range / 30.0)
    assert cycle.range == pytest.approx(100.0, abs=1.0)


def test_a_quick_second_rep_while_the_choice_waits_is_counted():
    # The elbow never gets back below its start (40) after the first rep, so the choice
    # waits its full grace; the reach meanwhile completes a second quick rep: both count.
    reps = falling(driver="reach", other_drivers=[ELBOW])
    samples = []
    for t_s, values in frames(0.6, 100.0, n=3):
        elbow = values["elbow"] if t_s < 2.0 else max(values["elbow"], 45.0)
        samples.append((t_s, {**values, "elbow": elbow}))
    choice = DriverChoice(reps, reps, grace_s=2.6)
    cycles = [choice.update(values, t_s) for t_s, values in samples] + [choice.finish()]
    done = [cycle for cycle in cycles if cycle is not None]
    assert [round(cycle.turn_s, 1) for cycle in done] == [2.5, 5.0, 7.5]
    assert choice.signal_def.driver == "reach"
