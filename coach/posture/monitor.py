"""One posture check from start to finish: poses in, the current state out, and at the end
only a numeric summary (no frames, no landmarks) for the store.

Measures are smoothed with a running median over `smoothing_s` of pose time before they are
judged, so a single jittery frame neither raises nor clears an issue.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Any

from coach.core.pose import Pose
from coach.posture.assess import Finding, Neutral, PostureLimits, assess, is_poor
from coach.posture.calibration import Calibrator
from coach.posture.measures import (
    CameraModel,
    PostureMeasures,
    distance_is_plausible,
    facing_camera,
    measure,
    median_measures,
)
from coach.posture.reminders import Nudge, ReminderPolicy, Reminders

MAX_STEP_S = 1.0  # a gap between frames counts for at most this long in the summary
SUMMARY_VERSION = 1
# Frozen dataclasses: safe to share as defaults.
DEFAULT_CAMERA, DEFAULT_LIMITS, DEFAULT_POLICY = CameraModel(), PostureLimits(), ReminderPolicy()


@dataclass(frozen=True)
class PostureState:
    """What the page shows after a frame."""

    t_s: float
    present: bool
    measures: PostureMeasures | None  # smoothed
    findings: tuple[Finding, ...]
    calibrating: bool
    calibration_progress: float
    calibrated: bool
    nudge: Nudge | None  # a new nudge on this frame
    turned_away: bool = False  # a face and shoulders in view, but not facing the camera

    @property
    def poor(self) -> bool:
        return is_poor(self.findings)


def _median_of(histogram: Counter[int]) -> int | None:
    """The (lower) median of the values counted in `histogram`."""
    total = sum(histogram.values())
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if 2 * seen >= total:
            return value
    return None


class PostureMonitor:
    """The posture check of one sitting; never shared between patients or streams."""

    def __init__(
        self,
        *,
        camera: CameraModel = DEFAULT_CAMERA,
        limits: PostureLimits = DEFAULT_LIMITS,
        policy: ReminderPolicy = DEFAULT_POLICY,
        reminders_on: bool = False,
        smoothing_s: float = 1.0,
        calibration_s: float = 5.0,
    ) -> None:
        self.camera, self.limits = camera, limits
        self.reminders_on = reminders_on
        self.neutral: Neutral | None = None
        self._reminders = Reminders(policy)
        self._recent: deque[PostureMeasures] = deque()
        self._smoothing_s = smoothing_s
        self._calibration_s = calibration_s
        self._calibrator: Calibrator | None = None
        self._last_t: float | None = None
        self._seconds: defaultdict[str, float] = defaultdict(float)
        self._issue_s: defaultdict[str, float] = defaultdict(float)
        self._nudges: list[Nudge] = []
        self._distance_cm: Counter[int] = Counter()  # a histogram: bounded over a long day
        self._poor_spell_s = self._longest_poor_s = 0.0

    def calibrate(self) -> None:
        """Start (or restart) taking the patient's neutral from the next frames."""
        self._calibrator = Calibrator(duration_s=self._calibration_s)

    def _smoothed(self, measures: PostureMeasures | None, t_s: float) -> PostureMeasures | None:
        if measures is not None:
            self._recent.append(measures)
        while self._recent and self._recent[0].t_s < t_s - self._smoothing_s:
            self._recent.popleft()
        return median_measures(self._recent) if self._recent else None

    def update(self, pose: Pose) -> PostureState:
        t_s = pose.t_s
        if self._last_t is not None and t_s <= self._last_t:
            raise ValueError(f"pose times must increase: {t_s} s after {self._last_t} s")
        step = 0.0 if self._last_t is None else min(t_s - self._last_t, MAX_STEP_S)
        self._last_t = t_s
        raw = measure(pose, self.camera)
        smoothed = self._smoothed(raw, t_s)
        calibrating = self._calibrator is not None
        progress = 0.0
        if self._calibrator is not None:
            neutral = self._calibrator.update(raw, t_s)
            progress = self._calibrator.progress
            if neutral is not None:
                self.neutral, self._calibrator, calibrating = neutral, None, False
        findings = (
            () if smoothed is None or calibrating else assess(smoothed, self.neutral, self.limits)
        )
        present = smoothed is not None
        poor = is_poor(findings)
        nudge = None
        if not calibrating:  # timed always, so "sitting for" is right when reminders go on
            nudge = self._reminders.update(
                t_s, present=present, poor=poor, allowed=self.reminders_on
            )
            if nudge is not None:
                self._nudges.append(nudge)
        self._account(step, present, poor, findings, smoothed)
        return PostureState(
            t_s,
            present,
            smoothed,
            findings,
            calibrating,
            progress,
            self.neutral is not None,
            nudge,
            turned_away=raw is None and not pose.is_empty and not facing_camera(pose),
        )

    def _account(
        self,
        step: float,
        present: bool,
        poor: bool,
        findings: tuple[Finding, ...],
        smoothed: PostureMeasures | None,
    ) -> None:
        self._seconds["observed" if present else "away"] += step
        if not present:
            return
        self._seconds["poor" if poor else "good"] += step
        for issue in {f.issue for f in findings}:
            self._issue_s[issue.value] += step
        if smoothed is not None and distance_is_plausible(smoothed):
            self._distance_cm[round(100 * smoothed.screen_distance_m)] += 1
        self._poor_spell_s = self._poor_spell_s + step if poor else 0.0
        self._longest_poor_s = max(self._longest_poor_s, self._poor_spell_s)

    @property
    def nudges(self) -> tuple[Nudge, ...]:
        return tuple(self._nudges)

    @property
    def sitting_s(self) -> float:
        return self._reminders.sitting_s

    def summary(self) -> dict[str, Any]:
        """Numbers only, for `Store.add_posture_check`: seconds in view, in good and poor
        posture and with each issue, the median screen distance, the nudges given."""
        observed = self._seconds["observed"]
        distance = _median_of(self._distance_cm)
        return {
            "version": SUMMARY_VERSION,
            "observed_s": round(observed, 1),
            "away_s": round(self._seconds["away"], 1),
            "good_s": round(self._seconds["good"], 1),
            "poor_s": round(self._seconds["poor"], 1),
            "good_fraction": round(self._seconds["good"] / observed, 3) if observed else None,
            "longest_poor_s": round(self._longest_poor_s, 1),
            "issues_s": {k: round(v, 1) for k, v in sorted(self._issue_s.items())},
            "screen_distance_cm": distance,
            "calibrated": self.neutral is not None,
            "reminders_on": self.reminders_on,
            "nudges": dict(Counter(n.kind.value for n in self._nudges)),
        }
