"""AppTests of the Assessment page and the assessment trends on Patient progress.

The webrtc component cannot stream under AppTest (patched to render, as for the live
page); a session fed with a recorded clip's poses stands in for the camera, so saving is
tested here and streaming in a real browser (tests/e2e/test_browser_assessment.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coach.assessment import load_measures
from coach.assessment.live import AssessmentSession
from coach.assessment.tasks import RomTask
from coach.auth.access import Principal
from coach_ui.assessment import RUNNING_KEY, Running
from tests.support.live import RecordedEstimator, play
from tests.support.pages import charts, page

KEY = RUNNING_KEY


def test_assessment_page_explains_each_measure_with_its_normal_range_and_last_value(
    store, webrtc_renders
):
    patient = store.default_patient()
    store.add_assessment(
        patient.id, kind="rom", measure="knee_flexion", value=104.0, unit="deg", side="left"
    )
    at = page("assessment.py")
    assert [t.value for t in at.title] == ["Assessment"]
    assert at.radio[0].value == "Range of motion"
    measure = next(s for s in at.selectbox if s.label == "Measure")
    assert len(measure.options) == len(load_measures())
    measure.set_value("knee_flexion").run()
    assert any("How to stand (side-on to the camera)" in i.value for i in at.info)
    assert any("Normal adult range: 0-130°" in c.value for c in at.caption)
    assert any("Last measured: left 104°" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    running = at.session_state[KEY]
    assert (running.kind, running.measure) == ("rom", "knee_flexion")
    assert any("Waiting for the camera" in i.value for i in at.info)


def test_functional_tests_ask_what_their_norms_need(store, webrtc_renders):
    at = page("assessment.py")
    at.radio[0].set_value("Functional test").run()
    test = next(s for s in at.selectbox if s.label == "Test")
    assert set(test.options) >= {"30-second chair stand (full stands)", "Timed Up and Go (s)"}
    test.set_value("chair_stand_30s").run()
    assert {n.label for n in at.number_input} == {"Age (years)"}
    assert any("STEADI" in s.label for s in at.selectbox)
    next(b for b in at.button if b.label == "Start").click().run()
    assert at.session_state[KEY].kind == "chair_stand_30s"
    assert any("Waiting for the camera" in i.value for i in at.info)


def measured_session() -> AssessmentSession:
    """A knee flexion measurement run on the recorded glute bridge clip (side-on, knees
    bent about 110 degrees), as if the webcam had shown it."""
    estimator = RecordedEstimator("glute_bridge_side")
    session = AssessmentSession(
        RomTask(load_measures()["knee_flexion"]), estimator_factory=lambda: estimator
    )
    play(session, estimator.recording)
    return session


def test_saving_a_measurement_stores_it_and_compares_with_the_last(store, webrtc_renders):
    patient = store.default_patient()
    store.add_assessment(
        patient.id,
        kind="rom",
        measure="knee_flexion",
        value=100.0,
        unit="deg",
        side="left",
        taken_at=datetime.now(UTC) - timedelta(days=14),
    )
    running = Running(measured_session(), "rom", "knee_flexion", "Knee flexion")
    at = page("assessment.py", state={KEY: running})
    assert any(m.value.startswith("#### Knee flexion") for m in at.markdown)
    next(b for b in at.button if b.label == "Save the result").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = store.assessments(patient.id, kind="rom", measure="knee_flexion")
    assert len(saved) == 2 and saved[-1].side == "left" and 95 <= saved[-1].value <= 130
    assert saved[-1].details["jitter_deg"] < 2.0
    text = next(s.value for s in at.success if s.value.startswith("Saved:"))
    assert "normal adult range 0-130 deg" in text and "last time 100" in text
    next(b for b in at.button if b.label == "Save the result").click().run()
    assert any("Already saved" in i.value for i in at.info)
    assert len(store.assessments(patient.id, kind="rom")) == 2


def test_measure_something_else_goes_back_to_the_choice(store, webrtc_renders):
    running = Running(measured_session(), "rom", "knee_flexion", "Knee flexion")
    at = page("assessment.py", state={KEY: running})
    next(b for b in at.button if b.label == "Measure something else").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert KEY not in at.session_state and any(b.label == "Start" for b in at.button)


def test_saving_before_anything_is_measured_says_what_to_do(store, webrtc_renders):
    fresh = AssessmentSession(RomTask(load_measures()["knee_flexion"]))  # no frames yet
    at = page("assessment.py", state={KEY: Running(fresh, "rom", "knee_flexion", "Knee")})
    next(b for b in at.button if b.label == "Save the result").click().run()
    assert any("Nothing measured yet" in w.value for w in at.warning)
    assert store.assessments(store.default_patient().id) == []


def test_a_clinician_cannot_assess_another_clinicians_patient(clinic, webrtc_renders):
    ann = Principal("clinician", "Ann Physio", clinician_id=clinic["ann"])
    at = page("assessment.py", login=ann, query={"patient": clinic["cy"].patient_id})
    assert any("no patient" in e.value for e in at.error)
    assert not at.button


def test_progress_page_trends_assessments_against_range_and_thresholds(store):
    patient = store.default_patient()
    now = datetime.now(UTC)
    for weeks, (knee, stands, tug) in enumerate([(95.0, 9, 13.5), (110.0, 12, 10.2)]):
        when = now - timedelta(weeks=4 - 3 * weeks)
        store.add_assessment(
            patient.id,
            kind="rom",
            measure="knee_flexion",
            value=knee,
            unit="deg",
            side="right",
            taken_at=when,
        )
        store.add_assessment(
            patient.id,
            kind="chair_stand_30s",
            measure="stands",
            value=stands,
            unit="{stands}",
            taken_at=when,
            details={"norm_below": 11},
        )
        store.add_assessment(
            patient.id, kind="timed_up_and_go", measure="time", value=tug, unit="s", taken_at=when
        )
    at = page("progress.py")
    assert any(h.value == "Assessments" for h in at.subheader)
    specs = " | ".join(str(c.proto) for c in charts(at))
    for text in (
        "Knee flexion",
        "normal adult range 0-130",
        "30-second chair stand",
        "below 11: below average",
        "Timed Up and Go",
        "12 s: higher fall risk",
    ):
        assert text in specs, text


def test_progress_page_without_assessments_says_where_to_measure(store):
    at = page("progress.py")
    assert any("measure on the **Assessment** page" in c.value for c in at.caption)
