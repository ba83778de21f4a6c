"""Flash messages: a line ("Plan saved.", or what went wrong) shown on the page's next run;
and `save_and_rerun`, the way a page makes a change to the store and says it did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import streamlit as st

from coach.core.errors import CoachError
from coach_ui import state

FlashKind = Literal["success", "info", "error"]


def flash(message: str, kind: FlashKind = "success") -> None:
    """A message that survives the rerun after a change (or is set in a widget's callback,
    before the run that shows it)."""
    st.session_state[state.FLASH_KEY] = (kind, message)


def show_flash() -> None:
    """Show the message kept by `flash`, once, where this is called."""
    flashed: tuple[FlashKind, str] | None = st.session_state.pop(state.FLASH_KEY, None)
    if flashed:
        kind, message = flashed
        {"success": st.success, "info": st.info, "error": st.error}[kind](message)


def save_and_rerun(change: Callable[[], object], message: str | None = None) -> None:
    """Make `change` (a write to the store). If it is refused (a CoachError, which says
    why), show why here and go on; otherwise run the page again, with `message` flashed."""
    try:
        change()
    except CoachError as exc:
        st.error(str(exc))
    else:
        if message is not None:
            flash(message)
        st.rerun()
