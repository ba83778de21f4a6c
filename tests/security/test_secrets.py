"""The database password never shows: not in the store's errors, not on the sign-in page a
signed-out visitor sees, not in `coach users list`. Each URL below holds a password and
points at a server that is not there (port 1 refuses at once), or cannot be used at all.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from coach.cli import main
from coach.store import Store, StoreError
from coach.store.base import masked_url
from coach_ui import resources
from tests.support.pages import PAGES, everything_shown

SECRET = "Sup3rS3cret"
URLS = [
    f"postgresql+psycopg://coach:{SECRET}@127.0.0.1:1/coach",  # server down
    f"postgresql+psycopg://coach:{SECRET}%40x@127.0.0.1:1/coach",  # encoded '@' in it
    f"postgresql+psycopg://coach:{SECRET}@127.0.0.1:1/coach?nosuchoption=1",  # driver refuses
    f"nosuchdialect://coach:{SECRET}@host/coach",  # no such driver
    f"postgresql+psycopg://coach:{SECRET}@127.0.0.1:notaport/coach",  # unparseable
]


@pytest.mark.parametrize("url", URLS)
def test_masked_url_hides_the_password(url):
    shown = masked_url(url)
    assert SECRET not in shown and "***" in shown


@pytest.mark.parametrize("url", URLS)
def test_store_errors_never_hold_the_password(url):
    with pytest.raises(StoreError) as caught:
        Store(url)
    message = str(caught.value)
    assert SECRET not in message, message
    assert "\n" not in message, "one line"


def test_a_store_opened_without_migrating_hides_it_on_reading_too():
    store = Store(URLS[0], migrate=False)
    with pytest.raises(StoreError) as caught:
        store.list_patients()
    assert SECRET not in str(caught.value) and "***" in str(caught.value)


@pytest.mark.parametrize("url", URLS)
def test_coach_users_list_does_not_print_it(url, monkeypatch, capsys):
    monkeypatch.setenv("FORM_COACH_DATABASE_URL", url)
    assert main(["users", "list"]) == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1


@pytest.mark.parametrize("url", URLS[:2])
def test_the_sign_in_page_does_not_show_it(url, monkeypatch):
    monkeypatch.setenv("FORM_COACH_DATABASE_URL", url)
    monkeypatch.setenv("FORM_COACH_MODE", "clinic")
    resources.open_store.clear()
    try:
        at = AppTest.from_file(str(PAGES / "login.py"), default_timeout=60).run()
    finally:
        resources.open_store.clear()
    assert not at.exception
    shown = everything_shown(at)
    assert at.error, "the page says the database cannot be reached"
    assert SECRET not in shown
