"""Signing in and out through the routes beside the app (coach_ui/signin.py), issue 21:
the login lived only in the Streamlit session (a refresh signed the user out), and 50
wrong passwords and then the right one used to sign in at once, with nothing logged.

A good password sets an opaque token in an HttpOnly, SameSite=Strict cookie (Secure over
HTTPS) and sends the browser back to the page it came from; the token opens the session
the store keeps; sign-out ends it and clears the cookie. Another site's form is refused.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach.auth.access import LoginPolicy
from coach.auth.tokens import SESSION_COOKIE, token_digest
from coach_ui import routes
from coach_ui.signin import page_path


@pytest.fixture
def client(clinic, store) -> TestClient:
    app = Starlette(routes=routes.routes(open_store=lambda: store))
    return TestClient(app, follow_redirects=False)


def sign_in(client: TestClient, username: str, password: str, next_page: str = "/progress"):
    return client.post(
        routes.SIGN_IN_PATH,
        data={"username": username, "password": password, "next": next_page},
    )


def session_of(store, answer):
    token = answer.cookies.get(SESSION_COOKIE)
    return None if token is None else store.login_session(token, datetime.now(UTC), POLICY)


POLICY = LoginPolicy()


def test_a_good_password_sets_the_session_cookie_and_goes_back_to_the_page(client, store, clinic):
    answer = sign_in(client, "ana.p", "ana's long password")
    assert answer.status_code == 303 and answer.headers["location"] == "/progress"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP (localhost): a Secure cookie would be lost
    assert f"Max-Age={int(POLICY.longest.total_seconds())}" in cookie
    found = session_of(store, answer)
    assert found is not None and found.principal.patient_id == clinic["ana"].patient_id


def test_over_https_the_cookie_is_secure(clinic, store):
    client = TestClient(
        Starlette(routes=routes.routes(open_store=lambda: store)),
        base_url="https://coach.example",
        follow_redirects=False,
    )
    answer = sign_in(client, "ana.p", "ana's long password")
    assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_comes_back_refused_without_a_cookie(client):
    answer = sign_in(client, "ana.p", "not my password")
    assert answer.headers["location"] == "/progress?sign_in=failed"
    assert SESSION_COOKIE not in answer.cookies


def test_fifty_wrong_passwords_slow_the_next_sign_in_and_are_logged(client, caplog):
    with caplog.at_level(logging.WARNING, logger="coach.auth"):
        for n in range(50):
            sign_in(client, "ana.p", f"wrong guess number {n}")
    answer = sign_in(client, "ana.p", "ana's long password")
    assert answer.headers["location"].startswith("/progress?sign_in=wait&seconds=")
    assert SESSION_COOKIE not in answer.cookies, "the right password must wait its turn"
    failures = [r for r in caplog.records if r.name == "coach.auth"]
    assert len(failures) >= 5 and all("wrong guess" not in r.getMessage() for r in failures)


def test_a_few_mistakes_do_not_slow_a_patient_down(client, store, clinic):
    for _ in range(3):
        sign_in(client, "ana.p", "not my password")
    answer = sign_in(client, "ana.p", "ana's long password")
    assert session_of(store, answer) is not None


def test_sign_out_ends_the_session_and_clears_the_cookie(client, store):
    signed_in = sign_in(client, "ana.p", "ana's long password")
    token = signed_in.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, token)
    answer = client.post(routes.SIGN_OUT_PATH)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cleared = answer.headers["set-cookie"]
    assert cleared.startswith(f'{SESSION_COOKIE}=""') and "Max-Age=0" in cleared
    assert store.login_session(token, datetime.now(UTC), POLICY) is None


def test_a_page_clears_the_cookie_whose_session_ended(client, store):
    """The sign-in form, shown after the sidebar's Sign out, posts the ended cookie's digest
    (coach_ui/cookie_clear.py): the route deletes that cookie."""
    token = sign_in(client, "ana.p", "ana's long password").cookies[SESSION_COOKIE]
    store.end_login_session(token)
    client.cookies.set(SESSION_COOKIE, token)
    answer = client.post(routes.SIGN_OUT_PATH, data={"ended": token_digest(token)})
    assert answer.status_code == 303
    assert answer.headers["set-cookie"].startswith(f'{SESSION_COOKIE}=""')


def test_a_newer_sign_in_is_not_cleared_by_a_page_that_saw_the_old_one_end(client, store):
    """Signed out in one tab and in again in another: the first tab's clearing names the
    old cookie, so the new one, which the browser now sends, is left alone."""
    old = sign_in(client, "ana.p", "ana's long password").cookies[SESSION_COOKIE]
    store.end_login_session(old)
    new = sign_in(client, "ana.p", "ana's long password").cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, new)
    answer = client.post(routes.SIGN_OUT_PATH, data={"ended": token_digest(old)})
    assert answer.status_code == 204 and "set-cookie" not in answer.headers
    assert store.login_session(new, datetime.now(UTC), POLICY) is not None


@pytest.mark.parametrize("path", [routes.SIGN_IN_PATH, routes.SIGN_OUT_PATH])
def test_another_site_s_form_is_refused(client, path):
    answer = client.post(
        path,
        data={"username": "ana.p", "password": "ana's long password"},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403 and SESSION_COOKIE not in answer.cookies


def test_a_huge_form_is_refused(client):
    answer = client.post(routes.SIGN_IN_PATH, content=b"username=" + b"a" * 10_000)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/progress", "/progress"),
        ("/session?x=1", "/session"),
        ("https://evil.example/x", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        ("progress", "/"),
    ],
)
def test_the_page_to_go_back_to_is_always_on_this_site(asked, goes_to):
    assert page_path(asked) == goes_to
