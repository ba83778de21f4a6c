"""The guided session: positioning, sets, rest, pauses; driven by hand-made frame results."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coach.engine.results import Cue, CueKind, FrameResult, Status
from coach.runtime.guided import EventKind, GuidedSession, GuidedState, SetPlan, Stage
from coach.runtime.live import shown_cue, spoken_cue


def frame(
    t_s: float,
    reps: int = 0,
    status: Status = Status.ACTIVE,
    view: str | None = "side",
    people: int = 1,
    hold_s: float = 0.0,
    holding: bool = False,
    guidance: str | None = None,
) -> FrameResult:
    return FrameResult(
        t_s=t_s,
        status=status,
        view=view,
        people=people,
        measures={},
        driver=None,
        phase=None,
        reps=reps,
        reps_by_side={},
        hold_s=hold_s,
        holding=holding,
        guidance=guidance,
        cue=None,
    )


def run(session: GuidedSession, frames: list[FrameResult]) -> list:
    return [event for f in frames if (event := session.update(f)) is not None]


def test_plan_from_dosage(library):
    squat = SetPlan.from_dosage(library.get("squat"))
    plank = SetPlan.from_dosage(library.get("plank"))
    assert (squat.sets, squat.reps, squat.hold_s) == (3, 10, None)
    assert (plank.sets, plank.reps, plank.hold_s) == (3, None, 30)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sets": 0, "reps": 5}, "at least one set"),
        ({"sets": 1}, "either"),
        ({"sets": 1, "reps": 5, "hold_s": 10}, "either"),
        ({"sets": 1, "reps": 5, "rest_s": -1}, "rest"),
    ],
    ids=["no-sets", "neither", "both", "negative-rest"],
)
def test_bad_plans_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SetPlan(**kwargs)


def test_a_set_starts_only_after_a_second_of_being_ready(library):
    session = GuidedSession(SetPlan(1, reps=2), library.get("squat"))
    events = run(session, [frame(t / 10) for t in range(9)])  # 0.8 s ready
    assert events == [] and session.stage is Stage.POSITIONING
    (event,) = run(session, [frame(1.0)])
    assert event.kind is EventKind.SET_STARTED and session.stage is Stage.EXERCISING


@pytest.mark.parametrize(
    "not_ready",
    [
        frame(0.5, status=Status.GETTING_READY, guidance="Get into the starting position"),
        frame(0.5, view="front"),  # squat is judged side-on or from the front: front is fine
        frame(0.5, people=2),
        frame(0.5, status=Status.NO_PERSON),
    ],
    ids=["not-in-position", "front-view-is-allowed", "two-people", "nobody"],
)
def test_positioning_restarts_when_the_view_is_not_right(library, not_ready):
    session = GuidedSession(SetPlan(1, reps=2), library.get("squat"))
    frames = [frame(0.0), frame(0.4), not_ready, frame(0.9), frame(1.2)]
    events = run(session, frames)
    allowed = not_ready.view == "front" and not_ready.people == 1
    allowed = allowed and not_ready.status is Status.ACTIVE
    assert bool(events) == allowed


def test_wrong_view_keeps_the_patient_positioning(library):
    session = GuidedSession(SetPlan(1, hold_s=10), library.get("plank"))  # side only
    run(session, [frame(t / 10, view="front", holding=True) for t in range(30)])
    assert session.stage is Stage.POSITIONING


def test_sets_reps_rest_and_end(library):
    session = GuidedSession(SetPlan(2, reps=2, rest_s=5), library.get("squat"))
    frames = [frame(0), frame(1.0), frame(2, reps=1), frame(3, reps=2)]
    events = run(session, frames)
    assert [e.kind for e in events] == [EventKind.SET_STARTED, EventKind.SET_FINISHED]
    assert events[1].reps == 2 and session.stage is Stage.RESTING
    assert session.state.rest_left_s == pytest.approx(5.0)
    assert "Rest" in session.state.message
    run(session, [frame(5, reps=3)])  # a rep during the rest does not count
    assert session.stage is Stage.RESTING
    # Rest ends at 8 s; then a second of positioning (from 8.6 s) before set 2.
    events = run(session, [frame(t, reps=3) for t in (8.1, 8.6, 9.2, 9.7)])
    assert [e.kind for e in events] == [EventKind.SET_STARTED]
    assert session.set_index == 2
    events = run(session, [frame(10, reps=4), frame(11, reps=5)])
    assert [(e.kind, e.reps) for e in events] == [(EventKind.SESSION_FINISHED, 2)]
    assert session.stage is Stage.DONE and session.state.progress == 1.0


def test_pauses_say_why(library):
    session = GuidedSession(SetPlan(1, reps=5), library.get("squat"))
    run(session, [frame(0), frame(1.0)])
    run(session, [frame(1.5, status=Status.NO_PERSON)])
    assert "step back into view" in session.state.message
    run(session, [frame(2.0, people=2)])
    assert "only one person" in session.state.message


def test_a_hold_set_ends_when_the_time_is_held(library):
    session = GuidedSession(SetPlan(1, hold_s=10), library.get("plank"))
    holds = [frame(t, holding=True, hold_s=t) for t in (0.0, 0.5, 1.0)]
    holds += [frame(t, holding=True, hold_s=t) for t in (6.0, 11.5)]
    events = run(session, holds)
    assert [e.kind for e in events] == [EventKind.SET_STARTED, EventKind.SESSION_FINISHED]
    assert events[-1].held_s == pytest.approx(10.5)


def test_time_held_counts_only_the_sets(library):
    """Holding while getting ready and while resting is not the session's hold time: the
    total is the sets' own seconds, as the store adds them up."""
    session = GuidedSession(SetPlan(2, hold_s=5, rest_s=3), library.get("plank"))
    # Ready from 0 s (the engine's timer runs), set 1 from 1 s, done at 6 s (5 s held);
    # held on through the rest to 9 s, ready again from 9.5 s, set 2 from 10.5 s to 16 s.
    times = [0.0, 0.5, 1.0, 3.0, 6.0, 7.5, 9.0, 9.5, 10.5, 12.0, 16.0]
    events = run(session, [frame(t, holding=True, hold_s=t) for t in times])
    sets = [e.held_s for e in events if e.kind is not EventKind.SET_STARTED]
    assert sets == pytest.approx([5.0, 5.5])
    assert session.state.held_total_s == pytest.approx(10.5)  # not the engine's 16 s


def test_stopping_early_keeps_the_set_in_progress(library):
    session = GuidedSession(SetPlan(1, hold_s=30), library.get("plank"))
    run(session, [frame(t, holding=True, hold_s=t) for t in (0.0, 0.5, 1.0, 4.0)])
    event = session.stop()
    assert event is not None and event.kind is EventKind.SESSION_FINISHED
    assert event.held_s == pytest.approx(3.0) and session.stage is Stage.DONE
    assert session.stop() is None  # nothing more to close


def test_a_changed_hold_time_is_for_the_next_hold(library):
    """The plan's hold time changed during a hold (the physiotherapist, while watching):
    the hold under way keeps its 10 s, the next set holds the new 4 s."""
    session = GuidedSession(SetPlan(2, hold_s=10, rest_s=1), library.get("plank"))
    run(session, [frame(t, holding=True, hold_s=t) for t in (0.0, 0.5, 1.0, 3.0)])
    session.plan = SetPlan(2, hold_s=4, rest_s=1)
    assert session.target_hold_s == 10 and session.state.target_hold_s == 10
    times = [5.5, 8.0, 11.0, 12.5, 13.0, 13.5, 14.5, 17.0, 18.5]
    events = run(session, [frame(t, holding=True, hold_s=t) for t in times])
    held = [e.held_s for e in events if e.kind is not EventKind.SET_STARTED]
    assert held == pytest.approx([10.0, 4.0])


SLOW_DOWN = Cue("Slow down", CueKind.FAULT, "minor", 3.0)


def guided_at(stage: Stage) -> GuidedState:
    return GuidedState(stage, 1, 1, 3, 0.0, 1.0, 0.0, "All sets done. Well done!")


@pytest.mark.parametrize(
    ("stage", "shown"),
    [
        (Stage.POSITIONING, SLOW_DOWN),
        (Stage.EXERCISING, SLOW_DOWN),
        (Stage.RESTING, None),  # the movements count for nothing: not judged aloud
        (Stage.DONE, None),  # no "Slow down" under "All sets done. Well done!"
    ],
)
def test_the_engine_cue_is_shown_only_while_the_movements_count(stage: Stage, shown):
    result = replace(frame(3.0), cue=SLOW_DOWN)
    assert shown_cue(result, guided_at(stage)) == shown
    said, _ = spoken_cue(result, guided_at(stage))
    assert said == (SLOW_DOWN.text if shown else "All sets done. Well done!")


def test_without_a_guided_session_the_engine_cue_is_shown():
    assert shown_cue(replace(frame(3.0), cue=SLOW_DOWN), None) == SLOW_DOWN
