"""The clinician's comments on a session or a rep: kept, new until the patient reads them,
written only by the patient's own clinician and read only by those who may read the
session. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from coach.auth.access import AccessDeniedError, Principal
from coach.reports import review
from coach.store import StoreError, ValidationError
from tests.support.store_data import make_rep


@pytest.fixture
def clinic(store):
    ann, bob = store.add_clinician("Ann"), store.add_clinician("Bob")
    anns = store.add_patient("Ann's patient", clinician_id=ann)
    bobs = store.add_patient("Bob's patient", clinician_id=bob)
    session = store.start_session("squat", patient_id=anns)
    store.start_set(session, 1)
    store.add_rep(session, 1, make_rep(1))
    other = store.start_session("squat", patient_id=bobs)
    return {
        "ann": Principal("clinician", "Ann", clinician_id=ann),
        "bob": Principal("clinician", "Bob", clinician_id=bob),
        "anns": Principal("patient", "P", patient_id=anns),
        "bobs": Principal("patient", "Q", patient_id=bobs),
        "patient_id": anns,
        "session": session,
        "other_session": other,
    }


def test_a_clinician_comments_on_a_session_and_a_rep_and_the_patient_reads_them(store, clinic):
    session = clinic["session"]
    (rep,) = store.reps(session)
    first = review.add_comment(store, clinic["ann"], session, "Good depth today.")
    second = review.add_comment(
        store, clinic["ann"], session, "**Knees** out here <b>", rep_id=rep.id
    )
    comments = review.session_comments(store, clinic["anns"], session)
    assert [(c.id, c.rep_id, c.author, c.body) for c in comments] == [
        (first, None, "Ann", "Good depth today."),
        (second, rep.id, "Ann", "**Knees** out here <b>"),  # kept as written
    ]
    patient_id = clinic["patient_id"]
    assert [c.id for c in review.new_comments(store, clinic["anns"], patient_id)] == [
        first,
        second,
    ]
    store.mark_comments_seen(patient_id, [first])
    assert [c.id for c in store.patient_comments(patient_id, unseen_only=True)] == [second]
    assert len(store.patient_comments(patient_id)) == 2
    assert store.comments(session)[0].seen_at is not None
    store.discard_session(session)
    assert store.patient_comments(patient_id) == []


def test_a_comment_is_checked(store, clinic):
    session = clinic["session"]
    with pytest.raises(ValidationError, match="comment is required"):
        store.add_comment(session, "  ", author="Ann")
    with pytest.raises(ValidationError, match="at most 2000"):
        store.add_comment(session, "x" * 2001, author="Ann")
    (rep,) = store.reps(session)
    with pytest.raises(ValidationError, match="not a rep of session"):
        store.add_comment(clinic["other_session"], "Hm", author="Ann", rep_id=rep.id)
    with pytest.raises(StoreError, match="no session 9999"):
        store.add_comment(9999, "Hm", author="Ann")


def test_only_the_patients_own_clinician_comments_and_nobody_else_reads_them(store, clinic):
    session = clinic["session"]
    review.add_comment(store, clinic["ann"], session, "Good depth today.")
    for principal in (clinic["bob"], clinic["bobs"], clinic["anns"]):
        with pytest.raises(AccessDeniedError):
            review.add_comment(store, principal, session, "Not mine to say")
    for principal in (clinic["bob"], clinic["bobs"]):
        with pytest.raises(AccessDeniedError, match=f"no session {session} that you can see"):
            review.session_comments(store, principal, session)
        with pytest.raises(AccessDeniedError, match="that you can see"):
            review.new_comments(store, principal, clinic["patient_id"])
    assert len(store.comments(session)) == 1
    # marking read is the patient's own: another patient's ids are ignored
    store.mark_comments_seen(store.session_patient_id(clinic["other_session"]), [1])
    assert len(store.patient_comments(clinic["patient_id"], unseen_only=True)) == 1
