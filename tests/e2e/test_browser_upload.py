"""The entry page in a real headless Chromium: analyse the default sample clip, play the result.

AppTest cannot catch a broken /media endpoint (streamlit 1.60 with starlette>=1.8 answers
/media/* with HTTP 500 and `st.video` shows "Format error"): only a browser loading and
decoding the annotated video does. See ../shared/notes/streamlit-and-browser.md.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest

from coach_ui import analysis
from tests.conftest import SAMPLE_VIDEOS
from tests.support.browser import choose, tail

pytestmark = pytest.mark.browser

DEFAULT_CLIP = SAMPLE_VIDEOS / analysis.DEFAULT_SAMPLE
# The analysis takes ~35 s on 2 idle cores (the model runs on every frame); the ceiling
# leaves room for a loaded machine. The wait ends as soon as the video is there.
ANALYSIS_WAIT_S = 300
PLAY_WAIT_S = 30


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
            f"{shot}; server log:\n{tail(log_path)}"
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
        m.find_element(By.CSS_SELECTOR, "[data-testid=stMetricLabel]").text.strip(): m.find_element(
            By.CSS_SELECTOR, "[data-testid=stMetricValue]"
        ).text.strip()
        for m in browser.find_elements(By.CSS_SELECTOR, "[data-testid=stMetric]")
    }
    assert "Reps" in metrics, metrics
    assert metrics["Reps"].isdigit(), metrics
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=stException]")


UPLOAD_CONTROL = "iframe[title*='video_upload']"
OWN_CLIP = SAMPLE_VIDEOS / "glute_bridge_side.mp4"  # short: the analysis is quick


def files_with_the_bytes_of(clip) -> list:
    """Every file under the app's temporary folders holding `clip`'s bytes (an upload
    waiting, claimed or left behind)."""
    digest, size = hashlib.sha256(clip.read_bytes()).digest(), clip.stat().st_size
    return [
        path
        for path in Path(tempfile.gettempdir()).glob(f"{analysis.WORKDIR_PREFIX}*/*")
        if path.is_file()
        and path.stat().st_size == size
        and hashlib.sha256(path.read_bytes()).digest() == digest
    ]


def test_a_patients_own_video_uploads_to_disk_is_analysed_then_deleted(server, browser):
    """The upload control streams the file to the upload route; the page claims it,
    analyses it and deletes it (issue 21: uploads stayed in the server's memory)."""
    if not OWN_CLIP.is_file():
        pytest.skip(f"the sample clip {OWN_CLIP} is not there")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, _log = server
    browser.get(f"{url}/analyse")
    WebDriverWait(browser, 60).until(
        ec.element_to_be_clickable((By.XPATH, "//label[normalize-space(.)='My own video']"))
    ).click()
    control = WebDriverWait(browser, 60).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, UPLOAD_CONTROL))
    )
    browser.switch_to.frame(control)
    WebDriverWait(browser, 60).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "input[type=file]"))
    ).send_keys(str(OWN_CLIP))
    WebDriverWait(browser, 60).until(
        ec.text_to_be_present_in_element((By.ID, "status"), f"Uploaded {OWN_CLIP.name}")
    )
    browser.switch_to.default_content()
    choose(browser, By, "Exercise", "Glute bridge")
    WebDriverWait(browser, 60).until(
        ec.element_to_be_clickable((By.XPATH, "//button[normalize-space(.)='Analyse']"))
    ).click()
    WebDriverWait(browser, ANALYSIS_WAIT_S).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=stMetric]"))
    )
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=stException]")
    assert files_with_the_bytes_of(OWN_CLIP) == [], "the upload outlived its analysis"
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, UPLOAD_CONTROL))
    assert "deleted from the server" in browser.find_element(By.ID, "status").text
    browser.switch_to.default_content()
