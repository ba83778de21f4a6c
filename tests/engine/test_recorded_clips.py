"""The engine on real motion, without the model: pose sequences recorded from real clips.

Each recording in tests/fixtures/poses was made with `coach record` from a shared clip;
expected.json holds the clip's hand count. These tests are the fast guard of counting
accuracy: the same numbers `make accuracy` measures end to end.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from coach.engine.results import Status
from coach.runtime.session import CoachSession
from coach.vision.recording import PoseRecording
from scripts.accuracy import turns_in_marked_reps
from tests.conftest import POSE_FIXTURES

CLIPS = json.loads((POSE_FIXTURES / "expected.json").read_text())["clips"]
COUNTED = sorted(name for name, clip in CLIPS.items() if clip["kind"] == "reps")
TIMED = sorted(name for name in COUNTED if "rep_times" in CLIPS[name])
PROBES = sorted(
    (name, probe) for name, clip in CLIPS.items() for probe in clip.get("zero_rep_probes", [])
)


def replay(library, name: str, exercise_id: str, mirrored: bool = False) -> CoachSession:
    session = CoachSession(library.get(exercise_id), mirrored=mirrored)
    session.replay(PoseRecording.load(POSE_FIXTURES / f"{name}.npz"))
    return session


@pytest.mark.parametrize("name", COUNTED)
def test_counts_real_reps_within_the_hand_counted_range(library, name):
    clip = CLIPS[name]
    if clip["exercise"] not in library:
        pytest.skip(f"{clip['exercise']} is not defined yet")
    low, high = clip["acceptable_reps"]
    session = replay(library, name, clip["exercise"])
    assert low <= session.engine.rep_count <= high


@pytest.mark.parametrize("name", TIMED)
def test_every_counted_rep_turns_inside_its_own_hand_marked_rep(library, name):
    """A right count could hide an invented rep beside a missed one; the times cannot."""
    clip = CLIPS[name]
    reps = replay(library, name, clip["exercise"]).engine.reps
    turns = [rep.turn_s for rep in reps]
    assert turns_in_marked_reps(turns, clip["rep_times"]) == len(reps), turns


@pytest.mark.parametrize(("name", "exercise_id"), PROBES)
def test_zero_rep_probes_count_nothing(library, name, exercise_id):
    if exercise_id not in library:
        pytest.skip(f"{exercise_id} is not defined yet")
    assert replay(library, name, exercise_id).engine.rep_count == 0


def test_plank_hold_is_timed_within_the_hand_measured_range(library):
    clip = CLIPS["plank_hold_istock"]
    low, high = clip["hold_s"]
    session = replay(library, "plank_hold_istock", "plank")
    assert low <= session.engine.hold_s <= high
    assert session.engine.rep_count == 0


@pytest.mark.parametrize("name", COUNTED)
def test_mirrored_video_counts_the_same_reps_at_the_same_times(library, name):
    """Left/right symmetry is a property of the coach: the patient filmed in a mirror (the
    poses flipped and the model's left and right swapped) does the same reps, turning at
    the same moments, on the same (swapped) sides."""
    exercise = CLIPS[name]["exercise"]
    if exercise not in library:
        pytest.skip(f"{exercise} is not defined yet")
    swap = {"left": "right", "right": "left", "both": "both"}
    plain = [
        (rep.start_s, rep.turn_s, rep.end_s, swap[rep.side])
        for rep in replay(library, name, exercise).engine.reps
    ]
    mirrored = [
        (rep.start_s, rep.turn_s, rep.end_s, rep.side)
        for rep in replay(library, name, exercise, mirrored=True).engine.reps
    ]
    assert mirrored == plain


def every_other_frame(recording: PoseRecording) -> PoseRecording:
    """The same clip at half its frame rate (the model's poses of every other frame)."""
    half = slice(0, None, 2)
    return dataclasses.replace(
        recording,
        t_s=recording.t_s[half],
        image_xyz=recording.image_xyz[half],
        world_xyz=recording.world_xyz[half],
        visibility=recording.visibility[half],
        people=recording.people[half],
    )


@pytest.mark.parametrize("name", [*COUNTED, "plank_hold_istock"])
def test_half_the_frame_rate_counts_and_times_the_same(library, name):
    """A patient's camera may give 15 frames a second where the clip gave 30: the coach's
    time constants are in seconds, so the count (and a hold's time, within a frame of the
    lower rate) do not change."""
    exercise = CLIPS[name]["exercise"]
    if exercise not in library:
        pytest.skip(f"{exercise} is not defined yet")
    recording = PoseRecording.load(POSE_FIXTURES / f"{name}.npz")
    full, half = CoachSession(library.get(exercise)), CoachSession(library.get(exercise))
    full.replay(recording)
    half.replay(every_other_frame(recording))
    assert half.engine.rep_count == full.engine.rep_count
    frame_s = 2 * float(np.median(np.diff(recording.t_s)))
    assert abs(half.engine.hold_s - full.engine.hold_s) <= frame_s


def test_single_arm_curl_is_reported_on_the_working_side(library):
    """The single-arm clip shows one arm working: its reps carry one side, not 'both'."""
    session = replay(library, "curl_side_single_arm", "bicep_curl")
    sides = {rep.side for rep in session.engine.reps}
    assert len(sides) == 1 and sides <= {"left", "right"}


def test_each_rep_has_times_and_range_of_motion(library):
    session = replay(library, "squat_side_studio", "squat")
    for rep in session.engine.reps:
        assert 0 <= rep.start_s < rep.turn_s < rep.end_s
        knee = rep.angles["knee_flexion"]
        # Side-on deep squats: the knee bends well past 90 degrees and straightens again.
        assert knee.max_deg > 90 and knee.min_deg < 35 and knee.rom_deg > 60


def test_no_person_frames_say_so(library):
    """The incline push-up clip opens on an empty gym: the coach asks the patient in."""
    session = CoachSession(library.get("push_up"))
    recording = PoseRecording.load(POSE_FIXTURES / "pushup_incline_side.npz")
    results = [
        session.process_poses(poses, float(t), recording.frame_wh).result
        for t, poses in zip(recording.t_s[:30], recording.frames(), strict=False)
    ]
    assert results[0].status is Status.NO_PERSON
    assert results[0].cue is not None and "view" in results[0].cue.text
