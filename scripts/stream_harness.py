"""The landmark stream's server for the load generator (scripts/bench_stream.py): the app's
own routes (coach_ui/routes.py) on a token registry of this process's own, with N live
coaching sessions ready to be streamed into.

It prints one JSON line on stdout, `{"port": ..., "pid": ..., "tokens": [...]}`, then
serves on 127.0.0.1 until it is stopped. The tokens are issued here, by this process, to
sessions that write nowhere (no recorder): an app server never issues a token but to a
signed-in page, and knows none of these.

Usage: python -m scripts.stream_harness --sessions 8 [--exercise squat]
"""

from __future__ import annotations

import argparse
import json
import socket
import sys

import uvicorn
from starlette.applications import Starlette

from coach.exercise.loader import ExerciseLibrary
from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach_ui.live_stream import StreamOwner, StreamRegistry
from coach_ui.routes import routes

# Long enough that no session finishes its plan during a run: every frame is coached.
PLAN = SetPlan(sets=100, reps=100, rest_s=1.0)

# The WebSocket stack the app is served with: Streamlit 1.60 runs uvicorn (>= 0.44) with its
# "websockets-sansio" protocol and without permessage-deflate (`server.
# enableWebsocketCompression` is off by default, and this project does not turn it on).
# uvicorn's own defaults differ on both (the older websockets protocol, deflate on): a
# harness on those would measure compression the app never does (docs/benchmarks.md).
APP_WEBSOCKETS = {"ws": "websockets-sansio", "ws_per_message_deflate": False}


def server_config(app: Starlette) -> uvicorn.Config:
    """uvicorn's configuration for the harness: the app's WebSocket stack, quiet logs."""
    return uvicorn.Config(app, log_level="warning", **APP_WEBSOCKETS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, required=True, help="live sessions to serve")
    parser.add_argument("--exercise", default="squat")
    args = parser.parse_args(argv)

    exercise = ExerciseLibrary().get(args.exercise)
    registry, owner = StreamRegistry(), StreamOwner()
    loops = [LiveCoach(exercise, PLAN) for _ in range(args.sessions)]  # held here, weakly there
    tokens = [registry.issue(loop, patient_id=None, owner=owner) for loop in loops]
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(server_config(Starlette(routes=routes(registry))))
    print(json.dumps({"port": port, "tokens": tokens}), flush=True)
    server.run(sockets=[listening])
    del loops, owner  # kept alive until the server stops
    return 0


if __name__ == "__main__":
    sys.exit(main())
