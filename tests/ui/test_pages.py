"""AppTest smoke tests of the router and of the home, library and live pages.

The live page's webrtc component cannot stream under AppTest; as the notes say, patching
`get_this_session_info` lets the page render. Streaming is tested in a real browser
(tests/e2e).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from coach.engine.results import Rep
from coach.exercise.loader import ExerciseLibrary
from coach_ui import resources
from tests.conftest import ROOT
from tests.support.pages import PAGES, everything_shown


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


def test_library_page_speaks_to_patients(library):
    """No file paths or developer pointers; the dose said once; measures in plain words."""
    at = run_page("library.py")
    text = "\n".join(m.value for m in at.markdown)
    for developer_word in ("exercises/", ".md", ".toml", "definition", "/ trunk length"):
        assert developer_word not in text
    for exercise in library:
        shown = next(m.value for m in at.markdown if exercise.instructions[0] in m.value)
        assert shown.count("Usual dose") == 1, exercise.id


def test_live_page_before_the_session_asks_exercise_plan_and_pain(fresh_store, webrtc_renders):
    at = run_page("live.py")
    assert [t.value for t in at.title] == ["Live coach"]
    assert at.selectbox[0].label == "Exercise"
    assert {n.label for n in at.number_input} >= {"Sets", "Repetitions per set"}
    pain = next(s for s in at.select_slider if "pain" in s.label)
    assert pain.value is None and pain.format_func(pain.value) == "Not rated"


def test_live_page_starts_a_session_in_the_store(fresh_store, webrtc_renders):
    at = run_page("live.py")
    next(s for s in at.select_slider if "pain" in s.label).set_value(4)
    next(b for b in at.button if b.label == "Start session").click().run()
    assert not at.exception, [e.value for e in at.exception]
    live = at.session_state["live_session"]
    summary = resources.open_store().summary(live.session_id)
    assert summary.exercise_id == "bicep_curl" and summary.pain_before == 4
    assert any("Waiting for the camera" in i.value for i in at.info)


def test_pain_not_rated_is_stored_as_null_not_zero(fresh_store, webrtc_renders):
    at = run_page("live.py")
    next(b for b in at.button if b.label == "Start session").click().run()
    live = at.session_state["live_session"]
    assert resources.open_store().summary(live.session_id).pain_before is None


def test_two_browser_sessions_get_their_own_coach(fresh_store, webrtc_renders):
    first, second = run_page("live.py"), run_page("live.py")
    for at in (first, second):
        next(b for b in at.button if b.label == "Start session").click().run()
    one, two = first.session_state["live_session"], second.session_state["live_session"]
    assert one.coach is not two.coach and one.session_id != two.session_id


def started_session() -> AppTest:
    """The live page holding a started session (the camera not yet on)."""
    started = run_page("live.py")
    next(b for b in started.button if b.label == "Start session").click().run()
    live = started.session_state["live_session"]
    # A second AppTest holding the started session: after the page's st.rerun() AppTest's
    # element tree keeps the set-up widgets (a browser clears them), and running it again
    # fails on their removed state.
    at = AppTest.from_file(str(PAGES / "live.py"), default_timeout=60)
    at.session_state["live_session"] = live
    at.run()
    return at


def session_with_a_rep() -> tuple[AppTest, object, object]:
    """The live page holding a started session with one rep saved."""
    at = started_session()
    live = at.session_state["live_session"]
    store = resources.open_store()
    store.start_set(live.session_id, 1)
    store.add_rep(live.session_id, 1, Rep(1, "both", 0.0, 1.0, 2.0, {}, False))
    return at, live, store


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_finishing_a_live_session_saves_pain_and_effort_and_shows_the_summary(
    fresh_store, webrtc_renders
):
    at, live, store = session_with_a_rep()
    next(s for s in at.select_slider if s.label == "How much pain do you have now?").set_value(3)
    next(s for s in at.select_slider if s.label.startswith("How hard")).set_value(5)
    click(at, "Finish and see my summary")
    summary = store.summary(live.session_id)
    assert (summary.pain_after, summary.effort_borg) == (3, 5.0)
    # The run the click caused already shows the summary (the form's callback saved first).
    labels = [b.label for b in at.button]
    assert live.finished and "Start another session" in labels
    assert "Finish and see my summary" not in labels


def test_ratings_left_unset_are_null_and_the_words_are_the_patients(fresh_store, webrtc_renders):
    at, live, store = session_with_a_rep()
    effort = next(s for s in at.select_slider if s.label.startswith("How hard"))
    assert effort.label == "How hard was that? 0-10" and effort.value is None
    click(at, "Finish and see my summary")
    summary = store.summary(live.session_id)
    assert (summary.pain_before, summary.pain_after, summary.effort_borg) == (None, None, None)
    shown = everything_shown(at)
    assert "Borg" not in shown and "frames/s" not in shown


@pytest.mark.parametrize(
    ("choice", "kept"),
    [
        ("Discard this session", False),
        ("Keep it in my record", True),
        ("Carry on exercising", None),
    ],
)
def test_a_session_with_nothing_counted_is_kept_only_if_the_patient_says_so(
    fresh_store, webrtc_renders, choice, kept
):
    at = started_session()
    live = at.session_state["live_session"]
    store = resources.open_store()
    patient = store.session_patient_id(live.session_id)
    click(at, "Finish and see my summary")
    assert not live.finished  # not yet: the page asks first
    assert any("No repetitions or hold time were counted" in w.value for w in at.warning)
    assert [s.id for s in store.sessions(patient)] == [live.session_id]
    click(at, choice)
    if kept is None:  # back to the session, nothing saved or deleted, the question gone
        assert not live.finished and at.session_state["live_session"] is live
        assert store.session(live.session_id).ended_at is None
        assert not any("No repetitions" in w.value for w in at.warning)
        return
    assert [s.id for s in store.sessions(patient)] == ([live.session_id] if kept else [])
    assert live.finished is kept
    if kept:
        assert store.session(live.session_id).ended_at is not None
    else:
        assert "live_session" not in at.session_state
        assert any("Session discarded" in i.value for i in at.info)


def test_discarding_a_session_asks_first_and_deletes_its_reps(fresh_store, webrtc_renders):
    at, live, store = session_with_a_rep()
    click(at, "Discard this session")
    assert store.rep_rows(live.session_id)  # nothing deleted before the confirmation
    click(at, "No, keep it")
    assert store.rep_rows(live.session_id)
    click(at, "Discard this session")
    assert any(w.value.startswith("Discard this session?") for w in at.warning)
    click(at, "Yes, discard it")
    assert store.rep_rows(live.session_id) == []
    patient_sessions = store.sessions(store.default_patient().id)
    assert live.session_id not in [s.id for s in patient_sessions]


def test_a_patient_stuck_getting_into_position_is_told_what_the_coach_expects(
    fresh_store, webrtc_renders, library
):
    """Nobody counted for a while (the wrong exercise, the wrong side to the camera): the
    page names the exercise, the camera view and the starting position."""
    at = started_session()
    live = at.session_state["live_session"]
    exercise = library.get(live.exercise_id)
    for t_s in (0.0, 0.5):
        live.coach.process_poses([], t_s, (640, 480))
    at.run()
    assert not any("Not started yet?" in i.value for i in at.info)
    live.coach.process_poses([], 20.0, (640, 480))
    at.run()
    (hint,) = [i.value for i in at.info if "Not started yet?" in i.value]
    assert exercise.name.lower() in hint and exercise.instructions[0] in hint
    assert " or ".join(exercise.views) in hint


def squat_session_through(sets: int, *, until_a_rep: bool = False):
    """A squat session of `sets` sets of 3 started on the Live coach page, the squat clip
    through its coach (up to its first rep, or all of it), and the page drawn again on it.
    Returns (the page, the live session, the stream's state after the last frame)."""
    from tests.support.live import RecordedEstimator

    started = run_page("live.py")
    choose = next(s for s in started.selectbox if s.label == "Exercise")
    choose.set_value("squat").run()
    next(n for n in started.number_input if n.label == "Sets").set_value(sets).run()
    next(n for n in started.number_input if n.label == "Repetitions per set").set_value(3).run()
    next(b for b in started.button if b.label == "Start session").click().run()
    live = started.session_state["live_session"]
    recording = RecordedEstimator("squat_side_studio").recording
    for t_s, poses in zip(recording.t_s, recording.frames(), strict=True):
        outcome = live.coach.process_poses(poses, float(t_s), recording.frame_wh)
        if until_a_rep and live.coach.snapshot().reps:
            break
    at = AppTest.from_file(str(PAGES / "live.py"), default_timeout=60)
    at.session_state["live_session"] = live
    at.run()
    return at, live, live.coach.stream_state(outcome)


def test_mid_set_the_panel_shows_the_sets_words_the_stream_carries(fresh_store, webrtc_renders):
    """The panel's progress text is the set's one text (`set_line`), the words the device
    camera and a watching physiotherapist get in the stream's state."""
    from coach.runtime.live import set_line

    at, live, state = squat_session_through(2, until_a_rep=True)
    texts = [p.proto.text for p in at.get("progress")]
    assert texts == [state["set"]["text"]] == ["Set 1 of 2: 1 of 3 repetitions"], texts
    assert texts[0] == set_line(live.coach.snapshot().guided, live.coach.plan)


def test_when_the_sets_are_done_the_panel_says_so_not_zero_of_three(fresh_store, webrtc_renders):
    """The squat clip through the started session's coach: after the set, the progress
    text and 'Reps this session' agree with what was counted and saved."""
    at, live, _ = squat_session_through(1)
    texts = [p.proto.text for p in at.get("progress")]
    assert texts == ["1 of 1 sets done"], texts
    reps = next(m for m in at.metric if m.label == "Reps this session")
    assert reps.value == "3" == str(resources.open_store().summary(live.session_id).reps)
    # The driving angle beside the video is the last rep's turn, a number that stays put:
    # the overlay shows the angle of every frame, which this panel would show late.
    last = live.coach.snapshot().reps[-1]
    turned = next(m for m in at.metric if m.label == "Knee bend, last rep")
    assert turned.value == f"{last.angles['knee_flexion'].at_turn_deg:.0f}°"
