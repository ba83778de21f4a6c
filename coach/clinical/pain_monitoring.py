"""The pain-monitoring model physiotherapists use, as pure code.

Pain up to 5/10 during exercise is acceptable if it settles; pain during exercise above
5/10, or a rise of 2 or more points on the NRS from before to after the session, flags the
session and calls for less load next time (see ../shared/notes/clinical.md; 2 points is
also the clinically important change on the NRS, Farrar 2001).

The live page asks pain before and after. A session may also record the worst pain during
the exercise; where it does not, the pain right after is the best stand-in there is and
is judged as pain during, which the reason says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ACCEPTABLE_DURING = 5  # pain above this during exercise flags the session
RISE_THAT_FLAGS = 2  # a rise of this many points from before to after flags it
LOAD_CUT = 0.75  # next time: about three quarters of the load


@dataclass(frozen=True)
class PainAssessment:
    flagged: bool
    reasons: tuple[str, ...]
    suggestion: str | None  # what to do next time, for the physio and the patient

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "pain within the acceptable range"


def assess_pain(
    before: int | None, during: int | None = None, after: int | None = None
) -> PainAssessment:
    """Judge one session's pain ratings by the pain-monitoring model."""
    reasons: list[str] = []
    worst_during, stand_in = (during, False) if during is not None else (after, True)
    if worst_during is not None and worst_during > ACCEPTABLE_DURING:
        what = "pain after exercise" if stand_in else "pain during exercise"
        reasons.append(f"{what} {worst_during}/10 is above {ACCEPTABLE_DURING}/10")
    if before is not None and after is not None and after - before >= RISE_THAT_FLAGS:
        reasons.append(f"pain rose {after - before} points (from {before} to {after})")
    if not reasons:
        return PainAssessment(False, (), None)
    return PainAssessment(
        True,
        tuple(reasons),
        "Reduce the load next time (fewer repetitions, a shorter hold "
        "or less range) and check how the pain settles by the next session.",
    )


@dataclass(frozen=True)
class Dosage:
    sets: int
    reps: int | None = None
    hold_s: float | None = None

    def text(self) -> str:
        if self.reps is not None:
            return f"{self.sets} x {self.reps} reps"
        return f"{self.sets} x {self.hold_s:g} s hold"


def reduced_dosage(dosage: Dosage) -> Dosage:
    """About three quarters of the load: fewer reps or a shorter hold, never below 1 rep,
    5 s or 1 set (a single set loses a set before it loses reps)."""
    if dosage.reps is not None:
        reps = max(1, math.floor(dosage.reps * LOAD_CUT))
        if reps == dosage.reps and dosage.sets > 1:
            return Dosage(dosage.sets - 1, reps=reps)
        return Dosage(dosage.sets, reps=reps)
    assert dosage.hold_s is not None
    hold = max(5.0, float(math.floor(dosage.hold_s * LOAD_CUT)))
    if hold == dosage.hold_s and dosage.sets > 1:
        return Dosage(dosage.sets - 1, hold_s=hold)
    return Dosage(dosage.sets, hold_s=hold)
