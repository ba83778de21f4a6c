"""Compute a definition's angles and ratios on poses, per side, in the right space.

A recording's frames are computed together, a live frame as a batch of one; the maths of
each measure type is `coach.core.angles`'.

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

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from coach.core import angles, landmarks
from coach.core.landmarks import Side
from coach.core.pose import Pose
from coach.engine.view import DetectedView
from coach.exercise.schema import AngleDef, ExerciseDef, RatioDef

MeasureDef = AngleDef | RatioDef
SpaceName = str  # "image" | "world"

# What each measure type is: the function of its points (p0, p1, ...) in coach/core/angles.py.
# The angle types are `AngleForm`s: a plan computes all its angles in one call.
_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "flexion": angles.FLEXION,
    "flexion_towards": angles.FLEXION_TOWARDS,
    "included": angles.INCLUDED,
    "segment_vertical": angles.SEGMENT_VERTICAL,
    "segment_horizontal": angles.SEGMENT_HORIZONTAL,
    "between": angles.BETWEEN,
    "distance_ratio": angles.distance_ratio,
    "height_ratio": angles.height_ratio,
    "line_offset": angles.line_offset,
    "ahead_ratio": angles.ahead_ratio,
}
_SIDE_KEYS = ("left", "right", "center")
# Side-on, how much less sure of a far limb's landmarks than of the near limb's the model
# may be for the far limb still to count as seen (`near_side_only`). MediaPipe's visibility
# is its estimate that a landmark is in view and not occluded: two limbs both in view read
# within about a tenth of each other (both sides front-on; the synthetic bench's seen
# landmarks), while a far limb hidden behind the body reads a third or more below a near
# one the model is sure of, hovering about `min_visibility`.
FAR_SIDE_VISIBILITY_GAP = 0.25


@dataclass(frozen=True)
class SidedValue:
    """A measure's value on each side; `center` for side-less measures."""

    left: float = np.nan
    right: float = np.nan
    center: float = np.nan

    def on(self, side: Side | None) -> float:
        """The value for one side (`on_side`); side-less measures give their single value."""
        sides = {"left": self.left, "right": self.right, "center": self.center}
        return float(on_side(sides, side))

    @property
    def combined(self) -> float:
        """One value for bilateral exercises: the mean of the sides that can be seen."""
        return self.on(None)


def on_side(sides: Mapping[str, ArrayLike], side: Side | None) -> np.ndarray:
    """A measure's values for one side, from its 'left', 'right' and 'center' values (any
    shape, element by element): a side-less measure gives its single value, a sided one
    the side asked for, or with `side` None the mean of the sides that can be seen."""
    center = np.asarray(sides["center"])
    has_center = ~np.isnan(center)
    if side is not None:
        return np.where(has_center, center, sides[side])
    left, right = np.asarray(sides["left"]), np.asarray(sides["right"])
    seen_left, seen_right = ~np.isnan(left), ~np.isnan(right)
    one = np.where(seen_left, left, right)
    both = np.where(seen_left & seen_right, (left + right) / 2, one)
    return np.where(has_center, center, both)


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
    """The rows of one measure type in one view: where their points are among the plan's
    points (`_Plan.pairs`), `rows` rows of `points` points each from `start` on."""

    function: Callable[..., np.ndarray]
    rows: np.ndarray  # (k,): where these rows go among all rows
    start: int
    points: int

    def arguments(self, points: np.ndarray) -> list[np.ndarray]:
        """The function's (frames, k, D) point arguments, from the plan's (frames, P, D)
        points: views, no copies."""
        k = len(self.rows)
        block = points[:, self.start : self.start + k * self.points]
        shape = (len(points), k, self.points, points.shape[-1])  # no -1: a batch may be empty
        return list(block.reshape(shape).transpose(2, 0, 1, 3))


@dataclass(frozen=True)
class _Plan:
    """Every row of a definition in one view. All the points of all the rows are found
    at once (one gather, one midpoint): live, a frame is a batch of one, where the number
    of array operations, not their size, sets the cost."""

    angle_groups: tuple[_Group, ...]  # the groups whose function is an `AngleForm`
    other_groups: tuple[_Group, ...]
    pairs: np.ndarray  # (P, 2): each point the midpoint of two of the stacked coordinates
    watched: np.ndarray  # (rows, 8): the landmarks each row reads, for visibility


_LANDMARKS = landmarks.NUM_LANDMARKS


def _compile_plan(rows: list[_Row], view: DetectedView | None) -> _Plan:
    by_type: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_type.setdefault(row.definition.type, []).append(i)
    groups: list[_Group] = []
    pairs: list[list[int]] = []
    for kind, members in by_type.items():
        points = len(rows[members[0]].pairs)
        groups.append(
            _Group(_FUNCTIONS[kind], np.array(members, dtype=np.intp), len(pairs), points)
        )
        for i in members:  # row by row, each row's points in order
            offset = 0 if space_for(rows[i].definition, view) == "image" else _LANDMARKS
            pairs += (rows[i].pairs + offset).tolist()
    # Each row's landmarks, padded to 8 by repetition (their least visibility is unchanged).
    watched = [(row.pairs.ravel().tolist() * 8)[:8] for row in rows]
    return _Plan(
        tuple(g for g in groups if isinstance(g.function, angles.AngleForm)),
        tuple(g for g in groups if not isinstance(g.function, angles.AngleForm)),
        np.array(pairs, dtype=np.intp).reshape(len(pairs), 2),
        np.array(watched, dtype=np.intp).reshape(len(rows), 8),
    )


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
    """Computes every measure of one definition on many frames at once (one frame is a
    batch of one), per side, each measure type one call of its `coach.core.angles` function.

    Definitions are compiled once: each (measure, side) becomes a row of landmark index
    pairs, and each view a plan grouping the rows by type.
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
        self.names = list(dict.fromkeys(row.name for row in self._rows))
        self._plans: dict[DetectedView | None, _Plan] = {}
        # Where each measure's left, right and center values are among the rows (one past
        # the last row: a NaN column, for a side the measure does not have).
        where = {key: [len(self._rows)] * len(self.names) for key in _SIDE_KEYS}
        for i, row in enumerate(self._rows):
            where[row.side_key][self.names.index(row.name)] = i
        self._side_rows = {key: np.array(rows, dtype=np.intp) for key, rows in where.items()}
        # The left and right rows of each measure that has both sides.
        left, right = self._side_rows["left"], self._side_rows["right"]
        paired = (left < len(self._rows)) & (right < len(self._rows))
        self._paired_rows = (left[paired], right[paired])

    @property
    def row_count(self) -> int:
        """How many values `compute_rows` gives a frame (a sided measure has two)."""
        return len(self._rows)

    def required_landmarks(self, names: list[str]) -> set[int]:
        """All landmark indices the named measures read (for visibility guidance)."""
        return {int(i) for row in self._rows if row.name in names for i in row.pairs.ravel()}

    def _plan(self, view: DetectedView | None) -> _Plan:
        """Every row's points for this view, compiled once per view."""
        if view not in self._plans:
            self._plans[view] = _compile_plan(self._rows, view)
        return self._plans[view]

    def compute(self, pose: Pose, view: DetectedView | None) -> dict[str, SidedValue]:
        """Every measure of one pose, per side: `compute_rows` on a batch of one frame."""
        if pose.is_empty:
            return {name: SidedValue() for name in self.names}
        rows = self.compute_rows(
            pose.image_px[None], pose.world_xyz[None], pose.visibility[None], view
        )
        return self.sided_values(rows[0])

    def compute_rows(
        self,
        image_px: np.ndarray,
        world_xyz: np.ndarray,
        visibility: np.ndarray,
        view: DetectedView | None,
    ) -> np.ndarray:
        """(frames, rows) values of every (measure, side) row on (frames, 33, D) landmarks
        seen in one view. A value is NaN where a landmark it reads is less visible than
        `min_visibility`."""
        frames = len(visibility)
        if not self._rows:
            return np.full((frames, 0), np.nan)
        plan = self._plan(view)
        coordinates = np.zeros((frames, 2 * _LANDMARKS, 3))
        coordinates[:, :_LANDMARKS, :2] = image_px[..., :2]
        coordinates[:, _LANDMARKS:] = world_xyz
        values = np.empty((frames, len(self._rows)))
        ends = coordinates[:, plan.pairs]  # (frames, P, 2, 3)
        points = (ends[:, :, 0] + ends[:, :, 1]) * 0.5  # (frames, P, 3)
        if plan.angle_groups:
            self._angle_rows(plan.angle_groups, points, values)
        for group in plan.other_groups:
            values[:, group.rows] = group.function(*group.arguments(points))
        visible = visibility[:, plan.watched].min(axis=2) >= self.min_visibility
        return np.where(visible, values, np.nan)

    @staticmethod
    def _angle_rows(groups: tuple[_Group, ...], points: np.ndarray, values: np.ndarray) -> None:
        """Every angle row into `values`: each group's vectors, one `angle_between_deg` of
        them all, then each group's finish (`AngleForm`)."""
        arguments = [group.arguments(points) for group in groups]
        forms = [g.function for g in groups if isinstance(g.function, angles.AngleForm)]
        vectors = [form.vectors(*args) for form, args in zip(forms, arguments, strict=True)]
        u = np.concatenate([pair[0] for pair in vectors], axis=1)
        v = np.concatenate([pair[1] for pair in vectors], axis=1)
        angle = angles.angle_between_deg(u, v)  # (frames, all angle rows)
        start = 0
        for group, form, args in zip(groups, forms, arguments, strict=True):
            stop = start + len(group.rows)
            values[:, group.rows] = form.finish(angle[:, start:stop], *args)
            start = stop

    def near_side_only(
        self, rows: np.ndarray, visibility: np.ndarray, view: DetectedView | None
    ) -> np.ndarray:
        """(frames, rows) values of frames seen side-on: each sided measure's far-side value
        NaN where the model is markedly less sure of its landmarks than of the near side's
        (by `FAR_SIDE_VISIBILITY_GAP`), and the near side is measured. Returns a new array.

        Side-on the body hides the far limbs and the model guesses them, often well enough
        to pass `min_visibility` on some frames and not on others: a mean of the sides that
        flips between both sides and the near one alone jumps (the reach of a push-up's far
        arm reads a tenth of a trunk short of the near one's), which moves the patient's own
        rest and can hide a rep's turn. A far limb the model sees as well as the near one
        (legs apart in a stride) stays in the mean. Per measure, the near side is the one
        whose landmarks (the least visible of those it reads) the model is surer of."""
        seen = visibility[:, self._plan(view).watched].min(axis=2)  # (frames, rows)
        left, right = self._paired_rows
        near_left = seen[:, left] >= seen[:, right]  # (frames, pairs)
        near = np.where(near_left, left, right)
        far = np.where(near_left, right, left)
        frames = np.arange(len(rows))[:, None]  # broadcast against (frames, pairs)
        hidden = np.isfinite(rows[frames, near]) & (
            seen[frames, far] < seen[frames, near] - FAR_SIDE_VISIBILITY_GAP
        )
        kept = rows.copy()
        kept[hidden.nonzero()[0], far[hidden]] = np.nan
        return kept

    def sides(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """(..., rows) values -> 'left', 'right' and 'center' (..., measures): each measure's
        value on that side (NaN where it has no such side), measures in `names` order."""
        padded = np.concatenate([values, np.full((*values.shape[:-1], 1), np.nan)], axis=-1)
        return {key: padded[..., rows] for key, rows in self._side_rows.items()}

    def sided_values(self, values: np.ndarray) -> dict[str, SidedValue]:
        """One frame's (rows,) values as a `SidedValue` per measure."""
        sides = {key: column.tolist() for key, column in self.sides(values).items()}
        return {
            name: SidedValue(*(sides[key][j] for key in _SIDE_KEYS))
            for j, name in enumerate(self.names)
        }
