"""A 0-10 rating a person gives (pain, effort, a goal's score) that starts unset.

A slider that starts at 0 or 5 stores a number the person never gave when they skip it;
this one starts at "Not rated", which the store keeps as NULL.
"""

from __future__ import annotations

import streamlit as st

NOT_RATED = "Not rated"


def rating(label: str, scale: dict[float, str] | None = None, *, key: str, help: str) -> None:
    """A 0-10 rating whose value in `st.session_state[key]` stays None ("Not rated") until
    it is moved. `scale` words the values (default: the numbers 0-10)."""
    words = scale or {value: str(value) for value in range(11)}
    st.select_slider(
        label,
        options=[None, *words],
        value=None,
        format_func=lambda value: NOT_RATED if value is None else words[value],
        key=key,
        help=help,
    )
