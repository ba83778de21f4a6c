"""HTTP and WebSocket routes served beside the Streamlit app (Streamlit 1.60's `st.App`).

The Streamlit script reruns on every widget change; what must not rerun a script (a file
the browser downloads, a stream of landmarks, a cookie set on sign-in) is an ordinary
Starlette route here. Every route lives under `ROUTE_PREFIX`, away from Streamlit's own
reserved prefixes (`/_stcore/`, `/media/`, `/component/`, `/static/`) and from the pages'
addresses.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from coach.core.errors import ModelError
from coach.runtime.stream import RateLimit
from coach.vision.model_bundle import default_bundle_path
from coach_ui.live_stream import STREAMS, StreamRegistry
from coach_ui.stream_socket import stream_endpoint

ROUTE_PREFIX = "/form-coach"
POSE_MODEL_PATH = f"{ROUTE_PREFIX}/pose-model/full.task"
# The landmark stream: a browser running the pose model sends landmarks, gets the coach's
# state back (coach_ui/stream_socket.py, docs/live-stream.md).
STREAM_PATH = f"{ROUTE_PREFIX}/stream"


async def pose_model(request: Request) -> Response:
    """The pose task bundle the server itself runs, for the browser's own PoseLandmarker.

    Returns the bundle built from the installed mediapipe wheel (built on the first
    request), or HTTP 503 with the reason when it cannot be built.
    """
    try:
        path = await run_in_threadpool(default_bundle_path)
    except ModelError as exc:
        return PlainTextResponse(str(exc), status_code=503)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        # The file name carries the mediapipe version: a day's caching is safe.
        headers={"Cache-Control": "private, max-age=86400"},
    )


def routes(
    stream_registry: StreamRegistry = STREAMS, rate_limit: Callable[[], RateLimit] = RateLimit
) -> list[BaseRoute]:
    """Every route Form Coach serves beside Streamlit's own. `stream_registry`: whose
    tokens the landmark stream accepts (the app's own; the load generator's harness
    passes its own); `rate_limit`: each stream's (the protocol's own)."""
    return [
        Route(POSE_MODEL_PATH, pose_model, methods=["GET"]),
        WebSocketRoute(STREAM_PATH, stream_endpoint(stream_registry, rate_limit)),
    ]
