"""The live coach without a browser: recorded poses stand in for the webcam and the model."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from coach.engine.results import Cue, CueKind, Rep
from coach.runtime.guided import SetPlan, Stage
from coach.runtime.live import LiveCoach
from tests.support.live import ListRecorder, RecordedEstimator, play


def run_live(library, clip: str, exercise_id: str, plan: SetPlan, recorder=None) -> LiveCoach:
    estimator = RecordedEstimator(clip)
    coach = LiveCoach(
        library.get(exercise_id), plan, recorder=recorder, estimator_factory=lambda: estimator
    )
    play(coach, estimator.recording)
    return coach


def test_two_sets_of_three_with_rest_are_logged_as_they_happen(library):
    """Eight squats in the clip: set 1 takes three, a short rest, set 2 takes three more."""
    recorder = ListRecorder()
    plan = SetPlan(sets=2, reps=3, rest_s=0.5)
    coach = run_live(library, "squat_side_studio", "squat", plan, recorder)
    snapshot = coach.snapshot()
    assert snapshot.guided.stage is Stage.DONE
    kinds = [e[0] for e in recorder.events]
    assert kinds == ["set_started", "rep", "rep", "rep", "set_finished"] * 2
    assert [e for e in recorder.events if e[0] == "set_finished"] == [
        ("set_finished", 1, 3),
        ("set_finished", 2, 3),
    ]
    assert len(snapshot.reps) == 6


def test_positioning_comes_before_counting(library):
    """The first frames only position the patient: the set starts after they stand still."""
    coach = LiveCoach(
        library.get("squat"),
        SetPlan(sets=1, reps=5),
        estimator_factory=lambda: RecordedEstimator("squat_side_studio"),
    )
    blank = np.zeros((720, 1280, 3), dtype=np.uint8)
    coach.process_rgb(blank, 0.0)
    state = coach.snapshot().guided
    assert state.stage is Stage.POSITIONING and state.reps_in_set == 0


class FlakyRecorder(ListRecorder):
    """Refuses every call (a locked database, a full disk) until `healed` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.healed = False
        self.refused = 0

    def _check(self) -> None:
        if not self.healed:
            self.refused += 1
            from coach.store import StoreError

            raise StoreError("database is locked")

    def set_started(self, set_index: int) -> None:
        self._check()
        super().set_started(set_index)

    def rep(self, set_index: int, rep: Rep) -> None:
        self._check()
        super().rep(set_index, rep)

    def set_finished(self, set_index: int, reps: int, held_s: float) -> None:
        self._check()
        super().set_finished(set_index, reps, held_s)


def test_what_the_store_refused_is_kept_and_saved_in_order_once_it_can(library):
    recorder = FlakyRecorder()
    coach = run_live(
        library, "squat_side_studio", "squat", SetPlan(2, reps=3, rest_s=0.5), recorder
    )
    assert recorder.refused > 1, "tried again during the session"
    # 10 calls: two sets' start, three reps and end; then each set's landmarks
    assert recorder.events == [] and recorder.landmarks == {} and coach.unsaved() == 12
    assert coach.snapshot().error is None, "not lost yet: the patient is not told"
    recorder.healed = True
    assert coach.save_pending() == 0
    kinds = [e[0] for e in recorder.events]
    assert kinds == ["set_started", "rep", "rep", "rep", "set_finished"] * 2
    assert [e[1] for e in recorder.events] == [1] * 5 + [2] * 5, "each rep in its own set"
    assert coach.unsaved() == 0 and coach.snapshot().error is None


def test_reps_finally_lost_are_told_and_counting_goes_on(library):
    recorder = FlakyRecorder()
    coach = run_live(library, "squat_side_studio", "squat", SetPlan(1, reps=4), recorder)
    assert len(coach.snapshot().reps) == 4 and coach.snapshot().guided.stage is Stage.DONE
    assert coach.save_pending() == 4
    error = coach.snapshot().error
    assert error is not None and "4 repetitions" in error and "database is locked" in error


def test_only_the_newest_queued_frame_is_processed(library):
    av = pytest.importorskip("av")
    estimator = RecordedEstimator("squat_side_studio")
    coach = LiveCoach(library.get("squat"), SetPlan(1, reps=3), estimator_factory=lambda: estimator)
    frames = []
    for i in range(3):
        frame = av.VideoFrame.from_ndarray(np.zeros((480, 640, 3), np.uint8), format="rgb24")
        frame.pts, frame.time_base = i * 3000, __import__("fractions").Fraction(1, 90000)
        frames.append(frame)
    out = coach.process_frames(frames)
    snapshot = coach.snapshot()
    assert len(out) == 1 and out[0].width == 640
    assert snapshot.frames == 1 and snapshot.dropped == 2
    assert set(snapshot.timings_ms) == {"decode", "pose", "engine", "draw", "encode"}


def test_two_live_coaches_do_not_share_counts(library):
    one = run_live(library, "squat_side_studio", "squat", SetPlan(1, reps=8))
    two = LiveCoach(
        library.get("squat"),
        SetPlan(1, reps=8),
        estimator_factory=lambda: RecordedEstimator("squat_side_studio"),
    )
    assert len(one.snapshot().reps) > 0 and two.snapshot().reps == ()


def test_the_page_closing_the_model_lets_the_frame_in_it_finish(library):
    """The posture page closes the model on its own thread when the patient saves, while
    the webrtc worker may be in the middle of a frame: that frame finishes on the open
    model, then the model is closed (closed under it, MediaPipe fails the frame)."""
    in_model, release = threading.Event(), threading.Event()

    class SlowEstimator(RecordedEstimator):
        def detect(self, rgb: np.ndarray, t_s: float):
            in_model.set()
            release.wait(10)
            assert not self.closed, "the model was closed while a frame was in it"
            return super().detect(rgb, t_s)

    estimator = SlowEstimator("squat_side_studio")
    coach = LiveCoach(library.get("squat"), SetPlan(1, reps=3), estimator_factory=lambda: estimator)
    outcome: list = []

    def worker_frame() -> None:
        try:
            outcome.append(coach.process_rgb(np.zeros((480, 640, 3), np.uint8), 0.0)[0].shape)
        except AssertionError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=worker_frame)
    worker.start()
    assert in_model.wait(10)
    page = threading.Thread(target=coach.close)
    page.start()
    page.join(0.2)
    assert page.is_alive() and not estimator.closed  # waiting for the frame
    release.set()
    worker.join(10)
    page.join(10)
    assert outcome == [(480, 640, 3)] and estimator.closed


def test_reps_made_while_resting_are_not_the_sets_and_the_numbers_have_no_gaps(library):
    """A long rest in an eight-squat clip: the engine counts squats made while resting, the
    session keeps only the sets' reps, numbered 1, 2, 3, ... without gaps."""
    recorder = ListRecorder()
    plan = SetPlan(2, reps=2, rest_s=4.0)
    coach = run_live(library, "squat_side_studio", "squat", plan, recorder)
    snapshot = coach.snapshot()
    assert snapshot.result.reps > len(snapshot.reps)  # squats were made outside the sets
    numbers = [e[2] for e in recorder.events if e[0] == "rep"]
    assert numbers == [rep.index for rep in snapshot.reps] == list(range(1, len(numbers) + 1))


def test_finishing_early_saves_the_set_in_progress(library):
    """Finish pressed in the middle of a set: the set is closed with the reps it holds."""
    recorder = ListRecorder()
    coach = run_live(library, "squat_side_studio", "squat", SetPlan(1, reps=40), recorder)
    assert coach.snapshot().guided.stage is Stage.EXERCISING
    coach.finish()
    done = len(coach.snapshot().reps)
    assert done > 0 and recorder.events[-1] == ("set_finished", 1, done)
    coach.finish()  # a second press changes nothing
    assert recorder.events[-1] == ("set_finished", 1, done)


def test_each_set_hands_over_the_patients_pose_on_its_frames_and_replays_to_its_reps(library):
    """The recorder gets, per set, the tracker's pose on every frame of the set after a
    lead-in of a few seconds (not the whole positioning or rest), with the exercise and
    range; packed as the store keeps it and replayed through the coach, each set counts
    the reps live counted in it."""
    from coach.runtime.analysis import replay_poses
    from coach.runtime.set_capture import meta_prescription
    from coach.store.landmarks import pack, unpack

    recorder = ListRecorder()
    plan = SetPlan(sets=2, reps=3, rest_s=0.5)
    coach = run_live(library, "squat_side_studio", "squat", plan, recorder)
    assert sorted(recorder.landmarks) == [1, 2]
    whole = RecordedEstimator("squat_side_studio").recording
    first, second = recorder.landmarks[1], recorder.landmarks[2]
    assert 0 < len(first) + len(second) < len(whole), "only the sets' frames"
    assert first.t_s[-1] < second.t_s[0], "the sets do not overlap"
    assert np.ptp(first.t_s) < np.ptp(whole.t_s) / 2
    assert first.meta["exercise"] == "squat" and meta_prescription(first.meta) is None
    assert len(coach.snapshot().reps) == 6
    for recording in (first, second):
        stored = unpack(pack(recording))
        result = replay_poses(stored, library.get("squat"), source="set")
        assert result.rep_count == 3


def drawn_with_and_without_a_cue(library, plan: SetPlan) -> tuple[Stage, np.ndarray, np.ndarray]:
    """The squat clip through a live coach with `plan`; then its last frame drawn with an
    engine cue and without one. Returns the stage reached and the two frames."""
    coach = run_live(library, "squat_side_studio", "squat", plan)
    estimator = RecordedEstimator("squat_side_studio")
    recording = estimator.recording
    last = coach.process_poses(
        list(recording.frames())[-1], float(recording.t_s[-1]) + 0.1, recording.frame_wh
    )
    blank = np.zeros((recording.frame_wh[1], recording.frame_wh[0], 3), dtype=np.uint8)
    cue = Cue("Slow down", CueKind.FAULT, "minor", 0.0)
    frames = [
        coach.draw(blank, replace(last, result=replace(last.result, cue=shown)))
        for shown in (cue, None)
    ]
    return coach.snapshot().guided.stage, frames[0], frames[1]


def test_once_the_plan_is_done_the_video_shows_no_cue(library):
    """The drawn frame says what the panel says: after the last set the engine's cues are
    for movements that count for nothing (`shown_cue`), so none is drawn; during a set
    the same cue is."""
    stage, with_cue, without = drawn_with_and_without_a_cue(library, SetPlan(1, reps=3))
    assert stage is Stage.DONE and np.array_equal(with_cue, without)
    stage, with_cue, without = drawn_with_and_without_a_cue(library, SetPlan(1, reps=40))
    assert stage is Stage.EXERCISING and not np.array_equal(with_cue, without)


def set_lines(library, clip: str, exercise_id: str, plan: SetPlan) -> list[str]:
    """The set's words in the landmark stream's state after each frame of `clip`, each
    once, in the order they came."""
    estimator = RecordedEstimator(clip)
    coach = LiveCoach(library.get(exercise_id), plan, estimator_factory=lambda: estimator)
    recording = estimator.recording
    lines: list[str] = []
    for t_s, poses in zip(recording.t_s, recording.frames(), strict=True):
        outcome = coach.process_poses(poses, float(t_s), recording.frame_wh)
        line = coach.stream_state(outcome)["set"]["text"]
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def test_the_stream_carries_the_sets_words_rest_and_end_included(library):
    """The one text of the set's progress (`set_line`), carried to the device camera and
    the watch: a rest says the set before it is done, not "0 of 3" of the next."""
    lines = set_lines(library, "squat_side_studio", "squat", SetPlan(sets=2, reps=3, rest_s=0.5))
    set_1 = [f"Set 1 of 2: {n} of 3 repetitions" for n in range(3)]
    set_2 = [f"Set 2 of 2: {n} of 3 repetitions" for n in range(3)]
    assert lines == [*set_1, "1 of 2 sets done", *set_2, "2 of 2 sets done"], lines


def test_the_stream_carries_a_holds_words_with_its_target(library):
    lines = set_lines(library, "plank_hold_istock", "plank", SetPlan(sets=1, hold_s=5))
    assert lines == [*(f"Set 1 of 1: held {s} of 5 seconds" for s in range(5)), "1 of 1 sets done"]
