"""The session store: WAL, migrations, reps committed one by one, bad input.

Every test with the `store` fixture runs twice: on a SQLite file and on a PostgreSQL
database (a throwaway cluster the tests start; skipped, with the reason, without one).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from coach.engine.results import AngleStats, Fault, Rep
from coach.store import Store, StoreError
from tests.conftest import ROOT
from tests.support.databases import HEAD


def make_rep(index: int, partial: bool = False, faults: tuple[Fault, ...] = ()) -> Rep:
    knee = AngleStats(min_deg=5.0, max_deg=90.0 + index, at_turn_deg=90.0 + index)
    return Rep(
        index,
        "both",
        index * 3.0,
        index * 3.0 + 1.0,
        index * 3.0 + 2.0,
        {"knee_flexion": knee},
        partial,
        faults,
    )


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_is_migrated(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'coach.db'}")
    store.start_session("squat")
    raw = sqlite3.connect(tmp_path / "coach.db")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_session_with_reps_sums_up(store):
    session = store.start_session("squat", pain_before=3, planned_sets=1, planned_reps=3)
    store.start_set(session, 1)
    fault = Fault("too_fast", "Slow down", "minor", 4.0, 0.9)
    three = [make_rep(1), make_rep(2, partial=True), make_rep(3, False, (fault,))]
    for index, rep in enumerate(three):
        store.add_rep(session, 1, rep)
        assert len(store.rep_rows(session)) == index + 1  # visible at once: committed
    store.finish_set(session, 1, reps_done=3, held_s=0.0)
    store.finish_session(session, pain_after=2, effort_borg=4, view="side")
    summary = store.summary(session)
    assert (summary.reps, summary.partial_reps) == (3, 1)
    assert summary.best_rom_deg == {"knee_flexion": 88.0}
    assert summary.faults == {"too_fast": 1}
    assert (summary.pain_before, summary.pain_after, summary.effort_borg) == (3, 2, 4)


def test_a_discarded_session_leaves_nothing_behind(store):
    kept = store.start_session("squat", pain_before=2)
    junk = store.start_session("squat", pain_before=4)
    store.start_set(junk, 1)
    fault = Fault("too_fast", "Slow down", "minor", 4.0, 0.9)
    store.add_rep(junk, 1, make_rep(1, False, (fault,)))
    store.discard_session(junk)
    patient = store.session_patient_id(kept)
    assert [s.id for s in store.sessions(patient)] == [kept]
    assert store.rep_rows(junk) == [] and store.fault_events(junk) == []
    with pytest.raises(StoreError, match=f"no session {junk}"):
        store.discard_session(junk)


def test_previous_session_is_the_last_of_the_same_exercise(store):
    first = store.start_session("squat")
    store.start_session("plank")
    third = store.start_session("squat")
    assert store.previous_session("squat", third).id == first
    assert store.previous_session("squat", first) is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.start_session("squat", pain_before=11), "0-10"),
        (lambda s: s.finish_session(s.start_session("squat"), pain_after=-1), "0-10"),
        (lambda s: s.finish_session(s.start_session("squat"), effort_borg=12), "Borg"),
        (lambda s: s.summary(999), "no session 999"),
    ],
    ids=["pain-before-11", "pain-after-negative", "borg-12", "unknown-session"],
)
def test_bad_values_are_refused_with_the_reason(store, call, message):
    with pytest.raises(StoreError, match=message):
        call(store)


def test_reopening_an_existing_database_keeps_its_data(database_url):
    url = database_url
    first = Store(url)
    session = first.start_session("squat")
    first.add_rep(session, 1, make_rep(1))
    first.close()
    again = Store(url)
    assert again.summary(session).reps == 1


def test_unwritable_data_folder_names_the_setting(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="FORM_COACH_DATA"):
        Store(f"sqlite:///{blocker / 'sub' / 'coach.db'}")


WRITER = textwrap.dedent(
    """
    import sys, time
    from coach.engine.results import AngleStats, Rep
    from coach.store import Store
    store = Store(sys.argv[1])
    session = store.start_session("squat")
    print(session, flush=True)
    for index in range(1, 1000):
        knee = AngleStats(5.0, 90.0, 90.0)
        store.add_rep(session, 1, Rep(index, "both", index, index + 0.5, index + 1,
                                      {"knee_flexion": knee}, False))
        print(index, flush=True)
        time.sleep(0.02)
    """
)


def test_a_killed_writer_loses_no_counted_rep(database_url):
    """Kill -9 a process in the middle of a session; every rep it reported is stored."""
    url = database_url
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    session = int(writer.stdout.readline())
    reported = 0
    while reported < 25:
        reported = int(writer.stdout.readline())
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL
    reopened = Store(url)
    assert len(reopened.rep_rows(session)) >= reported
    assert reopened.session(session).reps >= reported
    reopened.close()
