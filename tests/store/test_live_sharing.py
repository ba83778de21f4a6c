"""Sessions shared live: listed for their patient's clinician only, while under way; the
physiotherapist's target changes kept with the session. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from coach.store import StoreError, ValidationError


@pytest.fixture
def clinic(store):
    ann, bob = store.add_clinician("Ann"), store.add_clinician("Bob")
    anns = store.add_patient("Ann's patient", clinician_id=ann)
    bobs = store.add_patient("Bob's patient", clinician_id=bob)
    return {
        "ann": ann,
        "bob": bob,
        "mine": store.start_session("squat", patient_id=anns, pain_before=4),
        "theirs": store.start_session("squat", patient_id=bobs),
    }


def test_a_shared_session_is_listed_for_its_patients_clinician_only(store, clinic):
    assert store.shared_live_sessions(clinician_id=clinic["ann"]) == []
    store.set_live_sharing(clinic["mine"], True)
    store.set_live_sharing(clinic["theirs"], True)
    (shared,) = store.shared_live_sessions(clinician_id=clinic["ann"])
    assert (shared.session_id, shared.patient_name, shared.pain_before) == (
        clinic["mine"],
        "Ann's patient",
        4,
    )
    assert [s.session_id for s in store.shared_live_sessions(clinician_id=clinic["bob"])] == [
        clinic["theirs"]
    ]
    assert len(store.shared_live_sessions()) == 2  # home mode: everyone's


def test_stopping_sharing_or_ending_the_session_takes_it_off_the_list(store, clinic):
    store.set_live_sharing(clinic["mine"], True)
    since = store.shared_live_sessions()[0].shared_since
    store.set_live_sharing(clinic["mine"], True)  # again: the first time is kept
    assert store.shared_live_sessions()[0].shared_since == since
    store.set_live_sharing(clinic["mine"], False)
    assert not store.is_shared_live(clinic["mine"]) and store.shared_live_sessions() == []
    store.set_live_sharing(clinic["mine"], True)
    store.finish_session(clinic["mine"])
    assert not store.is_shared_live(clinic["mine"]) and store.shared_live_sessions() == []
    with pytest.raises(ValidationError, match="has ended"):
        store.set_live_sharing(clinic["mine"], True)
    store.set_live_sharing(clinic["mine"], False)  # unsharing an ended session is fine
    with pytest.raises(StoreError, match="no session 999"):
        store.set_live_sharing(999, True)


def test_target_changes_are_kept_with_their_author(store, clinic):
    store.record_target_change(
        clinic["mine"], author="Ann", clinician_id=clinic["ann"], target_reps=8
    )
    store.record_target_change(clinic["mine"], author="Ann", rom_target_deg=95.5)
    store.record_target_change(clinic["mine"], author="Ann", target_hold_s=20)
    first, second, third = store.target_changes(clinic["mine"])
    assert (first.target_reps, first.rom_target_deg, first.clinician_id) == (8, None, clinic["ann"])
    assert (second.target_reps, second.rom_target_deg, second.target_hold_s) == (None, 95.5, None)
    assert (third.target_reps, third.target_hold_s, third.author) == (None, 20.0, "Ann")
    assert store.target_changes(clinic["theirs"]) == []


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"target_reps": 0},
        {"target_reps": 201},
        {"rom_target_deg": 400.0},
        {"target_hold_s": 2.0},
        {"target_hold_s": 301.0},
    ],
)
def test_a_target_change_out_of_range_is_refused(store, clinic, change):
    with pytest.raises(ValidationError):
        store.record_target_change(clinic["mine"], author="Ann", **change)
    assert store.target_changes(clinic["mine"]) == []


def test_a_plan_says_telehealth(store, clinic):
    patient = store.list_patients(clinician_id=clinic["ann"])[0].id
    plan = store.create_plan(patient, start_date="2026-12-01", telehealth=True)
    assert store.get_plan(plan).telehealth
    store.update_plan(plan, telehealth=False)
    assert not store.get_plan(plan).telehealth
