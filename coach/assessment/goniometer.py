"""The camera goniometer's measures, read from data/rom_measures.toml, and their angles.

Each measure is an angle in the exercise definitions' vocabulary (`AngleDef`), the view in
which its movement lies in the plane facing the camera, and the normal adult range. The
angle is always taken from the image (pixels): a 2D angle is a true angle only in that
view, which is why a measurement refuses any other view (coach.assessment.rom).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.core import landmarks
from coach.core.errors import CoachError
from coach.core.landmarks import Side
from coach.core.pose import Pose
from coach.engine.measures import MeasureComputer
from coach.exercise.schema import AngleDef, LandmarkName, Plane

DATA = Path(str(resources.files("coach.assessment") / "data"))
MEASURES_FILE = DATA / "rom_measures.toml"
RomView = Literal["side", "front"]
VIEW_ADVICE: dict[str, str] = {
    "side": "Turn side-on to the camera",
    "front": "Face the camera",
}
MIN_VISIBILITY = 0.5


class _MeasureFile(BaseModel):
    """One table of rom_measures.toml; unknown keys are errors (a typo fails loudly)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    view: RomView
    type: Literal["flexion", "included", "segment_vertical", "between"]
    points: list[LandmarkName]
    normal_range: tuple[float, float]
    source: str
    how: str = Field(min_length=1)
    toward: tuple[LandmarkName, LandmarkName, LandmarkName, LandmarkName] | None = None


@dataclass(frozen=True)
class RomMeasure:
    """A goniometer measure: what to move, where to stand, the normal range."""

    id: str
    label: str
    view: RomView
    angle: AngleDef
    normal_range: tuple[float, float]
    source: str
    how: str
    # Directional measures (side bending) have one angle; the side is where it leans:
    # (from, to, right, left) = the lean from->to along the body's right->left line.
    toward: tuple[str, str, str, str] | None = None

    @property
    def sided(self) -> bool:
        """True when the measure has a left and a right result."""
        return self.toward is not None or any(landmarks.is_sided(p) for p in self.angle.points)

    @property
    def advice(self) -> str:
        """What to tell a patient who stands the wrong way for this measure."""
        return VIEW_ADVICE[self.view]


def load_measures(path: Path = MEASURES_FILE) -> dict[str, RomMeasure]:
    """The measures of a goniometer file, in file order; errors name the file and key."""
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CoachError(f"{path}: cannot read the goniometer measures: {exc}") from exc
    measures: dict[str, RomMeasure] = {}
    for measure_id, table in raw.items():
        try:
            parsed = _MeasureFile.model_validate(table)
            plane: Plane = "sagittal" if parsed.view == "side" else "frontal"
            angle = AngleDef(
                type=parsed.type,
                points=parsed.points,
                plane=plane,
                space="image",
                normal_range=parsed.normal_range,
                label=parsed.label,
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(k) for k in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise CoachError(f"{path}: [{measure_id}] {problems}") from exc
        measures[measure_id] = RomMeasure(
            measure_id,
            parsed.label,
            parsed.view,
            angle,
            parsed.normal_range,
            parsed.source,
            parsed.how,
            parsed.toward,
        )
    return measures


class AngleReader:
    """Reads one measure's angle on a pose, per side, with the engine's measure computer."""

    def __init__(self, measure: RomMeasure) -> None:
        self.measure = measure
        self._computer = MeasureComputer.of({measure.id: measure.angle}, MIN_VISIBILITY)

    def read(self, pose: Pose) -> dict[Side, float]:
        """{side: degrees} for the sides seen (an unseen side is NaN)."""
        value = self._computer.compute(pose, self.measure.view)[self.measure.id]
        if self.measure.toward is None:
            return {"left": value.on("left"), "right": value.on("right")}
        lean = _lean_to_left(pose, self.measure.toward)
        angle = value.center
        if np.isnan(lean) or np.isnan(angle):
            return {"left": np.nan, "right": np.nan}
        # Upright, the angle is near zero on both sides; leaning, it belongs to one side.
        return {"left": angle if lean >= 0 else 0.0, "right": angle if lean <= 0 else 0.0}


def _point(pose: Pose, name: str) -> np.ndarray:
    indices = landmarks.resolve(name, None)
    return pose.image_px[list(indices)].mean(axis=0)


def _lean_to_left(pose: Pose, toward: tuple[str, str, str, str]) -> float:
    """How far the from->to line leans to the patient's left (negative: right), in pixels.
    Judged along the body's own right->left line, so a mirrored image gives the same side."""
    start, end, right, left = (_point(pose, name) for name in toward)
    across = left - right
    norm = float(np.linalg.norm(across))
    if norm < 1e-9:
        return float("nan")
    return float(np.dot(end - start, across / norm))
