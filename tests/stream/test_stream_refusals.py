"""What the landmark stream refuses, over a real WebSocket: each refusal is an error with
its reason, the close code, and a log line; a hostile client never writes into another
patient's session, and a fuzzing client never stops the server serving a good one."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach.runtime.stream import (
    CLOSE_ENDED,
    CLOSE_MALFORMED,
    CLOSE_NO_HELLO,
    CLOSE_RATE,
    CLOSE_REPLACED,
    CLOSE_TOKEN,
    MAX_MESSAGE_BYTES,
    RateLimit,
    hello_message,
)
from coach_ui import stream_socket
from coach_ui.routes import STREAM_PATH, routes
from tests.support.stream import PatientRecorder, frames, recording, refusal

SQUAT = frames(recording("squat_side_studio"))


@pytest.fixture
def squat(library):
    def make(recorder=None) -> LiveCoach:
        return LiveCoach(library.get("squat"), SetPlan(sets=1, reps=3), recorder=recorder)

    return make


@contextmanager
def opened(client, registry, owner, loop, patient_id=None) -> Iterator:
    """A connection that has said hello with a fresh token for `loop` and is ready."""
    with client.websocket_connect(STREAM_PATH) as socket:
        socket.send_text(hello_message(registry.issue(loop, patient_id=patient_id, owner=owner)))
        assert socket.receive_json() == {"type": "ready"}
        yield socket


def test_no_token_is_refused_with_4401_and_logged_without_it(client, caplog):
    token = "x" * 43
    with caplog.at_level(logging.INFO), client.websocket_connect(STREAM_PATH) as socket:
        socket.send_text(hello_message(token))
        reason, code = refusal(socket)
    assert code == CLOSE_TOKEN and "token" in reason
    assert any("refused (close 4401)" in r.getMessage() for r in caplog.records)
    assert token not in caplog.text


def test_a_used_token_is_refused(client, registry, owner, squat):
    loop = squat()
    token = registry.issue(loop, patient_id=None, owner=owner)
    with client.websocket_connect(STREAM_PATH) as socket:
        socket.send_text(hello_message(token))
        assert socket.receive_json()["type"] == "ready"
    with client.websocket_connect(STREAM_PATH) as socket:
        socket.send_text(hello_message(token))
        assert refusal(socket)[1] == CLOSE_TOKEN


def test_a_frame_before_the_hello_is_refused(client):
    with client.websocket_connect(STREAM_PATH) as socket:
        socket.send_text(SQUAT[0])
        assert refusal(socket)[1] == CLOSE_MALFORMED


def test_no_hello_in_time_is_refused_with_4408(client, monkeypatch):
    monkeypatch.setattr(stream_socket, "HELLO_TIMEOUT_S", 0.2)
    with client.websocket_connect(STREAM_PATH) as socket:
        reason, code = refusal(socket)
    assert code == CLOSE_NO_HELLO and "hello" in reason


def test_a_bad_frame_is_refused_with_4400_and_the_loop_is_untouched(
    client, registry, owner, squat, stack
):
    loop = squat()
    socket = stack.enter_context(opened(client, registry, owner, loop))
    socket.send_text(SQUAT[0])
    assert socket.receive_json()["type"] == "state"
    socket.send_text(SQUAT[0])  # the same time again
    reason, code = refusal(socket)
    assert code == CLOSE_MALFORMED and "increase" in reason
    assert loop.snapshot().result.t_s == pytest.approx(0.0)


def test_too_many_frames_a_second_are_refused_with_4429(registry, owner, squat):
    slow = Starlette(routes=routes(registry, lambda: RateLimit(per_s=1.0, burst=3)))
    with TestClient(slow) as client, opened(client, registry, owner, squat()) as socket:
        for message in SQUAT[:3]:
            socket.send_text(message)
            assert socket.receive_json()["type"] == "state"
        socket.send_text(SQUAT[3])
        assert refusal(socket)[1] == CLOSE_RATE


def test_signing_out_closes_the_stream_with_4410(client, registry, owner, squat, stack):
    socket = stack.enter_context(opened(client, registry, owner, squat()))
    socket.send_text(SQUAT[0])
    assert socket.receive_json()["type"] == "state"
    owner.close()
    socket.send_text(SQUAT[1])
    assert refusal(socket) == ("the page's session ended", CLOSE_ENDED)


def test_a_quiet_stream_closes_when_the_page_ends_it(
    client, registry, owner, squat, monkeypatch, stack
):
    monkeypatch.setattr(stream_socket, "IDLE_CHECK_S", 0.05)
    loop = squat()
    socket = stack.enter_context(opened(client, registry, owner, loop))
    registry.end_streams(loop)
    assert refusal(socket)[1] == CLOSE_ENDED  # without another frame from the client


def test_a_newer_connection_replaces_the_older(client, registry, owner, squat, stack):
    loop = squat()
    older = stack.enter_context(opened(client, registry, owner, loop))
    newer = stack.enter_context(opened(client, registry, owner, loop))
    older.send_text(SQUAT[0])
    assert refusal(older)[1] == CLOSE_REPLACED
    newer.send_text(SQUAT[0])
    assert newer.receive_json()["type"] == "state"


def test_a_hostile_client_cannot_write_into_another_patient_s_session(
    client, registry, owner, squat, stack
):
    """Ana (7) streams her squats; a client holding a token of Ben's (8) page cannot reach
    Ana's loop, and once Ana's loop were to write into Ben's record, her stream stops."""
    ana_record, ben_record = PatientRecorder(7), PatientRecorder(8)
    ana, ben = squat(ana_record), squat(ben_record)
    with pytest.raises(ValueError):  # no token binds Ben's patient id to Ana's loop
        registry.issue(ana, patient_id=8, owner=owner)
    hostile = stack.enter_context(opened(client, registry, owner, ben, patient_id=8))
    for message in SQUAT:
        hostile.send_text(message)
        assert hostile.receive_json()["type"] == "state"
    assert ana_record.events == [] and ana.snapshot().result is None
    assert any(event[0] == "rep" for event in ben_record.events)  # Ben's own, from his token

    socket = stack.enter_context(opened(client, registry, owner, ana, patient_id=7))
    socket.send_text(SQUAT[0])
    assert socket.receive_json()["type"] == "state"
    ana.recorder = ben_record  # Ana's loop now writing into Ben's record
    writes = len(ben_record.events)
    for message in SQUAT[1:]:
        socket.send_text(message)
        answer = socket.receive_json()
        if answer["type"] == "error":
            assert "patient" in answer["reason"]
            assert socket.receive()["code"] == CLOSE_TOKEN
            break
    else:
        pytest.fail("the stream went on writing into another patient's record")
    assert len(ben_record.events) == writes


# ---- fuzz ----------------------------------------------------------------------------------
def _mutations(rng: random.Random) -> str | bytes:
    """One malformed or oversized message, at random (seeded)."""
    good = json.loads(rng.choice(SQUAT))
    kind = rng.randrange(10)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if kind == 1:
        text = json.dumps(good)
        return text[: rng.randrange(1, len(text) - 1)]  # cut short
    if kind == 2:
        return json.dumps({**good, "pad": "x" * (MAX_MESSAGE_BYTES + rng.randrange(10_000))})
    if kind == 3:
        return "[" * rng.randrange(100, 20_000)
    if kind == 4:  # a random value where a landmark number was
        value = rng.choice([None, "1", True, [], {}, 1e308 * 10, -50.0, 11.0, 10.5])
        pose = good["poses"][0]
        pose[rng.choice(["image", "world"])][rng.randrange(33)][rng.randrange(3)] = value
        return json.dumps(good, allow_nan=True)
    if kind == 5:  # a key dropped or renamed
        key = rng.choice(sorted(good))
        good[key + rng.choice(["", "_"])] = good.pop(key) if rng.random() < 0.5 else None
        good.pop(key, None)
        return json.dumps(good)
    if kind == 6:
        good["t_ms"] = rng.choice([-1.0, float("nan"), float("inf"), "0", 1e14])
        return json.dumps(good, allow_nan=True)
    if kind == 7:
        good["size"] = rng.choice([[0, 0], [640], [640.5, 480], "640x480", [10**9, 480]])
        return json.dumps(good)
    if kind == 8:
        good["poses"] = good["poses"] * rng.randrange(3, 50)
        return json.dumps(good)[:MAX_MESSAGE_BYTES]
    return "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randrange(1, 500)))


def test_fuzzed_messages_are_refused_and_a_good_client_is_served_meanwhile(
    client, registry, owner, squat, stack
):
    rng = random.Random(22)
    good_loop = squat()
    good = stack.enter_context(opened(client, registry, owner, good_loop))
    codes, loops = [], []
    for i in range(120):
        with client.websocket_connect(STREAM_PATH) as socket:
            if rng.random() < 0.25:  # a fuzzed hello
                socket.send_text(_mutations(rng).__str__())
            else:
                loops.append(squat())  # the page holds its loop; the registry does not
                socket.send_text(
                    hello_message(registry.issue(loops[-1], patient_id=None, owner=owner))
                )
                assert socket.receive_json()["type"] == "ready"
                message = _mutations(rng)
                if isinstance(message, bytes):
                    socket.send_bytes(message)
                else:
                    socket.send_text(message)
            reason, code = refusal(socket)
            assert reason and code in (CLOSE_MALFORMED, CLOSE_TOKEN), (i, reason, code)
            codes.append(code)
        good.send_text(SQUAT[i])  # the good client, between every two hostile ones
        answer = good.receive_json()
        assert answer["type"] == "state" and answer["t_ms"] == json.loads(SQUAT[i])["t_ms"]
    assert CLOSE_MALFORMED in codes and len(codes) == 120
