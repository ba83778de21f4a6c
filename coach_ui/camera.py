"""The webcam in the browser through streamlit-webrtc, wired the same way for every live page
(live coaching, posture check, assessment): ICE servers and the streamer widget.
"""

from __future__ import annotations

import json
import os

from streamlit_webrtc import WebRtcMode, webrtc_streamer

from coach.core.errors import CoachError

ICE_SERVERS_ENV = "FORM_COACH_ICE_SERVERS"


def rtc_configuration() -> dict:
    """WebRTC ICE servers: none on localhost; STUN/TURN from $FORM_COACH_ICE_SERVERS (a JSON
    list such as [{"urls": ["stun:stun.example.org:3478"]}]) for a deployment."""
    raw = os.environ.get(ICE_SERVERS_ENV, "").strip()
    if not raw:
        return {"iceServers": []}
    try:
        servers = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CoachError(f"{ICE_SERVERS_ENV} is not valid JSON: {exc}") from exc
    if not isinstance(servers, list) or not all(
        isinstance(s, dict) and "urls" in s for s in servers
    ):
        raise CoachError(
            f'{ICE_SERVERS_ENV} must be a JSON list of {{"urls": [...]}} objects, got {raw!r}'
        )
    return {"iceServers": servers}


def camera_streamer(key: str, rtc: dict, frames_callback, on_ended) -> None:
    """The webcam through streamlit-webrtc as the live pages use it: sent and received,
    640x480 at most 30 fps, no audio, frames handled off the page's thread."""
    webrtc_streamer(
        key=key,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=rtc,
        media_stream_constraints={
            "video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"max": 30}},
            "audio": False,
        },
        queued_video_frames_callback=frames_callback,
        on_video_ended=on_ended,
        async_processing=True,
    )
