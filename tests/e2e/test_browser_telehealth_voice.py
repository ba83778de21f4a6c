"""The voice of the server (WebRTC) path in a real Chromium: the speaker component, served
by Streamlit as the Live coach page embeds it, loads the voice the on-device camera speaks
with (coach_ui/components/shared/voice.js, served by the app under the component's
Content-Security-Policy) and says the physiotherapist's message once per message.

The component is opened on its own and given its arguments the way Streamlit gives them
(a streamlit:render message): no camera and no pose model are needed to hear what it says.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.support.browser import tail

pytestmark = pytest.mark.browser

SPEAKER = "/component/coach_ui.coaching.form_coach_speaker/index.html"
CUE = {"id": "cue-1", "text": "Knees out"}
MESSAGE = {"id": "message-1", "text": "Slower on the way down"}


def render(browser, utterances: list[dict], *, muted: bool = False) -> None:
    args = json.dumps({"utterances": utterances, "muted": muted})
    browser.execute_script(f"window.postMessage({{type: 'streamlit:render', args: {args}}}, '*');")


def spoken(browser) -> list[str]:
    return json.loads(browser.execute_script("return document.body.dataset.spoken || '[]';"))


def test_the_server_paths_voice_says_the_message_once(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, log_path = server
    browser.get(f"{url}/live")  # Streamlit serves a component once a page declared it
    WebDriverWait(browser, 90).until(
        lambda b: b.find_elements(By.XPATH, "//button[normalize-space(.)='Start session']")
    )
    try:
        with urllib.request.urlopen(f"{url}{SPEAKER}", timeout=30) as answer:
            assert answer.status == 200
    except urllib.error.HTTPError as exc:
        pytest.fail(f"no speaker component at {SPEAKER} ({exc})\n{tail(log_path)}")
    browser.get(f"{url}{SPEAKER}")
    loaded = WebDriverWait(browser, 30).until(
        lambda b: b.execute_script(
            "return typeof window.FormCoachVoice === 'function' && document.readyState === "
            "'complete';"
        )
    )
    assert loaded, "the shared voice script did not load under the component's policy"
    if not browser.execute_script("return 'speechSynthesis' in window;"):
        pytest.skip("this Chromium has no speech synthesis")

    render(browser, [CUE])  # the voice is off: nothing is said, nor later
    browser.find_element(By.ID, "toggle").click()
    WebDriverWait(browser, 10).until(lambda b: spoken(b) == ["Voice on"])
    render(browser, [CUE, MESSAGE])
    WebDriverWait(browser, 10).until(lambda b: len(spoken(b)) == 2)
    render(browser, [CUE, MESSAGE])  # the same message again: not said twice
    render(browser, [{"id": "message-2", "text": MESSAGE["text"]}])  # sent again: said
    WebDriverWait(browser, 10).until(lambda b: len(spoken(b)) == 3)
    assert spoken(browser) == ["Voice on", MESSAGE["text"], MESSAGE["text"]]
    render(browser, [{"id": "message-3", "text": "Muted"}], muted=True)
    render(browser, [{"id": "message-3", "text": "Muted"}])  # unmuted: not said late
    render(browser, [{"id": "cue-2", "text": "Good"}])
    WebDriverWait(browser, 10).until(lambda b: len(spoken(b)) == 4)
    assert spoken(browser)[-1] == "Good"
