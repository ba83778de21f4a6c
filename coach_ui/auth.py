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

import html
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import streamlit as st

from coach.auth.access import Login, LoginPolicy, Principal, current_mode
from coach.auth.tokens import SESSION_COOKIE
from coach.core.errors import CoachError
from coach.core.markdown import literal
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from coach_ui import signin, state
from coach_ui.cookie_clear import clear_ended_cookie
from coach_ui.pickers import check_address
from coach_ui.resources import load_library, open_store
from coach_ui.routes import SIGN_IN_PATH


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


def session_token() -> str | None:
    """The sign-in token the browser sent with this session's first request (its
    cookie), or None. (Under AppTest there is no browser: no token.)"""
    token = st.context.cookies.get(SESSION_COOKIE)
    return token if isinstance(token, str) and token else None


def current_principal() -> Principal | None:
    """The home user, the signed-in clinician or patient, or None (clinic mode, signed out
    or expired; an expired login is forgotten with everything the session held, and the
    login form says so).

    In clinic mode the user is the one the browser's session cookie signs in
    (coach_ui/signin.py sets it; the store says whose it is, and ends it on sign-out and
    at the idle and absolute timeouts), looked up on every run, so a refresh, a bookmark
    or a typed address keeps them signed in and a sign-out in another tab signs this one
    out too. Without a cookie, a `Login` put in the session state is used (how AppTests,
    which cannot send cookies, sign in), under the same timeouts."""
    if current_mode() == "home":
        principal = Principal.home()
        claim_session_state(principal)
        return principal
    policy, now = LoginPolicy.from_env(), datetime.now(UTC)
    held: Login | None = st.session_state.get(state.LOGIN_KEY)
    token = session_token()
    login = held
    if token:
        found = open_store().login_session(token, now, policy)
        login = None if found is None else Login(found.principal, found.started_at, now)
    if login is None or login.expired(now, policy):
        if held is not None:  # signed in here until now: timed out, or signed out elsewhere
            forget_session_state()
            st.session_state[state.EXPIRED_KEY] = True
        return None
    st.session_state[state.LOGIN_KEY] = login.touched(now)
    claim_session_state(login.principal)
    return login.principal


SIGN_IN_MESSAGES = {
    "failed": "That user name and password do not match an account.",
    "wait": "Too many failed sign-ins: please wait {seconds} s and try again.",
}


def login_form(store: Store) -> None:
    """The sign-in form. It posts to the sign-in route (coach_ui/signin.py), which checks
    the password after the back-off on guessing, sets the session cookie and brings the
    browser back to this page; a refused sign-in comes back with `?sign_in=...`, said
    here. A cookie the browser still sends although its session has ended (signed out,
    here or in another tab, or timed out) is cleared (coach_ui/cookie_clear.py).
    (`store`: the database the page uses; the route uses the same.)"""
    st.title("Sign in")
    ended = session_token()
    if ended:  # the browser still holds a cookie whose session has ended
        clear_ended_cookie(ended)
    if st.session_state.pop(state.EXPIRED_KEY, False):
        st.warning("Your session expired. Please sign in again.")
    outcome = st.query_params.get(signin.OUTCOME_PARAM)
    if outcome in SIGN_IN_MESSAGES:
        seconds = st.query_params.get("seconds", "")
        st.error(
            SIGN_IN_MESSAGES[outcome].format(seconds=seconds if seconds.isdigit() else "a few")
        )
    st.write("Form Coach runs in clinic mode here: sign in with the account your clinic gave you.")
    here = signin.page_path(urlsplit(st.context.url or "/").path)
    st.html(
        f"""
        <form method="post" action="{SIGN_IN_PATH}" style="max-width: 28rem">
          <label style="display: block; margin-bottom: 0.75rem">User name<br>
            <input name="username" autocomplete="username" maxlength="64" required
              style="width: 100%; padding: 0.4rem; font-size: 1rem"></label>
          <label style="display: block; margin-bottom: 0.75rem">Password<br>
            <input name="password" type="password" autocomplete="current-password"
              maxlength="256" required style="width: 100%; padding: 0.4rem; font-size: 1rem">
          </label>
          <input type="hidden" name="next" value="{html.escape(here, quote=True)}">
          <button type="submit" style="padding: 0.4rem 1.2rem; font-size: 1rem">Sign in</button>
        </form>
        """
    )


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
    ends the sign-in session on the server and forgets the login and everything the
    browser session held (`forget_session_state`); the sign-in form that follows has the
    browser delete the ended cookie (`login_form`)."""
    login: Login | None = st.session_state.get(state.LOGIN_KEY)
    if login is None:
        return
    st.sidebar.caption(f"Signed in as {literal(login.principal.name)} ({login.principal.kind})")
    if st.sidebar.button("Sign out"):
        token = session_token()
        if token:  # ended on the server: the cookie left behind opens nothing, and goes
            open_store().end_login_session(token)
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
