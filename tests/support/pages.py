"""The app's pages under Streamlit's AppTest: open a page signed in, with session state and
query parameters, and read back what it shows (its text, its charts).

The fixtures these tests share (a fresh store, the clinic, a webrtc component that renders
outside a browser) are in tests/ui/conftest.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from coach.auth.access import Login, Principal
from coach_ui.state import LOGIN_KEY
from tests.conftest import ROOT

PAGES = ROOT / "coach_ui" / "views"


def page(
    name: str,
    *,
    login: Principal | None = None,
    query: dict | None = None,
    state: dict | None = None,
) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=60)
    if login is not None:
        now = datetime.now(UTC)
        at.session_state[LOGIN_KEY] = Login(login, now, now)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = str(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


# A backslash before ASCII punctuation: CommonMark's escape (coach.core.markdown.literal).
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_read(markdown: str) -> str:
    """Markdown source as a reader sees its text: escapes resolved, kept spaces plain."""
    return _ESCAPE.sub(r"\1", markdown).replace("\u00a0", " ")


def everything_shown(at: AppTest) -> str:
    """The text of every element on the page, tables included, as a reader sees it (the
    escapes of user-written text resolved)."""
    parts = []
    for kind in (
        "title",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "metric",
        "subheader",
        "selectbox",
    ):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "label", "")))
            if kind == "selectbox":
                parts += [str(o) for o in element.options]
    parts += [table.value.to_string() for table in at.dataframe]
    parts += [str(chart.proto) for chart in charts(at)]
    return as_read("\n".join(parts))
