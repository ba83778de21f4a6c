"""Landmark names: resolution for definitions, midpoints and the mirror table."""

from __future__ import annotations

import pytest

from coach.core.landmarks import (
    LANDMARK_NAMES,
    MIDPOINT_NAMES,
    MIRROR_INDEX,
    NUM_LANDMARKS,
    OTHER_NAMES,
    SIDED_NAMES,
    Landmark,
    is_known_name,
    is_sided,
    known_names,
    resolve,
)


@pytest.mark.parametrize(
    ("name", "side", "expected"),
    [
        # concrete names: the side argument is irrelevant
        ("left_knee", None, (25,)),
        ("right_knee", None, (26,)),
        ("left_knee", "right", (25,)),
        ("nose", None, (0,)),
        ("nose", "left", (0,)),
        ("mouth_right", None, (10,)),
        ("right_foot_index", None, (32,)),
        # side-less names need a side
        ("knee", "left", (25,)),
        ("knee", "right", (26,)),
        ("shoulder", "left", (11,)),
        ("foot_index", "right", (32,)),
        ("eye_inner", "right", (4,)),
        # virtual midpoints: both landmarks, left first, with or without a side
        ("mid_hip", None, (23, 24)),
        ("mid_shoulder", "right", (11, 12)),
        ("mid_foot_index", None, (31, 32)),
        ("mid_ear", None, (7, 8)),
    ],
)
def test_resolve(name, side, expected):
    assert resolve(name, side) == expected


@pytest.mark.parametrize(
    ("name", "side", "message"),
    [
        ("Lknee", None, "unknown landmark 'Lknee'"),
        ("Lknee", "left", "unknown landmark 'Lknee'"),
        ("left_kne", None, "unknown landmark 'left_kne'"),
        ("mid_nose", None, "unknown landmark 'mid_nose'"),
        ("", None, "unknown landmark ''"),
        ("knee", None, "landmark 'knee' needs a side: write left_knee or right_knee"),
        ("shoulder", None, "write left_shoulder or right_shoulder"),
    ],
)
def test_resolve_errors(name, side, message):
    with pytest.raises(KeyError, match=message):
        resolve(name, side)


def test_unknown_name_error_lists_known_names():
    with pytest.raises(KeyError) as info:
        resolve("Lknee", None)
    text = str(info.value)
    assert "left_knee" in text
    assert "mid_hip" in text


@pytest.mark.parametrize(
    ("name", "known", "sided"),
    [
        ("left_knee", True, False),
        ("knee", True, True),
        ("mid_hip", True, False),
        ("nose", True, False),
        ("mouth", False, False),
        ("Lknee", False, False),
        ("LEFT_KNEE", False, False),
    ],
)
def test_is_known_and_is_sided(name, known, sided):
    assert is_known_name(name) is known
    assert is_sided(name) is sided


def test_known_names_sorted_and_complete():
    names = known_names()
    assert names == sorted(names)
    assert len(names) == len(set(names))
    assert set(names) == set(LANDMARK_NAMES) | SIDED_NAMES | OTHER_NAMES | set(MIDPOINT_NAMES)
    assert {"knee", "left_knee", "right_knee", "mid_hip", "nose", "other_knee"} <= set(names)


@pytest.mark.parametrize(("side", "expected"), [("left", "RIGHT_KNEE"), ("right", "LEFT_KNEE")])
def test_other_side_names_resolve_to_the_opposite_landmark(side, expected):
    assert resolve("other_knee", side) == (Landmark[expected].value,)
    with pytest.raises(KeyError, match="needs a side"):
        resolve("other_knee", None)


def test_landmark_table():
    assert NUM_LANDMARKS == 33
    assert LANDMARK_NAMES[0] == "nose"
    assert LANDMARK_NAMES[Landmark.LEFT_HIP] == "left_hip"
    assert LANDMARK_NAMES[-1] == "right_foot_index"
    assert len(SIDED_NAMES) == 15  # 16 left/right pairs minus the mouth (mouth_left...)
    assert "mouth" not in SIDED_NAMES


def test_mirror_index_is_a_permutation_and_an_involution():
    assert len(MIRROR_INDEX) == NUM_LANDMARKS
    assert sorted(MIRROR_INDEX) == list(range(NUM_LANDMARKS))
    for index in range(NUM_LANDMARKS):
        assert MIRROR_INDEX[MIRROR_INDEX[index]] == index


def _pairs() -> list:
    rows = [
        pytest.param(f"LEFT_{base.upper()}", f"RIGHT_{base.upper()}", id=base)
        for base in sorted(SIDED_NAMES)
    ]
    rows.append(
        pytest.param(
            "MOUTH_LEFT",
            "MOUTH_RIGHT",
            id="mouth",
        )
    )
    return rows


@pytest.mark.parametrize(("left", "right"), _pairs())
def test_mirror_index_swaps_every_left_right_pair(left, right):
    assert MIRROR_INDEX[Landmark[left]] == Landmark[right]
    assert MIRROR_INDEX[Landmark[right]] == Landmark[left]


def test_mirror_index_keeps_the_nose():
    assert MIRROR_INDEX[Landmark.NOSE] == Landmark.NOSE
