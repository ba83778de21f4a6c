"""Posture measures of a seated person facing a laptop webcam, from one pose.

All measures are taken from the image landmarks in pixels and made scale-free by the
shoulder width, so they do not change when the patient sits nearer or further away:

- `head_to_shoulders`: ear-to-ear width over shoulder width. The head is nearer the camera
  than the shoulders when it juts forward, so it looks bigger next to them (about +9% for
  5 cm forward at 60 cm). Compared with the patient's own neutral, never an absolute norm.
- `neck_height`: the distance from the ear midpoint to the shoulder line over shoulder
  width. Shoulders raised towards the ears shrink it.
- `shoulder_tilt_deg`: the shoulder line against the horizontal (+ = the left shoulder is
  higher), and `trunk_lean_deg` the hip-to-shoulder line against the vertical (+ = leaning
  to the patient's left), when the hips are in view (at a desk they often are not).
- `screen_distance_m`: the eyes' distance from the camera (the screen), from the pixel
  distance between the eye centres with a pinhole camera: distance = focal_px * IPD /
  eye_px, focal_px = (frame width / 2) / tan(horizontal field of view / 2).

Assumptions for the distance, stated because they set its error: an adult interpupillary
distance of 63 mm (adult mean about 63 mm, most adults 55-70 mm: about +-10%), a
horizontal field of view of 65 degrees (typical laptop webcams are 55-75 degrees: about
+-15%), and a face turned to the camera (a turned head narrows the eyes and reads
further away).

Left and right are the patient's own on the camera's own image: directions come from the
landmarks' sides, not from image left and right. On a mirrored image the model names the
patient's left "right", so lean and tilt would change sign: measure before mirroring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coach.core.landmarks import Landmark
from coach.core.pose import Pose

MIN_VISIBILITY = 0.5  # below this a landmark is a guess (it may be outside the frame)
NEEDED = (
    Landmark.LEFT_EYE,
    Landmark.RIGHT_EYE,
    Landmark.LEFT_EAR,
    Landmark.RIGHT_EAR,
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
)
HIPS = (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)


@dataclass(frozen=True)
class CameraModel:
    """What the screen distance assumes about the camera and the face."""

    horizontal_fov_deg: float = 65.0
    interpupillary_m: float = 0.063

    def __post_init__(self) -> None:
        if not 20.0 <= self.horizontal_fov_deg <= 120.0:
            raise ValueError(f"horizontal_fov_deg must be 20-120, got {self.horizontal_fov_deg}")
        if not 0.04 <= self.interpupillary_m <= 0.08:
            raise ValueError(f"interpupillary_m must be 0.04-0.08 m, got {self.interpupillary_m}")

    def focal_px(self, frame_width_px: int) -> float:
        return (frame_width_px / 2.0) / math.tan(math.radians(self.horizontal_fov_deg) / 2.0)

    def distance_m(self, eye_px: float, frame_width_px: int) -> float:
        """How far eyes `eye_px` apart in the image are from the camera."""
        return self.focal_px(frame_width_px) * self.interpupillary_m / eye_px


@dataclass(frozen=True)
class PostureMeasures:
    """One frame's posture measures (see the module docstring for each)."""

    t_s: float
    head_to_shoulders: float
    neck_height: float
    shoulder_tilt_deg: float
    trunk_lean_deg: float | None
    screen_distance_m: float


def distance_is_plausible(measures: PostureMeasures) -> bool:
    """Whether the screen distance read is one a person at a screen sits at
    (`PLAUSIBLE_DISTANCE_M`): only then is it judged, shown or kept."""
    low, high = PLAUSIBLE_DISTANCE_M
    return low <= measures.screen_distance_m <= high


def median_measures(samples: Sequence[PostureMeasures]) -> PostureMeasures:
    """Each measure's median over `samples` (the lean over the frames that had one), at the
    time of the last: one landmark's bad frame cannot move it."""
    if not samples:
        raise ValueError("median_measures needs at least one sample")
    leans = [m.trunk_lean_deg for m in samples if m.trunk_lean_deg is not None]

    def middle(name: str) -> float:
        return float(np.median([getattr(m, name) for m in samples]))

    return PostureMeasures(
        t_s=samples[-1].t_s,
        head_to_shoulders=middle("head_to_shoulders"),
        neck_height=middle("neck_height"),
        shoulder_tilt_deg=middle("shoulder_tilt_deg"),
        trunk_lean_deg=float(np.median(leans)) if leans else None,
        screen_distance_m=middle("screen_distance_m"),
    )


def _visible(pose: Pose, landmarks: tuple[Landmark, ...]) -> bool:
    return bool(np.all(pose.visibility[list(landmarks)] >= MIN_VISIBILITY))


# Screen distances that can be read: nearer, the face fills the frame; further, the eyes
# are a few pixels apart and the reading is noise (or not a person at a screen). Outside
# these a distance is never judged, shown or kept.
PLAUSIBLE_DISTANCE_M = (0.2, 3.0)
# How far the nose may sit from the middle of the ears, as a share of half the ears'
# width, for the face to count as facing the camera. With the nose tip about 10 cm in
# front of ears 15 cm apart, the share is about 1.3 * tan(turn): 1.0 is a turn of about
# 37 degrees (a webcam off to one side), side-on is far beyond it.
MAX_TURN = 1.0


def facing_camera(pose: Pose) -> bool:
    """Whether the face is turned to the camera: the nose between the ears, near their
    middle. A face side-on (ears overlapping, the nose beyond them) is not."""
    if pose.is_empty or not _visible(pose, (Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)):
        return False
    px = pose.image_px
    left, right = px[Landmark.LEFT_EAR], px[Landmark.RIGHT_EAR]
    half_width = float(np.linalg.norm(left - right)) / 2.0
    if half_width < 1.0:
        return False
    axis = (left - right) / (2.0 * half_width)
    offset = float(np.dot(px[Landmark.NOSE] - (left + right) / 2.0, axis))
    return abs(offset) <= MAX_TURN * half_width


def measure(pose: Pose, camera: CameraModel) -> PostureMeasures | None:
    """The posture measures of `pose`, or None when the face or shoulders are not in view
    or the face is turned away from the camera (`facing_camera`: every measure here
    assumes a face turned to it; side-on, the eyes overlap and read as metres away)."""
    if pose.is_empty or not _visible(pose, NEEDED) or not facing_camera(pose):
        return None
    px = pose.image_px
    l_sh, r_sh = px[Landmark.LEFT_SHOULDER], px[Landmark.RIGHT_SHOULDER]
    across = l_sh - r_sh  # towards the patient's left
    shoulder_px = float(np.linalg.norm(across))
    eye_px = float(np.linalg.norm(px[Landmark.LEFT_EYE] - px[Landmark.RIGHT_EYE]))
    if shoulder_px < 1.0 or eye_px < 1.0:
        return None
    unit = across / shoulder_px
    # "Up" on the body: square to the shoulder line, towards the top of the image.
    up = np.array([unit[1], -unit[0]])
    if up[1] > 0:
        up = -up
    ear_mid = (px[Landmark.LEFT_EAR] + px[Landmark.RIGHT_EAR]) / 2.0
    shoulder_mid = (l_sh + r_sh) / 2.0
    ear_px = float(np.linalg.norm(px[Landmark.LEFT_EAR] - px[Landmark.RIGHT_EAR]))
    neck_px = float(np.dot(ear_mid - shoulder_mid, up))
    # Image y points down: the left shoulder is higher when its y is smaller.
    tilt = math.degrees(math.atan2(r_sh[1] - l_sh[1], abs(across[0])))
    lean = None
    if _visible(pose, HIPS):
        hip_mid = (px[Landmark.LEFT_HIP] + px[Landmark.RIGHT_HIP]) / 2.0
        trunk = shoulder_mid - hip_mid
        sideways = float(np.dot(trunk, np.array([math.copysign(1.0, across[0]), 0.0])))
        lean = math.degrees(math.atan2(sideways, -trunk[1]))
    return PostureMeasures(
        t_s=pose.t_s,
        head_to_shoulders=ear_px / shoulder_px,
        neck_height=neck_px / shoulder_px,
        shoulder_tilt_deg=tilt,
        trunk_lean_deg=lean,
        screen_distance_m=camera.distance_m(eye_px, pose.frame_wh[0]),
    )
