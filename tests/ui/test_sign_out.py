"""One browser tab, two users: signing out forgets everything the tab held, and no page
works on state another user left behind (issue 21: patient B saw, and finished, patient A's
live session after A signed out in the same tab)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from coach.auth.access import Login, Principal
from coach.store import StoreError
from coach_ui.analysis import SessionWorkdir
from coach_ui.state import EXPORTS_KEY, LOGIN_KEY, OWNER_KEY, PATIENT_KEY
from tests.conftest import ROOT
from tests.support.pages import PAGES, page


class Held:
    """Stands for something in the session state that holds a model or files."""

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def login(principal: Principal) -> Login:
    now = datetime.now(UTC)
    return Login(principal, now, now)


def patient(clinic: dict, who: str) -> Principal:
    return Principal("patient", f"{who.capitalize()} Patient", patient_id=clinic[who].patient_id)


def start_live_session(who: Principal) -> AppTest:
    at = page("live.py", login=who)
    next(b for b in at.button if b.label == "Start session").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_sign_out_forgets_everything_and_closes_what_holds_a_model_or_files(clinic):
    held, workdir = Held(), SessionWorkdir()
    at = AppTest.from_file(str(ROOT / "coach_ui" / "app.py"), default_timeout=60)
    at.session_state[LOGIN_KEY] = login(patient(clinic, "ana"))
    for key, value in {
        "live_session": held,
        "workdir": workdir,
        EXPORTS_KEY: ("prepared", {}),
        PATIENT_KEY: clinic["ana"].patient_id,
        "live_exercise": "squat",
    }.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert not at.exception, [e.value for e in at.exception]
    for key in (LOGIN_KEY, "live_session", "workdir", EXPORTS_KEY, PATIENT_KEY, "live_exercise"):
        assert key not in at.session_state, key
    assert held.closed and not workdir.path.exists()
    assert [t.value for t in at.title] == ["Sign in"]


def test_the_next_user_in_the_tab_does_not_get_the_last_users_live_session(
    clinic, store, webrtc_renders
):
    ana, ben = patient(clinic, "ana"), patient(clinic, "ben")
    started = start_live_session(ana)
    anas, owner = started.session_state["live_session"], started.session_state[OWNER_KEY]
    held = Held()
    # The tab as Ana left it, with Ben signed in (a fresh AppTest: see test_pages.py).
    at = page("live.py", login=ben, state={"live_session": anas, OWNER_KEY: owner, "x": held})
    assert "live_session" not in at.session_state and "x" not in at.session_state
    assert held.closed
    assert any(b.label == "Start session" for b in at.button)
    assert not any(b.label == "Finish and see my summary" for b in at.button)
    with pytest.raises(StoreError):  # Ana had done nothing: her session is not kept
        store.session(anas.session_id)


def test_a_live_session_of_someone_else_is_never_shown_or_finished(clinic, store, webrtc_renders):
    """Even without the owner tag (state made before it existed), the page checks the
    session it holds against the user signed in now."""
    anas = start_live_session(patient(clinic, "ana")).session_state["live_session"]
    at = page("live.py", login=patient(clinic, "ben"), state={"live_session": anas})
    assert "live_session" not in at.session_state
    assert not any(b.label == "Finish and see my summary" for b in at.button)
    with pytest.raises(StoreError):  # left with nothing done: not kept, and not Ben's
        store.session(anas.session_id)


def test_the_same_user_keeps_their_live_session(clinic, webrtc_renders):
    ana = patient(clinic, "ana")
    at = start_live_session(ana)
    started = at.session_state["live_session"]
    again = AppTest.from_file(str(PAGES / "live.py"), default_timeout=60)
    again.session_state[LOGIN_KEY] = login(ana)
    again.session_state["live_session"] = started
    again.run()
    assert not again.exception, [e.value for e in again.exception]
    assert again.session_state["live_session"] is started
    assert any(b.label == "Finish and see my summary" for b in again.button)
