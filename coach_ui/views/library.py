"""The exercise library: every definition with its instructions, camera view, dose and tips."""

from __future__ import annotations

import streamlit as st

from coach_ui import analysis, resources

st.title("Exercise library")
library = resources.or_stop(resources.load_library)
st.write(f"{len(library)} exercises, each with how to do it, the camera view and the usual dose.")
query = st.text_input("Search", placeholder="e.g. knee, back, shoulder").strip().lower()
for exercise in library:
    text = " ".join(
        [exercise.name, exercise.summary, exercise.purpose, *exercise.conditions]
    ).lower()
    if query and query not in text:
        continue
    with st.expander(f"**{exercise.name}**: {exercise.summary}"):
        st.markdown(analysis.exercise_markdown(exercise))
