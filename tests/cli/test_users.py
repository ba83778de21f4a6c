"""`coach users`: clinic mode's first accounts, from the command line."""

from __future__ import annotations

import pytest

from coach.cli import main
from coach.store import Store


def test_add_a_clinician_and_their_patient_with_logins(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    monkeypatch.setenv("FORM_COACH_DATABASE_URL", url)
    monkeypatch.setenv("FORM_COACH_NEW_PASSWORD", "a long enough password")
    assert main(["users", "add-clinician", "Ann Physio", "--username", "ann"]) == 0
    assert (
        main(["users", "add-patient", "Pat Patient", "--clinician", "1", "--username", "pat"]) == 0
    )
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "clinician 1: Ann Physio" in out and "patient 1: Pat Patient (clinician: Ann" in out
    store = Store(url)
    assert store.authenticate("ann", "a long enough password").clinician_id == 1
    assert store.authenticate("pat", "a long enough password").patient_id == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["users", "add-patient", "12345"], "must contain a letter"),
        (["users", "add-clinician", "Ann", "--username", "a b"], "user name"),
    ],
)
def test_bad_accounts_get_one_line_and_status_2(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.setenv("FORM_COACH_DATABASE_URL", f"sqlite:///{tmp_path / 'coach.db'}")
    monkeypatch.setenv("FORM_COACH_NEW_PASSWORD", "a long enough password")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
