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

import math
from dataclasses import dataclass

import numpy as np

from coach.core import landmarks
from coach.core.landmarks import Side
from coach.core.pose import Pose
from coach.engine.view import DetectedView
from coach.exercise.schema import AngleDef, ExerciseDef, RatioDef

MeasureDef = AngleDef | RatioDef
SpaceName = str  # "image" | "world"

# Every measure is a function of two vectors between its points, u = p0 - p1 and
# v = p2 - p3 (a joint angle's two limbs; a segment and "up"; two widths). Written so,
# all of a definition's measures are one vectorised computation per frame, whatever
# their mix of types; each type says which points make u and v and what to take of them.
_ANGLE, _RATIO, _HEIGHT = 0, 1, 2  # the angle between u and v; |u| / |v|; u's rise / |v|
_ZERO, _UP = "_zero", "_up"  # constant pseudo-points: v = UP - ZERO points straight up
_VECTORS: dict[str, tuple[tuple[int | str, ...], int]] = {
    # type: (the points p0..p3 as indices into the definition's points, or pseudo-points)
    "flexion": ((0, 1, 2, 1), _ANGLE),  # 180 - the included angle at the middle point
    "included": ((0, 1, 2, 1), _ANGLE),
    "segment_vertical": ((1, 0, _UP, _ZERO), _ANGLE),
    "segment_horizontal": ((1, 0, _UP, _ZERO), _ANGLE),  # |90 - the angle from vertical|
    "between": ((1, 0, 3, 2), _ANGLE),
    "distance_ratio": ((0, 1, 2, 3), _RATIO),
    "height_ratio": ((1, 0, 2, 3), _HEIGHT),  # (reference - point) rising, over |a - b|
}
_NEAR_ZERO = 1e-9  # a segment shorter than this has no direction: NaN, not an angle


@dataclass(frozen=True)
class SidedValue:
    """A measure's value on each side; `center` for side-less measures."""

    left: float = np.nan
    right: float = np.nan
    center: float = np.nan

    # `on_side` does the same for whole columns, with the same arithmetic (x == x: not NaN).
    def on(self, side: Side | None) -> float:
        """The value for one side; side-less measures give their single value."""
        center = self.center
        if center == center:
            return center
        if side is None:
            return self.combined
        return self.left if side == "left" else self.right

    @property
    def combined(self) -> float:
        """One value for bilateral exercises: the mean of the sides that can be seen."""
        center, left, right = self.center, self.left, self.right
        if center == center:
            return center
        if left == left:
            return (left + right) / 2 if right == right else left
        return right  # NaN when neither side is seen


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
class _Plan:
    """Every row of a definition in one view, as indices into the stacked coordinates
    (image landmarks, then world landmarks, then the ZERO and UP pseudo-points)."""

    ends: np.ndarray  # (rows, 4, 2): p0..p3, each the midpoint of two coordinates
    watched: np.ndarray  # (rows, 8): the landmarks each row reads, for visibility
    kind: np.ndarray  # (rows,): _ANGLE, _RATIO or _HEIGHT
    flexion: np.ndarray  # (rows,) bool: report 180 - the angle
    horizontal: np.ndarray  # (rows,) bool: report |90 - the angle|
    checks_u: np.ndarray  # (rows,) bool: a zero-length u makes the value NaN (angles)


_LANDMARKS = landmarks.NUM_LANDMARKS
_PSEUDO = {_ZERO: 2 * _LANDMARKS, _UP: 2 * _LANDMARKS + 1}
_PSEUDO_POINTS = [(0.0, 0.0, 0.0), (0.0, -1.0, 0.0)]  # ZERO, then UP (image and world y down)


def _compile_plan(rows: list[_Row], view: DetectedView | None) -> _Plan:
    ends, watched = [], []
    for row in rows:
        offset = 0 if space_for(row.definition, view) == "image" else _LANDMARKS
        slots, _ = _VECTORS[row.definition.type]
        ends.append([
            (_PSEUDO[s],) * 2 if isinstance(s, str) else tuple(row.pairs[s] + offset)
            for s in slots
        ])  # fmt: skip
        seen = row.pairs.ravel().tolist()
        watched.append((seen * 8)[:8])  # padded by repetition: the minimum is unchanged
    kinds = [row.definition.type for row in rows]
    kind = np.array([_VECTORS[k][1] for k in kinds], dtype=np.intp)
    return _Plan(
        ends=np.array(ends, dtype=np.intp).reshape(len(rows), 4, 2),
        watched=np.array(watched, dtype=np.intp).reshape(len(rows), 8),
        kind=kind,
        flexion=np.array([k == "flexion" for k in kinds], dtype=bool),
        horizontal=np.array([k == "segment_horizontal" for k in kinds], dtype=bool),
        checks_u=kind == _ANGLE,
    )


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a . b over the last axis of 3, summed left to right as `_frame_values` sums it."""
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]


def _values(plan: _Plan, coordinates: np.ndarray) -> np.ndarray:
    """(frames, rows) values from (frames, 68, 3) stacked coordinates."""
    ends = coordinates[:, plan.ends]  # (frames, rows, 4, 2, 3)
    points = (ends[..., 0, :] + ends[..., 1, :]) * 0.5  # (frames, rows, 4, 3)
    u = points[:, :, 0] - points[:, :, 1]
    v = points[:, :, 2] - points[:, :, 3]
    u_len = np.sqrt(_dot(u, u))
    v_len = np.sqrt(_dot(v, v))
    defined = (v_len > _NEAR_ZERO) & ((u_len > _NEAR_ZERO) | ~plan.checks_u)
    safe_v = np.where(defined, v_len, 1.0)
    lengths = u_len * v_len
    cosine = _dot(u, v) / np.where(lengths > 0, lengths, 1.0)
    angle = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    angle = np.where(plan.flexion, 180.0 - angle, angle)
    angle = np.where(plan.horizontal, np.abs(90.0 - angle), angle)
    values = np.where(
        plan.kind == _ANGLE, angle, np.where(plan.kind == _RATIO, u_len, u[:, :, 1]) / safe_v
    )
    return np.where(defined, values, np.nan)


@dataclass(frozen=True)
class _FrameRow:
    """One row of a `_Plan` as plain numbers, for `_frame_values`."""

    ends: tuple[tuple[int, int], ...]  # p0..p3, each the midpoint of two coordinates
    watched: tuple[int, ...]
    kind: int
    flexion: bool
    horizontal: bool
    checks_u: bool


def _frame_rows(plan: _Plan) -> list[_FrameRow]:
    return [
        _FrameRow(
            tuple(map(tuple, ends)), tuple(dict.fromkeys(watched)), kind, flexion, horizontal,
            checks_u,
        )
        for ends, watched, kind, flexion, horizontal, checks_u in zip(
            plan.ends.tolist(), plan.watched.tolist(), plan.kind.tolist(),
            plan.flexion.tolist(), plan.horizontal.tolist(), plan.checks_u.tolist(),
            strict=True,
        )
    ]  # fmt: skip


def _midpoint(a: list[float], b: list[float]) -> tuple[float, float, float]:
    return ((a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5, (a[2] + b[2]) * 0.5)


def _frame_values(
    rows: list[_FrameRow], coordinates: list, visibility: list[float], min_visibility: float
) -> list[float]:
    """`_values` (and the visibility check of `compute_rows`) for one frame, on plain
    floats: a frame's few rows cost less so than as small arrays. The arithmetic is
    `_values`' own, operation for operation, with numpy's arccos, so both agree exactly."""
    cosines, u_lengths, v_lengths, rises = [], [], [], []
    for row in rows:
        # A point of one landmark is that landmark: (x + x) * 0.5 == x exactly.
        p0, p1, p2, p3 = [
            coordinates[a] if a == b else _midpoint(coordinates[a], coordinates[b])
            for a, b in row.ends
        ]
        ux, uy, uz = p0[0] - p1[0], p0[1] - p1[1], p0[2] - p1[2]
        vx, vy, vz = p2[0] - p3[0], p2[1] - p3[1], p2[2] - p3[2]
        u_len = math.sqrt(ux * ux + uy * uy + uz * uz)
        v_len = math.sqrt(vx * vx + vy * vy + vz * vz)
        lengths = u_len * v_len
        cosine = (ux * vx + uy * vy + uz * vz) / (lengths if lengths > 0 else 1.0)
        cosines.append(min(max(cosine, -1.0), 1.0))  # NaN stays NaN, as with np.clip
        u_lengths.append(u_len)
        v_lengths.append(v_len)
        rises.append(uy)
    angles = np.arccos(cosines).tolist()
    # v >= min_visibility as min_visibility <= v, mapped in C (no generator a row); a NaN
    # visibility fails it, as it fails the bulk path's minimum.
    is_visible = float(min_visibility).__le__
    values = []
    for row, angle, u_len, v_len, rise in zip(
        rows, angles, u_lengths, v_lengths, rises, strict=True
    ):
        defined = v_len > _NEAR_ZERO and (u_len > _NEAR_ZERO or not row.checks_u)
        visible = all(map(is_visible, map(visibility.__getitem__, row.watched)))
        if not (defined and visible):
            values.append(math.nan)
        elif row.kind == _ANGLE:
            angle = math.degrees(angle)
            if row.flexion:
                angle = 180.0 - angle
            values.append(abs(90.0 - angle) if row.horizontal else angle)
        else:
            values.append((u_len if row.kind == _RATIO else rise) / v_len)
    return values


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
    pairs. `compute_rows` takes many frames at once, one gather giving every point of
    every row; `compute` takes one frame on plain floats (`_frame_values`, the same
    arithmetic: tests/engine/test_measures.py holds the two to identical results).
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
        self._plans: dict[DetectedView | None, _Plan] = {}
        self._frame_plans: dict[DetectedView | None, list[_FrameRow]] = {}

    def required_landmarks(self, names: list[str]) -> set[int]:
        """All landmark indices the named measures read (for visibility guidance)."""
        return {int(i) for row in self._rows if row.name in names for i in row.pairs.ravel()}

    def _plan(self, view: DetectedView | None) -> _Plan:
        """Every row's points for this view, compiled once per view."""
        if view not in self._plans:
            self._plans[view] = _compile_plan(self._rows, view)
        return self._plans[view]

    def _frame_plan(self, view: DetectedView | None) -> list[_FrameRow]:
        """`_plan` as plain numbers, for one frame at a time."""
        if view not in self._frame_plans:
            self._frame_plans[view] = _frame_rows(self._plan(view))
        return self._frame_plans[view]

    @property
    def names_rows(self) -> list[str]:
        """The measure name of each row of `compute_rows` (a sided measure has two)."""
        return [row.name for row in self._rows]

    def compute(self, pose: Pose, view: DetectedView | None) -> dict[str, SidedValue]:
        if pose.is_empty:
            return {name: SidedValue() for name in self._names}
        if not self._rows:
            return {}
        width, height = pose.frame_wh
        coordinates = [(x * width, y * height, 0.0) for x, y, _ in pose.image_xyz.tolist()]
        coordinates += pose.world_xyz.tolist()
        coordinates += _PSEUDO_POINTS
        values = _frame_values(
            self._frame_plan(view), coordinates, pose.visibility.tolist(), self.min_visibility
        )
        by_name: dict[str, dict[str, float]] = {name: {} for name in self._names}
        for row, value in zip(self._rows, values, strict=True):
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
        seen in one view: one vectorised computation for all rows and frames at once."""
        frames = len(visibility)
        if not self._rows:
            return np.full((frames, 0), np.nan)
        plan = self._plan(view)
        coordinates = np.zeros((frames, 2 * _LANDMARKS + 2, 3))
        coordinates[:, :_LANDMARKS, :2] = image_px[..., :2]
        coordinates[:, _LANDMARKS : 2 * _LANDMARKS] = world_xyz
        coordinates[:, _PSEUDO[_UP], 1] = -1.0  # image and world y both point down
        values = _values(plan, coordinates)
        visible = visibility[:, plan.watched].min(axis=2) >= self.min_visibility
        return np.where(visible, values, np.nan)

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
