"""The Analyse page's upload control (components/video_upload): the patient's video goes to
the upload route (coach_ui/uploads.py), streamed to disk, never into the page.

Its own module, imported by the page only: a component declared while the server starts
(coach_ui/uploads.py is imported with the routes, before Streamlit's runtime exists) is
never registered with the runtime, and the browser gets "Component not found".
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from coach_ui.analysis import UPLOAD_TYPES

_video_upload = components.declare_component(
    "form_coach_video_upload",
    path=str(Path(__file__).parent / "components" / "video_upload"),
)


def video_upload(key: str, *, upload_path: str, max_bytes: int, done_id: str | None) -> dict | None:
    """The upload control (components/video_upload): the patient's video goes to
    `upload_path` (coach_ui/uploads.py), streamed to disk, never into this page.

    Returns the control's last value, None before any: {"id", "name", "size", "digest"}
    of a received upload (claim it by its id), or {"error", "status"} when it was
    refused. `done_id`: the upload already analysed and deleted (the control says so)."""
    value = _video_upload(
        upload_path=upload_path,
        max_bytes=max_bytes,
        accept=",".join(f".{suffix}" for suffix in UPLOAD_TYPES),
        label="Your video",
        help="Film from 2 to 3 metres away with your whole body, head to feet, in view.",
        done_id=done_id,
        key=key,
        default=None,
    )
    return value if isinstance(value, dict) else None
