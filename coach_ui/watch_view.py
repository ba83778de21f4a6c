"""The Live sessions page's watch component (coach_ui/components/live_watch): a shared
session's frames over the watch socket, drawn in the clinician's browser."""

from __future__ import annotations

from importlib import resources

import streamlit.components.v1 as components

from coach_ui.routes import WATCH_PATH

_component = components.declare_component(
    "form_coach_live_watch",
    path=str(resources.files("coach_ui") / "components" / "live_watch"),
)


def live_watch(*, token: str, edges: list[list[int]], joints: list[int], key: str) -> None:
    """The watch: connects with `token` (coach_ui.rooms.watch_token) to `WATCH_PATH` once
    per token, draws the skeleton from `edges` between `joints`, and shows the read-out."""
    _component(token=token, watch_path=WATCH_PATH, edges=edges, joints=joints, key=key)
