"""The one pose type everything downstream of the model uses.

A `Pose` is one person in one frame: 33 image landmarks (x, y normalised to the frame,
z a relative depth on the x scale), 33 world landmarks (metres, origin between the
hips, y pointing down like the image), a visibility per landmark, the frame time and the
frame size. `Pose.empty()` stands for "nobody in frame". Shapes are checked on
construction so a bad adapter fails at the boundary, not three modules later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from coach.core.landmarks import MIRROR_INDEX, NUM_LANDMARKS


def _frozen_copy(value: object) -> np.ndarray:
    # A private copy: freezing it must not freeze (or be changed through) the caller's array.
    array = np.array(value, dtype=np.float64)
    array.flags.writeable = False
    return array


def _check_shape(name: str, array: np.ndarray, shape: tuple[int, ...]) -> None:
    if array.shape != shape:
        raise ValueError(f"Pose.{name} must have shape {shape}, got {array.shape}")


def mirror_landmarks(
    image_xyz: np.ndarray, world_xyz: np.ndarray, visibility: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(..., 33, 3) image and world landmarks and (..., 33) visibility as seen in a mirrored
    image: x flipped, and the model's left and right swapped. New arrays; one pose or a
    whole recording of several people alike."""
    order = list(MIRROR_INDEX)
    image, world = image_xyz[..., order, :], world_xyz[..., order, :]
    image[..., 0] = 1.0 - image[..., 0]
    world[..., 0] = -world[..., 0]
    return image, world, visibility[..., order]


@dataclass(frozen=True, eq=False)
class Pose:
    """One person's landmarks in one frame (or nobody, when `is_empty`)."""

    image_xyz: np.ndarray
    world_xyz: np.ndarray
    visibility: np.ndarray
    t_s: float
    frame_wh: tuple[int, int]
    _n: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Plain attribute checks rather than numpy's Python-level helpers: a pose is made
        # two or three times a frame, just after the model has swept the caches.
        image = _frozen_copy(self.image_xyz)
        n = image.shape[0] if image.ndim else -1
        if n not in (0, NUM_LANDMARKS):
            raise ValueError(
                f"Pose.image_xyz must have shape ({NUM_LANDMARKS}, 3) or (0, 3) for an empty "
                f"pose, got {image.shape}"
            )
        world, visibility = _frozen_copy(self.world_xyz), _frozen_copy(self.visibility)
        _check_shape("image_xyz", image, (n, 3))
        _check_shape("world_xyz", world, (n, 3))
        _check_shape("visibility", visibility, (n,))
        width, height = self.frame_wh
        if width <= 0 or height <= 0:
            raise ValueError(f"Pose.frame_wh must be positive, got {self.frame_wh}")
        if not math.isfinite(self.t_s):
            raise ValueError(f"Pose.t_s must be a finite time in seconds, got {self.t_s}")
        object.__setattr__(self, "_n", n)
        object.__setattr__(self, "image_xyz", image)
        object.__setattr__(self, "world_xyz", world)
        object.__setattr__(self, "visibility", visibility)

    @classmethod
    def empty(cls, t_s: float, frame_wh: tuple[int, int]) -> Pose:
        """Nobody in frame at time `t_s`."""
        return cls(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), t_s, frame_wh)

    @property
    def is_empty(self) -> bool:
        return self._n == 0

    @property
    def image_px(self) -> np.ndarray:
        """(33, 2) image landmarks in pixels: the space where 2D angles are true angles."""
        width, height = self.frame_wh
        return self.image_xyz[:, :2] * np.array([width, height], dtype=np.float64)

    def mirrored(self) -> Pose:
        """The pose seen in a mirrored image: x flipped, and the model's left/right swapped.

        A mirrored webcam image makes the model call the patient's left arm "right"; the
        mirrored pose of that is the patient's own left and right again.
        """
        if self.is_empty:
            return self
        image, world, visibility = mirror_landmarks(self.image_xyz, self.world_xyz, self.visibility)
        return Pose(image, world, visibility, self.t_s, self.frame_wh)

    def with_landmarks(self, image_xyz: np.ndarray, world_xyz: np.ndarray) -> Pose:
        """The same pose with new coordinates (for filters); visibility and time kept."""
        return Pose(image_xyz, world_xyz, self.visibility, self.t_s, self.frame_wh)
