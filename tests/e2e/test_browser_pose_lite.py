"""The lite landmark model (the npm package's, bundled with the wheel's detector by the app)
loads in the browser's PoseLandmarker and coaches, in a real headless Chromium: the app
allows only it here, so the speed test has no other to pick."""

from __future__ import annotations

import pytest

from tests.conftest import shared_clip
from tests.support.browser import start_device_camera, y4m_from

pytestmark = pytest.mark.browser
SERVER_ENV = {"FORM_COACH_BROWSER_MODELS": "lite"}


@pytest.fixture(scope="module")
def squat_camera(tmp_path_factory):
    clip = shared_clip("squat_side_studio.mp4")
    target = tmp_path_factory.mktemp("camera") / "squat.y4m"
    return y4m_from(["-i", str(clip), "-vf", "scale=480:270,fps=15"], target)


def test_the_lite_model_runs_in_the_browser_and_finds_the_person(
    server, browser_factory, squat_camera
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    url, log_path = server
    browser = browser_factory(fake_camera=squat_camera)
    browser.get(f"{url}/posture")
    Wait(browser, 60).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Posture check"))
    state = start_device_camera(browser, By, ec, Wait, log_path)
    assert {t["model"] for t in state["trials"]} == {"lite"}, state["trials"]
    assert state["choice"]["model"] == "lite"
    assert "lite model" in state["engine"]
    # The person (on every frame of the clip) is found on nearly every frame processed.
    processed = len(state["processed"])
    assert processed > 0 and state["seen"] >= 0.9 * processed, (state["seen"], processed)
