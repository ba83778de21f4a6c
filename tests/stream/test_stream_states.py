"""Each frame loop's stream state is its panel's read-out, as JSON can carry it."""

from __future__ import annotations

import json

from coach.assessment import load_measures
from coach.assessment.live import AssessmentSession
from coach.assessment.tasks import RomTask
from coach.posture.live import LivePostureCheck, posture_headline
from coach.posture.monitor import PostureMonitor
from coach.runtime.stream import state_message
from tests.support.stream import recording

KEYS = {"headline", "count", "phase", "gauge", "cue", "guidance", "set", "say", "faults", "details"}


def test_the_assessment_s_state_is_its_read_out():
    session = AssessmentSession(RomTask(load_measures()["knee_flexion"]))
    rec = recording("squat_side_studio")
    for t, poses in zip(rec.t_s, rec.frames(), strict=True):
        seen = session.process_poses(poses, float(t), rec.frame_wh)
        state = session.stream_state(seen)
        status = seen[1]
        assert set(state) == KEYS
        assert state["headline"] == status.lines[0] and state["details"] == list(status.lines[1:])
        assert state["cue"] == status.message and state["say"] is None
        json.loads(state_message(1.0, state))  # no NaN


def test_the_posture_check_s_state_is_its_panel_s():
    check = LivePostureCheck(PostureMonitor())
    rec = recording("squat_front_counter20")
    for t, poses in zip(rec.t_s, rec.frames(), strict=True):
        pose, posture = check.process_poses(poses, float(t), rec.frame_wh)
        state = check.stream_state((pose, posture))
        assert set(state) == KEYS and state["headline"] == posture_headline(posture)
        assert state["say"] == (posture.nudge.text if posture.nudge else None)
        json.loads(state_message(1.0, state))
