"""Real-browser fixtures: a Streamlit server on a free port and headless Chromium.

Chromium and chromedriver come from Debian (make system-deps); selenium is told both paths
so it never tries to download a driver. A video file can stand in for the webcam.

Fixtures and their settings only: the helpers the browser tests share (a webcam stand-in
made with ffmpeg, starting the camera, waiting for a page's text) are in
tests/support/browser.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coach_ui.launch import local_command
from tests.conftest import ROOT
from tests.support.browser import free_port, tail

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SERVER_START_S = 60


@pytest.fixture(scope="module")
def server_database(server) -> str:
    """The SQLAlchemy URL of the database the test server writes to."""
    _url, log_path = server
    return f"sqlite:///{log_path.parent / 'coach.db'}"


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


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    """The app on a free local port with its own database; always stopped. A test
    module's `SERVER_ENV` (a dict) adds settings (clinic mode, say)."""
    folder = tmp_path_factory.mktemp("streamlit")
    with running_server(folder, getattr(request.module, "SERVER_ENV", {})) as served:
        yield served


@pytest.fixture
def browser_factory(tmp_path) -> Iterator[Callable[..., object]]:
    """Starts headless Chromium, optionally with a video file (.y4m) as its webcam."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} (make system-deps installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (dev extra)")
    from selenium.webdriver.chrome.service import Service

    drivers = []

    def start(fake_camera: Path | None = None):
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        profile = tmp_path / f"chromium-profile-{len(drivers)}"
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--window-size=1280,2000",
            "--autoplay-policy=no-user-gesture-required",
        ]
        if fake_camera is not None:
            flags += [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={fake_camera}",
            ]
        for flag in flags:
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        drivers.append((driver, profile))
        return driver

    try:
        yield start
    finally:
        for driver, profile in drivers:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(browser_factory):
    return browser_factory()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where a browser test saves its screenshots: FORM_COACH_SCREENSHOTS (a folder) when
    set, for a person to look at, else the test's own temporary folder."""
    folder = Path(os.environ.get("FORM_COACH_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
