"""The pose model in the patient's browser, in a real headless Chromium (CPU delegate: no GPU
here), against the server path on the same clip.

The clip plays once and then holds its last frame (standing) for `TAIL_S`; the fake webcam
loops the whole. Whenever the coach starts, the count it shows holds still during each
tail, so the reps of one full pass of the clip are the difference between two successive
still counts: the same measure for both paths, whatever their start-up times.
"""

from __future__ import annotations

import time

import pytest

from coach.auth.access import Principal
from coach.store import Store
from coach_ui.camera import NO_PICTURE, PLACE_SETTING
from tests.conftest import shared_clip
from tests.support.browser import (
    choose,
    count_peer_connections,
    device_camera_state,
    peer_connections,
    set_number,
    start_camera_on,
    tail,
    wait_for_page_text,
    y4m_from,
)

pytestmark = pytest.mark.browser
# The same model on both paths, so that the counts and faults compare the paths and not
# the models: the speed test may otherwise pick lite on a loaded machine (that choice is
# tested in test_browser_pose_worker.py).
SERVER_ENV = {"FORM_COACH_BROWSER_MODELS": "full"}

TAIL_S = 16  # the still end of each pass
STILL_S = 10  # a count unchanged this long is a tail (a pass of squats never pauses so long)
PASS_WAIT_S = 480  # start-up on a loaded machine, then up to three passes of 14.5 + TAIL_S s
REPS_SHOWN = """
for (const metric of document.querySelectorAll("[data-testid='stMetric']")) {
  if (metric.innerText.includes("Reps this session")) {
    const value = metric.querySelector("[data-testid='stMetricValue']");
    return value ? value.innerText.trim() : null;
  }
}
return null;
"""


@pytest.fixture(scope="module")
def squat_pass_camera(tmp_path_factory):
    clip = shared_clip("squat_side_studio.mp4")  # 8 squats, side-on, 14.5 s
    target = tmp_path_factory.mktemp("camera") / "squat-pass.y4m"
    still = f"tpad=stop_mode=clone:stop_duration={TAIL_S}"
    return y4m_from(["-i", str(clip), "-vf", f"scale=480:270,fps=15,{still}"], target)


def reps_of_one_pass(browser, log_path) -> tuple[int, list]:
    """The reps the page counted over one full pass of the clip: the difference between
    the first two still counts (each held `STILL_S`, after counting began) with a pass
    between them. Returns them with each change seen: (seconds since the start, count)."""
    stills: list[int] = []
    changes: list[tuple[float, str | None]] = []
    value, since = None, time.monotonic()
    # Only a still count after one that changed is a tail: the count the panel shows
    # before the stream starts, or while the patient gets into position, is still too.
    counting = False
    deadline = since + PASS_WAIT_S
    while len(stills) < 2:
        if time.monotonic() > deadline:
            pytest.fail(
                f"no two still counts in {PASS_WAIT_S} s: {stills}, changes {changes}\n"
                f"{tail(log_path)}"
            )
        shown, now = browser.execute_script(REPS_SHOWN), time.monotonic()
        if shown != value:
            counting |= value is not None and shown is not None  # a rep counted: live
            value, since = shown, now
            changes.append((round(now - deadline + PASS_WAIT_S, 1), shown))
        elif counting and now - since >= STILL_S and (not stills or stills[-1] != int(value)):
            stills.append(int(value))
        time.sleep(0.5)
    return stills[1] - stills[0], changes


def run_live_session(place, url, log_path, browser_factory, camera, store) -> dict:
    """A squat session on the live page with the model on `place`: the reps of one pass,
    the faults of every rep stored, and how many WebRTC connections the page opened."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    before = {s.id for s in store.sessions(store.default_patient().id)}
    browser = browser_factory(fake_camera=camera)
    count_peer_connections(browser)
    browser.get(f"{url}/live")
    Wait(browser, 60).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Live coach"))
    choose(browser, By, "Exercise", "Squat")
    Wait(browser, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "input[aria-label='Repetitions per set']")
    )
    time.sleep(3)  # the plan inputs are rebuilt for the new exercise
    set_number(browser, By, "Sets", 1)
    set_number(browser, By, "Repetitions per set", 50)
    time.sleep(1.0)  # let Streamlit apply the inputs before the button reads them
    Wait(browser, 30).until(
        ec.element_to_be_clickable((By.XPATH, "//button[normalize-space(.)='Start session']"))
    ).click()
    start_camera_on(place, browser, By, ec, Wait, log_path)
    reps, changes = reps_of_one_pass(browser, log_path)
    (session,) = [s for s in store.sessions(store.default_patient().id) if s.id not in before]
    device = None
    if place == "browser":
        state = device_camera_state(browser, By, ec, Wait)
        device = {k: state.get(k) for k in ("choice", "trials", "engine", "sent", "states")}
    result = {
        "reps": reps,
        "changes": changes,
        "faults": {fault["rule"] for row in store.rep_rows(session.id) for fault in row["faults"]},
        "peer_connections": peer_connections(browser),
        "device": device,
    }
    return result


def test_in_the_browser_the_live_page_counts_as_the_server_does_and_sends_no_video(
    server, server_database, browser_factory, squat_pass_camera
):
    url, log_path = server
    store = Store(server_database)
    on_device = run_live_session(
        "browser", url, log_path, browser_factory, squat_pass_camera, store
    )
    on_server = run_live_session("server", url, log_path, browser_factory, squat_pass_camera, store)

    print(f"browser path: {on_device}\nserver path: {on_server}")  # shown with pytest -s
    assert on_server["reps"] > 0 and on_device["reps"] > 0, (on_device, on_server)
    assert abs(on_device["reps"] - on_server["reps"]) <= 1, (on_device, on_server)
    assert on_device["faults"] == on_server["faults"], (on_device, on_server)
    # No media connection to the server from the browser path; the counter does see the
    # server path's (so it would have seen one).
    assert on_device["peer_connections"] == 0
    assert on_server["peer_connections"] >= 1
    device = on_device["device"]
    assert device["choice"]["delegate"] == "CPU", device["trials"]  # no GPU on this machine
    assert device["choice"]["model"] == "full"  # the only one SERVER_ENV allows
    assert {t["model"] for t in device["trials"]} == {"full"}, device["trials"]
    assert "Pose model on this device: CPU, full model" in device["engine"]


def open_posture_page(browser, url: str, database: str):
    """The posture page with the model on the device: the user's kept choice is set to the
    browser first (an earlier test in this module switched to the server)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait as Wait

    store = Store(database)
    store.set_user_setting(Principal.home(), PLACE_SETTING, "browser")
    store.close()
    browser.get(f"{url}/posture")
    Wait(browser, 60).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Posture check"))
    return By, ec, Wait


def test_a_browser_that_cannot_load_the_model_falls_back_to_the_server_saying_why(
    server, server_database, browser_factory, squat_pass_camera
):
    url, log_path = server
    browser = browser_factory(fake_camera=squat_pass_camera)
    browser.execute_cdp_cmd("Network.enable", {})
    # The page fetches the worker's code itself; the MediaPipe package is fetched by the
    # worker (blocked too, in case DevTools' blocking of the page reaches the worker).
    blocked = ["*/pose_worker.js", "*/form-coach/web/tasks-vision/*"]
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked})
    by, ec, wait = open_posture_page(browser, url, server_database)
    wait_for_page_text(
        browser,
        by,
        "The pose model runs on the server: this browser could not run it",
        120,
        log_path,
        "no fallback to the server path",
    )
    assert "the pose model code did not load" in browser.find_element(by.TAG_NAME, "body").text
    wait(browser, 60).until(
        ec.presence_of_element_located((by.CSS_SELECTOR, "iframe[title*='webrtc']"))
    )
    assert not browser.find_elements(by.CSS_SELECTOR, "iframe[title*='pose_camera']")


def test_a_missing_camera_is_said_plainly(server, server_database, browser_factory):
    url, log_path = server
    browser = browser_factory()  # no camera at all
    by, ec, wait = open_posture_page(browser, url, server_database)
    deadline = time.monotonic() + 60
    while (state := device_camera_state(browser, by, ec, wait)).get("status") != "camera-error":
        if time.monotonic() > deadline:
            pytest.fail(f"no camera message: {state.get('status')}: {state.get('line')}")
        time.sleep(0.5)
    assert state["line"].startswith(("No camera was found", "The camera was refused")), state
    # The panel beside it agrees: no picture, not "waiting for the camera".
    wait_for_page_text(browser, by, NO_PICTURE.split(":")[0], 30, log_path, "panel still waits")
    assert "Waiting for the camera" not in browser.find_element(by.TAG_NAME, "body").text
