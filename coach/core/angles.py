"""Angle maths on landmark coordinates, vectorised over any leading dimensions.

Points are arrays whose last axis is the coordinate (2 for image pixels, 3 for world
metres); every function accepts (..., D) and returns (...) in degrees. A NaN point or a
zero-length segment gives NaN, never a made-up angle.

Clinical convention (neutral-zero): the anatomical standing position is 0 degrees.
`flexion_deg` is 180 minus the included angle (straight knee = 0 flexion); the shoulder's
flexion/abduction is the included angle between trunk and upper arm (arm by the side = 0).
Image y points down, and MediaPipe world y points down as well, so "up" is (0, -1[, 0]).
"""

from __future__ import annotations

import numpy as np

ArrayLike = np.ndarray


def _unit(vectors: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = vectors / norm
    return np.where(norm > 1e-9, unit, np.nan)


def _angle_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle in degrees between vectors u and v, in [0, 180]."""
    cos = np.sum(_unit(u) * _unit(v), axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def included_angle_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """The angle at joint b between segments b->a and b->c, in [0, 180]."""
    a, b, c = (np.asarray(p, dtype=np.float64) for p in (a, b, c))
    return _angle_between(a - b, c - b)


def flexion_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Neutral-zero flexion at joint b: 0 when a, b, c are in line, 180 fully folded."""
    return 180.0 - included_angle_deg(a, b, c)


def _up(dimensions: int) -> np.ndarray:
    return np.array([0.0, -1.0, 0.0][:dimensions])


def segment_to_vertical_deg(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Angle of segment start->end from straight up, in [0, 180] (0 = pointing up)."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    return _angle_between(end - start, _up(start.shape[-1]))


def segment_to_horizontal_deg(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Tilt of segment start->end out of the horizontal, in [0, 90] (0 = level)."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    return np.abs(90.0 - segment_to_vertical_deg(start, end))


def between_segments_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike, d: ArrayLike) -> np.ndarray:
    """Angle between segment a->b and segment c->d, in [0, 180]."""
    a, b, c, d = (np.asarray(p, dtype=np.float64) for p in (a, b, c, d))
    return _angle_between(b - a, d - c)


def distance_ratio(a: ArrayLike, b: ArrayLike, c: ArrayLike, d: ArrayLike) -> np.ndarray:
    """|a-b| / |c-d|: a scale-free width ratio (knee width over ankle width for valgus)."""
    a, b, c, d = (np.asarray(p, dtype=np.float64) for p in (a, b, c, d))
    numerator = np.linalg.norm(a - b, axis=-1)
    denominator = np.linalg.norm(c - d, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = numerator / denominator
    return np.where(denominator > 1e-9, ratio, np.nan)


def height_ratio(point: ArrayLike, reference: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """How far `point` is above `reference`, over the length |a-b| (e.g. the shin): heels
    rising in a calf raise, a foot lifted off the floor. Positive = above; image y is down."""
    point, reference, a, b = (np.asarray(p, dtype=np.float64) for p in (point, reference, a, b))
    scale = np.linalg.norm(a - b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (reference[..., 1] - point[..., 1]) / scale
    return np.where(scale > 1e-9, ratio, np.nan)
