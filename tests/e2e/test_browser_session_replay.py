"""The Session page in a real Chromium, served as the app is: a set kept with a session
replays in the page's skeleton component (served by Streamlit from the package, its drawing
by the app's shared component script), the rep buttons jump the cursor, and Play moves it on."""

from __future__ import annotations

import pytest

from coach.exercise.loader import ExerciseLibrary
from coach.runtime.analysis import replay_poses
from coach.store import Store
from tests.support.browser import tail
from tests.support.landmark_sets import patient_set

pytestmark = pytest.mark.browser


def kept_session(database: str) -> tuple[int, int]:
    """A squat session of the home patient with set 1 kept; (session id, reps)."""
    store = Store(database)
    recording = patient_set("squat_side_studio")
    counted = replay_poses(recording, ExerciseLibrary().get("squat"), source="fixture")
    session = store.start_session("squat", patient_id=store.default_patient().id)
    store.start_set(session, 1)
    for rep in counted.reps:
        store.add_rep(session, 1, rep)
    store.finish_set(session, 1, reps_done=counted.rep_count, held_s=0.0)
    store.save_set_recording(session, 1, recording)
    store.close()
    return session, counted.rep_count


def test_the_session_page_replays_a_kept_set_in_the_browser(server, server_database, browser):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, log_path = server
    session, reps = kept_session(server_database)
    browser.get(f"{url}/session?session={session}")
    try:
        frame = WebDriverWait(browser, 90).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "iframe[src*='skeleton_replay']"))
        )
    except TimeoutException:
        pytest.fail(f"no replay on the Session page\nserver log:\n{tail(log_path)}")
    browser.switch_to.frame(frame)
    WebDriverWait(browser, 30).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "#reps button")) == reps
    )

    def data(key: str) -> str | None:
        return browser.execute_script(f"return document.body.dataset.{key};")

    assert data("frame") == "0"
    # The skeleton is drawn by the script the components share (served by the app under
    # the component's Content-Security-Policy): a refused script would leave it undrawn.
    drawn = int(data("skeletonDrawn") or 0)
    assert drawn >= 1, "the shared skeleton script did not draw"
    browser.find_elements(By.CSS_SELECTOR, "#reps button")[1].click()
    jumped = int(data("cursorMs"))
    assert jumped > 0, "the second rep starts after the set's first frame"
    browser.find_element(By.CSS_SELECTOR, "button[data-speed='0.5']").click()
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 10).until(lambda _: int(data("cursorMs")) > jumped)
    assert int(data("skeletonDrawn")) > drawn  # redrawn as the set plays
