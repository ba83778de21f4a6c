"""The landmark stream's load generator: what it replays is what a browser sends, and the
harness's tokens are worth nothing to an app server."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach.runtime.stream import CLOSE_TOKEN, FrameChecks, RateLimit, hello_message
from coach_ui.live_stream import StreamOwner, StreamRegistry
from coach_ui.routes import STREAM_PATH, routes
from scripts.bench_stream import FPS, messages, percentile
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
