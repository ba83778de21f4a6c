"""The app as `form-coach` starts it serves Form Coach's own routes beside Streamlit's."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request

from coach.vision.model_bundle import default_bundle_path
from coach_ui.launch import local_command
from coach_ui.routes import POSE_MODEL_PATH
from tests.support.browser import free_port


def test_the_started_app_serves_the_pose_model(server):
    url, _log = server
    with urllib.request.urlopen(f"{url}{POSE_MODEL_PATH}", timeout=60) as response:
        assert response.status == 200
        assert response.read() == default_bundle_path().read_bytes()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_stopping_form_coach_stops_the_server_itself(tmp_path):
    """`form-coach` becomes the server: SIGTERM to it leaves no orphan serving the port
    (a test run or a service manager would otherwise leave servers behind)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, FORM_COACH_DATABASE_URL=f"sqlite:///{tmp_path / 'coach.db'}")
    process = subprocess.Popen(
        local_command(port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            assert process.poll() is None, "the server exited before answering"
            assert time.monotonic() < deadline, "the server did not answer in 60 s"
            time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=15)
    deadline = time.monotonic() + 10
    while _answers(url) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _answers(url), "a server still answers after form-coach was stopped"
