"""The app's shared resources, one per server process: the exercise library and the store."""

from __future__ import annotations

import streamlit as st

from coach.exercise.loader import ExerciseLibrary
from coach.store import Store


@st.cache_resource
def load_library() -> ExerciseLibrary:
    """The exercise definitions: read-only, so one copy serves every session."""
    return ExerciseLibrary()


@st.cache_resource
def open_store() -> Store:
    """One database handle per server process (a connection pool); rows are per session."""
    return Store()
