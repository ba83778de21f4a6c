"""HTTP and WebSocket routes served beside the Streamlit app (Streamlit 1.60's `st.App`).

The Streamlit script reruns on every widget change; what must not rerun a script (a file
the browser downloads, a stream of landmarks, a cookie set on sign-in) is an ordinary
Starlette route here. Every route lives under `ROUTE_PREFIX`, away from Streamlit's own
reserved prefixes (`/_stcore/`, `/media/`, `/component/`, `/static/`) and from the pages'
addresses. Signing in and out are here (coach_ui/signin.py): only a route can set the
HttpOnly session cookie.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from coach.core.errors import ModelError
from coach.runtime.room_bus import RoomBus
from coach.runtime.stream import RateLimit
from coach.store import Store
from coach.vision.model_bundle import default_bundle_path, landmark_bundle_path
from coach_ui import resources, signin, uploads
from coach_ui.live_stream import STREAMS, StreamRegistry
from coach_ui.rooms import WATCHES, Watch, room_bus
from coach_ui.stream_socket import stream_endpoint
from coach_ui.watch_socket import watch_endpoint
from coach_ui.web_package import (
    SERVED_FILES,
    WebPackageMissingError,
    landmark_model_file,
    tasks_vision_dir,
)

ROUTE_PREFIX = "/form-coach"
POSE_MODEL_DIR = f"{ROUTE_PREFIX}/pose-model"
# The pose task bundles the browser may load, by landmark model: full is the bundle the
# server itself runs (from the mediapipe wheel); lite and heavy are built the same way
# around the landmark models of the npm package @mediapipe/pose (`make web`).
POSE_MODEL_PATHS = {
    variant: f"{POSE_MODEL_DIR}/{variant}.task" for variant in ("full", "lite", "heavy")
}
POSE_MODEL_PATH = POSE_MODEL_PATHS["full"]
# The landmark stream: a browser running the pose model sends landmarks, gets the coach's
# state back (coach_ui/stream_socket.py, docs/live-stream.md).
STREAM_PATH = f"{ROUTE_PREFIX}/stream"
# Telehealth: a clinician's browser watches a shared live session (coach_ui/watch_socket.py).
WATCH_PATH = f"{ROUTE_PREFIX}/watch"
SIGN_IN_PATH = f"{ROUTE_PREFIX}/sign-in"
SIGN_OUT_PATH = f"{ROUTE_PREFIX}/sign-out"
# A patient's video for the Analyse page, streamed to disk (coach_ui/uploads.py).
UPLOAD_PATH = f"{ROUTE_PREFIX}/upload"
# The browser's pose model code (coach_ui/web_package.py), for the pose_camera component.
TASKS_VISION_PATH = f"{ROUTE_PREFIX}/web/tasks-vision"
# What several components share, one copy served to all (coach_ui/components/shared): the
# component protocol and the skeleton's drawing for skeleton_replay and live_watch, the
# voice for pose_camera and speaker. Each component loads them by this absolute path
# (same origin: script-src 'self').
COMPONENT_SCRIPTS_PATH = f"{ROUTE_PREFIX}/web/components"
COMPONENT_SCRIPTS = ("skeleton.js", "voice.js")


def _bundle(variant: str) -> Path:
    """The task bundle of `variant`: the wheel's own for "full", else built around the
    npm package's landmark model. Raises ModelError or WebPackageMissingError."""
    if variant == "full":
        return default_bundle_path()
    return landmark_bundle_path(variant, landmark_model_file(variant))


async def pose_model(request: Request) -> Response:
    """A pose task bundle for the browser's own PoseLandmarker: `full.task` (the one the
    server itself runs), `lite.task` or `heavy.task`.

    Returns the bundle (built on the first request), HTTP 404 for any other name (looked
    up, never joined onto a folder), or HTTP 503 with the reason when it cannot be built
    (the web packages not installed, the cache folder not writable).
    """
    name = request.path_params["name"]
    variant = name.removesuffix(".task")
    if POSE_MODEL_PATHS.get(variant) != f"{POSE_MODEL_DIR}/{name}":
        return PlainTextResponse(f"no such pose model: {name}", status_code=404)
    try:
        path = await run_in_threadpool(_bundle, variant)
    except (ModelError, WebPackageMissingError) as exc:
        return PlainTextResponse(str(exc), status_code=503)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        # The file name carries the mediapipe version: a day's caching is safe.
        headers={"Cache-Control": "private, max-age=86400"},
    )


async def tasks_vision_file(request: Request) -> Response:
    """One of the browser's pose model files from the installed @mediapipe/tasks-vision
    package (coach_ui/web_package.py).

    Returns the file when its path is one of `SERVED_FILES` (the name is looked up, never
    joined onto a folder: no other file can be reached), HTTP 404 for any other name, and
    HTTP 503 with the reason when the package is not installed.
    """
    name = request.path_params["name"]
    media_type = SERVED_FILES.get(name)
    if media_type is None:
        return PlainTextResponse(f"no such file: {name}", status_code=404)
    try:
        folder = tasks_vision_dir()
    except WebPackageMissingError as exc:
        return PlainTextResponse(str(exc), status_code=503)
    return FileResponse(
        folder / name,
        media_type=media_type,
        # The package version is pinned: a day's caching is safe.
        headers={"Cache-Control": "private, max-age=86400"},
    )


async def component_script(request: Request) -> Response:
    """One of the scripts the components share (`COMPONENT_SCRIPTS`, package data in
    coach_ui/components/shared). Returns it as JavaScript (revalidated on each load: it
    changes with the app), or HTTP 404 for any other name (looked up, never joined onto a
    folder)."""
    name = request.path_params["name"]
    if name not in COMPONENT_SCRIPTS:
        return PlainTextResponse(f"no such script: {name}", status_code=404)
    path = Path(str(importlib.resources.files("coach_ui") / "components" / "shared" / name))
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def routes(
    stream_registry: StreamRegistry = STREAMS,
    rate_limit: Callable[[], RateLimit] = RateLimit,
    open_store: Callable[[], Store] = resources.open_store,
    upload_inbox: Callable[[], uploads.UploadInbox] = uploads.app_inbox,
    watch_registry: StreamRegistry[Watch] = WATCHES,
    bus: Callable[[], RoomBus] = room_bus,
) -> list[BaseRoute]:
    """Every route Form Coach serves beside Streamlit's own. `stream_registry`: whose
    tokens the landmark stream accepts (the app's own; the load generator's harness
    passes its own); `rate_limit`: each stream's (the protocol's own); `open_store`: the
    store the sign-in, upload and watch routes use (the pages' own, by default);
    `upload_inbox`: where uploads wait for their page (the app's own); `watch_registry`
    and `bus`: the telehealth watch's tokens and room bus (the app's)."""
    return [
        Route(f"{POSE_MODEL_DIR}/{{name}}", pose_model, methods=["GET"]),
        Route(f"{TASKS_VISION_PATH}/{{name:path}}", tasks_vision_file, methods=["GET"]),
        Route(f"{COMPONENT_SCRIPTS_PATH}/{{name:path}}", component_script, methods=["GET"]),
        WebSocketRoute(STREAM_PATH, stream_endpoint(stream_registry, rate_limit)),
        WebSocketRoute(WATCH_PATH, watch_endpoint(watch_registry, bus, open_store)),
        Route(SIGN_IN_PATH, signin.sign_in_route(open_store), methods=["POST"]),
        Route(SIGN_OUT_PATH, signin.sign_out_route(open_store), methods=["POST"]),
        Route(UPLOAD_PATH, uploads.upload_route(upload_inbox, open_store), methods=["POST"]),
    ]
