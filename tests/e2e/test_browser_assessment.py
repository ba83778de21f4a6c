"""One range-of-motion measurement in a real headless Chromium, a clip as the webcam.

The shipped side-on glute bridge clip (sample_videos, knees bent about 110 degrees and
held between lifts) plays as the camera: the Assessment page measures knee flexion, shows
the stable peak ready to save, and the saved value is in the database afterwards.
"""

from __future__ import annotations

import time

import pytest

from coach.assessment.steady import StablePeak
from coach.store import Store
from tests.conftest import SAMPLE_VIDEOS
from tests.support.browser import choose, start_camera_on, tail, y4m_from

pytestmark = pytest.mark.browser

MEASURE_WAIT_S = 240  # a 6.7 s clip, looped; the rest is start-up on a loaded machine


@pytest.fixture(scope="module")
def bridge_camera(tmp_path_factory):
    clip = SAMPLE_VIDEOS / "glute_bridge_side.mp4"
    target = tmp_path_factory.mktemp("camera") / "bridge.y4m"
    return y4m_from(["-i", str(clip), "-vf", "scale=480:270", "-r", "15"], target)


@pytest.mark.parametrize("place", ["browser", "server"])
def test_knee_flexion_is_measured_from_the_webcam_and_stored(
    server, server_database, browser_factory, bridge_camera, place
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    url, log_path = server
    browser = browser_factory(fake_camera=bridge_camera)
    browser.get(f"{url}/assessment")
    Wait(browser, 60).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Assessment"))
    choose(browser, By, "Measure", "Knee flexion")
    Wait(browser, 30).until(
        lambda b: "Normal adult range: 0-130°" in b.find_element(By.TAG_NAME, "body").text
    )
    Wait(browser, 30).until(
        ec.element_to_be_clickable((By.XPATH, "//button[normalize-space(.)='Start']"))
    ).click()
    start_camera_on(place, browser, By, ec, Wait, log_path)

    deadline = time.monotonic() + MEASURE_WAIT_S
    while "Ready to save" not in (body := browser.find_element(By.TAG_NAME, "body").text):
        if time.monotonic() > deadline:
            pytest.fail(
                f"no stable peak in {MEASURE_WAIT_S} s; page said:\n{body[-1500:]}\n"
                f"server log:\n{tail(log_path)}"
            )
        time.sleep(0.5)
    assert "best hold" in body
    browser.find_element(By.XPATH, "//button[normalize-space(.)='Save the result']").click()
    Wait(browser, 60).until(
        lambda b: "Saved: Knee flexion" in b.find_element(By.TAG_NAME, "body").text
    )

    store = Store(server_database)
    saved = store.assessments(store.default_patient().id, kind="rom", measure="knee_flexion")
    assert saved, "nothing stored"
    assert {a.side for a in saved} <= {"left", "right"}
    assert all(80 <= a.value <= 140 and a.unit == "deg" for a in saved), saved
    # A steady hold's jitter is under StablePeak.max_std_deg (2.0); the stored detail is
    # rounded to 0.01, so a hold at 1.996 is kept as 2.0 (the only way a CI run can fail "< 2.0").
    assert all(a.details["jitter_deg"] <= StablePeak.max_std_deg for a in saved), saved
