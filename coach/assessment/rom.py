"""One range-of-motion measurement: poses in, the stable peak per side out.

`RomMeasurement.update(pose)` works on the pose's own time. It measures only while the
camera sees the patient in the measure's view (a side-view measure seen from the front
would be a foreshortened, wrong angle) and otherwise says how to turn. Per side it keeps
the stable peak (coach.assessment.steady): the highest angle held steady for a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from coach.assessment.goniometer import AngleReader, RomMeasure
from coach.assessment.steady import StablePeak
from coach.core.landmarks import SIDES, Side
from coach.core.pose import Pose
from coach.engine.view import DetectedView, ViewEstimator

NO_PERSON = "Step into view of the camera"
# A side whose best hold is below this was not moved (the other side was): no result.
MIN_MOVEMENT_DEG = 5.0


class RomStatus(Enum):
    NO_PERSON = "no_person"
    WRONG_VIEW = "wrong_view"
    NOT_VISIBLE = "not_visible"
    MEASURING = "measuring"


@dataclass(frozen=True)
class RomReading:
    """What one frame gave: the status with a message for the patient, the smoothed angle
    now and the stable peak so far, per side."""

    t_s: float
    status: RomStatus
    message: str | None
    view: DetectedView | None
    angle_deg: dict[Side, float]
    peak_deg: dict[Side, float]
    steady: dict[Side, bool]


@dataclass(frozen=True)
class SideResult:
    """A measured side: the stable peak, its jitter, and the normal range to read it by."""

    side: Side | None
    value_deg: float
    jitter_deg: float
    samples: int
    normal_range: tuple[float, float]


class RomMeasurement:
    """Measures one goniometer measure on a stream of poses (both sides where seen)."""

    def __init__(
        self, measure: RomMeasure, *, window_s: float = 1.0, max_std_deg: float = 2.0
    ) -> None:
        self.measure = measure
        self._reader = AngleReader(measure)
        self._view = ViewEstimator.prompt()  # a gate: measure only while the view is right
        self._peaks = {side: StablePeak(window_s, max_std_deg) for side in SIDES}

    def update(self, pose: Pose) -> RomReading:
        t_s = pose.t_s
        view = self._view.update(pose)
        nan = {side: float("nan") for side in SIDES}
        if pose.is_empty:
            return self._reading(t_s, RomStatus.NO_PERSON, NO_PERSON, view, nan)
        if view != self.measure.view:
            for peak in self._peaks.values():
                peak.reset_window()
            return self._reading(t_s, RomStatus.WRONG_VIEW, self.measure.advice, view, nan)
        raw = self._reader.read(pose)
        smoothed = {side: self._peaks[side].update(raw[side], t_s) for side in SIDES}
        if all(np.isnan(v) for v in smoothed.values()):
            message = "Move so the joint you measure is in view, nearest the camera"
            return self._reading(t_s, RomStatus.NOT_VISIBLE, message, view, smoothed)
        return self._reading(t_s, RomStatus.MEASURING, None, view, smoothed)

    def _reading(
        self,
        t_s: float,
        status: RomStatus,
        message: str | None,
        view: DetectedView | None,
        angle: dict[Side, float],
    ) -> RomReading:
        peaks = {
            side: p.peak.value_deg if p.peak else float("nan") for side, p in self._peaks.items()
        }
        steady = {side: p.steady for side, p in self._peaks.items()}
        return RomReading(t_s, status, message, view, angle, peaks, steady)

    def results(self) -> list[SideResult]:
        """One result per side that was moved and held (for a side-less measure such as
        trunk flexion, one result with side None)."""
        results = []
        for side in SIDES:
            hold = self._peaks[side].peak
            if hold is None or hold.value_deg < MIN_MOVEMENT_DEG:
                continue
            results.append(
                SideResult(
                    side if self.measure.sided else None,
                    hold.value_deg,
                    hold.jitter_deg,
                    hold.samples,
                    self.measure.normal_range,
                )
            )
        if not self.measure.sided and results:
            return [max(results, key=lambda r: r.value_deg)]
        return results
