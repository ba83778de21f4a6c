"""Reminder rate limiting with injected time: one frame a second, scripted spells."""

from __future__ import annotations

import pytest

from coach.posture.reminders import NudgeKind, ReminderPolicy, Reminders

POLICY = ReminderPolicy(
    poor_posture_s=120, sitting_s=40 * 60, break_s=60, good_resets_s=10, cooldown_s=600
)
P, G, A = "poor", "good", "away"


def nudges(script: list[tuple[str, int]], policy: ReminderPolicy = POLICY) -> list[tuple]:
    """Run `script` (state, seconds) at 1 frame/s from t = 0; the (time, kind) of each nudge."""
    reminders, t, out = Reminders(policy), 0, []
    for state, seconds in script:
        for _ in range(seconds):
            nudge = reminders.update(float(t), present=state != A, poor=state == P)
            if nudge is not None:
                out.append((t, nudge.kind))
            t += 1
    return out


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ([(P, 120)], []),  # 119 s of poor posture: not yet
        ([(P, 121)], [(120, NudgeKind.POSTURE)]),  # 2 minutes: one nudge
        ([(P, 60), (G, 5), (P, 60)], [(120, NudgeKind.POSTURE)]),  # a 5 s shift does not reset
        ([(P, 60), (G, 10), (P, 119)], []),  # 10 s of good posture starts the spell again
        ([(P, 60), (G, 10), (P, 121)], [(190, NudgeKind.POSTURE)]),
        # Poor for half an hour: once, then at most once per 10-minute cooldown.
        (
            [(P, 1800)],
            [(120, NudgeKind.POSTURE), (720, NudgeKind.POSTURE), (1320, NudgeKind.POSTURE)],
        ),
        ([(G, 2401)], [(2400, NudgeKind.SITTING)]),  # 40 minutes sitting well: a break
        ([(G, 1200), (A, 59), (G, 1200)], [(2400, NudgeKind.SITTING)]),  # 59 s away: no break
        ([(G, 1200), (A, 60), (G, 1300)], []),  # a one-minute break restarts the count
        ([(A, 600)], []),  # nobody there: nothing
        # A posture nudge at 2300 s holds back the sitting nudge until the cooldown ends.
        ([(G, 2180), (P, 200)], [(2300, NudgeKind.POSTURE)]),
        ([(G, 2180), (P, 200), (G, 600)], [(2300, NudgeKind.POSTURE), (2900, NudgeKind.SITTING)]),
    ],
)
def test_nudges_are_rate_limited(script, expected):
    assert nudges(script) == expected


def test_a_shorter_cooldown_nudges_more_often():
    policy = ReminderPolicy(poor_posture_s=60, cooldown_s=120)
    assert [t for t, _ in nudges([(P, 600)], policy)] == [60, 180, 300, 420, 540]


def test_time_must_not_go_backwards():
    reminders = Reminders(POLICY)
    reminders.update(10.0, present=True, poor=False)
    with pytest.raises(ValueError, match="time went backwards"):
        reminders.update(5.0, present=True, poor=False)


@pytest.mark.parametrize("name", ["poor_posture_s", "cooldown_s"])
def test_policy_times_must_be_positive(name):
    with pytest.raises(ValueError, match=name):
        ReminderPolicy(**{name: 0})


def test_the_nudge_says_how_long_the_patient_sat():
    reminders, nudge = Reminders(POLICY), None
    for t in range(2401):
        nudge = reminders.update(float(t), present=True, poor=False) or nudge
    assert nudge is not None and "40 minutes" in nudge.text


def test_with_reminders_off_the_spells_are_timed_but_nobody_is_nudged():
    reminders = Reminders(POLICY)
    for t in range(200):
        assert reminders.update(float(t), present=True, poor=True, allowed=False) is None
    assert reminders.sitting_s == 199
    nudge = reminders.update(200.0, present=True, poor=True)  # switched on: due at once
    assert nudge is not None and nudge.kind is NudgeKind.POSTURE
