"""Compute a definition's angles and ratios on one pose, per side, in the right space.

An angle whose points name no side ("mid_hip", "nose") has one value; one with side-less
names ("knee") has a left and a right value. A value is NaN when any of its landmarks is
less visible than the definition's `min_visibility`: landmarks the model only guesses are
never trusted.

Space: a 2D image angle is a true angle only for motion in the plane facing the camera.
With `space = "auto"`, an angle of a sagittal movement is taken from the image when the
camera sees the patient side-on, a frontal one when it sees them from the front or back,
and from the world (3D) landmarks otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coach import angles as angle_math
from coach import landmarks
from coach.engine.view import DetectedView
from coach.exercise.schema import AngleDef, ExerciseDef, RatioDef
from coach.landmarks import Side
from coach.pose import Pose

MeasureDef = AngleDef | RatioDef
SpaceName = str  # "image" | "world"

_ANGLE_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "flexion": angle_math.flexion_deg,
    "included": angle_math.included_angle_deg,
    "segment_vertical": angle_math.segment_to_vertical_deg,
    "segment_horizontal": angle_math.segment_to_horizontal_deg,
    "between": angle_math.between_segments_deg,
    "distance_ratio": angle_math.distance_ratio,
}


@dataclass(frozen=True)
class SidedValue:
    """A measure's value on each side; `center` for side-less measures."""

    left: float = np.nan
    right: float = np.nan
    center: float = np.nan

    def on(self, side: Side | None) -> float:
        """The value for one side; side-less measures give their single value."""
        if side is None:
            return self.combined
        if not np.isnan(self.center):
            return self.center
        return self.left if side == "left" else self.right

    @property
    def combined(self) -> float:
        """One value for bilateral exercises: the mean of the sides that can be seen."""
        if not np.isnan(self.center):
            return self.center
        values = [v for v in (self.left, self.right) if not np.isnan(v)]
        return float(np.mean(values)) if values else np.nan


def space_for(definition: MeasureDef, view: DetectedView | None) -> SpaceName:
    """Image or world coordinates for this measure in this view."""
    if definition.space != "auto":
        return definition.space
    plane = getattr(definition, "plane", "any")
    if plane == "sagittal" and view == "side":
        return "image"
    if plane == "frontal" and view in ("front", "back"):
        return "image"
    return "world"


@dataclass(frozen=True)
class _CompiledMeasure:
    name: str
    definition: MeasureDef
    sided: bool
    # Landmark indices per point, for each side (None = side-less).
    indices: dict[Side | None, tuple[tuple[int, ...], ...]]


def _compile(name: str, definition: MeasureDef) -> _CompiledMeasure:
    sided = any(landmarks.is_sided(p) for p in definition.points)
    sides: tuple[Side | None, ...] = landmarks.SIDES if sided else (None,)
    indices = {
        side: tuple(landmarks.resolve(point, side) for point in definition.points)
        for side in sides
    }
    return _CompiledMeasure(name, definition, sided, indices)


class MeasureComputer:
    """Computes every measure of one definition on a pose."""

    def __init__(self, exercise: ExerciseDef) -> None:
        self.min_visibility = exercise.min_visibility
        self._measures = [
            _compile(name, d) for name, d in {**exercise.angles, **exercise.ratios}.items()
        ]

    def required_landmarks(self, names: list[str]) -> set[int]:
        """All landmark indices the named measures read (for visibility guidance)."""
        wanted = set()
        for measure in self._measures:
            if measure.name in names:
                for points in measure.indices.values():
                    for point in points:
                        wanted.update(point)
        return wanted

    def compute(self, pose: Pose, view: DetectedView | None) -> dict[str, SidedValue]:
        if pose.is_empty:
            return {m.name: SidedValue() for m in self._measures}
        coordinates = {"image": pose.image_px, "world": pose.world_xyz}
        results = {}
        for measure in self._measures:
            space = space_for(measure.definition, view)
            xyz = coordinates[space]
            function = _ANGLE_FUNCTIONS[measure.definition.type]
            values: dict[str, float] = {}
            for side, points in measure.indices.items():
                visible = min(float(pose.visibility[list(p)].min()) for p in points)
                if visible < self.min_visibility:
                    value = np.nan
                else:
                    value = float(function(*(xyz[list(p)].mean(axis=0) for p in points)))
                values[side or "center"] = value
            results[measure.name] = SidedValue(**values)
        return results
