"""A live session the patient never finishes or discards (issue 20: the tab closed, the
browser gone): when the page's state is dropped, or forgotten at sign-out, the record keeps
a session with reps, marked unfinished with the reps it has, and removes one with nothing
done. Recorded poses stand in for the webcam and the model."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach.store import StoreError
from coach_ui import resources
from coach_ui.coaching import StoreRecorder
from coach_ui.live_session import LiveSession
from tests.conftest import ROOT
from tests.support.live import RecordedEstimator, play
from tests.support.store_data import make_rep


def live_session(store, library, plan: SetPlan, clip: str | None) -> LiveSession:
    """A session started as the Live coach page starts one, with `clip` played through it
    (None: the camera never started)."""
    session_id = store.start_session("squat", planned_sets=plan.sets, planned_reps=plan.reps)
    estimator = RecordedEstimator(clip or "squat_side_studio")
    coach = LiveCoach(
        library.get("squat"),
        plan,
        recorder=StoreRecorder(store, session_id),
        estimator_factory=lambda: estimator,
    )
    if clip is not None:
        play(coach, estimator.recording)
    return LiveSession(coach, session_id, "squat", store)


def test_a_dropped_session_with_reps_is_kept_as_unfinished(store, library):
    """Two sets of five on a clip of eight squats: the second set is under way when the
    browser goes and Streamlit drops the page's state."""
    live = live_session(store, library, SetPlan(2, reps=5, rest_s=0.5), "squat_side_studio")
    session_id, counted = live.session_id, len(live.coach.snapshot().reps)
    assert 5 < counted < 10  # the second set was under way
    assert store.session(session_id).ended_at is None
    del live
    gc.collect()
    record = store.session(session_id)
    assert record.unfinished and record.ended_at is not None
    assert (record.reps, record.sets_done) == (counted, 2)
    assert record.pain_after is None and record.effort_borg is None


def test_a_dropped_session_with_nothing_done_is_removed(store, library):
    live = live_session(store, library, SetPlan(1, reps=5), clip=None)
    session_id = live.session_id
    del live
    gc.collect()
    with pytest.raises(StoreError, match=f"no session {session_id}"):
        store.session(session_id)


def test_signing_out_mid_set_keeps_the_set_under_way(store, library):
    """`close` (sign-out, another user in the tab) saves the set under way with the reps it
    holds before ending the session."""
    live = live_session(store, library, SetPlan(1, reps=20), "squat_side_studio")
    counted = len(live.coach.snapshot().reps)
    live.close()
    record = store.session(live.session_id)
    assert record.unfinished and record.reps == counted > 0
    with store.engine.connect() as connection:
        saved = connection.execute(
            text("SELECT reps FROM sets WHERE session_id = :id"), {"id": live.session_id}
        ).scalar()
    assert saved == counted


def test_a_finished_session_is_left_finished_when_dropped(store, library):
    live = live_session(store, library, SetPlan(1, reps=3), "squat_side_studio")
    store.finish_session(live.session_id, pain_after=2, effort_borg=3)
    session_id = live.session_id
    del live
    gc.collect()
    record = store.session(session_id)
    assert (record.ended_how, record.pain_after) == ("finished", 2)


def test_a_server_start_ends_what_a_killed_server_left(store):
    """A session a killed server left open an hour ago, with a rep, is kept as unfinished
    when the app next starts; one started a minute ago (another server's) is left open."""
    now = datetime.now(UTC)
    left = store.start_session("squat", started_at=now - timedelta(hours=1))
    store.start_set(left, 1)
    store.add_rep(left, 1, make_rep(1))
    with store.engine.begin() as connection:  # the set and the rep, too, were an hour ago
        for table, column in (("reps", "recorded_at"), ("sets", "started_at")):
            connection.execute(
                text(f"UPDATE {table} SET {column} = :t"), {"t": now - timedelta(minutes=59)}
            )
    busy = store.start_session("squat", started_at=now - timedelta(minutes=1))
    resources.end_leftover_sessions.clear()
    at = AppTest.from_file(str(ROOT / "coach_ui" / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.session(left).unfinished and store.session(left).reps == 1
    assert store.session(busy).ended_at is None
    resources.end_leftover_sessions.clear()
