"""The set replay component in a real browser: its page opened on its own and given a
set's data as Streamlit would send it; the skeleton is drawn, a rep button jumps the
cursor to the rep, Play moves the cursor on at the chosen speed. (The Session page's
AppTests check what the page sends it.)"""

from __future__ import annotations

import json

import pytest

from coach.reports.review import SetReplay
from coach.runtime.analysis import replay_poses
from coach_ui.replay_view import FaultMark, RepMark, replay_json
from tests.support.component_pages import serving_component
from tests.support.landmark_sets import patient_set


def squat_set_data(library) -> dict:
    recording = patient_set("squat_side_studio")
    result = replay_poses(recording, library.get("squat"), source="fixture")
    replay = SetReplay(1, 1, recording, None, result)
    marks = [
        RepMark(f"Rep {r.index}", r.start_s, r.turn_s, r.end_s, r.partial) for r in result.reps
    ]
    faults = [FaultMark(f.t_s, f.cue, f.severity) for r in result.reps for f in r.faults]
    return json.loads(replay_json(replay, "knee_flexion", "Knee bend", marks, faults))


@pytest.fixture(scope="module")
def replay_page():
    """The component's page as the app serves it (it loads the shared skeleton script)."""
    with serving_component("skeleton_replay") as url:
        yield url


def test_the_replay_draws_jumps_to_a_rep_and_plays_at_the_chosen_speed(
    browser, library, replay_page
):
    data = squat_set_data(library)
    browser.get(replay_page)
    browser.execute_script(
        "window.postMessage({type: 'streamlit:render', args: {replay: arguments[0]}}, '*');",
        json.dumps(data),
    )
    body = lambda key: browser.execute_script(f"return document.body.dataset.{key};")  # noqa: E731
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda _: body("frame") is not None)
    assert body("frame") == "0"
    drawn = browser.execute_script(
        "const c = document.getElementById('skeleton');"
        "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; } return n;"
    )
    assert drawn > 200, "the skeleton is drawn"
    buttons = browser.find_elements("css selector", "#reps button")
    assert [b.text for b in buttons] == [r["label"] for r in data["reps"]]
    buttons[2].click()
    cursor = int(body("cursorMs"))
    start = data["reps"][2]["start"]
    assert start - 100 <= cursor <= start, "the cursor jumped to rep 3"
    browser.find_element("css selector", "button[data-speed='2']").click()
    assert body("speed") == "2"
    browser.find_element("id", "play").click()
    browser.execute_script("return new Promise(r => setTimeout(r, 1000));")
    moved = int(body("cursorMs")) - cursor
    assert moved > 1200, f"2x speed: {moved} ms of the set in a second"
