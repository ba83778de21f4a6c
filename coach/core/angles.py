"""The angles and ratios an exercise definition can declare, on landmark coordinates.

This is the one place their maths lives: `coach/engine/measures.py` runs these functions
for every measure of every definition, live (a batch of one frame) and over whole
recordings. Every function is vectorised over any leading dimensions: points are arrays
whose last axis is the coordinate (2 for image pixels, 3 for world metres), so a function
takes (..., D) points and returns (...) values. A NaN point or a zero-length segment gives
NaN, never a made-up angle.

Clinical convention (neutral-zero): the anatomical standing position is 0 degrees.
`flexion_deg` is 180 minus the included angle (straight knee = 0 flexion); the shoulder's
flexion/abduction is the included angle between trunk and upper arm (arm by the side = 0).
Image y points down, and MediaPipe world y points down as well, so "up" is (0, -1[, 0]).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ArrayLike = np.ndarray
NEAR_ZERO = 1e-9  # a segment shorter than this has no direction: NaN, not an angle


def _points(*points: ArrayLike) -> list[np.ndarray]:
    return [np.asarray(p, dtype=np.float64) for p in points]


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a . b over the last axis, summed left to right."""
    products = a * b
    total = products[..., 0]
    for k in range(1, products.shape[-1]):
        total = total + products[..., k]
    return total


def _length(u: np.ndarray) -> np.ndarray:
    return np.sqrt(_dot(u, u))


def _over(numerator: np.ndarray, length: np.ndarray) -> np.ndarray:
    """numerator / length, NaN where the length is (near) zero or NaN."""
    defined = length > NEAR_ZERO
    return np.where(defined, numerator / np.where(defined, length, 1.0), np.nan)


def angle_between_deg(u: ArrayLike, v: ArrayLike) -> np.ndarray:
    """The angle between vectors u and v, in degrees in [0, 180]; NaN when either has no
    direction (zero length, or NaN)."""
    u, v = _points(u, v)
    u_len, v_len = _length(u), _length(v)
    lengths = u_len * v_len
    cosine = _dot(u, v) / np.where(lengths > 0, lengths, 1.0)
    angle = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    return np.where((u_len > NEAR_ZERO) & (v_len > NEAR_ZERO), angle, np.nan)


@dataclass(frozen=True)
class AngleForm:
    """An angle measure: the angle between two vectors made from its points (`vectors`),
    then what the measure makes of that angle (`finish`, given the angle and the points).
    Calling it gives the measure. Split so that the angle measures of a definition can
    share one `angle_between_deg` call (coach/engine/measures.py: live, a frame is a batch
    of one, and the number of array operations sets its cost), with the same arithmetic
    element by element as each measure alone."""

    vectors: Callable[..., tuple[np.ndarray, np.ndarray]]
    finish: Callable[..., np.ndarray]

    def __call__(self, *points: ArrayLike) -> np.ndarray:
        arrays = _points(*points)
        return self.finish(angle_between_deg(*self.vectors(*arrays)), *arrays)


def _up(dimensions: int) -> np.ndarray:
    return np.array([0.0, -1.0, 0.0][:dimensions])


def _at_joint(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, *more: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return a - b, c - b  # the points after the third are the finish's (`towards_sign`)


def _segment_and_up(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    segment = end - start
    return segment, np.zeros_like(segment) + _up(segment.shape[-1])


def _two_segments(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return b - a, d - c


def _as_is(angle: np.ndarray, *points: np.ndarray) -> np.ndarray:
    return angle


def _flexed(angle: np.ndarray, *points: np.ndarray) -> np.ndarray:
    return 180.0 - angle


def _tilt(angle: np.ndarray, *points: np.ndarray) -> np.ndarray:
    return np.abs(90.0 - angle)


def _flexed_towards(
    angle: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, towards: np.ndarray
) -> np.ndarray:
    return towards_sign(a, b, c, towards) * (180.0 - angle)


INCLUDED = AngleForm(_at_joint, _as_is)
FLEXION = AngleForm(_at_joint, _flexed)
FLEXION_TOWARDS = AngleForm(_at_joint, _flexed_towards)
SEGMENT_VERTICAL = AngleForm(_segment_and_up, _as_is)
SEGMENT_HORIZONTAL = AngleForm(_segment_and_up, _tilt)
BETWEEN = AngleForm(_two_segments, _as_is)


def included_angle_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """The angle at joint b between segments b->a and b->c, in [0, 180]."""
    return INCLUDED(a, b, c)


def flexion_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Neutral-zero flexion at joint b: 0 when a, b, c are in line, 180 fully folded."""
    return FLEXION(a, b, c)


def segment_to_vertical_deg(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Angle of segment start->end from straight up, in [0, 180] (0 = pointing up)."""
    return SEGMENT_VERTICAL(start, end)


def segment_to_horizontal_deg(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Tilt of segment start->end out of the horizontal, in [0, 90] (0 = level)."""
    return SEGMENT_HORIZONTAL(start, end)


def between_segments_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike, d: ArrayLike) -> np.ndarray:
    """Angle between segment a->b and segment c->d, in [0, 180]."""
    return BETWEEN(a, b, c, d)


def distance_ratio(a: ArrayLike, b: ArrayLike, c: ArrayLike, d: ArrayLike) -> np.ndarray:
    """|a-b| / |c-d|: a scale-free width ratio (knee width over ankle width for valgus)."""
    a, b, c, d = _points(a, b, c, d)
    return _over(_length(a - b), _length(c - d))


def height_ratio(point: ArrayLike, reference: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """How far `point` is above `reference`, over the length |a-b| (e.g. the shin): heels
    rising in a calf raise, a foot lifted off the floor. Positive = above; image y is down."""
    point, reference, a, b = _points(point, reference, a, b)
    return _over(reference[..., 1] - point[..., 1], _length(a - b))


def line_offset(point: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """How far `point` lies off the line through a and b, over |a-b|, signed: positive when
    it lies below the line (image and world y point down), negative above. The hip's
    offset from the shoulder-ankle line over body length: positive when the hips sag
    towards the floor in a push-up or plank, negative when they pike up."""
    point, a, b = _points(point, a, b)
    across = _across(point, a, b)
    down = np.where(across[..., 1] >= 0, 1.0, -1.0)
    return _over(down * _length(across), _length(b - a))


def _across(point: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The part of a->point square to the line through a and b (NaN for a zero-length line)."""
    along = b - a
    to_point = point - a
    share = _over(_dot(to_point, along), _length(along) ** 2)
    return to_point - share[..., None] * along


def towards_sign(a: ArrayLike, b: ArrayLike, c: ArrayLike, towards: ArrayLike) -> np.ndarray:
    """1 where b lies off the line a-c on the side of `towards` (or on the line), -1 on
    the other side, NaN where either side is undefined (a zero-length line, NaN points)."""
    a, b, c, towards = _points(a, b, c, towards)
    across = _across(np.stack((b, towards)), a, c)  # both points in one batch
    side = _dot(across[0], across[1])
    return np.where(np.isnan(side), np.nan, np.where(side >= 0, 1.0, -1.0))


def flexion_towards_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike, towards: ArrayLike) -> np.ndarray:
    """`flexion_deg` at b, signed: positive when b lies off the line a-c on the side of
    `towards`, negative on the other side. With the hip, knee, ankle and the other hip seen
    from the front: the frontal-plane projection angle of the knee, positive when the knee
    falls in towards the midline (valgus), negative when it bows out (varus)."""
    return FLEXION_TOWARDS(a, b, c, towards)


def ahead_ratio(
    point: ArrayLike, reference: ArrayLike, behind: ArrayLike, a: ArrayLike
) -> np.ndarray:
    """How far `point` is ahead of `reference` in the direction behind->reference, over the
    length |point - a|; negative when it is behind. With the knee, the toes, the heel and
    the ankle seen side-on: how far the knee has travelled past the toes, in shin lengths."""
    point, reference, behind, a = _points(point, reference, behind, a)
    forward = reference - behind
    ahead = _over(_dot(point - reference, forward), _length(forward))
    return _over(ahead, _length(point - a))
