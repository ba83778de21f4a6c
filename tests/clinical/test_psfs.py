"""When goals (PSFS) are due to be rated."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coach.clinical.psfs import goal_review
from coach.store.records import Goal, GoalScore

TODAY = date(2026, 3, 30)


def goal(activity: str, *days_ago: int, active: bool = True) -> Goal:
    scores = tuple(GoalScore(TODAY - timedelta(days=d), 5) for d in sorted(days_ago, reverse=True))
    return Goal(1, 1, 1, activity, active, scores)


@pytest.mark.parametrize(
    ("goals", "due", "words"),
    [
        ([], True, "Choose up to 5"),  # the start: no goals yet
        ([goal("Stairs", active=False)], True, "Choose up to 5"),  # only retired ones
        ([goal("Stairs")], True, "Rate your new goal 'Stairs'"),  # chosen, never rated
        ([goal("Stairs", 10), goal("Garden")], True, "new goal 'Garden'"),
        ([goal("Stairs", 20)], False, "rated recently"),  # 20 days: not yet
        ([goal("Stairs", 21)], True, "last rated 21 days ago"),  # three weeks: due
        ([goal("Stairs", 40, 2), goal("Walk", 30)], True, "30 days ago"),  # the oldest counts
    ],
)
def test_goals_are_due_at_the_start_and_every_three_weeks(goals, due, words):
    review = goal_review(goals, TODAY)
    assert review.due is due and words in review.message


def test_when_not_due_it_says_when_next():
    assert goal_review([goal("Stairs", 5)], TODAY).next_on == TODAY + timedelta(days=16)
