"""The app's shared resources, one per server process: the exercise library and the store;
and `or_stop`, which a page loads what it needs with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from coach.auth.access import LoginPolicy
from coach.core.errors import CoachError
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store

T = TypeVar("T")


def or_stop(load: Callable[[], T]) -> T:
    """What `load` returns, or its error (which names the file, the key and the fix) on the
    page and a stop."""
    try:
        return load()
    except CoachError as exc:
        st.error(str(exc))
        st.stop()  # NoReturn


@st.cache_resource
def load_library() -> ExerciseLibrary:
    """The exercise definitions (the shipped ones and those of $FORM_COACH_EXERCISES):
    read-only, so one copy serves every session."""
    return ExerciseLibrary.from_environment()


@st.cache_resource
def remove_leftovers() -> int:
    """Once per server process, at its start: delete the upload folders that servers no
    longer running left behind (a crash, a kill). Returns how many were deleted."""
    from coach_ui.analysis import remove_leftover_workdirs

    return len(remove_leftover_workdirs())


@st.cache_resource
def end_leftover_sessions() -> dict[str, int]:
    """Once per server process, at its start: end the live sessions a server that stopped
    without ending them left open (coach_ui.live_session), once nothing has been recorded
    in them for as long as a login may stay idle (so another server's session under way
    is left alone). Returns how many were kept as unfinished and how many removed."""
    return dict(open_store().end_leftover_sessions(LoginPolicy.from_env().idle))


@st.cache_resource
def open_store() -> Store:
    """One database handle per server process (a connection pool); rows are per session."""
    return Store()
