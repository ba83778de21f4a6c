"""The 33 BlazePose landmarks by name, the skeleton, and name resolution for definitions.

Definitions name landmarks without a side ("knee") when the exercise may be judged on
either side; the engine resolves them to "left_knee" / "right_knee". Virtual midpoints
("mid_hip") make trunk lines easy to declare.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


class Landmark(IntEnum):
    """BlazePose GHUM landmark indices (same order as MediaPipe's PoseLandmark)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = len(Landmark)
LANDMARK_NAMES: tuple[str, ...] = tuple(lm.name.lower() for lm in Landmark)

# Landmarks that exist on both sides, named without the side prefix.
SIDED_NAMES: frozenset[str] = frozenset(
    name.split("_", 1)[1] for name in LANDMARK_NAMES if name.startswith("left_")
)

# The same landmark on the opposite side ("other_knee"): for rules such as "standing on one
# leg with the other foot lifted", measured per side.
OTHER_NAMES: frozenset[str] = frozenset(f"other_{base}" for base in SIDED_NAMES)

# Virtual landmarks: the midpoint of a left/right pair, always side-less.
MIDPOINT_NAMES: dict[str, tuple[str, str]] = {
    f"mid_{base}": (f"left_{base}", f"right_{base}")
    for base in ("shoulder", "hip", "knee", "ankle", "ear", "wrist", "heel", "foot_index")
}

SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
    (15, 19),
    (16, 20),
    (0, 7),
    (0, 8),
)


def _mirror_name(name: str) -> str:
    """The name of the same landmark on the other side ("mouth_left" -> "mouth_right")."""
    swapped = [{"left": "right", "right": "left"}.get(part, part) for part in name.split("_")]
    return "_".join(swapped)


# Which index a landmark moves to when the image is mirrored (left <-> right).
MIRROR_INDEX: tuple[int, ...] = tuple(
    Landmark[_mirror_name(name).upper()].value for name in LANDMARK_NAMES
)


def is_known_name(name: str) -> bool:
    """True for a concrete landmark, a side-less or other-side landmark, or a midpoint."""
    return (
        name in LANDMARK_NAMES
        or name in SIDED_NAMES
        or name in OTHER_NAMES
        or name in MIDPOINT_NAMES
    )


def is_sided(name: str) -> bool:
    """True when the name needs a side to become a concrete landmark ("knee", "other_knee")."""
    return name in SIDED_NAMES or name in OTHER_NAMES


def resolve(name: str, side: Side | None) -> tuple[int, ...]:
    """Indices whose mean is the point `name` on `side` (one index, or two for a midpoint).

    Raises KeyError with the fix when the name is unknown or needs a side.
    """
    if name in MIDPOINT_NAMES:
        left, right = MIDPOINT_NAMES[name]
        return (Landmark[left.upper()].value, Landmark[right.upper()].value)
    if name in SIDED_NAMES or name in OTHER_NAMES:
        if side is None:
            raise KeyError(f"landmark '{name}' needs a side: write left_{name} or right_{name}")
        if name in OTHER_NAMES:
            side, name = ("right" if side == "left" else "left"), name.removeprefix("other_")
        return (Landmark[f"{side}_{name}".upper()].value,)
    if name in LANDMARK_NAMES:
        return (Landmark[name.upper()].value,)
    raise KeyError(f"unknown landmark '{name}'; known: {', '.join(known_names())}")


def known_names() -> list[str]:
    """Every name a definition may use, sorted."""
    return sorted(set(LANDMARK_NAMES) | SIDED_NAMES | OTHER_NAMES | set(MIDPOINT_NAMES))
