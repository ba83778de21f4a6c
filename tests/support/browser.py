"""Helpers of the real-browser tests (tests/e2e): a free port and the log's tail for the
test server, a .y4m webcam stand-in made with ffmpeg, and selenium steps the pages share
(start the webrtc camera, pick a selectbox option, wait for a page's text).

The fixtures (the server, Chromium) are in tests/e2e/conftest.py. Selenium comes in as
arguments (`by`, `ec`, `wait`) or is imported inside a helper: collecting needs none of it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for the test server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of the server's log, for a failure message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def y4m_from(source: list[str], target: Path) -> Path:
    """Make a .y4m webcam stand-in with ffmpeg (raw, so made at test time, never committed)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg (make system-deps installs it)")
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", *source, "-pix_fmt", "yuv420p", str(target)],
        check=True,
        timeout=120,
    )
    return target


def start_camera(browser, by, ec, wait) -> None:
    """Press START in the webrtc component's iframe and wait for the returned video."""
    frame = wait(browser, 60).until(
        ec.presence_of_element_located((by.CSS_SELECTOR, "iframe[title*='webrtc']"))
    )
    browser.switch_to.frame(frame)
    wait(browser, 30).until(
        ec.element_to_be_clickable(
            (by.XPATH, "//button[translate(normalize-space(.), 'start', 'START')='START']")
        )
    ).click()
    wait(browser, 60).until(
        lambda b: b.execute_script(
            "const v = document.querySelector('video'); return v && v.readyState >= 2;"
        )
    )
    browser.switch_to.default_content()


def wait_for_page_text(browser, by, text: str, seconds: float, log_path: Path, what: str) -> None:
    """Poll the page until it shows `text`; else fail saying `what` went wrong, with the
    page's text and the server log's tail (a bare selenium timeout says neither)."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + seconds
    while True:
        try:  # the page may redraw between finding its body and reading it
            shown = browser.find_element(by.TAG_NAME, "body").text
        except StaleElementReferenceException:
            shown = ""
        if text in shown:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{what}; page said:\n{shown[:2000]}\nserver log:\n{tail(log_path)}")
        time.sleep(0.5)


def set_number(browser, by, label: str, value: int) -> None:
    """Type `value` into a Streamlit number input and wait until the page holds it (a
    rerun of the page may redraw the field under the typing: then it is typed again)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def typed(b) -> bool:
        try:
            field = b.find_element(by.CSS_SELECTOR, f"input[aria-label='{label}']")
            if field.get_attribute("value") == str(value):
                return True
            field.click()
            field.send_keys("\ue009a")  # Ctrl+A
            field.send_keys(str(value))
            field.send_keys("\ue007")  # Enter: Streamlit commits the value
        except StaleElementReferenceException:
            pass
        return False

    WebDriverWait(browser, 30, poll_frequency=1.0).until(typed)


def choose(browser, by, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox (a react-aria combobox) by its visible text."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    box = WebDriverWait(browser, 30).until(
        ec.element_to_be_clickable((by.CSS_SELECTOR, f"input[aria-label='{label}']"))
    )
    box.click()
    box.send_keys(option)  # the list is long: filter it so the option is drawn
    WebDriverWait(browser, 30).until(
        ec.element_to_be_clickable(
            (by.XPATH, f"//*[@role='option'][normalize-space(.)='{option}']")
        )
    ).click()
    WebDriverWait(browser, 30).until(lambda b: box.get_attribute("value") == option)


def in_frame(browser, selector: str, script: str):
    """Run `script` in the iframe `selector` finds (a component's) and return its result;
    the browser is back on the page after."""
    from selenium.webdriver.common.by import By

    frame = browser.find_element(By.CSS_SELECTOR, selector)
    browser.switch_to.frame(frame)
    try:
        return browser.execute_script(script)
    finally:
        browser.switch_to.default_content()


# ---- the on-device camera (coach_ui/components/pose_camera) ---------------------------------
DEVICE_CAMERA = "iframe[title*='pose_camera']"
ON_DEVICE_SWITCH = "Run the pose model on this device"
# Counts every RTCPeerConnection any frame of the page makes, on the top window: run before
# the page loads (Page.addScriptToEvaluateOnNewDocument reaches the components' iframes too).
COUNT_PEER_CONNECTIONS = """
(() => {
  const Real = window.RTCPeerConnection;
  if (!Real) return;
  function Counted(...args) {
    try { window.top.__peerConnections = (window.top.__peerConnections || 0) + 1; } catch (e) {}
    return new Real(...args);
  }
  Counted.prototype = Real.prototype;
  window.RTCPeerConnection = Counted;
})();
"""


def count_peer_connections(browser) -> None:
    """From the next page load on, count the WebRTC connections the page opens (read them
    with `peer_connections`)."""
    browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": COUNT_PEER_CONNECTIONS}
    )


def peer_connections(browser) -> int:
    """How many RTCPeerConnection objects the page and its iframes have made."""
    return int(browser.execute_script("return window.__peerConnections || 0;"))


def device_camera_state(browser, by, ec, wait) -> dict:
    """window.poseCamera of the on-device camera's iframe (its status, the delegate and model
    chosen, the frames sent, the states shown, the latencies)."""
    frame = wait(browser, 60).until(
        ec.presence_of_element_located((by.CSS_SELECTOR, DEVICE_CAMERA))
    )
    browser.switch_to.frame(frame)
    try:
        return browser.execute_script(
            "const s = window.poseCamera || {};"
            "const text = (id) => (document.getElementById(id) || {}).textContent;"
            "return Object.assign({}, s, {line: text('status'), engine: text('engine')});"
        )
    finally:
        browser.switch_to.default_content()


def start_device_camera(browser, by, ec, wait, log_path: Path, seconds: float = 240) -> dict:
    """Wait until the on-device camera streams landmarks to the coach (the model loaded and
    measured, the socket accepted); fail with what it says otherwise. Returns its state."""
    deadline = time.monotonic() + seconds
    while True:
        state = device_camera_state(browser, by, ec, wait)
        if state.get("status") == "streaming" and state.get("states", 0) > 0:
            return state
        if state.get("status") in ("failed", "camera-error") or time.monotonic() > deadline:
            pytest.fail(
                f"the on-device camera did not stream: {state.get('status')}: "
                f"{state.get('line')} (trials {state.get('trials')})\n"
                f"server log:\n{tail(log_path)}"
            )
        time.sleep(1.0)


def use_pose_place(place: str, browser, by, ec, wait) -> None:
    """Set the page's switch to `place` ("browser" or "server") if it is not there already:
    the switch is kept per user, so an earlier test's choice is what a page starts with."""
    switch = wait(browser, 60).until(
        ec.presence_of_element_located(
            (by.XPATH, f"//label[contains(., '{ON_DEVICE_SWITCH}')]//input[@role='switch']")
        )
    )
    if switch.is_selected() != (place == "browser"):
        # The switch's input is drawn hidden under its label: a click on the element itself.
        browser.execute_script("arguments[0].click();", switch)
    frame = "iframe[title*='webrtc']" if place == "server" else DEVICE_CAMERA
    wait(browser, 60).until(ec.presence_of_element_located((by.CSS_SELECTOR, frame)))


def use_server_path(browser, by, ec, wait) -> None:
    """Switch the page's camera to the server path (streamlit-webrtc)."""
    use_pose_place("server", browser, by, ec, wait)


def start_camera_on(place: str, browser, by, ec, wait, log_path: Path) -> None:
    """Start the page's camera on `place`: "browser" (the default) or "server"."""
    use_pose_place(place, browser, by, ec, wait)
    if place == "server":
        start_camera(browser, by, ec, wait)
    else:
        start_device_camera(browser, by, ec, wait, log_path)
