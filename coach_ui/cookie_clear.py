"""Clearing a sign-in cookie whose session has ended (components/cookie_clear).

The session cookie is HttpOnly: a Streamlit script cannot delete it, and neither can the
page's JavaScript. Its session is already ended on the server when a user signs out with
the sidebar's button (or in another tab, or times out), so the cookie opens nothing; but it
should not stay in the browser either. This tiny component posts to the sign-out route,
whose answer deletes it.

Its own module, imported when a page runs: a component declared while the server starts
is never registered with the runtime (see coach_ui/upload_control.py).
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from coach.auth.tokens import token_digest
from coach_ui.routes import SIGN_OUT_PATH

_cookie_clear = components.declare_component(
    "form_coach_cookie_clear",
    path=str(Path(__file__).parent / "components" / "cookie_clear"),
)


def clear_ended_cookie(token: str) -> None:
    """Have the browser post once to the sign-out route with the digest of `token`, the
    cookie this page was opened with and whose session has ended: the route deletes that
    cookie, and leaves a newer one (signed in again in another tab) alone. Renders nothing
    visible."""
    _cookie_clear(
        path=SIGN_OUT_PATH, ended=token_digest(token), key="form_coach_cookie_clear", default=None
    )
