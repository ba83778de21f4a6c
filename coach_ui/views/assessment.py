"""Assessment with the webcam: a range-of-motion measurement or a functional test, its
result saved for the patient and compared with the last one.

Wiring only, as the live coach page: the frame callback runs on streamlit-webrtc's worker
thread and calls only `AssessmentSession.process_frames`; the page reads its snapshot in a
fragment. Each browser session has its own AssessmentSession (in `st.session_state`).
"""

from __future__ import annotations

import streamlit as st

from coach.assessment.chair_stand import AGE_RANGE, age_on
from coach.assessment.live import AssessmentSession
from coach.assessment.summary import TEST_LABELS, previous_value, result_text
from coach.assessment.tasks import NOT_MEASURED, ChairStandTask, RomTask, StanceTask, TugTask
from coach.core.errors import CoachError
from coach_ui import assessment as al
from coach_ui import auth, camera, pickers
from coach_ui.state import today

KEY = al.RUNNING_KEY
TESTS = {
    "chair_stand_30s": "Sit on a firm chair without arms, its back against a wall, side-on "
    "(or facing) the camera 2-3 m away. Cross your arms on your chest. After the countdown, "
    "stand up fully and sit down again as many times as you can in 30 seconds.",
    "timed_up_and_go": "Put a chair side-on to the camera and mark a line on the floor 3 m in "
    "front of it. Sit back in the chair. When you are ready, stand up, walk to the line at "
    "your normal pace, turn, walk back and sit down. Use your usual walking aid.",
    "single_leg_stance": "Face the camera, 2-3 m away, next to a chair back you can grab. "
    "Put your hands on your hips, then lift one foot off the floor and balance for as long "
    "as you can (eyes open). The time stops when the foot touches down or a hand leaves "
    "the hip. Then do the other leg.",
}


state = st.session_state
store, library, principal = auth.open_all()
measures = al.measures()

st.title("Assessment")
patient = pickers.choose_patient(store, principal)
history = store.assessments(patient.id)
running: al.Running | None = state.get(KEY)

# ---- 1. choose what to measure ---------------------------------------------------------------
if running is None:
    st.write(
        "Measure how far a joint moves (a camera goniometer) or do a standard test of "
        "strength and balance. Results are saved for the physiotherapist and shown on "
        "the progress page."
    )
    what = st.radio("What to do", ["Range of motion", "Functional test"], horizontal=True)
    if what == "Range of motion":
        measure_id = st.selectbox(
            "Measure",
            list(measures),
            key="assessment_measure",
            format_func=lambda m: measures[m].label,
        )
        measure = measures[measure_id]
        view = "side-on to the camera" if measure.view == "side" else "facing the camera"
        st.info(f"**How to stand ({view})**: {measure.how}")
        st.caption(
            f"Normal adult range: {measure.normal_range[0]:g}-"
            f"{measure.normal_range[1]:g}° ({measure.source})."
        )
        sides = ("left", "right") if measure.sided else (None,)
        last = [(side, previous_value(history, "rom", measure_id, side)) for side in sides]
        shown = [f"{side or 'value'} {value:g}°" for side, value in last if value is not None]
        if shown:
            st.caption("Last measured: " + ", ".join(shown))
        task, kind, label = RomTask(measure), "rom", measure.label
    else:
        kind = st.selectbox("Test", list(TESTS), key="assessment_test", format_func=TEST_LABELS.get)
        st.info(TESTS[kind])
        label = TEST_LABELS[kind]
        if kind == "chair_stand_30s":
            age_col, sex_col = st.columns(2)
            age = age_col.number_input(
                "Age (years)", *AGE_RANGE, age_on(patient.date_of_birth, today())
            )
            sex = sex_col.selectbox("Sex (for the CDC STEADI norms)", ["female", "male"])
            task = ChairStandTask(int(age), sex)
        else:
            task = TugTask() if kind == "timed_up_and_go" else StanceTask()
    if st.button("Start", type="primary"):
        measure_key = measure_id if kind == "rom" else None
        state[KEY] = al.Running(AssessmentSession(task), kind, measure_key, label)
        st.rerun()
    st.stop()

# ---- 2. the measurement: camera, live read-out, save -----------------------------------------
session = running.session


async def frames_callback(frames: list) -> list:
    """Runs on the webrtc worker thread: no st.* here, only this session's assessment."""
    return session.process_frames(frames)


st.caption(
    f"{running.label}: allow the camera (on the server path, press **Start** below the "
    "video first)."
)
video_col, panel_col = st.columns([3, 2])
with video_col:
    camera.live_camera(
        f"assessment-{id(session)}",
        session,
        patient_id=patient.id,
        frames_callback=frames_callback,
        mirror=False,
    )


@st.fragment(run_every=0.5)
def read_out() -> None:
    status = session.snapshot().status
    if status is None:
        camera.show_waiting()
        return
    st.markdown(f"#### {status.lines[0]}")
    for line in status.lines[1:]:
        st.markdown(line)
    if status.message:
        (st.success if status.done else st.warning)(status.message)
    if status.results:
        st.caption(
            "Ready to save: "
            + ", ".join(f"{r.side or ''} {r.value:g}".strip() for r in status.results)
        )


with panel_col:
    read_out()
    if st.button("Save the result", type="primary"):
        status = session.snapshot().status
        results = status.results if status is not None else ()
        if not results:
            st.warning(
                f"{NOT_MEASURED} (or finish the test), then save."
                if running.kind == "rom"
                else "Nothing measured yet: finish the test, then save."
            )
        else:
            fresh = [r for r in results if r not in running.stored]
            try:
                for result in fresh:
                    before = previous_value(history, result.kind, result.measure, result.side)
                    store.add_assessment(patient.id, **result.fields())
                    running.stored.append(result)
                    running.saved.append(result_text(result, running.label, before))
            except CoachError as exc:
                st.error(str(exc))
            if not fresh:
                st.info("Already saved. Hold a new limit to measure again.")
    for line in running.saved:
        st.success(f"Saved: {line}")
    # A callback, not st.rerun(): a tick of the timed read-out at that moment would turn
    # Streamlit's pending full rerun into a read-out-only one. The stream stops with the
    # page's next run and releases the model.
    st.button("Measure something else", on_click=al.stop_running)
