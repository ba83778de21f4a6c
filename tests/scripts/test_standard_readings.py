"""scripts/standard_readings.py: which frames stand for which position, and the table."""

from __future__ import annotations

import numpy as np
import pytest

from scripts.standard_readings import ANGLES, Position, position_frames, readings_definition, table


def test_the_readings_definition_measures_every_angle():
    assert readings_definition().measures == list(ANGLES)


T = np.arange(0.0, 10.0, 0.5)


@pytest.mark.parametrize(
    ("clip", "expected"),
    [
        ({"kind": "negative"}, {"standing still": T >= 0}),
        ({"kind": "hold"}, {"squat: held": T >= 0}),
        ({"kind": "reps"}, {}),  # no marked rep times: no position is known
    ],
    ids=["standing-still", "hold", "unmarked-reps"],
)
def test_whole_clips(library, clip, expected):
    driver = np.zeros_like(T)
    found = position_frames(clip, library.get("squat"), driver, T)
    assert found.keys() == expected.keys()
    for name, frames in expected.items():
        np.testing.assert_array_equal(found[name], frames)


def test_rest_is_outside_the_marked_reps_and_the_turn_is_each_reps_extreme(library):
    driver = np.where((T > 3) & (T < 6), 100 - np.abs(T - 4.5) * 10, 5.0)  # deepest at 4.5
    driver[0] = np.nan  # an unseen frame is in no position
    clip = {"kind": "reps", "rep_times": [[3.0, 6.0]]}
    found = position_frames(clip, library.get("squat"), driver, T)
    rest, bottom = found["squat: standing"], found["squat: bottom"]
    assert T[bottom].tolist() == [4.5]
    assert not rest[0] and rest[1]  # unseen, then seen at rest
    assert not rest[(T >= 2.5) & (T <= 6.5)].any()  # within the rep and its margin
    assert rest[T >= 7.0].all()


def test_the_table_gives_median_and_spread_and_skips_unseen_positions():
    seen = Position()
    seen.frames, seen.clips = 10, {"a.mp4"}
    seen.values["knee_flexion"] = list(np.linspace(10, 30, 10))
    unseen = Position()
    unseen.frames, unseen.clips = 10, {"b.mp4"}
    rendered = table({("squat: standing", "side"): seen, ("squat: bottom", "side"): unseen})
    lines = rendered.splitlines()
    assert len(lines) == 3  # the header, its rule and the one seen position
    assert lines[2].startswith("| squat: standing | side | 10 (1) | 20 (12-28) | - |")
