"""A component's page served over HTTP for a real-browser test, as the app serves it: the
component's folder, and the scripts the components share at the app's own route
(`coach_ui.routes.component_script`). A page opened from a file cannot load them."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from coach_ui.routes import COMPONENT_SCRIPTS_PATH, component_script

COMPONENTS = Path(__file__).resolve().parents[2] / "coach_ui" / "components"


@contextmanager
def serving_component(name: str) -> Iterator[str]:
    """Serve components/`name` and the shared scripts on a free local port; yields the
    address of the component's index.html. The server stops on exit."""
    app = Starlette(
        routes=[
            Route(f"{COMPONENT_SCRIPTS_PATH}/{{name:path}}", component_script, methods=["GET"]),
            Mount(f"/component/{name}", StaticFiles(directory=COMPONENTS / name)),
        ]
    )
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the test server for components/{name} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/component/{name}/index.html"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listening.close()
