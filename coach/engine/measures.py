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
    "height_ratio": angle_math.height_ratio,
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
        if self.center == self.center:  # not NaN
            return self.center
        values = [v for v in (self.left, self.right) if v == v]
        return sum(values) / len(values) if values else np.nan


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
class _Row:
    """One measure on one side, with the landmark pairs whose midpoints are its points."""

    name: str
    side_key: str  # "left", "right" or "center"
    definition: MeasureDef
    pairs: np.ndarray  # (points, 2): a landmark twice, or the two ends of a midpoint


@dataclass(frozen=True)
class _Group:
    """Rows computed by one function in one space: one vectorised call per frame."""

    kind: str
    space: SpaceName
    row_ids: np.ndarray  # (rows,)
    pairs: np.ndarray  # (rows, points, 2)


def _rows(name: str, definition: MeasureDef) -> list[_Row]:
    sided = any(landmarks.is_sided(p) for p in definition.points)
    sides: tuple[Side | None, ...] = landmarks.SIDES if sided else (None,)
    rows = []
    for side in sides:
        pairs = []
        for point in definition.points:
            indices = landmarks.resolve(point, side)
            pairs.append((indices[0], indices[-1]))
        rows.append(_Row(name, side or "center", definition, np.array(pairs, dtype=np.intp)))
    return rows


class MeasureComputer:
    """Computes every measure of one definition on a pose, vectorised per angle type.

    Definitions are compiled once: each (measure, side) becomes a row of landmark index
    pairs; per frame, one gather per coordinate space gives every point, and each angle
    function runs once over all the rows that use it.
    """

    def __init__(self, exercise: ExerciseDef) -> None:
        self._compile({**exercise.angles, **exercise.ratios}, exercise.min_visibility)

    @classmethod
    def of(cls, measures: dict[str, MeasureDef], min_visibility: float = 0.5) -> MeasureComputer:
        """A computer for measures declared outside an exercise (the assessment's goniometer
        and functional tests use the same angle vocabulary)."""
        computer = cls.__new__(cls)
        computer._compile(measures, min_visibility)
        return computer

    def _compile(self, measures: dict[str, MeasureDef], min_visibility: float) -> None:
        self.min_visibility = min_visibility
        self._rows = [row for name, d in measures.items() for row in _rows(name, d)]
        self._names = list(dict.fromkeys(row.name for row in self._rows))
        self._plans: dict[DetectedView | None, list[_Group]] = {}

    def required_landmarks(self, names: list[str]) -> set[int]:
        """All landmark indices the named measures read (for visibility guidance)."""
        return {int(i) for row in self._rows if row.name in names for i in row.pairs.ravel()}

    def _plan(self, view: DetectedView | None) -> list[_Group]:
        """Rows grouped by (function, space) for this view, computed once per view."""
        if view not in self._plans:
            groups: dict[tuple[str, SpaceName], list[int]] = {}
            for i, row in enumerate(self._rows):
                key = (row.definition.type, space_for(row.definition, view))
                groups.setdefault(key, []).append(i)
            self._plans[view] = [
                _Group(kind, space, np.array(ids), np.stack([self._rows[i].pairs for i in ids]))
                for (kind, space), ids in groups.items()
            ]
        return self._plans[view]

    @property
    def names_rows(self) -> list[str]:
        """The measure name of each row of `compute_rows` (a sided measure has two)."""
        return [row.name for row in self._rows]

    def compute(self, pose: Pose, view: DetectedView | None) -> dict[str, SidedValue]:
        if pose.is_empty:
            return {name: SidedValue() for name in self._names}
        values = self.compute_rows(
            pose.image_px[None], pose.world_xyz[None], pose.visibility[None], view
        )[0]
        by_name: dict[str, dict[str, float]] = {name: {} for name in self._names}
        for row, value in zip(self._rows, values.tolist(), strict=True):
            by_name[row.name][row.side_key] = value
        return {name: SidedValue(**sides) for name, sides in by_name.items()}

    def compute_rows(
        self,
        image_px: np.ndarray,
        world_xyz: np.ndarray,
        visibility: np.ndarray,
        view: DetectedView | None,
    ) -> np.ndarray:
        """(frames, rows) values of every (measure, side) row on (frames, 33, D) landmarks
        seen in one view: one call per angle type for all frames at once."""
        values = np.full((len(visibility), len(self._rows)), np.nan)
        coordinates = {"image": image_px, "world": world_xyz}
        for group in self._plan(view):
            pairs = group.pairs
            xyz = coordinates[group.space]
            points = (xyz[:, pairs[..., 0]] + xyz[:, pairs[..., 1]]) / 2  # (N, rows, points, D)
            function = _ANGLE_FUNCTIONS[group.kind]
            computed = function(*(points[:, :, k] for k in range(pairs.shape[1])))
            visible = visibility[:, pairs].min(axis=(2, 3)) >= self.min_visibility
            values[:, group.row_ids] = np.where(visible, computed, np.nan)
        return values

    def sided_columns(self, values: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
        """(frames, rows) values -> per measure, its 'left', 'right' and 'center' columns
        (NaN where the measure has no such side), as `compute`'s `SidedValue`s hold them."""
        missing = np.full(len(values), np.nan)
        sides = ("left", "right", "center")
        columns = {name: dict.fromkeys(sides, missing) for name in self._names}
        for i, row in enumerate(self._rows):
            columns[row.name][row.side_key] = values[:, i]
        return columns


def on_side(columns: dict[str, np.ndarray], side: Side | None) -> np.ndarray:
    """`SidedValue.on` for whole columns of frames: the same choices, element by element."""
    center = columns["center"]
    has_center = ~np.isnan(center)
    if side is not None:
        return np.where(has_center, center, columns[side])
    left, right = columns["left"], columns["right"]
    seen_left, seen_right = ~np.isnan(left), ~np.isnan(right)
    one = np.where(seen_left, left, right)
    both = np.where(seen_left & seen_right, (left + right) / 2, one)
    return np.where(has_center, center, both)
