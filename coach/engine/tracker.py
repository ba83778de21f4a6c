"""Stay with the patient when someone else walks into view.

The model returns up to two people per frame, largest first. The patient is the person
the session started with: each frame we keep the pose whose hip centre is nearest to
where the patient was, as long as it is a plausible move. Only after the patient has been
gone for `forget_after_s` does the largest person become the patient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.landmarks import Landmark
from coach.pose import Pose


def hip_centre(pose: Pose) -> np.ndarray:
    xy = pose.image_xyz[:, :2]
    return (xy[Landmark.LEFT_HIP] + xy[Landmark.RIGHT_HIP]) / 2


def body_height(pose: Pose) -> float:
    xy = pose.image_xyz[:, :2]
    return float(np.ptp(xy[:, 1]))


@dataclass
class PatientTracker:
    """`select(poses, t_s)` -> the patient's pose (or an empty pose) and people in view."""

    max_jump: float = 0.5  # of the patient's body height, per 0.1 s
    forget_after_s: float = 2.0
    _last_hip: np.ndarray | None = None
    _last_height: float = 0.0
    _last_t_s: float | None = None

    def select(self, poses: list[Pose], t_s: float, frame_wh: tuple[int, int]) -> Pose:
        people = [p for p in poses if not p.is_empty]
        lost_for = np.inf if self._last_t_s is None else t_s - self._last_t_s
        if self._last_hip is not None and lost_for > self.forget_after_s:
            self._last_hip = None
        if not people:
            return Pose.empty(t_s, frame_wh)
        if self._last_hip is None:
            chosen = people[0]
        else:
            distances = [float(np.linalg.norm(hip_centre(p) - self._last_hip)) for p in people]
            nearest = int(np.argmin(distances))
            allowed = self.max_jump * max(self._last_height, 0.1) * max(1.0, lost_for / 0.1)
            if distances[nearest] > allowed:
                return Pose.empty(t_s, frame_wh)  # only a stranger in view: not the patient
            chosen = people[nearest]
        self._last_hip, self._last_height = hip_centre(chosen), body_height(chosen)
        self._last_t_s = t_s
        return chosen
