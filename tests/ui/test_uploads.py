"""Uploaded and annotated videos do not outlive their analysis (issue 21): on disk only
while the coach reads or writes them, folders of a dead server deleted at the next start,
and uploads capped at a size a phone clip needs (200 MB unless configured)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from coach.auth.access import Principal
from coach_ui import analysis, launch, uploads
from tests.conftest import ROOT
from tests.support.builders import write_empty_room
from tests.support.uploads import send_upload

APP = ROOT / "coach_ui" / "views" / "analyse.py"


def analysed_upload(name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=600).run()
    next(r for r in at.radio if r.label == "Video").set_value("My own video").run()
    received = send_upload(at, name, data)
    at.run()
    assert not received.path.exists(), "claimed: moved out of the inbox"
    assert at.session_state["upload"].path.parent == at.session_state["workdir"].path
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_refused_upload_leaves_no_file():
    at = analysed_upload("holiday.mp4", b"this is not a video\n" * 500)
    assert any("could not be analysed" in e.value for e in at.error)
    assert list(at.session_state["workdir"].path.iterdir()) == []
    assert uploads.app_inbox().waiting() == 0


def test_after_its_analysis_the_video_must_be_sent_again_for_another_exercise():
    at = analysed_upload("holiday.mp4", b"this is not a video\n" * 500)
    at.selectbox(key="exercise").set_value("lunge").run()
    assert any("upload it again" in i.value for i in at.info)
    assert not any("could not be analysed" in e.value for e in at.error)
    control = json.loads(at.get("component_instance")[0].proto.json_args)
    assert control["done_id"] == at.session_state["upload"].id  # the control says so too


def test_a_new_upload_replaces_the_last_one_on_disk():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    next(r for r in at.radio if r.label == "Video").set_value("My own video").run()
    send_upload(at, "first.mp4", b"first")
    at.run()
    first = at.session_state["upload"].path
    send_upload(at, "second.mov", b"second")
    at.run()
    second = at.session_state["upload"].path
    assert not first.exists() and second.read_bytes() == b"second" and second.suffix == ".mov"
    assert [p.name for p in at.session_state["workdir"].path.iterdir()] == [second.name]


def test_an_upload_is_claimed_only_by_its_own_uploader():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    next(r for r in at.radio if r.label == "Video").set_value("My own video").run()
    someone = Principal("patient", "Someone Else", patient_id=999)
    received = send_upload(at, "theirs.mp4", b"their video", who=someone)
    at.run()
    assert "upload" not in at.session_state
    assert any("no longer on the server" in e.value for e in at.error)
    assert received.path.exists()  # still theirs, waiting for them


@pytest.mark.model
def test_an_analysed_upload_and_its_annotated_video_leave_no_file(tmp_path):
    clip = tmp_path / "empty_room.mp4"
    data = write_empty_room(clip)
    at = analysed_upload(clip.name, data)
    assert not at.error
    assert at.get("video"), "the annotated video is still shown, from memory"
    assert list(at.session_state["workdir"].path.iterdir()) == []


def test_a_server_start_deletes_only_the_folders_of_servers_no_longer_running(tmp_path):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(gone.stdout)
    dead = tmp_path / f"{analysis.WORKDIR_PREFIX}{dead_pid}-abc"
    alive = tmp_path / f"{analysis.WORKDIR_PREFIX}{os.getpid()}-def"
    other = tmp_path / "someone-elses-folder"
    for folder in (dead, alive, other):
        folder.mkdir()
        (folder / "upload.mp4").write_bytes(b"video")
    assert analysis.remove_leftover_workdirs(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and other.exists()


def test_a_session_folder_is_named_after_its_server():
    workdir = analysis.SessionWorkdir()
    try:
        assert workdir.path.name.startswith(f"{analysis.WORKDIR_PREFIX}{os.getpid()}-")
    finally:
        workdir.close()
    assert not workdir.path.exists()


@pytest.mark.parametrize(("value", "expected"), [(None, 200), ("", 200), ("50", 50)])
def test_the_upload_limit_is_200_mb_unless_set(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(launch.MAX_UPLOAD_ENV, raising=False)
    else:
        monkeypatch.setenv(launch.MAX_UPLOAD_ENV, value)
    line = launch.command([])
    assert line[line.index("--server.maxUploadSize") + 1] == str(expected)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    next(r for r in at.radio if r.label == "Video").set_value("My own video").run()
    control = json.loads(at.get("component_instance")[0].proto.json_args)
    assert control["max_bytes"] == expected * uploads.MB == uploads.app_inbox().max_bytes


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1e9", "99999"])
def test_a_bad_upload_limit_is_one_line_and_status_2(monkeypatch, capsys, value):
    monkeypatch.setenv(launch.MAX_UPLOAD_ENV, value)
    assert launch.main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and launch.MAX_UPLOAD_ENV in err and err.count("\n") == 1
