"""The standard functional tests on synthetic sequences with known timing, and the chair
stand counter on the recorded sit-to-stand clip.

Truth comes from the synthetic motion itself (the knee channel crossing the standing
threshold; the times a script's steps begin and end), not from the code under test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from coach.assessment import (
    ChairStandPhase,
    ChairStandTest,
    SingleLegStance,
    StancePhase,
    StandCounter,
    TimedUpAndGo,
    TugPhase,
    chair_stand_norm,
)
from coach.assessment.chair_stand import age_on
from coach.core.pose import Pose
from tests.assessment.sequences import FRONT, SIDE_LEFT, hands_on_hips, rendered, replayed
from tests.bench.rows_lower import on_one_leg, sit_to_stand_path
from tests.conftest import POSE_FIXTURES
from tests.support.synthetic import CHANNELS, STANDING, Path, Script, Tempo

RISE = sit_to_stand_path()  # depth 0 seated (knees 95), 1 standing
SIT = Path(1 - RISE.depths[::-1], RISE.vectors[::-1])


def true_stands(motion, poses, go_s: float, duration_s: float = 30.0) -> int:
    """Times the knee passes below 30 degrees (standing) between Go and the end."""
    t = np.array([p.t_s for p in poses])
    knee = motion.sample(t)[:, CHANNELS.index("left_knee_flexion")]
    inside = (t[1:] >= go_s) & (t[1:] < go_s + duration_s)
    return int(np.sum((knee[:-1] >= 30) & (knee[1:] < 30) & inside))


# ---- 30-second chair stand ------------------------------------------------------------------
@pytest.mark.parametrize("camera", [SIDE_LEFT, FRONT], ids=["side", "front"])
@pytest.mark.parametrize("period_s", [2.0, 2.5, 3.0, 4.5])
def test_chair_stand_counts_full_stands_in_thirty_seconds(camera, period_s):
    motion = Script(RISE.start).hold(4.0).reps(16, RISE, Tempo.period(period_s)).hold(1).build()
    poses = rendered(motion, camera, noise_px=1.5)
    test = ChairStandTest()
    states = [test.update(p) for p in poses]
    assert states[-1].phase is ChairStandPhase.DONE
    assert test.go_s is not None and test.go_s >= 3.0  # the 3 s countdown ran first
    assert states[-1].stands == true_stands(motion, poses, test.go_s)
    assert any(s.message.startswith("Get ready: 3") for s in states)


@pytest.mark.parametrize(("lead_s", "stands"), [(0.8, 1), (0.3, 0)])
def test_chair_stand_more_than_halfway_up_at_the_end_counts(lead_s, stands):
    """A stand under way at 30 s counts if past the middle of the rise (STEADI protocol):
    rising 0.8 s before the bell the knees are near 35 degrees, 0.3 s before near 90."""
    go_wait = Script(RISE.start).hold(4.0)
    probe = ChairStandTest()
    for pose in rendered(go_wait.build(), SIDE_LEFT):
        probe.update(pose)
    assert probe.go_s is not None
    script = Script(RISE.start).hold(probe.go_s + 30.0 - lead_s).along(RISE, 1.0, 1.2).hold(1)
    test = ChairStandTest()
    for pose in rendered(script.build(), SIDE_LEFT):
        state = test.update(pose)
    assert test.go_s == pytest.approx(probe.go_s)
    assert state.stands == stands and test.halfway_counted is bool(stands)


def test_chair_stand_waits_for_the_patient_seated_and_restarts_an_early_stand():
    """Standing up during the countdown sends the test back to waiting."""
    motion = Script(RISE.start).hold(1.5).rep(RISE, Tempo.period(2.5)).hold(5.0).build()
    test = ChairStandTest()
    messages = [test.update(p).message for p in rendered(motion, SIDE_LEFT)]
    assert "Stay seated until the countdown says Go" in messages
    assert test.phase is ChairStandPhase.COUNTDOWN or test.phase is ChairStandPhase.RUNNING
    assert test.stands == 0


def test_chair_stand_without_anyone_asks_the_patient_in():
    state = ChairStandTest().update(Pose.empty(0.0, (640, 480)))
    assert state.phase is ChairStandPhase.WAITING
    assert state.message == "Step into view of the camera"


def test_stand_counter_on_the_recorded_sit_to_stand_clip():
    """The real clip: seated, one rise at 1.1-2.9 s (hand-timed), then he walks away."""
    counter = StandCounter()
    for pose in replayed(POSE_FIXTURES / "sit_to_stand_tug_side.npz"):
        counter.update(pose)
    assert counter.stands == 1
    assert 1.1 <= counter.stand_times_s[0] <= 3.5


def test_stand_counter_counts_nothing_on_a_person_standing_still():
    counter = StandCounter()
    for pose in replayed(POSE_FIXTURES / "idle_standing_derived.npz"):
        counter.update(pose)
    assert counter.stands == 0


@pytest.mark.parametrize(
    ("age", "sex", "stands", "below"),
    [
        (62, "male", 13, True),
        (62, "male", 14, False),
        (62, "female", 12, False),
        (72, "female", 9, True),
        (87, "male", 8, False),
        (92, "female", 3, True),
    ],
)
def test_chair_stand_norms_follow_the_steadi_table(age, sex, stands, below):
    norm = chair_stand_norm(age, sex)
    assert norm is not None and norm.is_below_average(stands) is below
    assert "STEADI" in norm.source


@pytest.mark.parametrize("age", [45, 59, 95])
def test_no_chair_stand_norm_outside_sixty_to_ninety_four(age):
    assert chair_stand_norm(age, "female") is None


# ---- Timed Up and Go -------------------------------------------------------------------------
def tug_motion(walk_s: float):
    """Seated 2 s, rise 1.5 s, walk 2.5 m and back, sit down 1.5 s, seated 2 s; and the
    true test time (start of the rise to the end of the sit)."""
    script = Script(RISE.start).hold(2.0)
    start = script.t_s
    script.along(RISE, 1.0, 1.5).walk_in(2.5, walk_s).hold(0.5).along(SIT, 1.0, 1.5)
    end = script.t_s
    return script.hold(2.0).build(), end - start


@pytest.mark.parametrize("walk_s", [3.0, 6.0, 11.0])
def test_tug_times_from_rising_to_sitting_back_down(walk_s):
    motion, truth = tug_motion(walk_s)
    tug = TimedUpAndGo()
    for pose in rendered(motion, SIDE_LEFT, noise_px=1.5):
        state = tug.update(pose)
    assert state.phase is TugPhase.DONE
    assert state.time_s == pytest.approx(truth, abs=0.4)
    assert state.fall_risk is (truth >= 12.0)


def test_tug_clock_runs_while_the_patient_is_out_of_view():
    motion, truth = tug_motion(6.0)
    poses = rendered(motion, SIDE_LEFT)
    poses = [Pose.empty(p.t_s, p.frame_wh) if 5.0 < p.t_s < 9.0 else p for p in poses]
    tug = TimedUpAndGo()
    for pose in poses:
        state = tug.update(pose)
    assert state.time_s == pytest.approx(truth, abs=0.4)


def test_tug_needs_a_side_view():
    motion, _ = tug_motion(3.0)
    tug = TimedUpAndGo()
    states = [tug.update(p) for p in rendered(motion, FRONT)]
    assert states[-1].phase is TugPhase.WAITING
    assert states[-1].message == "Put the chair side-on to the camera"


def test_tug_on_the_recorded_clip_starts_at_the_rise_and_waits_for_the_sit():
    """The real clip rises at about 1.1 s and walks off without sitting down again."""
    tug = TimedUpAndGo()
    for pose in replayed(POSE_FIXTURES / "sit_to_stand_tug_side.npz"):
        state = tug.update(pose)
    assert state.phase is TugPhase.WALKING and state.time_s is None
    assert 0.6 <= pose.t_s - state.elapsed_s <= 2.0  # when the clock started


# ---- single-leg stance -----------------------------------------------------------------------
def stance_motion(stance: str, hold_s: float):
    script = Script(STANDING).hold(1.5).move_to(on_one_leg(stance), 0.4).hold(hold_s)
    lifted = script.t_s
    return script.move_to(STANDING, 0.4).hold(1.5).build(), lifted


@pytest.mark.parametrize(("stance", "hold_s"), [("left", 8.0), ("right", 20.0)])
def test_single_leg_stance_times_until_the_foot_touches_down(stance, hold_s):
    motion, _ = stance_motion(stance, hold_s)
    test = SingleLegStance()
    for pose in rendered(motion, FRONT, noise_px=1.5):
        test.update(hands_on_hips(pose))
    side, seconds = test.result()
    assert side == stance and test.reason == "foot down"
    assert seconds == pytest.approx(hold_s + 0.3, abs=0.4)  # and part of lifting/lowering


def test_single_leg_stance_stops_when_the_hands_leave_the_hips():
    motion, lifted_s = stance_motion("left", 20.0)
    hands_off_s = lifted_s - 20.0 + 5.0  # five seconds into the stance
    test = SingleLegStance()
    for pose in rendered(motion, FRONT, noise_px=1.5):
        test.update(hands_on_hips(pose) if pose.t_s < hands_off_s else pose)
    assert test.reason == "hands off hips"
    assert test.result()[1] == pytest.approx(5.0, abs=0.5)


def test_single_leg_stance_waits_for_hands_on_hips():
    motion, _ = stance_motion("left", 5.0)
    test = SingleLegStance()
    states = [test.update(p) for p in rendered(motion, FRONT)]
    assert test.result() is None and states[-1].phase is StancePhase.WAITING
    assert states[-1].message == "Put your hands on your hips"


def test_single_leg_stance_stops_at_the_maximum():
    motion, _ = stance_motion("right", 12.0)
    test = SingleLegStance(max_s=10.0)
    for pose in rendered(motion, FRONT):
        test.update(hands_on_hips(pose))
    assert test.result() == ("right", 10.0) and test.reason == "reached 10 s"


def test_age_for_the_norms_comes_from_the_date_of_birth():
    assert age_on(date(1950, 6, 2), date(2026, 6, 1)) == 75
    assert age_on(date(1950, 6, 2), date(2026, 6, 2)) == 76
    assert age_on(None, date(2026, 6, 2)) == 70
    assert age_on(date(2020, 1, 1), date(2026, 6, 2)) == 18  # the lowest age taken
