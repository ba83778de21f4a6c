"""Fixtures of the hostile-input suite: a webrtc component that renders outside a browser
(the live, assessment and posture pages), as in tests/ui/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def webrtc_renders(monkeypatch):
    import streamlit_webrtc.component as component

    monkeypatch.setattr(component, "get_this_session_info", lambda: None)
