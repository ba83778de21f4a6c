"""The whole posture check over a synthetic sitting: calibration, findings, nudges and the
summary that is kept (numbers only)."""

from __future__ import annotations

import json

import pytest

from coach.posture.assess import Issue
from coach.posture.monitor import PostureMonitor
from coach.posture.reminders import NudgeKind, ReminderPolicy
from tests.support.builders import seated_pose, turned_head

FPS = 5


def run(monitor: PostureMonitor, seconds: float, start: float, **pose_args) -> list:
    states = []
    for i in range(int(seconds * FPS)):
        states.append(monitor.update(seated_pose(start + i / FPS, **pose_args)))
    return states


def test_calibrate_then_catch_a_forward_head_and_nudge_once():
    monitor = PostureMonitor(reminders_on=True, policy=ReminderPolicy(poor_posture_s=120))
    monitor.calibrate()
    calibrating = run(monitor, 6, 0.0)
    assert calibrating[0].calibrating and not calibrating[-1].calibrating
    assert monitor.neutral is not None
    upright = run(monitor, 30, 6.0)
    assert all(not s.findings for s in upright)
    slumped = run(monitor, 150, 36.0, head_forward_m=0.07)
    assert {f.issue for f in slumped[-1].findings} == {Issue.FORWARD_HEAD}
    nudges = [s.nudge for s in slumped if s.nudge is not None]
    assert len(nudges) == 1 and nudges[0].kind is NudgeKind.POSTURE
    # The median filter needs half its window to switch: the nudge comes ~120 s after that.
    assert nudges[0].t_s == pytest.approx(36.0 + 0.5 + 120, abs=0.5)
    summary = monitor.summary()
    assert summary["calibrated"] and summary["reminders_on"]
    assert summary["nudges"] == {"posture": 1}
    assert summary["issues_s"]["forward_head"] == pytest.approx(150, abs=1.5)
    assert summary["good_s"] == pytest.approx(36, abs=1.5)
    # The median over the time in view: mostly slumped, eyes 50 cm from the screen.
    assert summary["screen_distance_cm"] == 50
    json.dumps(summary)  # storable as it is: numbers, no frames


def test_reminders_off_means_no_nudges_but_the_summary_still_counts():
    monitor = PostureMonitor(reminders_on=False, policy=ReminderPolicy(poor_posture_s=10))
    states = run(monitor, 60, 0.0, distance_m=0.45)
    assert not any(s.nudge for s in states)
    assert monitor.sitting_s == pytest.approx(59.8, abs=0.3)  # still timed for the page
    assert monitor.summary()["issues_s"] == {"screen_too_close": pytest.approx(59.8, abs=0.5)}


def test_one_odd_frame_does_not_raise_an_issue():
    monitor = PostureMonitor()
    run(monitor, 3, 0.0)
    odd = monitor.update(seated_pose(3.0, lean_deg=25))
    assert odd.findings == ()


def test_nobody_in_view_is_time_away():
    monitor = PostureMonitor()
    run(monitor, 2, 0.0)
    empty = seated_pose(0.0).empty(5.0, (640, 480))
    state = monitor.update(empty)
    assert not state.present and state.findings == ()
    assert monitor.summary()["away_s"] == pytest.approx(1.0)  # a gap counts at most 1 s


def test_pose_times_must_increase():
    monitor = PostureMonitor()
    monitor.update(seated_pose(1.0))
    with pytest.raises(ValueError, match="must increase"):
        monitor.update(seated_pose(1.0))


def test_sitting_side_on_asks_to_face_the_camera_and_saves_no_distance():
    """Side-on, the eyes read as metres away: the check says to turn, judges nothing and
    keeps no distance (the "1219 cm" saved by a side-on check)."""
    monitor = PostureMonitor()
    for i in range(10):
        state = monitor.update(turned_head(seated_pose(i / FPS), 85))
    assert state.turned_away and not state.present and state.findings == ()
    assert monitor.summary()["screen_distance_cm"] is None
    facing = monitor.update(seated_pose(3.0))
    assert not facing.turned_away and facing.present


def test_a_distance_no_one_sits_at_is_not_kept():
    monitor = PostureMonitor()
    run(monitor, 2, 0.0, distance_m=4.0)
    assert monitor.summary()["observed_s"] > 0 and monitor.summary()["screen_distance_cm"] is None
