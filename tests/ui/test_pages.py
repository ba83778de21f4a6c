"""AppTest smoke tests of the router and of the home, library and live pages.

The live page's webrtc component cannot stream under AppTest; as the notes say, patching
`get_this_session_info` lets the page render. Streaming is tested in a real browser
(tests/e2e).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from coach.exercise.loader import ExerciseLibrary
from coach_ui import resources
from tests.conftest import ROOT
from tests.support.pages import PAGES


def run_page(name: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    """Each test gets its own database (the store is a process-wide cached resource)."""
    monkeypatch.setenv("FORM_COACH_DATABASE_URL", f"sqlite:///{tmp_path / 'coach.db'}")
    resources.open_store.clear()
    yield
    resources.open_store.clear()


def test_router_opens_on_the_start_page():
    at = AppTest.from_file(str(ROOT / "coach_ui" / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Form Coach"]


def test_home_page_says_what_to_do_first_and_offers_the_demo():
    at = run_page("home.py")
    assert any("What to do first" in m.value for m in at.markdown)
    assert [b.label for b in at.button] == ["Run the demo"]


def test_home_page_without_the_demo_clip_points_to_the_other_pages(monkeypatch, tmp_path):
    """An installed app has no sample clips: the page says where to go instead."""
    from coach_ui import analysis

    monkeypatch.setattr(analysis, "SAMPLE_DIR", tmp_path)
    at = run_page("home.py")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.button
    assert any("Live coach" in box.value for box in at.info)


def test_library_page_lists_every_exercise_and_filters():
    at = run_page("library.py")
    names = [e.label for e in at.expander]
    assert len(names) == len(ExerciseLibrary())
    at.text_input[0].set_value("back").run()
    filtered = [e.label for e in at.expander]
    assert 0 < len(filtered) < len(names)
    assert any("Plank" in label for label in filtered)


def test_live_page_before_the_session_asks_exercise_plan_and_pain(fresh_store, webrtc_renders):
    at = run_page("live.py")
    assert [t.value for t in at.title] == ["Live coach"]
    assert at.selectbox[0].label == "Exercise"
    assert {n.label for n in at.number_input} >= {"Sets", "Repetitions per set"}
    assert any("pain" in s.label for s in at.slider)


def test_live_page_starts_a_session_in_the_store(fresh_store, webrtc_renders):
    at = run_page("live.py")
    at.slider[0].set_value(4)
    next(b for b in at.button if b.label == "Start session").click().run()
    assert not at.exception, [e.value for e in at.exception]
    live = at.session_state["live_session"]
    summary = resources.open_store().summary(live.session_id)
    assert summary.exercise_id == "bicep_curl" and summary.pain_before == 4
    assert any("Waiting for the camera" in i.value for i in at.info)


def test_two_browser_sessions_get_their_own_coach(fresh_store, webrtc_renders):
    first, second = run_page("live.py"), run_page("live.py")
    for at in (first, second):
        next(b for b in at.button if b.label == "Start session").click().run()
    one, two = first.session_state["live_session"], second.session_state["live_session"]
    assert one.coach is not two.coach and one.session_id != two.session_id


def test_finishing_a_live_session_saves_pain_and_effort_and_shows_the_summary(
    fresh_store, webrtc_renders
):
    started = run_page("live.py")
    next(b for b in started.button if b.label == "Start session").click().run()
    live = started.session_state["live_session"]
    # A second AppTest holding the started session: after the page's st.rerun() AppTest's
    # element tree keeps the set-up widgets (a browser clears them), and running it again
    # fails on their removed state.
    at = AppTest.from_file(str(PAGES / "live.py"), default_timeout=60)
    at.session_state["live_session"] = live
    at.run()
    next(s for s in at.slider if s.label == "How much pain do you have now?").set_value(3)
    next(s for s in at.select_slider if s.label.startswith("How hard")).set_value(5)
    next(b for b in at.button if b.label == "Finish and see my summary").click().run()
    assert not at.exception, [e.value for e in at.exception]
    summary = resources.open_store().summary(live.session_id)
    assert (summary.pain_after, summary.effort_borg) == (3, 5.0)
    # The run the click caused already shows the summary (the form's callback saved first).
    labels = [b.label for b in at.button]
    assert live.finished and "Start another session" in labels
    assert "Finish and see my summary" not in labels
