"""The on-device pose model runs in a Web Worker (coach_ui/components/pose_camera/
pose_worker.js), in a real headless Chromium: the page's own thread never loads the model,
the worker stays under the page's Content-Security-Policy, and the page shows the model and
delegate its speed test chose, with why."""

from __future__ import annotations

import pytest

from tests.conftest import shared_clip
from tests.support.browser import DEVICE_CAMERA, start_device_camera, y4m_from

pytestmark = pytest.mark.browser

MIN_FPS = 15  # pose_camera.js: below this, full gives way to lite

# In the component's frame: which files the page's own thread fetched.
PAGE_RESOURCES = "return performance.getEntriesByType('resource').map((e) => e.name);"

# In the component's frame: a worker made as pose_camera.js makes its own (from a blob:
# URL) tries to reach another host; it reports the CSP violation or the fetch's outcome.
WORKER_UNDER_CSP = """
const done = arguments[arguments.length - 1];
const code = `
  self.addEventListener("securitypolicyviolation",
                        (e) => postMessage("violation " + e.violatedDirective));
  fetch("http://192.0.2.1/usage").then(() => postMessage("fetched"),
                                       (e) => setTimeout(() => postMessage("failed " + e), 500));
`;
const worker = new Worker(URL.createObjectURL(new Blob([code], {type: "text/javascript"})));
worker.onmessage = (e) => { worker.terminate(); done(e.data); };
setTimeout(() => done("no answer"), 10000);
"""


@pytest.fixture(scope="module")
def squat_camera(tmp_path_factory):
    clip = shared_clip("squat_side_studio.mp4")
    target = tmp_path_factory.mktemp("camera") / "squat.y4m"
    return y4m_from(["-i", str(clip), "-vf", "scale=480:270,fps=15"], target)


def test_the_model_runs_in_a_worker_and_the_page_shows_what_it_chose_and_why(
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
    print({k: state.get(k) for k in ("choice", "trials", "engine", "dropped")})  # pytest -s

    # The landmarks came from the worker (its own timing of the model), and the page's
    # thread fetched neither the MediaPipe bundle, its WebAssembly nor a model.
    assert state["worker"] is True and len(state["detect_ms"]) > 0, state
    assert state["seen"] > 0, state  # and they are somebody's
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, DEVICE_CAMERA))
    fetched = browser.execute_script(PAGE_RESOURCES)
    assert any(name.endswith("pose_worker.js") for name in fetched), fetched
    assert not [n for n in fetched if "tasks-vision" in n or n.endswith(".task")], fetched
    # A worker made that way is under the page's policy: another host is refused.
    assert browser.execute_async_script(WORKER_UNDER_CSP).startswith("violation connect-src")
    browser.switch_to.default_content()

    choice, trials = state["choice"], state["trials"]
    assert choice["delegate"] == "CPU", trials  # no GPU here: software GL is far too slow
    assert state["engine"].startswith(
        f"Pose model on this device: CPU, {choice['model']} model, "
    ), state["engine"]
    full_cpu = next(t for t in trials if t["delegate"] == "CPU" and t["model"] == "full")
    if choice["model"] == "lite":  # only when full was too slow, and the page says so
        assert full_cpu["fps"] < MIN_FPS, trials
        assert f"full on CPU {full_cpu['fps']:.1f} frames/s" in state["engine"]
    else:
        assert full_cpu["fps"] >= MIN_FPS or choice["fps"] >= full_cpu["fps"], trials
    assert state["why"] and state["why"] in state["engine"]
