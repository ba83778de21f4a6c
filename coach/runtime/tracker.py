"""Stay with the patient when someone else walks into view.

The model returns up to two people per frame, largest first. The patient is the person
the session started with: each frame we keep the pose that best continues the patient,
its hip centre nearest to where the patient was and its body about as tall (`match_cost`),
as long as it is a plausible move. Only after the patient has been gone for
`forget_after_s` does the largest person become the patient.

Why the height as well as the place: the crowd check can find the patient a second time,
as a partial body over the same hips (the model's second detection of one person), and
that copy is held until the next look. Its hips can sit nearer the patient's last place
than the patient's own, whose hips move with the exercise; by place alone the coach would
follow a frozen copy and lose the reps. A body does not halve in height from one frame
to the next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coach.core.landmarks import NUM_LANDMARKS, Landmark
from coach.core.pose import Pose


def hip_centres(image_xyz: np.ndarray) -> np.ndarray:
    """(..., 33, 3) image landmarks -> (..., 2) the point between the hips."""
    xy = image_xyz[..., :2]
    return (xy[..., Landmark.LEFT_HIP, :] + xy[..., Landmark.RIGHT_HIP, :]) / 2


def body_heights(image_xyz: np.ndarray) -> np.ndarray:
    """(..., 33, 3) image landmarks -> (...) the pose's height in normalised image units."""
    return np.ptp(image_xyz[..., 1], axis=-1)


# A height below this (normalised image units) is taken as this, so a degenerate pose with
# every landmark on one row has a finite size ratio.
_MIN_HEIGHT = 1e-3


def match_cost(distance: float, height: float, last_height: float) -> float:
    """How badly a person continues the patient: the hip centre's move in the patient's
    body heights plus how far the apparent height changed, as a log ratio (a person twice
    or half as tall costs the same). Both terms are scale-free, so the cost does not depend
    on how far the camera stands or how large the frame is. Returns a cost >= 0."""
    last = max(last_height, _MIN_HEIGHT)
    return distance / last + abs(math.log(max(height, _MIN_HEIGHT) / last))


@dataclass
class PatientTracker:
    """`select(poses, t_s)` -> the patient's pose (or an empty pose) and people in view."""

    max_jump: float = 0.5  # of the patient's body height, per 0.1 s
    forget_after_s: float = 2.0
    _last_hip: Sequence[float] | None = None
    _last_height: float = 0.0
    _last_t_s: float | None = None

    def select(self, poses: list[Pose], t_s: float, frame_wh: tuple[int, int]) -> Pose:
        people = [p for p in poses if not p.is_empty]
        image = np.array([p.image_xyz for p in people]).reshape(len(people), NUM_LANDMARKS, 3)
        chosen = self.choose(hip_centres(image).tolist(), body_heights(image).tolist(), t_s)
        return Pose.empty(t_s, frame_wh) if chosen is None else people[chosen]

    def choose(
        self, hips: Sequence[Sequence[float]], heights: Sequence[float], t_s: float
    ) -> int | None:
        """Which of the people in view (their `hip_centres` and `body_heights`) is the
        patient; None when nobody is, or only a stranger. The step `select` takes, without
        `Pose` objects, so a recording can be replayed in bulk."""
        lost_for = math.inf if self._last_t_s is None else t_s - self._last_t_s
        if self._last_hip is not None and lost_for > self.forget_after_s:
            self._last_hip = None
        if not hips:
            return None
        if self._last_hip is None:
            chosen = 0
        else:
            last_x, last_y = self._last_hip
            distances = [math.hypot(x - last_x, y - last_y) for x, y in hips]
            costs = [
                match_cost(d, h, self._last_height) for d, h in zip(distances, heights, strict=True)
            ]
            chosen = min(range(len(costs)), key=costs.__getitem__)
            allowed = self.max_jump * max(self._last_height, 0.1) * max(1.0, lost_for / 0.1)
            if distances[chosen] > allowed:
                return None  # only a stranger in view: not the patient
        self._last_hip, self._last_height = hips[chosen], heights[chosen]
        self._last_t_s = t_s
        return chosen
