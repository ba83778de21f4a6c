"""The patient's neutral: a few seconds of comfortable upright sitting, taken as the median
so a blink, a nod or one bad landmark does not set it."""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.posture.assess import Neutral
from coach.posture.measures import PostureMeasures, median_measures


@dataclass
class Calibrator:
    """Collects `duration_s` of measures (pose time) and gives the median as the neutral.

    Frames without the face and shoulders in view do not count; if more than
    `max_gap_s` passes without one, collection starts again (the patient left)."""

    duration_s: float = 5.0
    max_gap_s: float = 1.0
    _samples: list[PostureMeasures] = field(default_factory=list)

    def update(self, measures: PostureMeasures | None, t_s: float) -> Neutral | None:
        """Add a frame; the neutral once enough time has been collected, else None."""
        if measures is None:
            if self._samples and t_s - self._samples[-1].t_s > self.max_gap_s:
                self._samples.clear()
            return None
        if self._samples and measures.t_s - self._samples[-1].t_s > self.max_gap_s:
            self._samples.clear()
        self._samples.append(measures)
        if self.collected_s < self.duration_s:
            return None
        return Neutral.from_measures(median_measures(self._samples))

    @property
    def collected_s(self) -> float:
        if not self._samples:
            return 0.0
        return self._samples[-1].t_s - self._samples[0].t_s

    @property
    def progress(self) -> float:
        return min(1.0, self.collected_s / self.duration_s)
