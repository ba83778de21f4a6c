"""Whether a rep ended by climbing back up (`RepsDef.climbs`).

A step-up and stepping off the step bend and straighten the same knee the same way: from
the turn (the working foot on the step, the other on the floor) the knees come level
again in both. What tells them apart is which foot moved. Back up on the step, the other
foot rises to the working one; stepping off, the working foot comes down to the other.
The pose model has no floor or step landmark, and its world landmarks are centred on the
hips, so only the image shows it: the midpoint of the feet ends higher in the image than
at the turn after a rep, lower after stepping off. The camera stands still (the setup
asks for it), so a height in the image is a height in the room.
"""

from __future__ import annotations

import numpy as np

from coach.core import landmarks


def point_heights(
    point: str, image_px: np.ndarray, visibility: np.ndarray, min_visibility: float
) -> np.ndarray:
    """(N,) how high a side-less point (`landmarks.resolve`) sits in each of N frames'
    images (`image_px` (N, 33, 2)), in pixels up the image (image y points down); NaN
    where a landmark of it is less visible than `min_visibility`. Raises KeyError for a
    name that needs a side."""
    indices = list(landmarks.resolve(point, None))
    heights = -image_px[:, indices, 1].mean(axis=1)
    seen = visibility[:, indices].min(axis=1) >= min_visibility
    return np.where(seen, heights, np.nan)


def came_down(
    times: np.ndarray, heights: np.ndarray, turn_s: float, end_s: float, turn_window_s: float
) -> bool:
    """True when the point ended a rep lower in the image than at its turn: the median of
    its heights over `turn_window_s` from `end_s` (back at the start; a rep the evidence
    rule hands on late has the next rep's frames after it) is below their median within
    `turn_window_s` around `turn_s`. False when either was never seen: with no evidence
    of stepping off, the rep stands."""
    at_turn = heights[np.abs(times - turn_s) <= turn_window_s / 2]
    at_end = heights[(times >= end_s) & (times <= end_s + turn_window_s)]
    at_turn, at_end = at_turn[np.isfinite(at_turn)], at_end[np.isfinite(at_end)]
    if not at_turn.size or not at_end.size:
        return False
    return bool(np.median(at_end) < np.median(at_turn))
