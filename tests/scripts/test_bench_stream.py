"""The landmark stream's load generator: what it replays is what a browser sends, and the
harness's tokens are worth nothing to an app server."""

from __future__ import annotations

import json
import socket
import threading
import time

import uvicorn
import websockets.sync.client
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach.runtime.stream import CLOSE_TOKEN, FrameChecks, RateLimit, hello_message
from coach_ui.live_stream import StreamOwner, StreamRegistry
from coach_ui.routes import STREAM_PATH, routes
from scripts.bench_stream import FPS, messages, percentile
from scripts.stream_harness import server_config
from tests.support.stream import recording, refusal


def test_the_replay_is_valid_frames_at_30_per_second_looping_the_recording():
    rec = recording("squat_side_barbell")
    replay = messages(rec, seconds=len(rec) / FPS + 2.0)  # longer than the recording
    checks = FrameChecks(RateLimit(1e9, 10**9))
    for i, (t_ms, text) in enumerate(replay):
        assert checks.frame(text, 0.0).t_ms == t_ms == 1000.0 * i / FPS
    assert json.loads(replay[len(rec)][1])["poses"] == json.loads(replay[0][1])["poses"]


def test_percentile():
    assert percentile(list(range(1, 101)), 95) == 95.05
    assert percentile([3.0], 95) == 0.0


def test_a_harness_s_token_is_refused_by_the_app_s_stream(library):
    harness, owner = StreamRegistry(), StreamOwner()
    loop = LiveCoach(library.get("squat"), SetPlan(sets=1, reps=3))
    token = harness.issue(loop, patient_id=None, owner=owner)
    app = Starlette(routes=routes())  # the app's own registry
    with TestClient(app) as client, client.websocket_connect(STREAM_PATH) as socket:
        socket.send_text(hello_message(token))
        assert refusal(socket)[1] == CLOSE_TOKEN


def test_the_harness_serves_the_app_s_websocket_stack_without_compression():
    """uvicorn's defaults (the older websockets protocol, permessage-deflate on) are not
    what Streamlit serves the app with: the harness must not measure zlib on every frame."""
    config = server_config(Starlette(routes=routes(StreamRegistry())))
    assert (config.ws, config.ws_per_message_deflate) == ("websockets-sansio", False)

    server = uvicorn.Server(config)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        url = f"ws://127.0.0.1:{listening.getsockname()[1]}{STREAM_PATH}"
        with websockets.sync.client.connect(url) as client:  # offers permessage-deflate
            assert client.response.headers.get("Sec-WebSocket-Extensions") is None
    finally:
        server.should_exit = True
        thread.join(timeout=20)
