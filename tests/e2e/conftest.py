"""Real-browser fixtures: a Streamlit server on a free port and headless Chromium.

Chromium and chromedriver come from Debian (make system-deps); selenium is told both paths
so it never tries to download a driver. A video file can stand in for the webcam.

Fixtures and their settings only: the helpers the browser tests share (a webcam stand-in
made with ffmpeg, starting the camera, waiting for a page's text) are in
tests/support/browser.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.servers import running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def server_database(server) -> str:
    """The SQLAlchemy URL of the database the test server writes to."""
    _url, log_path = server
    return f"sqlite:///{log_path.parent / 'coach.db'}"


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
