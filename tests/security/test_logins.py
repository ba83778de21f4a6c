"""Logins that resist guessing (issue 21): 50 wrong passwords and then the right one used
to sign in at once, with nothing logged; common passwords were accepted; `add-clinician`
could leave a clinician without a login behind."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from coach.auth.passwords import common_passwords
from coach.store import Store, ValidationError


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("", "required"),
        ("short", "at least 10"),
        ("aaaaaaaaaaaa", "one character repeated"),
        ("            ", "one character repeated"),
        ("1234567890", "commonest"),
        ("Password123", "commonest"),
        ("QWERTYUIOP", "commonest"),
        ("x" * 257, "at most 256"),
        ("caf\udce9 au lait!", "not valid text"),  # a byte that was not UTF-8
    ],
)
def test_weak_or_broken_passwords_are_refused(tmp_path, password, why):
    store = Store(f"sqlite:///{tmp_path / 'coach.db'}")
    clinician = store.add_clinician("Ann Physio")
    with pytest.raises(ValidationError, match=why):
        store.add_account("ann", password, clinician_id=clinician)
    assert store.list_accounts() == []


def test_the_shipped_list_is_there_and_lower_case():
    listed = common_passwords()
    assert len(listed) > 50 and all(p == p.lower() and len(p) >= 10 for p in listed)


@pytest.mark.parametrize(
    ("argv", "password", "message"),
    [
        (["--username", "ann"], "1234567890\n", "commonest"),
        (["--username", "taken"], "a long enough password\n", "is taken"),
        (["--username", "ann"], "", "required"),  # nothing on standard input
        (["--username", "ann"], "\n", "required"),  # an empty line
    ],
)
def test_add_clinician_leaves_nothing_behind_when_the_login_is_refused(
    tmp_path, argv, password, message
):
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    store = Store(url)
    store.add_account("taken", "a long enough password", clinician_id=store.add_clinician("Bo"))
    env = {k: v for k, v in os.environ.items() if k != "FORM_COACH_NEW_PASSWORD"}
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "users", "add-clinician", "Ann Physio", *argv],
        input=password.encode(),
        capture_output=True,
        env={**env, "FORM_COACH_DATABASE_URL": url},
        timeout=120,
    )
    err = done.stderr.decode()
    assert done.returncode == 2 and message in err and err.count("\n") == 1, err
    assert [c.name for c in store.list_clinicians()] == ["Bo"]


def test_the_store_adds_a_clinician_and_login_together_or_not_at_all(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'coach.db'}")
    store.add_clinician("Bo", login=("bobo", "a long enough password"))
    with pytest.raises(ValidationError, match="taken"):
        store.add_clinician("Ann", login=("bobo", "another long password"))
    assert [c.name for c in store.list_clinicians()] == ["Bo"]
    assert store.authenticate("bobo", "a long enough password").kind == "clinician"
