"""Sessions left without Finish or Discard (a tab closed, a browser or server gone): one
with something done is kept, marked unfinished, ending at its last rep, its open set closed
with the reps it has; one with nothing done is removed; a finished one is never touched.
A server's start ends only the leftovers idle long enough (not another server's session
under way). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from coach.store import Store
from coach.store.migrations import alembic_config
from tests.support.store_data import make_rep


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_a_session_with_reps_left_unfinished_is_kept_with_its_reps(database_url):
    clock = Clock()
    store = Store(database_url, clock=clock)
    session = store.start_session("squat", pain_before=3, planned_sets=2, planned_reps=5)
    store.start_set(session, 1)
    for index in (1, 2):
        clock.advance(seconds=5)
        store.add_rep(session, 1, make_rep(index))
    last_rep_at = clock.now
    clock.advance(minutes=10)  # the tab was closed; the page's state goes later
    assert store.end_unfinished_session(session) == "kept"
    record = store.session(session)
    assert record.unfinished and record.ended_how == "unfinished"
    assert record.ended_at == last_rep_at  # when something last happened, not when noticed
    assert (record.reps, record.sets_done, record.pain_before) == (2, 1, 3)
    assert (record.pain_after, record.effort_borg) == (None, None)  # never given
    with store.engine.connect() as connection:
        ended, reps = connection.execute(
            text("SELECT ended_at, reps FROM sets WHERE session_id = :id"), {"id": session}
        ).one()
    assert ended is not None and reps == 2
    assert store.end_unfinished_session(session) == "open"  # once only
    store.close()


def test_a_session_with_nothing_done_left_unfinished_is_removed(store):
    session = store.start_session("squat", pain_before=4)
    store.start_set(session, 1)  # positioned, then left before a rep
    patient = store.session_patient_id(session)
    assert store.end_unfinished_session(session) == "removed"
    assert store.sessions(patient) == []


def test_a_hold_with_seconds_held_is_kept(store):
    session = store.start_session("plank", planned_sets=2, planned_hold_s=30)
    store.start_set(session, 1)
    store.finish_set(session, 1, reps_done=0, held_s=30.0)
    store.start_set(session, 2)
    assert store.end_unfinished_session(session) == "kept"
    record = store.session(session)
    assert record.unfinished and record.held_s == 30.0


def test_finished_and_discarded_sessions_are_left_as_they_are(store):
    finished = store.start_session("squat")
    store.finish_session(finished, pain_after=2)
    discarded = store.start_session("squat")
    store.discard_session(discarded)
    assert store.end_unfinished_session(finished) == "open"
    assert store.end_unfinished_session(discarded) == "open"
    record = store.session(finished)
    assert record.ended_how == "finished" and not record.unfinished


def test_a_session_finished_after_a_blip_is_finished(store):
    """A network blip made the page's state look gone: the patient carries on and presses
    Finish, and the record says finished, with their ratings."""
    session = store.start_session("squat")
    store.start_set(session, 1)
    store.add_rep(session, 1, make_rep(1))
    store.end_unfinished_session(session)
    store.add_rep(session, 1, make_rep(2))
    store.finish_session(session, pain_after=1, effort_borg=3)
    record = store.session(session)
    assert (record.ended_how, record.reps, record.pain_after) == ("finished", 2, 1)


def test_a_server_start_ends_only_leftovers_idle_long_enough(database_url):
    clock = Clock()
    store = Store(database_url, clock=clock)
    old_with_reps = store.start_session("squat")
    store.start_set(old_with_reps, 1)
    store.add_rep(old_with_reps, 1, make_rep(1))
    store.start_session("squat")  # nothing done in it: removed
    clock.advance(minutes=20)
    started_long_ago_busy_now = store.start_session("squat")  # another server's patient
    clock.advance(minutes=15)
    store.start_set(started_long_ago_busy_now, 1)
    store.add_rep(started_long_ago_busy_now, 1, make_rep(1))
    fresh = store.start_session("squat")
    finished = store.start_session("squat")
    store.finish_session(finished)
    clock.advance(minutes=5)

    assert store.end_leftover_sessions(timedelta(minutes=30)) == {"kept": 1, "removed": 1}
    patient = store.session_patient_id(fresh)
    left = {s.id: s.ended_how for s in store.sessions(patient)}
    assert left == {
        old_with_reps: "unfinished",
        started_long_ago_busy_now: None,
        fresh: None,
        finished: "finished",
    }
    store.close()


def test_upgrading_0005_marks_ended_sessions_finished_and_downgrades_back(database_url):
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
        connection.execute(
            text("INSERT INTO patients (name, is_default, created_at) VALUES ('Me', true, :t)"),
            {"t": datetime(2026, 12, 1)},
        )
        for ended in (datetime(2026, 12, 1, 10), None):
            connection.execute(
                text(
                    "INSERT INTO sessions (patient_id, exercise_id, source, started_at, "
                    "ended_at, mirrored) VALUES (1, 'squat', 'live', :s, :e, false)"
                ),
                {"s": datetime(2026, 12, 1, 9), "e": ended},
            )
    store = Store(database_url)
    assert [s.ended_how for s in store.sessions(1)] == ["finished", None]
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(text("UPDATE sessions SET ended_how = 'lost'"))
    store.close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005")
        assert connection.execute(text("SELECT count(*) FROM sessions")).scalar() == 2
    engine.dispose()
