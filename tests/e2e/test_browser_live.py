"""The live coach in a real headless Chromium, with a video file as the webcam.

A side-on squat clip plays as the camera: the page positions the patient, counts a set of
three, shows and speaks the cues, and every rep is in the database afterwards, with the
pose model in the browser (the default) and on the server. An empty scene as the camera
gets the positioning guidance instead.
"""

from __future__ import annotations

import time

import pytest

from coach.store import Store
from tests.conftest import shared_clip
from tests.support.browser import (
    DEVICE_CAMERA,
    choose,
    in_frame,
    set_number,
    start_camera_on,
    tail,
    wait_for_page_text,
    y4m_from,
)

pytestmark = pytest.mark.browser

SET_WAIT_S = 240  # three squats take ~6 s of video; the rest is start-up on a loaded machine
CUES = {
    "Good rep",
    "Slow down: about two seconds down and two up",
    "Keep your chest up",
    "Go a little deeper, if it is comfortable",
    "Keep your knees over your toes",
}


@pytest.fixture(scope="module")
def squat_camera(tmp_path_factory):
    clip = shared_clip("squat_side_studio.mp4")  # 8 squats, side-on, 14.5 s
    target = tmp_path_factory.mktemp("camera") / "squat.y4m"
    return y4m_from(["-i", str(clip), "-vf", "scale=480:270"], target)


@pytest.fixture(scope="module")
def empty_camera(tmp_path_factory):
    target = tmp_path_factory.mktemp("camera") / "empty.y4m"
    scene = "color=c=0x808070:s=480x270:d=4:r=15,noise=alls=25:allf=t"
    return y4m_from(["-f", "lavfi", "-i", scene], target)


def open_live_page(browser, url: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{url}/live")
    WebDriverWait(browser, 60).until(
        ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Live coach")
    )
    return By, ec, WebDriverWait


def start_session_and_camera(browser, by, ec, wait, place: str, log_path) -> None:
    wait(browser, 30).until(
        ec.element_to_be_clickable((by.XPATH, "//button[normalize-space(.)='Start session']"))
    ).click()
    start_camera_on(place, browser, by, ec, wait, log_path)


def texts_on_page(browser, by, selector: str) -> set[str]:
    """The texts of the elements shown now. Streamlit redraws while the set runs, so an
    element found may be gone before its text is read: it is skipped, and the next poll
    reads its replacement."""
    from selenium.common.exceptions import StaleElementReferenceException

    texts = set()
    for element in browser.find_elements(by.CSS_SELECTOR, selector):
        try:
            texts.add(element.text.strip())
        except StaleElementReferenceException:
            continue
    return texts


@pytest.mark.parametrize("place", ["browser", "server"])
def test_live_page_counts_a_set_shows_cues_and_stores_each_rep(
    server, server_database, browser_factory, squat_camera, shots, place
):
    url, log_path = server
    browser = browser_factory(fake_camera=squat_camera)
    by, ec, wait = open_live_page(browser, url)
    choose(browser, by, "Exercise", "Squat")
    wait(browser, 30).until(
        lambda b: b.find_elements(by.CSS_SELECTOR, "input[aria-label='Repetitions per set']")
    )
    set_number(browser, by, "Sets", 1)
    set_number(browser, by, "Repetitions per set", 3)
    time.sleep(1.0)  # let Streamlit apply the inputs before the button reads them
    start_session_and_camera(browser, by, ec, wait, place, log_path)
    store = Store(server_database)
    (session_id,) = [s.id for s in store.sessions(store.default_patient().id) if s.ended_at is None]

    seen_texts: set[str] = set()
    deadline = time.monotonic() + SET_WAIT_S
    while "All sets done" not in browser.find_element(by.TAG_NAME, "body").text:
        if time.monotonic() > deadline:
            pytest.fail(
                f"the set was not finished in {SET_WAIT_S} s; page said: "
                f"{sorted(seen_texts)[:20]}\nserver log:\n{tail(log_path)}"
            )
        seen_texts |= texts_on_page(browser, by, "[data-testid='stAlert'], h3, h4")
        if "Set 1 of 1" in seen_texts and not (shots / f"live-{place}-01-set.png").exists():
            browser.save_screenshot(str(shots / f"live-{place}-01-set.png"))
        time.sleep(0.25)
    browser.save_screenshot(str(shots / f"live-{place}-02-done.png"))
    if place == "browser":  # the camera's own read-out agrees with the panel at the end
        setline = "return document.getElementById('setline').textContent;"
        assert in_frame(browser, DEVICE_CAMERA, setline).startswith("1 of 1 sets done")

    assert seen_texts & CUES, f"no squat cue shown; seen: {sorted(seen_texts)}"
    assert any("Set 1 of 1" in text for text in seen_texts)
    rows = store.rep_rows(session_id)
    assert len(rows) == 3, rows
    assert all(row["range_of_motion"]["knee_flexion"]["max_deg"] > 60 for row in rows)

    # Finishing (the ratings left 'Not rated') shows the summary in place of the camera,
    # with the webcam's timed panel still ticking until then.
    finish = "//button[normalize-space(.)='Finish and see my summary']"
    wait(browser, 30).until(ec.element_to_be_clickable((by.XPATH, finish))).click()
    wait_for_page_text(
        browser, by, "Start another session", 30, log_path, "no summary after Finish"
    )
    finished = store.summary(session_id)
    assert (finished.pain_before, finished.pain_after, finished.effort_borg) == (None,) * 3
    assert finished.reps == 3  # the squats made after the set are not the session's
    (kept,) = store.landmark_sets(1)  # the set's landmarks, kept for its replay
    assert kept.set_index == 1 and kept.frames > 0


def test_live_page_with_nobody_in_view_asks_the_patient_in(server, browser_factory, empty_camera):
    url, log_path = server
    browser = browser_factory(fake_camera=empty_camera)
    by, ec, wait = open_live_page(browser, url)
    start_session_and_camera(browser, by, ec, wait, "browser", log_path)
    wait(browser, 120).until(
        lambda b: "Step into view of the camera" in b.find_element(by.TAG_NAME, "body").text
    )
