"""Which way the patient faces the camera, from the world landmarks.

The shoulder and hip lines are horizontal across the body. Seen from the front or back
they run across the image (along world x); seen side-on they run away from the camera
(along world z). The yaw of those lines tells the view whatever the posture (standing,
lying, on all fours). Whether the face points at the camera separates front from back
and does not change when the image is mirrored.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from coach.core.landmarks import Landmark
from coach.core.pose import Pose

DetectedView = Literal["front", "back", "side", "oblique"]


def counts_in(views: Sequence[str], view: DetectedView | None) -> bool:
    """True when a rep exercise listing `views` counts in the detected `view`: any view,
    except the front or back for a definition that lists only `side` (its side-on angles
    are then taken in a plane the camera sees edge-on, and a count there would be of
    something else). Side-on counts for a front-only definition: a camera 60 degrees round
    from the front reads as side-on, and the frontal measures still move there
    (docs/exercises.md)."""
    return not (set(views) == {"side"} and view in ("front", "back"))


FRONTAL_MAX_YAW_DEG = 30.0
SIDE_MIN_YAW_DEG = 55.0

# Hysteresis, so a patient standing near a class boundary keeps one view (the engine picks
# the rep signal per view and restarts the counter when it changes, losing a rep).
# A chosen view's yaw band widens by this much on each side: more than a patient's sway
# on the spot plus the model's yaw noise left after the median (a few degrees each), and
# under half the oblique band (25 degrees), so 40-45 degrees stays clearly oblique from
# either neighbour.
VIEW_MARGIN_DEG = 10.0
# Front and back: the share of facing frames in the window must pass 1/2 by this much, so
# switching takes three quarters of the window facing the other way, not a few odd frames.
FACING_MARGIN = 0.25
# How long (frame time) the median must stay clearly in another view before switching.
# The 1 s median ignores a change shorter than half a second and shows a longer one half a
# second late; the change must then last this long: most of a rep's down or up phase
# (about a second), so a twist within one phase passes, while a turn of about a second to
# side-on or square is followed within about a second of its end.
VIEW_SWITCH_S = 0.8


def yaw_and_facing(world_xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 33, 3) world landmarks -> the body's yaw in degrees (0 when the shoulders and
    hips are square to the camera, 90 when side-on) and whether it faces the camera (the
    nose nearer the camera than the shoulders: world z points away), each (...)."""
    shoulder_l, shoulder_r = Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER
    shoulders = world_xyz[..., shoulder_l, :] - world_xyz[..., shoulder_r, :]
    hips = world_xyz[..., Landmark.LEFT_HIP, :] - world_xyz[..., Landmark.RIGHT_HIP, :]
    across = np.abs(shoulders[..., 0]) + np.abs(hips[..., 0])
    depth = np.abs(shoulders[..., 2]) + np.abs(hips[..., 2])
    shoulders_z = (world_xyz[..., shoulder_l, 2] + world_xyz[..., shoulder_r, 2]) / 2
    return np.degrees(np.arctan2(depth, across)), world_xyz[..., Landmark.NOSE, 2] < shoulders_z


def classify_view(
    yaw_deg: float,
    facing: bool,
    frontal_max_deg: float = FRONTAL_MAX_YAW_DEG,
    side_min_deg: float = SIDE_MIN_YAW_DEG,
) -> DetectedView:
    if yaw_deg <= frontal_max_deg:
        return "front" if facing else "back"
    if yaw_deg >= side_min_deg:
        return "side"
    return "oblique"


def clear_view(
    current: DetectedView,
    yaw_deg: float,
    facing_share: float,
    margin_deg: float = VIEW_MARGIN_DEG,
    facing_margin: float = FACING_MARGIN,
) -> DetectedView:
    """The view the median yaw and facing share are clearly in: `current` unless they have
    moved past a boundary of it by the margin (the thresholds move away from `current`)."""
    frontal = current in ("front", "back")
    frontal_max = FRONTAL_MAX_YAW_DEG + (margin_deg if frontal else -margin_deg)
    side_min = SIDE_MIN_YAW_DEG + (-margin_deg if current == "side" else margin_deg)
    facing_min = 0.5 + {"front": -facing_margin, "back": facing_margin}.get(current, 0.0)
    return classify_view(yaw_deg, facing_share >= facing_min, frontal_max, side_min)


def middle(sorted_values: list[float]) -> float:
    """The median of sorted values, as (a + b) / 2 of the middle pair (the same element
    twice when the count is odd)."""
    n = len(sorted_values)
    return (sorted_values[(n - 1) // 2] + sorted_values[n // 2]) / 2


@dataclass
class ViewEstimator:
    """The view over the last `window_s` seconds (median yaw), so one odd frame is ignored,
    and sticky: it changes only when the median stays clearly (`margin_deg`,
    `facing_margin`) in another view for `switch_s`, so counting near a boundary does not
    restart. The first frames get a view at once: until the window has filled it follows
    the median of the frames so far (an odd first frame must not stick). `prompt()` is the
    estimator without hysteresis, for gates that must stop measuring as soon as the view
    is wrong."""

    window_s: float = 1.0
    margin_deg: float = VIEW_MARGIN_DEG
    facing_margin: float = FACING_MARGIN
    switch_s: float = VIEW_SWITCH_S
    _samples: deque[tuple[float, float, bool]] = field(default_factory=deque)
    # The window's yaws kept sorted and its facing frames counted as samples come and go,
    # so each frame's view costs a bisection, not a sort.
    _sorted_yaws: list[float] = field(default_factory=list)
    _facing: int = 0
    _view: DetectedView | None = None
    _seen_since: float | None = None  # the first frame time since the window was empty
    _leaving_since: float | None = None  # frame time the evidence left `_view`

    @classmethod
    def prompt(cls, window_s: float = 1.0) -> ViewEstimator:
        """The median view without hysteresis: it follows the median across a boundary at
        once (a goniometer must not read a foreshortened angle while the view catches up)."""
        return cls(window_s, margin_deg=0.0, facing_margin=0.0, switch_s=0.0)

    def update(self, pose: Pose) -> DetectedView | None:
        if pose.is_empty:
            return self.step(pose.t_s)
        yaw, facing = yaw_and_facing(pose.world_xyz)
        return self.step(pose.t_s, float(yaw), bool(facing))

    def step(
        self, t_s: float, yaw_deg: float | None = None, facing: bool = False
    ) -> DetectedView | None:
        """One frame's `yaw_and_facing` (yaw None: nobody seen)."""
        if yaw_deg is not None:
            self._add(t_s, yaw_deg, facing)
        self._forget_before(t_s)
        self._view = self._next_view(t_s)
        return self._view

    def _add(self, t_s: float, yaw_deg: float, facing: bool) -> None:
        if not self._samples:
            self._seen_since = t_s
        self._samples.append((t_s, yaw_deg, facing))
        bisect.insort(self._sorted_yaws, yaw_deg)
        self._facing += facing

    def _forget_before(self, t_s: float) -> None:
        while self._samples and self._samples[0][0] < t_s - self.window_s:
            _, yaw, facing = self._samples.popleft()
            del self._sorted_yaws[bisect.bisect_left(self._sorted_yaws, yaw)]
            self._facing -= facing

    def _next_view(self, t_s: float) -> DetectedView | None:
        """Keep the view until the evidence has been clearly elsewhere for `switch_s`;
        with an empty window start afresh (the next person may stand anywhere)."""
        if not self._samples:
            self._leaving_since = None
            return None
        yaw, share = middle(self._sorted_yaws), self._facing / len(self._samples)
        settling = self._seen_since is None or t_s - self._seen_since < self.window_s
        if settling or self._view is None:  # a few frames only: the best guess so far
            return classify_view(yaw, share >= 0.5)
        proposed = clear_view(self._view, yaw, share, self.margin_deg, self.facing_margin)
        if proposed == self._view:
            self._leaving_since = None
            return self._view
        if self._leaving_since is None:
            self._leaving_since = t_s
        if t_s - self._leaving_since < self.switch_s:
            return self._view
        self._leaving_since = None
        return proposed

    @property
    def current(self) -> DetectedView | None:
        return self._view

    @property
    def yaw_deg(self) -> float | None:
        return middle(self._sorted_yaws) if self._samples else None
