"""The SQLite database on disk (issue 21): its folder and file created readable by this
user only, and a folder that cannot be written named with the settings that move it."""

from __future__ import annotations

import os
import stat

import pytest

from coach.store import Store, StoreError


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_private(tmp_path):
    old = os.umask(0o022)  # the usual umask: files 0644, folders 0755 unless asked
    try:
        folder = tmp_path / "data" / "form-coach"
        store = Store(f"sqlite:///{folder / 'form-coach.db'}")
        store.default_patient()
    finally:
        os.umask(old)
    assert mode(folder) == 0o700
    assert mode(folder / "form-coach.db") == 0o600
    assert mode(folder / "form-coach.db-wal") == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
@pytest.mark.parametrize("with_file", [False, True])
def test_a_read_only_folder_says_so_and_which_setting_moves_it(tmp_path, with_file):
    folder = tmp_path / "data"
    folder.mkdir()
    if with_file:
        Store(f"sqlite:///{folder / 'coach.db'}").close()
        for extra in folder.glob("coach.db-*"):
            extra.unlink()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError) as caught:
            Store(f"sqlite:///{folder / 'coach.db'}").default_patient()
    finally:
        folder.chmod(0o700)
    message = str(caught.value)
    assert "writable" in message and "FORM_COACH_DATA" in message, message
    assert "\n" not in message


@pytest.mark.parametrize("where", ["under a file", "in /proc"])
def test_a_folder_that_cannot_be_made_says_so_and_which_setting_moves_it(tmp_path, where):
    """As root too (the read-only tests above need another user)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    folder = blocker / "data" if where == "under a file" else "/proc/form-coach-test"
    with pytest.raises(StoreError) as caught:
        Store(f"sqlite:///{folder}/coach.db")
    message = str(caught.value)
    assert "writable" in message and "FORM_COACH_DATA" in message, message
    assert "\n" not in message
