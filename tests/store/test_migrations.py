"""Schema migrations: from an empty database, from revisions 0001 and 0002 with data (nothing
lost), back down, all-or-nothing when an upgrade fails, and the migrated schema equal to the
tables the code declares. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from coach.store import Store, StoreError, metadata
from coach.store.migrations import alembic_config
from coach.store.prescriptions import PlanItemSpec
from tests.support.databases import HEAD

NEW_TABLES = {
    "patients",
    "clinicians",
    "accounts",
    "plans",
    "plan_items",
    "fault_events",
    "goals",
    "goal_scores",
}


def at_revision(url: str, revision: str):
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    return engine


def fill_0001(engine) -> None:
    """Two sessions with sets and reps, as the live coach wrote them before 0002."""
    with engine.begin() as connection:
        for day, pain in ((1, 3), (2, 5)):
            connection.execute(
                text(
                    "INSERT INTO sessions (exercise_id, started_at, mirrored, pain_before, "
                    "pain_after, effort_borg) VALUES ('squat', :t, false, :p, :p, 4)"
                ),
                {"t": datetime(2026, 11, day, 9), "p": pain},
            )
            session_id = connection.execute(text("SELECT max(id) FROM sessions")).scalar()
            connection.execute(
                text(
                    "INSERT INTO sets (session_id, set_index, started_at, reps, held_s) "
                    "VALUES (:id, 1, :t, 2, 0)"
                ),
                {"id": session_id, "t": datetime(2026, 11, 1)},
            )
            for rep in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO reps (session_id, set_index, rep_index, side, start_s, end_s, "
                        "duration_s, partial, range_of_motion, faults, recorded_at) VALUES "
                        "(:id, 1, :rep, 'both', :start, :end, 2, false, :rom, :faults, :t)"
                    ),
                    {
                        "id": session_id,
                        "rep": rep,
                        "start": rep * 3.0,
                        "end": rep * 3.0 + 2,
                        "rom": json.dumps(
                            {"knee_flexion": {"min_deg": 5, "max_deg": 90, "rom_deg": 85}}
                        ),
                        "faults": json.dumps(
                            [{"rule": "too_fast", "cue": "Slow down", "severity": "minor"}]
                            if rep == 2
                            else []
                        ),
                        "t": datetime(2026, 11, 1),
                    },
                )


def add_patient_row(connection) -> None:
    """Patient 1, Pat, as a migration before the Store's own code would write her."""
    connection.execute(
        text("INSERT INTO patients (name, is_default, created_at) VALUES ('Pat', false, :t)"),
        {"t": datetime(2026, 11, 1)},
    )


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("sessions", "sets", "reps")
        }


def test_an_empty_database_is_created_at_the_newest_revision(database_url):
    store = Store(database_url)
    assert store.revision() == HEAD
    tables = set(inspect(store.engine).get_table_names())
    assert tables >= NEW_TABLES | {"sessions", "sets", "reps", "alembic_version"}
    assert store.list_patients() == []  # the default patient comes on first use, not here
    store.close()


def test_upgrading_0001_with_data_keeps_every_session_set_and_rep(database_url):
    engine = at_revision(database_url, "0001")
    fill_0001(engine)
    before = counts(engine)
    store = Store(database_url)
    assert store.revision() == HEAD
    assert counts(store.engine) == before == {"sessions": 2, "sets": 2, "reps": 4}
    (patient,) = store.list_patients()
    assert patient.is_default and patient.name == "Me"
    sessions = store.sessions(patient.id)
    assert [(s.id, s.pain_before, s.reps, s.source) for s in sessions] == [
        (1, 3, 2, "live"),
        (2, 5, 2, "live"),
    ]
    assert sessions[0].best_rom_deg == {"knee_flexion": 85}
    # faults stored inside reps became fault events, at the rep's end
    assert [(e.rule_id, e.t_s) for e in store.fault_events(1)] == [("too_fast", 8.0)]
    # the app keeps working on the upgraded data
    assert store.default_patient().id == patient.id
    store.start_session("squat", pain_before=1)
    store.close()
    engine.dispose()


def test_upgrading_0001_without_sessions_makes_no_patient(database_url):
    at_revision(database_url, "0001").dispose()
    store = Store(database_url)
    assert store.list_patients() == []
    store.close()


def test_downgrading_to_0001_keeps_sessions_and_reps_and_upgrades_again(database_url):
    engine = at_revision(database_url, "0001")
    fill_0001(engine)
    Store(database_url).close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    assert counts(engine) == {"sessions": 2, "sets": 2, "reps": 4}
    assert not NEW_TABLES & set(inspect(engine).get_table_names())
    columns = {c["name"] for c in inspect(engine).get_columns("sessions")}
    assert "patient_id" not in columns and "pain_during" not in columns
    engine.dispose()
    again = Store(database_url)
    assert again.revision() == HEAD and len(again.sessions(again.default_patient().id)) == 2
    again.close()


def test_a_failed_upgrade_changes_nothing(database_url):
    """The whole upgrade is one transaction: a clash half-way leaves 0001 and its data."""
    engine = at_revision(database_url, "0001")
    fill_0001(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE goals (id INTEGER PRIMARY KEY)"))  # in the way
    with pytest.raises(StoreError, match="upgrading the database schema"):
        Store(database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        )
    assert "patients" not in inspect(engine).get_table_names()
    assert counts(engine) == {"sessions": 2, "sets": 2, "reps": 4}
    engine.dispose()


def test_the_migrated_schema_is_the_declared_one(database_url):
    """Alembic's autogenerate finds nothing to add, drop or change: the migrations and
    coach.store.schema describe the same tables, columns, indexes and foreign keys."""
    store = Store(database_url)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, metadata)
    store.close()
    assert differences == []


def test_upgrading_0002_with_data_adds_the_assessment_tables_and_downgrades_back(database_url):
    engine = at_revision(database_url, "0001")
    fill_0001(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
    store = Store(database_url)
    assert store.revision() == HEAD
    patient = store.default_patient()
    store.add_assessment(
        patient.id, kind="rom", measure="knee_flexion", value=120.0, unit="deg", side="left"
    )
    store.close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"assessments", "flare_up_plans", "posture_checks", "lesson_reads"}
    assert counts(engine) == {"sessions": 2, "sets": 2, "reps": 4}
    engine.dispose()


def test_upgrading_0003_adds_counts_from_to_plan_items_and_downgrades_back(database_url):
    """Items made before 0004 count on the library's thresholds (NULL); downgrading drops
    the column and keeps the items."""
    engine = at_revision(database_url, "0003")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
    store = Store(database_url)
    assert store.revision() == HEAD
    patient = store.add_patient("Pat")
    plan = store.create_plan(patient, start_date="2026-12-01")
    store.add_plan_item(
        plan,
        PlanItemSpec(
            "squat", 2, reps=10, rom_angle="knee_flexion", rom_target_deg=50, counts_from_deg=30
        ),
    )
    assert store.get_plan(plan).items[0].counts_from_deg == 30
    store.close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")
    columns = {c["name"] for c in inspect(engine).get_columns("plan_items")}
    assert "counts_from_deg" not in columns and "rom_target_deg" in columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM plan_items")).scalar() == 1
    engine.dispose()


def test_upgrading_0005_keeps_landmarks_for_existing_patients_and_downgrades_back(database_url):
    """0009 adds the kept landmarks, the comments and the patient's switch (on for the
    patients already there); downgrading drops them and keeps the sessions."""
    engine = at_revision(database_url, "0005")
    with engine.begin() as connection:
        add_patient_row(connection)
    store = Store(database_url)
    assert store.revision() == HEAD
    (patient,) = store.list_patients()
    assert store.keeps_landmarks(patient.id)
    session = store.start_session("squat", patient_id=patient.id)
    store.add_comment(session, "Good depth", author="Ann")
    store.close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"set_landmarks", "session_comments"}
    assert "keep_landmarks" not in {c["name"] for c in inspect(engine).get_columns("patients")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sessions")).scalar() == 1
    engine.dispose()


def test_upgrading_0009_adds_live_sharing_and_downgrades_back(database_url):
    """0010 adds the sessions' live sharing, the plans' telehealth flag (off for the plans
    already there) and the target changes; downgrading drops them and keeps the rows."""
    engine = at_revision(database_url, "0009")
    with engine.begin() as connection:
        add_patient_row(connection)
        connection.execute(
            text(
                "INSERT INTO plans (patient_id, title, start_date, active, created_at) "
                "VALUES (1, 'Knee', :d, true, :t)"
            ),
            {"d": datetime(2026, 11, 1).date(), "t": datetime(2026, 11, 1)},
        )
    store = Store(database_url)
    assert store.revision() == HEAD
    (patient,) = store.list_patients()
    assert store.current_plan(patient.id).telehealth is False
    session = store.start_session("squat", patient_id=patient.id)
    assert not store.is_shared_live(session)
    store.set_live_sharing(session, True)
    assert [s.session_id for s in store.shared_live_sessions()] == [session]
    store.record_target_change(session, author="Ann", target_reps=8)
    store.close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0009")
    assert "session_target_changes" not in set(inspect(engine).get_table_names())
    assert "shared_since" not in {c["name"] for c in inspect(engine).get_columns("sessions")}
    assert "telehealth" not in {c["name"] for c in inspect(engine).get_columns("plans")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sessions")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM plans")).scalar() == 1
    engine.dispose()


def test_upgrading_0011_adds_a_hold_time_to_target_changes_and_downgrades_back(database_url):
    """0012: a target change may set a hold's seconds; the changes recorded before keep
    theirs (NULL), and downgrading drops the column and keeps the changes."""
    engine = at_revision(database_url, "0011")
    with engine.begin() as connection:
        add_patient_row(connection)
        connection.execute(
            text(
                "INSERT INTO sessions (exercise_id, started_at, mirrored, patient_id, source) "
                "VALUES ('plank', :t, false, 1, 'live')"
            ),
            {"t": datetime(2026, 11, 1)},
        )
        connection.execute(
            text(
                "INSERT INTO session_target_changes (session_id, author, target_reps, created_at) "
                "VALUES (1, 'Ann', 8, :t)"
            ),
            {"t": datetime(2026, 11, 1)},
        )
    store = Store(database_url)
    assert store.revision() == HEAD
    store.record_target_change(1, author="Ann", target_hold_s=20)
    old, new = store.target_changes(1)
    assert (old.target_reps, old.target_hold_s) == (8, None)
    assert (new.target_reps, new.target_hold_s) == (None, 20.0)
    store.close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0011")
    columns = {c["name"] for c in inspect(engine).get_columns("session_target_changes")}
    assert "target_hold_s" not in columns and "target_reps" in columns
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM session_target_changes")).scalar()
    assert count == 2
    engine.dispose()
