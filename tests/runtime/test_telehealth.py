"""A shared live session: each frame published (throttled, compact) to its state room, and
the watcher's presence, messages and target changes taken from its control room between
frames. Recorded poses stand in for the webcam."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from coach.runtime.guided import SetPlan, Stage
from coach.runtime.live import LiveCoach
from coach.runtime.room_bus import InProcessRoomBus
from coach.runtime.stream import StreamState
from coach.runtime.telehealth import (
    END_MESSAGE,
    MAX_MESSAGE_BYTES,
    MAX_STATE_PER_S,
    PRESENCE_EVERY_S,
    WATCHED_FOR_S,
    ControlError,
    Presence,
    TargetChange,
    Telecast,
    control_topic,
    decode_control,
    encode_control,
    presence_message,
    say_message,
    state_message,
    state_topic,
)
from tests.support.live import ListRecorder, RecordedEstimator, play

SESSION = 7


class Clock:
    """The room bus's clock, moved by hand (`InProcessRoomBus(clock)`)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def clocked_bus() -> tuple[InProcessRoomBus, Clock]:
    clock = Clock()
    return InProcessRoomBus(clock), clock


def shared_coach(library, plan: SetPlan, bus, *, recorder=None):
    estimator = RecordedEstimator("squat_side_studio")
    coach = LiveCoach(
        library.get("squat"), plan, recorder=recorder, estimator_factory=lambda: estimator
    )
    telecast = Telecast(bus, SESSION, pain=3)
    coach.share(telecast)
    return coach, estimator, telecast


def frames(messages: list[str]) -> list[dict]:
    return [json.loads(m) for m in messages if json.loads(m)["type"] == "frame"]


def test_a_shared_session_publishes_each_frame_throttled_compact_with_the_count(library):
    bus = InProcessRoomBus()
    watcher = bus.subscribe(state_topic(SESSION), max_pending=100_000)
    coach, estimator, telecast = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    play(coach, estimator.recording)
    messages = watcher.poll()
    published = frames(messages)
    assert published and len(published) == telecast.published
    assert len(published) <= len(estimator.recording.t_s)
    times = [m["t"] for m in published]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1 / MAX_STATE_PER_S - 2e-3
    assert max(len(m.encode()) for m in messages) < MAX_MESSAGE_BYTES
    counts = [m["s"]["count"] for m in published]
    assert counts == sorted(counts) and counts[-1] == len(coach.snapshot().reps) > 0
    seen = [m for m in published if m["lm"] is not None]
    assert seen and all(len(m["lm"]) == 33 and len(m["lm"][0]) == 3 for m in seen)
    assert all(m["pain"] == 3 for m in published)
    gauges = [m["s"]["gauge"] for m in published if m["s"]["gauge"] is not None]
    assert gauges and all(g["label"] for g in gauges)
    assert any(m["s"]["set"]["stage"] == "exercising" for m in published)


def test_an_unshared_session_publishes_nothing_and_stopping_ends_the_watchers(library):
    bus = InProcessRoomBus()
    watcher = bus.subscribe(state_topic(SESSION), max_pending=100_000)
    coach, estimator, telecast = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    coach.stop_sharing()
    assert watcher.poll() == [END_MESSAGE] and telecast.stopped and not coach.shared
    play(coach, estimator.recording)
    assert watcher.poll() == []  # stopped at once: no frame after the end


def test_presence_shows_watching_until_the_heartbeats_stop(library):
    bus, clock = clocked_bus()
    coach, _estimator, _ = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    assert not coach.snapshot().watch.watched
    bus.publish(control_topic(SESSION), presence_message(bus))
    coach.process_poses([], 0.0, (640, 480))  # polled between frames
    assert coach.snapshot().watch.watched
    clock.now += WATCHED_FOR_S + 0.1
    assert not coach.snapshot().watch.watched


def test_a_heartbeat_counts_from_when_it_was_sent_not_when_it_is_read(library):
    """The watcher's last heartbeat, read late (no frame, no page question meanwhile),
    is as old as it is: "is watching" goes `WATCHED_FOR_S` after it was sent, so within
    that window of the watcher leaving, not up to that much later."""
    bus, clock = clocked_bus()
    coach, _estimator, telecast = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    bus.publish(control_topic(SESSION), presence_message(bus))  # then the watcher leaves
    clock.now += WATCHED_FOR_S - 1.0
    assert telecast.status().watched  # first read: still within the window
    clock.now += 1.1
    assert not telecast.status().watched, "gone WATCHED_FOR_S after it was sent"
    bus.publish(control_topic(SESSION), presence_message(bus))  # a watcher again, who leaves
    clock.now += WATCHED_FOR_S + 0.1
    coach.process_poses([], 0.0, (640, 480))  # the frame loop reads it only now
    assert not coach.snapshot().watch.watched


def test_a_heartbeat_stamped_ahead_of_the_readers_clock_counts_from_its_reading(library):
    """Another machine's clock running fast cannot keep "is watching" up for longer."""
    bus, clock = clocked_bus()
    _coach, _estimator, telecast = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    ahead = encode_control(Presence(clock.now + 60.0))
    bus.publish(control_topic(SESSION), ahead)
    assert telecast.status().watched
    clock.now += WATCHED_FOR_S + 0.1
    assert not telecast.status().watched


def test_the_heartbeat_carries_the_bus_time_it_was_sent_at():
    bus, clock = clocked_bus()
    assert decode_control(presence_message(bus)) == Presence(clock.now)
    clock.now += PRESENCE_EVERY_S
    assert decode_control(presence_message(bus)) == Presence(clock.now)


def test_a_message_reaches_the_patients_state_once_per_new_message(library):
    bus = InProcessRoomBus()
    coach, _, _ = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    bus.publish(control_topic(SESSION), say_message("Slower on the way down"))
    outcome = coach.process_poses([], 0.0, (640, 480))
    state = coach.stream_state(outcome)
    assert state["message"] == {"id": "message-1", "text": "Slower on the way down"}
    bus.publish(control_topic(SESSION), say_message("Good"))
    state = coach.stream_state(coach.process_poses([], 0.1, (640, 480)))
    assert state["message"] == {"id": "message-2", "text": "Good"}
    assert coach.snapshot().watch.message == "Good"


def test_a_target_reps_change_ends_the_set_at_the_new_target(library):
    """The clip has eight squats: a plan of 20 changed to 3 mid-session finishes the set
    at 3 (the change applies from the next rep)."""
    bus, recorder = InProcessRoomBus(), ListRecorder()
    coach, estimator, _ = shared_coach(library, SetPlan(sets=1, reps=20), bus, recorder=recorder)
    bus.publish(control_topic(SESSION), encode_control(TargetChange(reps=3)))
    play(coach, estimator.recording)
    assert coach.plan.reps == 3
    assert coach.snapshot().guided.stage is Stage.DONE
    assert ("set_finished", 1, 3) in recorder.events


def test_without_the_change_the_set_goes_on(library):
    """The counterpart of the test above: the same clip under 20 never finishes the set."""
    bus = InProcessRoomBus()
    coach, estimator, _ = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    play(coach, estimator.recording)
    assert coach.snapshot().guided.stage is Stage.EXERCISING


def test_a_range_target_change_is_counted_on_from_outside_a_rep(library):
    bus = InProcessRoomBus()
    watcher = bus.subscribe(state_topic(SESSION), max_pending=100_000)
    coach, estimator, _ = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    assert coach.prescription is None
    wanted = 101.5
    bus.publish(control_topic(SESSION), encode_control(TargetChange(rom_target_deg=wanted)))
    play(coach, estimator.recording)
    assert coach.prescription is not None and coach.prescription.target == wanted
    targets = {m["s"]["gauge"]["target"] for m in frames(watcher.poll()) if m["s"]["gauge"]}
    assert wanted in targets


def test_state_messages_stay_under_the_notify_limit_with_long_texts():
    state = StreamState(
        headline="h" * 5000,
        count=3,
        phase="down",
        gauge=None,
        cue="c" * 5000,
        guidance="g" * 5000,
        set=None,
        say=None,
        faults=["knee_valgus"] * 50,
        details=[],
    )
    text = state_message(1.0, None, (640, 480), state, pain=None, sent_ms=0.0)
    assert len(text.encode()) < MAX_MESSAGE_BYTES


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"type": "shout"}',
        '{"type": "say", "text": "  "}',
        '{"type": "say", "text": "' + "x" * 201 + '"}',
        '{"type": "target"}',
        '{"type": "target", "reps": 0}',
        '{"type": "target", "reps": true}',
        '{"type": "target", "rom": 400}',
        '{"type": "target", "hold": 2}',
        '{"type": "target", "hold": 301}',
        '{"type": "target", "hold": "20"}',
        '{"type": "presence"}',
        '{"type": "presence", "at": "12"}',
        '{"type": "presence", "at": NaN}',
    ],
)
def test_control_messages_out_of_bounds_are_refused(text):
    with pytest.raises(ControlError):
        decode_control(text)


def test_a_refused_control_message_is_skipped_and_counted(library):
    bus = InProcessRoomBus()
    coach, _, telecast = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    bus.publish(control_topic(SESSION), '{"type": "target", "reps": 0}')
    coach.process_poses([], 0.0, (640, 480))
    assert telecast.rejected == 1 and coach.plan.reps == 20


def live_results(library, change_at_s: float | None = None, target: float = 101.5):
    """The squat clip's frames through a live coach session; `change_at_s`: when the
    physiotherapist's range target change arrives (`ExerciseEngine.change_prescription`)."""
    from coach.engine.thresholds import Prescription
    from coach.runtime.session import CoachSession

    session = CoachSession(library.get("squat"))
    recording = RecordedEstimator("squat_side_studio").recording
    results = []
    for t_s, poses in zip(recording.t_s, recording.frames(), strict=True):
        if change_at_s is not None and t_s >= change_at_s:
            driver = session.engine.thresholds(None).driver
            session.engine.change_prescription(Prescription(driver, target=target))
            change_at_s = None
        results.append(session.process_poses(poses, float(t_s), recording.frame_wh).result)
    return results


def test_a_range_target_changed_mid_rep_applies_from_the_next_rep(library):
    """The rep under way when the change arrives is judged as it began (its thresholds
    kept until it ends); the target is in force from then on."""
    plain = live_results(library)
    first = next(r.new_rep for r in plain if r.new_rep is not None)
    middle = (first.start_s + first.end_s) / 2
    changed = live_results(library, change_at_s=middle)
    old_target = plain[0].driver_thresholds.target if plain[0].driver_thresholds else None
    during = [r for r in changed if middle <= r.t_s < first.end_s and r.driver_thresholds]
    assert during and all(r.driver_thresholds.target == old_target for r in during)
    counted = next(r.new_rep for r in changed if r.new_rep is not None)
    assert (counted.start_s, counted.end_s) == (first.start_s, first.end_s)
    after = [r for r in changed if r.t_s > first.end_s + 0.5 and r.driver_thresholds]
    assert after and all(r.driver_thresholds.target == 101.5 for r in after)


def test_faults_of_frames_the_throttle_holds_back_go_with_the_next_frame(library):
    bus = InProcessRoomBus()
    watcher = bus.subscribe(state_topic(SESSION))
    telecast = Telecast(bus, SESSION)
    coach = LiveCoach(library.get("squat"), SetPlan(sets=1, reps=20))
    state = coach.stream_state(coach.process_poses([], 0.0, (640, 480)))
    sent = [
        telecast.publish(t, None, (640, 480), {**state, "faults": faults})
        for t, faults in ((0.0, []), (1 / 60, ["knee_valgus"]), (2 / 60, ["heels_up"]))
    ]
    assert sent == [True, False, True]  # a 60 frames/s camera: every other frame goes
    assert [json.loads(m)["s"]["faults"] for m in watcher.poll()] == [
        [],
        ["knee_valgus", "heels_up"],
    ]


def test_a_telecast_dropped_without_stop_still_ends_its_watchers():
    import gc

    bus = InProcessRoomBus()
    watcher = bus.subscribe(state_topic(SESSION))
    telecast = Telecast(bus, SESSION)
    del telecast
    gc.collect()
    assert watcher.poll() == [END_MESSAGE]


def test_the_watcher_is_seen_without_any_frame_and_not_after_it_leaves(library):
    """Before the camera starts (or while it is stopped between sets) no frame polls the
    control room: the page's own question reads the heartbeats, and a target change read
    that way still reaches the frame loop."""
    bus, clock = clocked_bus()
    coach, _estimator, telecast = shared_coach(library, SetPlan(sets=1, reps=20), bus)
    bus.publish(control_topic(SESSION), presence_message(bus))
    bus.publish(control_topic(SESSION), encode_control(TargetChange(reps=4)))
    assert coach.snapshot().watch.watched  # no process_poses: no frame came
    clock.now += WATCHED_FOR_S / 2
    bus.publish(control_topic(SESSION), presence_message(bus))  # the watcher is still there
    assert coach.snapshot().watch.watched  # the page asks twice a second
    clock.now += WATCHED_FOR_S / 2 + 1.0
    assert coach.snapshot().watch.watched
    clock.now += WATCHED_FOR_S  # no heartbeat since: the watcher left
    assert not coach.snapshot().watch.watched
    assert telecast.controls() == [TargetChange(reps=4)]
    assert telecast.controls() == []


def shared_plank(library, bus, hold_s: float):
    """A shared plank session over a recorded plank held for about eleven seconds."""
    estimator, recorder = RecordedEstimator("plank_hold_istock"), ListRecorder()
    coach = LiveCoach(
        library.get("plank"),
        SetPlan(sets=1, hold_s=hold_s),
        recorder=recorder,
        estimator_factory=lambda: estimator,
    )
    coach.share(Telecast(bus, SESSION))
    return coach, estimator, recorder


def test_a_hold_time_change_ends_the_next_hold_at_the_new_time(library):
    """A plank held about eleven seconds never ends a 30-second set; changed to 5 s before
    the hold starts, the set ends at 5 s, and the watcher's read-out says so."""
    bus = InProcessRoomBus()
    watcher = bus.subscribe(state_topic(SESSION), max_pending=100_000)
    coach, estimator, recorder = shared_plank(library, bus, 30)
    bus.publish(control_topic(SESSION), encode_control(TargetChange(hold_s=5)))
    play(coach, estimator.recording)
    assert coach.plan.hold_s == 5
    guided = coach.snapshot().guided
    assert guided.stage is Stage.DONE and guided.held_total_s == pytest.approx(5, abs=0.2)
    assert ("set_finished", 1, 0) in recorder.events
    shown = [m["s"]["set"] for m in frames(watcher.poll()) if m["s"]["set"]]
    assert {s["target_hold_s"] for s in shown} == {5}
    assert max(s["held_s"] for s in shown) == pytest.approx(5, abs=0.2)


def test_a_hold_time_change_during_a_hold_is_for_the_next_one(library):
    """Changed while the patient holds, the hold under way keeps its 30 seconds."""
    bus = InProcessRoomBus()
    coach, estimator, _ = shared_plank(library, bus, 30)
    times = estimator.recording.t_s
    width, height = estimator.recording.frame_wh
    blank = np.zeros((height, width, 3), dtype=np.uint8)
    sent = False
    for t_s in times:
        guided = coach.snapshot().guided
        if not sent and guided is not None and guided.held_in_set_s > 2:
            bus.publish(control_topic(SESSION), encode_control(TargetChange(hold_s=5)))
            sent = True
        coach.process_rgb(blank, float(t_s))
    guided = coach.snapshot().guided
    assert coach.plan.hold_s == 5  # the change arrived...
    assert guided.stage is Stage.EXERCISING and guided.held_in_set_s > 5  # ...for the next
    assert guided.target_hold_s == 30
