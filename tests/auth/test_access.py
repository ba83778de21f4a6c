"""Who may read what, password hashing, login expiry and the mode setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.auth.access import (
    AccessDeniedError,
    Login,
    LoginPolicy,
    Principal,
    current_mode,
    require_patient,
    require_session,
    require_staff,
    visible_patient_ids,
)
from coach.auth.passwords import hash_password, verify_password
from coach.core.errors import CoachError
from coach.store import Store


@pytest.fixture
def clinic(tmp_path):
    """Two clinicians with a patient each, and a home-mode default patient."""
    store = Store(f"sqlite:///{tmp_path / 'coach.db'}")
    ann, bob = store.add_clinician("Ann"), store.add_clinician("Bob")
    anns = store.add_patient("Ann's patient", clinician_id=ann)
    bobs = store.add_patient("Bob's patient", clinician_id=bob)
    sessions = {p: store.start_session("squat", patient_id=p) for p in (anns, bobs)}
    yield store, {"ann": ann, "bob": bob, "anns": anns, "bobs": bobs}, sessions
    store.close()


def test_passwords_are_argon2id_hashes_that_verify():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$") and "correct" not in hashed
    assert hash_password("correct horse battery") != hashed  # salted
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "Correct horse battery")
    assert not verify_password(None, "anything")
    assert not verify_password("not a hash", "anything")


def test_a_patient_sees_only_themself(clinic):
    store, ids, sessions = clinic
    patient = Principal("patient", "P", patient_id=ids["anns"])
    assert visible_patient_ids(store, patient) == [ids["anns"]]
    require_patient(store, patient, ids["anns"])
    assert require_session(store, patient, sessions[ids["anns"]]) == ids["anns"]
    with pytest.raises(AccessDeniedError, match=f"no patient {ids['bobs']}"):
        require_patient(store, patient, ids["bobs"])
    with pytest.raises(AccessDeniedError, match="no session"):
        require_session(store, patient, sessions[ids["bobs"]])
    with pytest.raises(AccessDeniedError):
        require_staff(patient)


def test_a_clinician_sees_their_own_patients_only(clinic):
    store, ids, sessions = clinic
    ann = Principal("clinician", "Ann", clinician_id=ids["ann"])
    assert visible_patient_ids(store, ann) == [ids["anns"]]
    require_patient(store, ann, ids["anns"])
    with pytest.raises(AccessDeniedError):
        require_patient(store, ann, ids["bobs"])
    with pytest.raises(AccessDeniedError):
        require_session(store, ann, sessions[ids["bobs"]])
    with pytest.raises(AccessDeniedError):  # a patient that does not exist: the same answer
        require_patient(store, ann, 999)


def test_home_mode_sees_everyone(clinic):
    store, ids, _ = clinic
    assert set(visible_patient_ids(store, Principal.home())) == {ids["anns"], ids["bobs"]}


@pytest.mark.parametrize(
    ("idle_min", "age_h", "expired"),
    [(5, 1, False), (31, 1, True), (5, 9, True), (29, 7.9, False)],
)
def test_a_login_expires_when_idle_or_too_old(idle_min, age_h, expired):
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    login = Login(Principal.home(), now - timedelta(hours=age_h), now - timedelta(minutes=idle_min))
    assert login.expired(now, LoginPolicy()) is expired
    assert not login.touched(now).expired(now, LoginPolicy()) or age_h > 8


def test_login_policy_and_mode_come_from_settings(monkeypatch):
    monkeypatch.setenv("FORM_COACH_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("FORM_COACH_SESSION_MAX_HOURS", "2")
    assert LoginPolicy.from_env() == LoginPolicy(timedelta(minutes=10), timedelta(hours=2))
    monkeypatch.setenv("FORM_COACH_SESSION_IDLE_MINUTES", "soon")
    with pytest.raises(CoachError, match="must be a number"):
        LoginPolicy.from_env()
    monkeypatch.delenv("FORM_COACH_MODE", raising=False)
    assert current_mode() == "home"
    monkeypatch.setenv("FORM_COACH_MODE", "Clinic")
    assert current_mode() == "clinic"
    monkeypatch.setenv("FORM_COACH_MODE", "clinc")  # a typo must not silently drop logins
    with pytest.raises(CoachError, match="'home' or 'clinic'"):
        current_mode()
