"""Where a live page runs the pose model (coach_ui/camera.py): in the browser by default,
on the server as a setting and when the browser cannot, with the reason shown.

The posture page stands for the three live pages (they share `camera.live_camera`); what
the browser does is tested in a real browser (tests/e2e/test_browser_pose_on_device.py).
"""

from __future__ import annotations

import pytest

from coach_ui import camera, web_package
from tests.support.pages import page
from tests.support.web import tasks_vision_only


def infos(at) -> list[str]:
    return [i.value for i in at.info]


def test_the_pose_model_runs_in_the_browser_by_default_and_the_page_says_no_video_leaves(
    store, webrtc_renders
):
    at = page("posture.py")
    assert at.toggle[0].label == camera.ON_DEVICE_LABEL and at.toggle[0].value is True
    assert any(c.value == camera.PRIVACY_NOTE for c in at.caption)
    assert not any("runs on the server" in text for text in infos(at))


def test_without_the_web_package_the_server_runs_it_and_the_page_says_why(
    store, webrtc_renders, tmp_path, monkeypatch
):
    monkeypatch.setenv(web_package.WEB_DIR_ENV, str(tmp_path))
    at = page("posture.py")
    (why,) = [text for text in infos(at) if "runs on the server" in text]
    assert "no copy of the browser's pose model code" in why and "make web" in why
    assert not any(c.value == camera.PRIVACY_NOTE for c in at.caption)


def test_a_browser_that_failed_falls_back_with_its_reason_and_may_try_again(store, webrtc_renders):
    reason = "the pose model did not start in this browser (CPU full: no WebAssembly)"
    at = page("posture.py", state={camera.BROWSER_FAILED_KEY: reason})
    assert any(reason in text for text in infos(at))
    (again,) = [b for b in at.button if b.label == "Try this device again"]
    again.click().run()
    assert camera.BROWSER_FAILED_KEY not in at.session_state
    assert at.session_state[camera.ATTEMPT_KEY] == 1  # a fresh component, not the failed one
    assert any(c.value == camera.PRIVACY_NOTE for c in at.caption)


def test_the_setting_puts_it_on_the_server_and_the_switch_brings_it_back(
    store, webrtc_renders, monkeypatch
):
    monkeypatch.setenv(camera.POSE_PLACE_ENV, "server")
    at = page("posture.py")
    assert at.toggle[0].value is False
    assert not any(c.value == camera.PRIVACY_NOTE for c in at.caption)
    at.toggle[0].set_value(True).run()
    assert any(c.value == camera.PRIVACY_NOTE for c in at.caption)


def test_a_bad_setting_is_an_error_naming_it(store, webrtc_renders, monkeypatch):
    monkeypatch.setenv(camera.POSE_PLACE_ENV, "gpu")
    at = page("posture.py")
    assert any(camera.POSE_PLACE_ENV in e.value and "browser, server" in e.value for e in at.error)


@pytest.mark.parametrize("value", ["", "browser", " Browser "])
def test_the_default_place_is_the_browser(monkeypatch, value):
    monkeypatch.setenv(camera.POSE_PLACE_ENV, value)
    assert camera.pose_place_default() == "browser"


def test_the_switch_is_kept_for_the_user_on_the_next_page_and_in_a_new_tab(store, webrtc_renders):
    """Each AppTest is a new browser session (a new tab, or the page left and opened
    again: Streamlit forgets a widget's value once a page without it runs)."""
    at = page("posture.py")
    at.toggle[0].set_value(False).run()
    assert not any(c.value == camera.PRIVACY_NOTE for c in at.caption)
    again = page("posture.py")
    assert again.toggle[0].value is False
    assert not any(c.value == camera.PRIVACY_NOTE for c in again.caption)
    again.toggle[0].set_value(True).run()
    assert page("posture.py").toggle[0].value is True


@pytest.mark.parametrize(
    ("value", "models"),
    [("", ["full", "lite"]), ("lite", ["lite"]), (" Full , lite ", ["full", "lite"])],
)
def test_the_browser_s_models_are_a_setting(monkeypatch, value, models):
    monkeypatch.setenv(camera.BROWSER_MODELS_ENV, value)
    assert camera.browser_models() == models


@pytest.mark.parametrize("value", ["heavy", "full,medium", ","])
def test_a_bad_model_setting_names_it_and_the_values(monkeypatch, value):
    monkeypatch.setenv(camera.BROWSER_MODELS_ENV, value)
    with pytest.raises(camera.CoachError, match=camera.BROWSER_MODELS_ENV + ".*full, lite"):
        camera.browser_models()


def test_without_the_pose_package_the_browser_gets_no_lite_model(tmp_path, monkeypatch):
    monkeypatch.setenv(web_package.WEB_DIR_ENV, str(tmp_path))
    assert camera.lite_model_url() is None


def test_the_lite_model_alone_without_its_package_puts_it_on_the_server_and_says_why(
    store, webrtc_renders, tmp_path, monkeypatch
):
    """tasks-vision installed, @mediapipe/pose (the lite model) not: with the lite model
    asked for alone, the browser's speed test would have nothing to try."""
    tasks_vision_only(tmp_path, monkeypatch)
    monkeypatch.setenv(camera.BROWSER_MODELS_ENV, "lite")
    (why,) = [text for text in infos(page("posture.py")) if "runs on the server" in text]
    assert camera.BROWSER_MODELS_ENV in why and "make web" in why
    monkeypatch.setenv(camera.BROWSER_MODELS_ENV, "full,lite")
    assert not any("runs on the server" in text for text in infos(page("posture.py")))
