"""With the model in the browser, a second person in view still pauses the coach, as on the
server path: the page's worker tracks one person on every frame, and a second worker looks
for others once a second (pose_camera.js), whose finds go with every frame until its next
look. A real headless Chromium, the squat clip beside its own mirror image as the webcam
(two people squatting side by side)."""

from __future__ import annotations

import time

import pytest

from coach.engine.engine import CROWDED_CUE
from tests.conftest import shared_clip
from tests.support.browser import (
    choose,
    device_camera_state,
    set_number,
    start_camera_on,
    tail,
    y4m_from,
)

pytestmark = pytest.mark.browser
SERVER_ENV = {"FORM_COACH_BROWSER_MODELS": "lite"}  # the quicker model: this is not about speed
CROWD_WAIT_S = 120


@pytest.fixture(scope="module")
def two_people_camera(tmp_path_factory):
    clip = shared_clip("squat_side_studio.mp4")
    target = tmp_path_factory.mktemp("camera") / "two-people.y4m"
    both = "[0:v]scale=240:270,fps=15,split[a][b];[b]hflip[c];[a][c]hstack"
    return y4m_from(["-i", str(clip), "-filter_complex", both], target)


def test_a_second_person_in_view_pauses_the_coach_on_the_browser_path(
    server, browser_factory, two_people_camera
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    url, log_path = server
    browser = browser_factory(fake_camera=two_people_camera)
    browser.get(f"{url}/live")
    Wait(browser, 60).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Live coach"))
    choose(browser, By, "Exercise", "Squat")
    time.sleep(3)  # the plan inputs are rebuilt for the new exercise
    set_number(browser, By, "Repetitions per set", 50)
    time.sleep(1.0)
    Wait(browser, 30).until(
        ec.element_to_be_clickable((By.XPATH, "//button[normalize-space(.)='Start session']"))
    ).click()
    start_camera_on("browser", browser, By, ec, Wait, log_path)
    deadline = time.monotonic() + CROWD_WAIT_S
    while True:
        state = device_camera_state(browser, By, ec, Wait)
        guidance = (state.get("lastState") or {}).get("guidance")
        if state.get("crowded_looks", 0) > 0 and guidance == CROWDED_CUE:
            break
        if time.monotonic() > deadline:
            pytest.fail(
                f"no crowd seen in {CROWD_WAIT_S} s: looks {state.get('looks')}, crowded "
                f"{state.get('crowded_looks')}, guidance {guidance!r}\n{tail(log_path)}"
            )
        time.sleep(1.0)
    assert state["looks"] >= state["crowded_looks"] > 0
