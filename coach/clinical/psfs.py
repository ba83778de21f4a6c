"""When a patient's functional goals (PSFS) are due to be rated: at the start, and again
every few weeks, so the trend on the progress page has points to draw.

Three weeks by default: often enough to see change over a typical 6-12 week plan, not so
often that the scores become a chore (the PSFS's smallest detectable change is about 2
points, which rarely appears week to week).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from coach.store.records import MAX_GOALS, Goal

RATE_EVERY = timedelta(weeks=3)


@dataclass(frozen=True)
class GoalReview:
    due: bool
    message: str
    next_on: date | None = None  # when the next rating is due (when not due now)


def goal_review(goals: Sequence[Goal], today: date, every: timedelta = RATE_EVERY) -> GoalReview:
    """Whether the active goals should be rated today, and what to tell the patient."""
    active = [g for g in goals if g.active]
    if not active:
        return GoalReview(
            True,
            f"Choose up to {MAX_GOALS} everyday activities that your "
            "problem makes hard, and rate each from 0 (unable) to 10 (as "
            "before).",
        )
    unrated = [g for g in active if not g.scores]
    if unrated:
        names = ", ".join(f"'{g.activity}'" for g in unrated)
        return GoalReview(
            True,
            f"Rate your new goal{'s' if len(unrated) > 1 else ''} "
            f"{names} from 0 (unable) to 10 (as before).",
        )
    oldest = min(g.scores[-1].scored_on for g in active)
    if today - oldest >= every:
        days = (today - oldest).days
        return GoalReview(
            True,
            f"Your goals were last rated {days} days ago: rate them again "
            "to see how they are changing.",
        )
    return GoalReview(False, "Goals rated recently.", next_on=oldest + every)
