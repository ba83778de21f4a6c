"""Judge posture measures against the patient's own neutral and give plain advice.

Forward head and raised shoulders are judged only against a calibrated neutral: head size
and neck length differ too much between people for a population norm from one front
camera. Leaning and screen distance are judged absolutely (leaning against the neutral
when there is one, so a patient whose shoulders are never level is not nagged about it).
Screen distance follows the usual office ergonomics advice of about arm's length
(OSHA computer workstations eTool: 50-100 cm).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from coach.posture.measures import PostureMeasures, distance_is_plausible


class Issue(StrEnum):
    FORWARD_HEAD = "forward_head"
    SHOULDERS_RAISED = "shoulders_raised"
    LEANING = "leaning"
    SCREEN_TOO_CLOSE = "screen_too_close"
    SCREEN_TOO_FAR = "screen_too_far"


# Issues that count as poor posture for the reminders; a far screen is only advice.
POOR: frozenset[Issue] = frozenset(
    {Issue.FORWARD_HEAD, Issue.SHOULDERS_RAISED, Issue.LEANING, Issue.SCREEN_TOO_CLOSE}
)

LABELS: dict[Issue, str] = {
    Issue.FORWARD_HEAD: "head forward",
    Issue.SHOULDERS_RAISED: "shoulders raised",
    Issue.LEANING: "leaning to one side",
    Issue.SCREEN_TOO_CLOSE: "close to the screen",
    Issue.SCREEN_TOO_FAR: "far from the screen",
}

ADVICE: dict[Issue, str] = {
    Issue.FORWARD_HEAD: "Your head has come forward of your shoulders. Draw your chin gently "
    "back, let the back of your neck lengthen, and bring the screen to you rather than "
    "going to it.",
    Issue.SHOULDERS_RAISED: "Your shoulders are creeping up towards your ears. Breathe out and "
    "let them drop; rest your forearms on the desk or the armrests.",
    Issue.LEANING: "You are leaning to one side. Sit evenly on both sitting bones with your "
    "feet flat, and check that the armrests are level.",
    Issue.SCREEN_TOO_CLOSE: "You are close to the screen. Sit back or push the screen away to "
    "about arm's length (50-75 cm); make the text bigger if you need to.",
    Issue.SCREEN_TOO_FAR: "The screen is quite far away. If you lean in to read, bring it "
    "closer or make the text bigger.",
}


@dataclass(frozen=True)
class Neutral:
    """The patient's own comfortable upright sitting, from the calibration."""

    head_to_shoulders: float
    neck_height: float
    shoulder_tilt_deg: float
    trunk_lean_deg: float | None

    @classmethod
    def from_measures(cls, measures: PostureMeasures) -> Neutral:
        return cls(
            measures.head_to_shoulders,
            measures.neck_height,
            measures.shoulder_tilt_deg,
            measures.trunk_lean_deg,
        )


@dataclass(frozen=True)
class PostureLimits:
    """How far from neutral counts as an issue. The defaults are deliberately lenient: a
    nudge that fires on normal fidgeting gets switched off."""

    head_forward: float = 0.08  # head_to_shoulders up by 8% (about 4-5 cm forward at 60 cm)
    shoulder_raise: float = 0.15  # neck_height down by 15% (about 2-3 cm of shrug)
    tilt_deg: float = 7.0  # shoulder line tilted beyond neutral
    lean_deg: float = 8.0  # hip-to-shoulder line leaning beyond neutral
    screen_near_m: float = 0.50
    screen_far_m: float = 1.00


@dataclass(frozen=True)
class Finding:
    issue: Issue
    value: float  # how far: a fraction, degrees or metres (see `text`)
    text: str  # what was seen, in words
    advice: str


def assess(
    m: PostureMeasures, neutral: Neutral | None, limits: PostureLimits = PostureLimits()
) -> tuple[Finding, ...]:
    """The issues in one (smoothed) set of measures, most important first."""
    found: list[Finding] = []
    if neutral is not None:
        forward = m.head_to_shoulders / neutral.head_to_shoulders - 1.0
        if forward > limits.head_forward:
            found.append(
                Finding(
                    Issue.FORWARD_HEAD,
                    forward,
                    f"head forward (head looks {forward:.0%} bigger than when you sat upright)",
                    ADVICE[Issue.FORWARD_HEAD],
                )
            )
        raised = 1.0 - m.neck_height / neutral.neck_height
        if raised > limits.shoulder_raise:
            found.append(
                Finding(
                    Issue.SHOULDERS_RAISED,
                    raised,
                    f"shoulders raised (neck {raised:.0%} shorter than when you sat upright)",
                    ADVICE[Issue.SHOULDERS_RAISED],
                )
            )
    lean = _lean(m, neutral, limits)
    if lean is not None:
        found.append(lean)
    cm = 100.0 * m.screen_distance_m
    if not distance_is_plausible(m):  # a misreading, or nobody at the screen
        return tuple(found)
    if m.screen_distance_m < limits.screen_near_m:
        found.append(
            Finding(
                Issue.SCREEN_TOO_CLOSE,
                m.screen_distance_m,
                f"about {cm:.0f} cm from the screen",
                ADVICE[Issue.SCREEN_TOO_CLOSE],
            )
        )
    elif m.screen_distance_m > limits.screen_far_m:
        found.append(
            Finding(
                Issue.SCREEN_TOO_FAR,
                m.screen_distance_m,
                f"about {cm:.0f} cm from the screen",
                ADVICE[Issue.SCREEN_TOO_FAR],
            )
        )
    return tuple(found)


def _side(degrees: float) -> str:
    return "left" if degrees > 0 else "right"


def _lean(m: PostureMeasures, neutral: Neutral | None, limits: PostureLimits) -> Finding | None:
    """Leaning: the trunk line when the hips are in view, else the shoulder line."""
    if m.trunk_lean_deg is not None:
        base = neutral.trunk_lean_deg if neutral and neutral.trunk_lean_deg is not None else 0.0
        off = m.trunk_lean_deg - base
        if abs(off) > limits.lean_deg:
            return Finding(
                Issue.LEANING,
                off,
                f"leaning {abs(off):.0f}° to your {_side(off)}",
                ADVICE[Issue.LEANING],
            )
    base = neutral.shoulder_tilt_deg if neutral is not None else 0.0
    off = m.shoulder_tilt_deg - base
    if abs(off) > limits.tilt_deg:
        return Finding(
            Issue.LEANING,
            off,
            f"shoulders tilted {abs(off):.0f}°, your {_side(off)} one higher",
            ADVICE[Issue.LEANING],
        )
    return None


def is_poor(findings: tuple[Finding, ...]) -> bool:
    return any(f.issue in POOR for f in findings)
