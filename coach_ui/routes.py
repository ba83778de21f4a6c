"""HTTP and WebSocket routes served beside the Streamlit app (Streamlit 1.60's `st.App`).

The Streamlit script reruns on every widget change; what must not rerun a script (a file
the browser downloads, a stream of landmarks, a cookie set on sign-in) is an ordinary
Starlette route here. Every route lives under `ROUTE_PREFIX`, away from Streamlit's own
reserved prefixes (`/_stcore/`, `/media/`, `/component/`, `/static/`) and from the pages'
addresses.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from coach.core.errors import ModelError
from coach.vision.model_bundle import default_bundle_path

ROUTE_PREFIX = "/form-coach"
POSE_MODEL_PATH = f"{ROUTE_PREFIX}/pose-model/full.task"


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


def routes() -> list[BaseRoute]:
    """Every route Form Coach serves beside Streamlit's own."""
    return [Route(POSE_MODEL_PATH, pose_model, methods=["GET"])]
