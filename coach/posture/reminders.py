"""Gentle reminders: a nudge after sustained poor posture or long sitting, never more
often than the cooldown allows.

Time is the pose time handed in (`update(t_s, ...)`), so tests inject it and a video, a
synthetic sequence and the live camera behave alike. Brief moments of good posture do not
end a poor spell (people shift about), and leaving the camera for `break_s` counts as a
break: the sitting time starts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NudgeKind(StrEnum):
    POSTURE = "posture"
    SITTING = "sitting"


@dataclass(frozen=True)
class ReminderPolicy:
    poor_posture_s: float = 120.0  # poor posture this long -> a posture nudge
    sitting_s: float = 40 * 60.0  # sitting this long without a break -> a sitting nudge
    break_s: float = 60.0  # out of view this long is a break (sitting time restarts)
    good_resets_s: float = 10.0  # good posture this long ends a poor spell
    cooldown_s: float = 10 * 60.0  # at least this long between two nudges of any kind

    def __post_init__(self) -> None:
        for name in ("poor_posture_s", "sitting_s", "break_s", "good_resets_s", "cooldown_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"ReminderPolicy.{name} must be more than 0 seconds")


@dataclass(frozen=True)
class Nudge:
    kind: NudgeKind
    t_s: float
    text: str


POSTURE_TEXT = (
    "You have been sitting in a strained position for a while. Sit back, let "
    "your shoulders drop and your chin come back, and take a slow breath."
)
SITTING_TEXT = (
    "You have been sitting for {minutes} minutes. Stand up, walk about or "
    "stretch for a minute or two: moving often helps more than sitting perfectly."
)


@dataclass
class Reminders:
    """The reminder state of one posture check."""

    policy: ReminderPolicy = ReminderPolicy()
    _sitting_since: float | None = None
    _away_since: float | None = None
    _poor_since: float | None = None
    _last_poor: float | None = None
    _last_nudge: float | None = None
    _last_t: float | None = None

    def update(
        self, t_s: float, *, present: bool, poor: bool, allowed: bool = True
    ) -> Nudge | None:
        """One frame: is the patient in view, and is their posture poor. A nudge or None;
        never a nudge when not `allowed` (reminders off), but the spells are still timed."""
        if self._last_t is not None and t_s < self._last_t:
            raise ValueError(f"time went backwards: {t_s} s after {self._last_t} s")
        self._last_t = t_s
        p = self.policy
        if not present:
            self._away_since = t_s if self._away_since is None else self._away_since
            if t_s - self._away_since >= p.break_s:
                self._sitting_since = self._poor_since = None
            return None
        if self._away_since is not None and t_s - self._away_since >= p.break_s:
            self._sitting_since = self._poor_since = None
        self._away_since = None
        if self._sitting_since is None:
            self._sitting_since = t_s
        if poor:
            self._poor_since = t_s if self._poor_since is None else self._poor_since
            self._last_poor = t_s
        elif self._last_poor is not None and t_s - self._last_poor >= p.good_resets_s:
            self._poor_since = None
        if not allowed or (self._last_nudge is not None and t_s - self._last_nudge < p.cooldown_s):
            return None
        if self._poor_since is not None and t_s - self._poor_since >= p.poor_posture_s:
            self._last_nudge, self._poor_since = t_s, t_s
            return Nudge(NudgeKind.POSTURE, t_s, POSTURE_TEXT)
        if t_s - self._sitting_since >= p.sitting_s:
            minutes = round((t_s - self._sitting_since) / 60)
            self._last_nudge, self._sitting_since = t_s, t_s
            return Nudge(NudgeKind.SITTING, t_s, SITTING_TEXT.format(minutes=minutes))
        return None

    @property
    def sitting_s(self) -> float:
        """How long the patient has sat without a break, up to the last frame."""
        if self._sitting_since is None or self._last_t is None:
            return 0.0
        return self._last_t - self._sitting_since
