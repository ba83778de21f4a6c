"""The store's model: patients, clinicians, logins, plans, sessions of a patient, fault
events, goals; and every input check. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from coach.store import StoreError, ValidationError
from coach.store.prescriptions import PlanItemSpec, ProgressRule
from tests.support.store_data import KNEES_IN, SLOW_DOWN, make_rep, record_session, seed_patient


def test_home_mode_has_one_default_patient_made_once(store):
    first = store.default_patient()
    assert first.is_default and first.name == "Me"
    assert store.default_patient().id == first.id
    assert [p.id for p in store.list_patients()] == [first.id]


def test_a_session_without_a_patient_goes_to_the_default_patient(store):
    session = store.start_session("squat")
    assert store.session(session).patient_id == store.default_patient().id


def test_patients_of_a_clinician_and_their_details(store):
    ann = store.add_clinician("Ann Physio", email="ann@clinic.example")
    bob = store.add_clinician("Bob Physio")
    mine = store.add_patient(
        "  Zoë Ångström ", date_of_birth="1950-02-03", clinician_id=ann, referrer="Dr Who"
    )
    store.add_patient("Other Person", clinician_id=bob)
    patient = store.get_patient(mine)
    assert (patient.name, patient.date_of_birth, patient.referrer) == (
        "Zoë Ångström",
        date(1950, 2, 3),
        "Dr Who",
    )
    assert [p.id for p in store.list_patients(clinician_id=ann)] == [mine]
    assert len(store.list_patients()) == 2


def test_text_is_stored_as_data_never_run_as_sql(store):
    name = "Robert'); DROP TABLE sessions;--"
    patient = store.add_patient(name)
    assert store.get_patient(patient).name == name
    store.start_session("squat", patient_id=patient)  # the table is still there
    assert len(store.sessions(patient)) == 1


def test_plan_items_keep_the_physios_dosage_targets_and_rule(store, library):
    patient = store.add_patient("Pat")
    plan = store.create_plan(
        patient, start_date=date(2026, 1, 5), end_date="2026-03-01", notes="Knee OA, 6 weeks"
    )
    rule = ProgressRule(add_reps=3, max_pain=2)
    squat = store.add_plan_item(
        plan,
        PlanItemSpec.from_exercise(
            library.get("squat"),
            reps=12,
            rom_target_deg=80.0,
            counts_from_deg=45.0,
            frequency_per_week=4,
            progress_rule=rule,
        ),
    )
    store.add_plan_item(plan, PlanItemSpec.from_exercise(library.get("plank"), hold_s=20.0))
    current = store.current_plan(patient)
    assert current is not None and current.end_date == date(2026, 3, 1)
    first, second = current.items
    assert (
        first.id,
        first.reps,
        first.sets,
        first.rom_angle,
        first.rom_target_deg,
        first.counts_from_deg,
        first.frequency_per_week,
    ) == (squat, 12, 3, "knee_flexion", 80.0, 45.0, 4)
    assert ProgressRule.from_dict(first.progress_rule) == rule
    assert (second.reps, second.hold_s) == (None, 20.0)
    store.update_plan_item(squat, PlanItemSpec.from_item(first, reps=14))
    store.remove_plan_item(second.id)
    items = store.get_plan(plan).items
    assert items[0].reps == 14 and not items[1].active
    assert items[0].counts_from_deg == 45.0  # kept through an update of the dosage
    assert second.counts_from_deg is None


def test_a_new_plan_replaces_the_active_one(store):
    patient = store.add_patient("Pat")
    old = store.create_plan(patient, start_date=date(2026, 1, 1))
    new = store.create_plan(patient, start_date=date(2026, 2, 1))
    assert store.current_plan(patient).id == new
    assert not store.get_plan(old).active


def test_a_session_is_for_a_patient_and_their_plan_item_only(store, library):
    one = seed_patient(store, library, days=0)
    other = store.add_patient("Someone Else")
    with pytest.raises(ValidationError, match="not in this patient's plan"):
        store.start_session("squat", patient_id=other, plan_item_id=one.squat_item)


def test_sessions_carry_their_totals_faults_and_peaks(store):
    patient = store.add_patient("Pat")
    when = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    session = record_session(store, patient, None, when, reps=3, faults=(SLOW_DOWN, KNEES_IN))
    record = store.session(session)
    assert (record.reps, record.sets_done, record.patient_id) == (3, 1, patient)
    assert record.started_at == when and record.ended_at == when + timedelta(minutes=8)
    assert record.best_rom_deg["knee_flexion"] == pytest.approx(88.0)  # 93 - 5
    assert record.furthest_deg["knee_flexion"] == pytest.approx(93.0)
    assert record.faults == {"too_fast": 3, "knees_cave_in": 3}
    assert record.major_faults == 3
    events = store.fault_events(session)
    assert [(e.rule_id, e.cue, e.t_s) for e in events] == (  # in time order
        [("too_fast", "Slow down", 4.0)] * 3
        + [("knees_cave_in", "Keep your knees over your toes", 5.0)] * 3
    )
    assert {e.severity for e in events} == {"minor", "major"}
    reps = store.reps(session)
    assert reps[0].turn_s == 4.0 and reps[0].angles["knee_flexion"].peak_deg == 90.0


def test_sessions_in_a_date_range_of_local_days(store):
    patient = store.add_patient("Pat")
    for day in (1, 5, 9):
        when = datetime(2026, 11, day, 12, 0).astimezone()
        store.start_session("squat", patient_id=patient, started_at=when)
    days = [
        s.day.day
        for s in store.sessions(patient, date_from="2026-11-05", date_to=date(2026, 11, 9))
    ]
    assert days == [5, 9]
    assert [s.day.day for s in store.sessions(patient, date_to=date(2026, 11, 4))] == [1]


def test_a_session_ticked_off_by_hand_counts_its_planned_sets(store, library):
    seeded = seed_patient(store, library, days=0)
    session = store.log_session_done_by_hand(seeded.plank_item, pain_before=1, pain_after=1)
    record = store.session(session)
    assert (record.source, record.exercise_id, record.sets_done) == ("manual", "plank", 3)
    assert record.planned_hold_s == 30.0 and record.ended_at is not None


def test_goals_psfs_at_most_five_scored_0_to_10_over_time(store):
    patient = store.add_patient("Pat")
    goals = [store.add_goal(patient, f"Activity {n}") for n in range(5)]
    with pytest.raises(ValidationError, match="at most 5 goals"):
        store.add_goal(patient, "A sixth")
    store.score_goal(goals[0], 3, scored_on=date(2026, 10, 1))
    store.score_goal(goals[0], 6, scored_on="2026-11-01")
    first = store.goals(patient)[0]
    assert [(s.scored_on, s.score) for s in first.scores] == [
        (date(2026, 10, 1), 3),
        (date(2026, 11, 1), 6),
    ]
    assert first.latest == 6
    store.retire_goal(goals[4])
    store.add_goal(patient, "Another one")  # room again
    assert len(store.goals(patient)) == 5 and len(store.goals(patient, include_retired=True)) == 6


def test_accounts_log_in_with_argon2_hashes(store):
    clinician = store.add_clinician("Ann Physio")
    patient = store.add_patient("Pat", login=("pat.one", "correct horse battery"))
    store.add_account("Ann", "a long password", clinician_id=clinician)
    with store.engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM accounts")).scalars().all()
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any("password" in h or "battery" in h for h in hashes)
    who = store.authenticate("pat.one", "correct horse battery")
    assert (who.kind, who.patient_id, who.name) == ("patient", patient, "Pat")
    assert store.authenticate("ANN", "a long password").clinician_id == clinician
    assert store.authenticate("pat.one", "wrong password!") is None
    assert store.authenticate("nobody", "correct horse battery") is None
    assert store.authenticate("bad name!", "x") is None


def test_a_patient_and_their_login_are_added_together_or_not_at_all(store):
    store.add_patient("First", login=("same.name", "a long password"))
    with pytest.raises(ValidationError, match="taken"):
        store.add_patient("Second", login=("same.name", "another password"))
    assert [p.name for p in store.list_patients()] == ["First"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.add_patient(""), "name is required"),
        (lambda s: s.add_patient("   "), "name is required"),
        (lambda s: s.add_patient("1234"), "must contain a letter"),
        (lambda s: s.add_patient("x" * 121), "at most 120"),
        (lambda s: s.add_patient("Bad\x00Name"), "control characters"),
        (lambda s: s.add_patient("Two\nLines"), "one line"),
        (lambda s: s.add_patient("Pat", date_of_birth="2026-13-01"), "YYYY-MM-DD"),
        (lambda s: s.add_patient("Pat", date_of_birth=date(2999, 1, 1)), "between 1900"),
        (lambda s: s.add_patient("Pat", date_of_birth=date(2100, 1, 1)), "in the future"),
        (lambda s: s.add_clinician(None), "required"),
        (lambda s: s.start_session("squat", pain_before=11), "0-10"),
        (lambda s: s.start_session("squat", pain_before=-1), "0-10"),
        (lambda s: s.start_session("squat", pain_before=2.5), "whole number"),
        (lambda s: s.start_session("squat", pain_before=True), "whole number"),
        (lambda s: s.start_session("Squat; DROP"), "exercise id"),
        (lambda s: s.finish_session(s.start_session("squat"), pain_during=12), "0-10"),
        (lambda s: s.finish_session(s.start_session("squat"), effort_borg=10.5), "Borg"),
        (lambda s: s.finish_session(s.start_session("squat"), effort_borg=float("nan")), "Borg"),
        (lambda s: s.finish_session(999, pain_after=1), "no session 999"),
        (
            lambda s: s.create_plan(
                s.add_patient("P"), start_date="2026-02-01", end_date="2026-01-01"
            ),
            "before the start date",
        ),
        (lambda s: s.create_plan(s.add_patient("P"), start_date=None), "start date is required"),
        (lambda s: s.add_goal(s.add_patient("P"), ""), "activity is required"),
        (lambda s: s.score_goal(s.add_goal(s.add_patient("P"), "Walk"), 11), "0-10"),
        (
            lambda s: s.add_account("ab", "long enough pw", clinician_id=s.add_clinician("A")),
            "3-64",
        ),
        (lambda s: s.add_account("ann", "short", clinician_id=s.add_clinician("A")), "at least 10"),
        (lambda s: s.add_account("ann", "long enough pw"), "one clinician or one patient"),
        (lambda s: s.session(0), "positive id"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_input_is_refused_with_the_reason(store, call, message):
    with pytest.raises(StoreError, match=message):
        call(store)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sets": 0}, "sets must be 1-20"),
        ({"reps": 0}, "repetitions must be 1-200"),
        ({"reps": 10, "hold_s": 30.0}, "either repetitions or a hold"),
        ({"frequency_per_week": 15}, "times per week must be 1-14"),
        ({"rest_s": -5.0}, "rest"),
        ({"rom_target_deg": 500.0}, "target"),
        ({"rom_angle": None, "rom_target_deg": 80.0}, "needs the angle"),
        ({"counts_from_deg": -5.0}, "counts from"),
        ({"rom_angle": None, "rom_target_deg": None, "counts_from_deg": 40.0}, "needs the angle"),
        ({"exercise_id": "no such thing!"}, "exercise id"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_plan_item_with_impossible_dosage_is_refused(library, overrides, message):
    with pytest.raises(ValidationError, match=message):
        PlanItemSpec.from_exercise(library.get("squat"), **overrides)


def test_the_database_itself_refuses_out_of_range_pain(store):
    """CHECK constraints back the API up against rows written by another tool."""
    session = store.start_session("squat")
    with pytest.raises(Exception, match=r"(?i)check"), store.engine.begin() as connection:
        connection.execute(
            text("UPDATE sessions SET pain_after = 12 WHERE id = :id"), {"id": session}
        )


def test_deleting_a_patient_deletes_their_sessions_reps_and_goals(store):
    patient = store.add_patient("Leaving")
    session = store.start_session("squat", patient_id=patient)
    store.add_rep(session, 1, make_rep(1, faults=(SLOW_DOWN,)))
    store.add_goal(patient, "Walk")
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM patients WHERE id = :id"), {"id": patient})
    with store.engine.connect() as connection:
        for table in ("sessions", "reps", "fault_events", "goals"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
