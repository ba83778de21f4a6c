"""Choosing whose data a page shows: the patient and the session pickers, and the
address (`?patient=3`, `?session=12`), each checked against what the user may see
(coach.auth.access) before anything of theirs is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from coach.auth.access import (
    AccessDeniedError,
    Principal,
    require_patient,
    require_session,
    visible_patient_ids,
)
from coach.clinical.pain_monitoring import assess_pain
from coach.clinical.progress import exercise_name
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from coach.store.records import Patient, SessionRecord
from coach_ui import state

log = logging.getLogger(__name__)

LARGEST_ID = 2**31 - 1  # ids are 32-bit integers in the database


def _query_int(name: str) -> int | None:
    """The record id `?name=ID` in the address names, or None; anything but a whole number
    from 1 up is an error on the page and a stop, never an exception."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= LARGEST_ID:
        st.error(f"'{name}' in the address must be a record number from 1 up, got {raw[:20]!r}")
        st.stop()
    return number


def check_address(store: Store, principal: Principal) -> None:
    """A patient or a session named in the address (`?patient=3`, `?session=12`) must be one
    this user may see, whatever the page: otherwise an error and a stop, nothing else."""
    try:
        patient_id = _query_int("patient")
        if patient_id is not None:
            require_patient(store, principal, patient_id)
        session_id = _query_int("session")
        if session_id is not None:
            owner = require_session(store, principal, session_id)
            if patient_id is not None and owner != patient_id:
                raise AccessDeniedError(f"no session {session_id} of patient {patient_id}")
            st.session_state[state.PATIENT_KEY] = owner  # open the session's patient
    except AccessDeniedError as exc:
        # Logged: someone asked for a record they may not see (a guessed address).
        log.warning(
            "refused %s %r the address %s: %s",
            principal.kind,
            principal.name,
            dict(st.query_params),
            exc,
        )
        st.error(str(exc))
        st.stop()


def _follow_address(name: str, key: str, check: Callable[[int], object]) -> None:
    """`?name=ID` in the address picks that record, if `check` allows it; otherwise the
    page stops with the same message whether the record exists or not."""
    requested = _query_int(name)
    if requested is None:
        return
    try:
        check(requested)
    except AccessDeniedError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state[key] = requested


def choose_patient(store: Store, principal: Principal) -> Patient:
    """The patient the page is about: a patient always sees themself; staff pick one of the
    patients they may see (`?patient=ID` in the address picks one too, if allowed). With no
    patient to pick, the page says so and stops."""
    _follow_address("patient", state.PATIENT_KEY, lambda i: require_patient(store, principal, i))
    if principal.kind == "patient":
        assert principal.patient_id is not None
        return store.get_patient(principal.patient_id)
    ids = visible_patient_ids(store, principal)
    if not ids:
        st.info("No patients yet: add one on the **Patients** page.")
        st.stop()
    names = (
        {p.id: p.name for p in store.list_patients()}
        if principal.kind == "home"
        else {p.id: p.name for p in store.list_patients(clinician_id=principal.clinician_id)}
    )
    chosen = st.session_state.get(state.PATIENT_KEY)
    if chosen is None and principal.kind == "home":
        chosen = store.default_patient().id
    index = ids.index(chosen) if chosen in ids else 0
    patient_id = st.selectbox(
        "Patient", ids, index=index, format_func=lambda i: f"{names.get(i, i)} (#{i})"
    )
    require_patient(store, principal, patient_id)
    st.session_state[state.PATIENT_KEY] = patient_id
    return store.get_patient(patient_id)


def choose_session(
    store: Store, principal: Principal, sessions: list[SessionRecord], library: ExerciseLibrary
) -> SessionRecord | None:
    _follow_address("session", state.SESSION_KEY, lambda i: require_session(store, principal, i))
    if not sessions:
        st.info("No sessions recorded for this patient yet.")
        return None
    newest_first = sorted(sessions, key=lambda s: s.started_at, reverse=True)
    ids = [s.id for s in newest_first]
    by_id = {s.id: s for s in newest_first}
    chosen = st.session_state.get(state.SESSION_KEY)
    session_id = st.selectbox(
        "Session",
        ids,
        index=ids.index(chosen) if chosen in ids else 0,
        format_func=lambda i: session_label(by_id[i], library),
    )
    require_session(store, principal, session_id)
    st.session_state[state.SESSION_KEY] = session_id
    return by_id[session_id]


def session_label(s: SessionRecord, library: ExerciseLibrary) -> str:
    local = s.started_at.astimezone()
    flag = " - pain flag" if assess_pain(s.pain_before, s.pain_during, s.pain_after).flagged else ""
    return f"{local:%d %b %Y %H:%M} {exercise_name(library, s.exercise_id)}, {s.reps} reps{flag}"
