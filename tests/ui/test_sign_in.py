"""The sign-in form under guessing (issue 21): 50 wrong passwords and then the right one
used to sign in at once, with nothing logged."""

from __future__ import annotations

import logging

from coach_ui.state import LOGIN_KEY
from tests.support.pages import page


def sign_in(at, username: str, password: str):
    at.text_input[0].set_value(username)
    at.text_input[1].set_value(password)
    at.button[0].click().run()
    return at


def test_fifty_wrong_passwords_slow_the_next_sign_in_and_are_logged(clinic, caplog):
    at = page("login.py")
    with caplog.at_level(logging.WARNING, logger="coach.auth"):
        for n in range(50):
            sign_in(at, "ana.p", f"wrong guess number {n}")
    assert LOGIN_KEY not in at.session_state
    sign_in(at, "ana.p", "ana's long password")
    assert LOGIN_KEY not in at.session_state, "the right password must wait its turn"
    assert any("wait" in e.value for e in at.error)
    failures = [r for r in caplog.records if r.name == "coach.auth"]
    assert failures and all("wrong guess" not in r.getMessage() for r in failures)


def test_a_few_mistakes_do_not_slow_a_patient_down(clinic):
    at = page("login.py")
    for _ in range(3):
        sign_in(at, "ana.p", "not my password")
    sign_in(at, "ana.p", "ana's long password")
    assert at.session_state[LOGIN_KEY].principal.patient_id == clinic["ana"].patient_id
