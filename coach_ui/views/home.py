"""Start here: what Form Coach does, what to do first, and a demo that needs no webcam."""

from __future__ import annotations

import streamlit as st

from coach_ui import analysis, resources

st.title("Form Coach")
st.markdown(
    "Your home exercise coach. It watches you through the webcam while you do the exercises "
    "your physiotherapist gave you, counts your repetitions, times your holds, and gives "
    "you one short tip at a time, as a physio would. Nothing is filmed or stored: only "
    "the numbers (repetitions, angles, your pain ratings) are kept, on this computer."
)
st.markdown(
    """
**What to do first**

1. **Watch the demo** below: it needs no webcam, and shows what the coach sees.
2. Open **Live coach**, pick the exercise from your programme, and put the laptop 2 to 3
   metres away so your whole body is in view (side-on for most exercises). The coach tells
   you when it can see you properly, then counts.
3. No webcam, or filmed yourself on a phone? Use **Analyse a video**.
4. Browse the **Exercise library** for instructions and the usual dose of each exercise.
"""
)

st.subheader("Demo: a half squat, analysed")
samples = {p.name: p for p in analysis.list_samples()}
demo = samples.get(analysis.DEFAULT_SAMPLE)
if demo is None:
    st.info(
        "The demo clip is not installed on this computer. Try the coach in **Live coach**, "
        "or with a video of yourself in **Analyse a video**."
    )
    st.stop()
credit = analysis.sample_credits().get(demo.name)
if credit:
    st.caption(f"Clip: {credit}")
exercise = resources.or_stop(lambda: resources.load_library().get("squat"))
state = st.session_state
if "workdir" not in state:
    state.workdir = analysis.SessionWorkdir()
if st.button("Run the demo", type="primary") and "demo" not in state:
    digest = analysis.file_digest(demo.read_bytes())
    state.demo = analysis.analyse_with_progress(
        demo,
        exercise,
        mirrored=False,
        display_name=demo.name,
        annotated=state.workdir.annotated_path(digest, exercise.id, False),
    )
outcome = state.get("demo")
if outcome is not None:
    if outcome.error:
        st.error(outcome.error)
    else:
        analysis.show_result(outcome.result, exercise, outcome.video)
