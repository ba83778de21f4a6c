"""Who is using the app: the home user, or in clinic mode the signed-in clinician or
patient (the sign-in form, expiry, signing out), and `open_all`, which every page with
patient data starts with.

Access first: a page gets the user from `open_all` (or `require_principal`) before it reads
anything, and the address it was opened with is checked for this user
(coach_ui.pickers.check_address). The rules themselves are coach.auth.access.

What a browser session holds (a live coach and its session row, uploads, prepared
exports, forms) belongs to one user: signing in or out forgets all of it, and the state
is tagged with its owner, so a user never picks up another's (`claim_session_state`).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import streamlit as st

from coach.auth.access import Login, LoginPolicy, Principal, current_mode
from coach.auth.throttle import LoginThrottle
from coach.core.errors import CoachError
from coach.core.markdown import literal
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from coach_ui import state
from coach_ui.pickers import check_address
from coach_ui.resources import load_library, open_store


@runtime_checkable
class Closeable(Protocol):
    """Something in the session state that holds more than memory (a pose model, a folder
    of videos): closed when the state is forgotten."""

    def close(self) -> None: ...


def forget_session_state() -> None:
    """Forget everything this browser session holds (the login too): what holds a model or
    files is closed first, so nothing of the last user outlives their sign-out."""
    for value in list(st.session_state.to_dict().values()):
        if isinstance(value, Closeable):
            value.close()
    st.session_state.clear()


def _owner(principal: Principal) -> tuple[str, int | None, int | None]:
    return (principal.kind, principal.clinician_id, principal.patient_id)


def claim_session_state(principal: Principal) -> None:
    """Make the session state this user's: state left by another user (their live coach,
    uploads, forms) is forgotten, keeping the login. Every run that has a user calls this
    (`current_principal`), so no page works on another user's state."""
    owner = st.session_state.get(state.OWNER_KEY)
    if owner is not None and owner != _owner(principal):
        login = st.session_state.get(state.LOGIN_KEY)
        forget_session_state()
        if login is not None:
            st.session_state[state.LOGIN_KEY] = login
    st.session_state[state.OWNER_KEY] = _owner(principal)


def current_principal() -> Principal | None:
    """The home user, the signed-in clinician or patient, or None (clinic mode, signed out
    or expired; an expired login is forgotten with everything the session held, and the
    login form says so)."""
    if current_mode() == "home":
        principal = Principal.home()
        claim_session_state(principal)
        return principal
    login: Login | None = st.session_state.get(state.LOGIN_KEY)
    if login is None:
        return None
    now = datetime.now(UTC)
    if login.expired(now, LoginPolicy.from_env()):
        forget_session_state()
        st.session_state[state.EXPIRED_KEY] = True
        return None
    st.session_state[state.LOGIN_KEY] = login.touched(now)
    claim_session_state(login.principal)
    return login.principal


def login_form(store: Store) -> None:
    """The sign-in form; a good password signs in and reruns the page. After a few wrong
    passwords the account and the address must wait before the next try
    (coach.auth.throttle, counted in the store: every server process and a restart see
    the same), and until then no password is checked."""
    st.title("Sign in")
    if st.session_state.pop(state.EXPIRED_KEY, False):
        st.warning("Your session expired. Please sign in again.")
    st.write("Form Coach runs in clinic mode here: sign in with the account your clinic gave you.")
    with st.form("login"):
        username = st.text_input("User name", max_chars=64)
        password = st.text_input("Password", type="password", max_chars=256)
        if st.form_submit_button("Sign in", type="primary"):
            throttle, address = LoginThrottle(store), st.context.ip_address
            now = datetime.now(UTC)
            wait = throttle.wait(username, address, now)
            if wait:
                seconds = math.ceil(wait.total_seconds())
                st.error(f"Too many failed sign-ins: please wait {seconds} s and try again.")
                return
            principal = store.authenticate(username, password)
            if principal is None:
                throttle.failed(username, address, now)
                st.error("That user name and password do not match an account.")
            else:
                throttle.succeeded(username)
                forget_session_state()  # nothing of whoever used this tab before
                st.session_state[state.LOGIN_KEY] = Login(principal, now, now)
                st.rerun()


def require_principal(store: Store) -> Principal:
    """The user, or the login form and a stop."""
    principal = current_principal()
    if principal is None:
        login_form(store)
        st.stop()
    assert principal is not None
    return principal


def require_staff_page(principal: Principal) -> None:
    """Stop the page, saying so, unless the user is staff (home user or clinician)."""
    if not principal.is_staff:
        st.error("This page is for your physiotherapist.")
        st.stop()


def sign_out_button() -> None:
    """Who is signed in and a Sign out button, in the sidebar (clinic mode); signing out
    forgets the login and everything the session held (`forget_session_state`)."""
    login: Login | None = st.session_state.get(state.LOGIN_KEY)
    if login is None:
        return
    st.sidebar.caption(f"Signed in as {literal(login.principal.name)} ({login.principal.kind})")
    if st.sidebar.button("Sign out"):
        forget_session_state()
        st.rerun()


def open_all() -> tuple[Store, ExerciseLibrary, Principal]:
    """The store, the library and the user, or an error message and a stop."""
    try:
        store, library = open_store(), load_library()
        principal = require_principal(store)
        if principal.kind == "home":
            store.default_patient()  # home mode's one patient, made on first start
        check_address(store, principal)
    except CoachError as exc:
        st.error(str(exc))
        st.stop()
    return store, library, principal
