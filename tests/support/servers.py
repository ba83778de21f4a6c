"""Starting the app as a real server for the browser tests: one (tests/e2e/conftest.py's
`server`) or several on one database (the telehealth test's two servers)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach_ui.launch import local_command
from tests.conftest import ROOT
from tests.support.browser import free_port, tail

SERVER_START_S = 60


@contextlib.contextmanager
def running_server(folder: Path, settings: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """The app (`python -m coach_ui`, as `form-coach` starts it) on a free local port,
    logging to `folder`/server.log, with `settings` added to this process's environment
    (its database by default: a SQLite file in `folder`); stopped at the end. Yields its
    URL and log path."""
    log_path = folder / "server.log"
    port = free_port()
    env = {
        **os.environ,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "FORM_COACH_DATABASE_URL": f"sqlite:///{folder / 'coach.db'}",
        **settings,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            local_command(port),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer in {SERVER_START_S} s:\n{tail(log_path)}")
            time.sleep(0.5)
        yield url, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
