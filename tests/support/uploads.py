"""Sending a video to the Analyse page as its upload control does: through the app's
upload inbox (coach_ui/uploads.py), then the control's value, which the page claims."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from streamlit.testing.v1 import AppTest

from coach.auth.access import Principal
from coach_ui import uploads


async def chunks_of(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def send_upload(
    at: AppTest, name: str, data: bytes, who: Principal | None = None
) -> uploads.ReceivedUpload:
    """Put `data` in the app's inbox as `who`'s upload (the home user by default) and set
    the page's upload control to it, as the browser does once the route answered; the
    caller runs the page."""
    uploader = uploads.uploader_of(who or Principal.home())
    received = asyncio.run(uploads.app_inbox().receive(chunks_of(data), name, uploader))
    at.session_state["video_upload"] = {
        "id": received.id,
        "name": received.name,
        "size": received.size,
        "digest": received.digest,
    }
    return received
