"""Movements short of the turn: the tracker finds clear excursions from rest and back, and
`regular` tells a patient repeating one from a fidget's shifts."""

from __future__ import annotations

import numpy as np
import pytest

from coach.engine.short_cycles import ShortCycle, ShortCycleTracker, regular

FPS = 15.0


def bumps(peaks: list[float], period_s: float = 2.0, rest: float = 5.0) -> np.ndarray:
    """(t, value) samples: rest, then one cosine bump per peak, each `period_s` long."""
    t = np.arange(0.0, 1.0 + period_s * len(peaks) + 1.0, 1 / FPS)
    values = np.full_like(t, rest)
    for i, peak in enumerate(peaks):
        start = 1.0 + i * period_s
        inside = (t >= start) & (t < start + period_s)
        phase = (t[inside] - start) / period_s
        values[inside] = rest + (peak - rest) * (1 - np.cos(2 * np.pi * phase)) / 2
    return np.stack([t, values], axis=1)


def cycles(samples: np.ndarray, rising: bool = True, floor: float = 5.0) -> list[ShortCycle]:
    tracker = ShortCycleTracker(rising, floor, min_s=0.6, max_s=20.0)
    found = [tracker.update(value, t) for t, value in samples]
    return [c for c in found if c is not None]


@pytest.mark.parametrize(
    ("peaks", "floor", "expected"),
    [
        pytest.param([15, 15, 15], 5.0, 3, id="three-clear-bumps"),
        pytest.param([8, 8, 8], 5.0, 0, id="below-the-floor"),
        pytest.param([12, 9, 14], 5.0, 2, id="one-of-three-too-small"),
        pytest.param([15], 12.0, 0, id="floor-above-the-bump"),
    ],
)
def test_clear_excursions_from_rest_and_back_are_cycles(peaks, floor, expected):
    found = cycles(bumps(peaks), floor=floor)
    assert len(found) == expected
    for cycle in found:
        assert cycle.rest == pytest.approx(5.0) and cycle.depth >= floor


def test_a_falling_driver_goes_down_from_rest():
    samples = bumps([0.6, 0.6], rest=1.0)
    found = cycles(samples, rising=False, floor=0.2)
    assert [round(c.extreme, 2) for c in found] == [0.6, 0.6]


def test_a_bump_too_quick_for_a_rep_is_not_a_cycle():
    assert cycles(bumps([15, 15], period_s=0.4)) == []


def test_staying_away_from_rest_is_not_a_cycle():
    t = np.arange(0.0, 30.0, 1 / FPS)
    values = np.where(t < 2.0, 5.0, 20.0)  # moved to a new position and stayed
    assert cycles(np.stack([t, values], axis=1)) == []


def cycle(start_s: float, end_s: float, depth: float) -> ShortCycle:
    return ShortCycle(start_s, (start_s + end_s) / 2, end_s, 0.0, depth)


@pytest.mark.parametrize(
    ("pair", "alike"),
    [
        pytest.param([cycle(0, 2, 10), cycle(2.5, 4.5, 12)], True, id="alike"),
        pytest.param([cycle(0, 2, 10), cycle(9, 11, 10)], False, id="long-pause-between"),
        pytest.param([cycle(0, 2, 5), cycle(2.5, 4.5, 12)], False, id="depths-differ"),
        pytest.param([cycle(0, 1.5, 10), cycle(2, 5, 10)], False, id="tempos-differ"),
        pytest.param([cycle(0, 2, 10)], False, id="only-one"),
    ],
)
def test_regular_movements_follow_one_another_alike(pair, alike):
    assert regular(pair, max_gap_s=5.0) == alike


@pytest.mark.parametrize("rising", [True, False])
def test_under_a_plan_a_movement_must_leave_its_start_zone(rising: bool):
    """`leaves`: the plan's start threshold. Bumps from rest 5 to 15 and to 12 clear the
    floor; with the plan's start at 13 only the first left its start zone (falling: the
    same mirrored)."""
    sign = 1.0 if rising else -1.0
    samples = bumps([sign * 15, sign * 12, sign * 15], rest=sign * 5)
    tracker = ShortCycleTracker(rising, 5.0, min_s=0.6, max_s=20.0, leaves=sign * 13)
    found = [c for c in (tracker.update(v, t) for t, v in samples) if c is not None]
    assert [round(c.extreme) for c in found] == [sign * 15, sign * 15]
    assert len(cycles(samples, rising=rising)) == 3  # without a plan, all three
