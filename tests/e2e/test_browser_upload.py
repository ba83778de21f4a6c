"""The entry page in a real headless Chromium: analyse the default sample clip, play the result.

AppTest cannot catch a broken /media endpoint (streamlit 1.60 with starlette>=1.8 answers
/media/* with HTTP 500 and `st.video` shows "Format error"): only a browser loading and
decoding the annotated video does. See ../shared/notes/streamlit-and-browser.md.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import pages_lib
from tests.conftest import ROOT, SAMPLE_VIDEOS

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DEFAULT_CLIP = SAMPLE_VIDEOS / pages_lib.DEFAULT_SAMPLE
SERVER_START_S = 60
# The analysis takes ~35 s on 2 idle cores (the model runs on every frame); the ceiling
# leaves room for a loaded machine. The wait ends as soon as the video is there.
ANALYSIS_WAIT_S = 300
PLAY_WAIT_S = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a free local port; stopped however the tests end."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true", "--server.port", str(port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
            ],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer in {SERVER_START_S} s:\n{_tail(log_path)}")
            time.sleep(0.5)
        yield url, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def browser(tmp_path):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} (make system-deps installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (dev extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1280,2000",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


# Plays the video muted (autoplay rules allow that without a user gesture), then reports
# what the element decoded and what /media answered for its source.
PLAY_VIDEO_JS = """
const done = arguments[arguments.length - 1];
const video = document.querySelector('video');
const report = (played, error) => fetch(video.currentSrc || video.src)
    .then(r => r.status).catch(() => -1)
    .then(status => done({
        played: played, error: error, status: status, src: video.currentSrc || video.src,
        readyState: video.readyState, videoWidth: video.videoWidth,
        videoHeight: video.videoHeight, duration: video.duration,
        mediaError: video.error ? video.error.code : null,
    }));
video.muted = true;
const timer = setTimeout(() => report(false, 'timed out waiting for data'), %d);
const check = () => {
    if (video.readyState >= 2 && video.videoWidth > 0) {
        clearTimeout(timer);
        report(true, null);
    }
};
video.addEventListener('loadeddata', check);
video.addEventListener('playing', check);
video.addEventListener('error', () => { clearTimeout(timer); report(false, 'media error'); });
video.play().then(check, e => { clearTimeout(timer); report(false, String(e)); });
"""


def test_analysing_the_default_sample_plays_the_annotated_video(server, browser):
    if not DEFAULT_CLIP.is_file():
        pytest.skip(f"the default sample clip {DEFAULT_CLIP} is not there (yet)")
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, log_path = server
    browser.get(f"{url}/analyse")  # the analyse page of the app's navigation
    analyse = WebDriverWait(browser, 60).until(
        ec.element_to_be_clickable((By.XPATH, "//button[normalize-space(.)='Analyse']"))
    )
    assert "Analyse a video" in browser.find_element(By.TAG_NAME, "h1").text
    analyse.click()
    try:
        video = WebDriverWait(browser, ANALYSIS_WAIT_S).until(
            ec.presence_of_element_located((By.TAG_NAME, "video"))
        )
    except TimeoutException as exc:
        shot = log_path.with_name("page.png")
        browser.save_screenshot(str(shot))
        errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid=stAlert]")]
        raise AssertionError(
            f"no <video> {ANALYSIS_WAIT_S} s after Analyse; alerts: {errors}; screenshot: "
            f"{shot}; server log:\n{_tail(log_path)}"
        ) from exc
    browser.execute_script("arguments[0].scrollIntoView();", video)

    browser.set_script_timeout(PLAY_WAIT_S + 10)
    state = browser.execute_async_script(PLAY_VIDEO_JS % (PLAY_WAIT_S * 1000))
    assert state["status"] == 200, f"/media answered {state['status']} for the video: {state}"
    assert state["played"], state
    assert state["readyState"] >= 2, state  # HAVE_CURRENT_DATA: a frame was decoded
    assert state["videoWidth"] > 0 and state["videoHeight"] > 0, state
    assert state["mediaError"] is None, state

    metrics = {
        m.find_element(By.CSS_SELECTOR, "[data-testid=stMetricLabel]").text.strip():
        m.find_element(By.CSS_SELECTOR, "[data-testid=stMetricValue]").text.strip()
        for m in browser.find_elements(By.CSS_SELECTOR, "[data-testid=stMetric]")
    }  # fmt: skip
    assert "Reps" in metrics, metrics
    assert metrics["Reps"].isdigit(), metrics
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=stException]")
