"""scripts/accuracy.py's check that counted reps happened when the hand-marked reps did."""

from __future__ import annotations

import pytest

from scripts.accuracy import turns_in_marked_reps

MARKED = [(1.0, 3.0), (3.0, 5.0), (6.0, 8.0)]


@pytest.mark.parametrize(
    ("turns", "marked", "matched"),
    [
        ([2.0, 4.0, 7.0], MARKED, 3),  # one turn in each marked rep
        ([], MARKED, 0),  # nothing counted
        ([2.0, 4.0, 7.0], [], 0),  # no marked reps
        ([2.0, 2.5, 7.0], MARKED, 2),  # two turns in one rep: a double count
        ([2.0, 5.5, 7.0], MARKED, 2),  # a turn in the pause between reps: invented
        ([0.8, 8.2], MARKED, 2),  # just outside, within the marking tolerance
        ([0.5, 8.5], MARKED, 0),  # beyond the tolerance
        ([3.0, 3.1], MARKED, 2),  # on a shared boundary: the next rep takes the second
        ([7.0, 2.0, 4.0], MARKED, 3),  # order of the turns does not matter
    ],
)
def test_turns_in_marked_reps(turns, marked, matched):
    assert turns_in_marked_reps(turns, marked) == matched


def test_tolerance_is_a_parameter():
    assert turns_in_marked_reps([0.5], MARKED, tolerance_s=0.6) == 1
