"""The telehealth watch socket over a real WebSocket (Starlette's TestClient): the patient's
own clinician gets the shared session's frames and is seen watching; another clinician,
the patient, an unknown token or a session not shared are refused, and the attempt is
logged. SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from coach.auth.access import Principal
from coach.runtime.room_bus import InProcessRoomBus
from coach.runtime.stream import RateLimit
from coach.runtime.telehealth import (
    END_MESSAGE,
    Presence,
    control_topic,
    decode_control,
    state_topic,
)
from coach_ui.live_stream import StreamOwner, StreamRegistry
from coach_ui.rooms import Watch
from coach_ui.routes import WATCH_PATH, routes


@pytest.fixture
def clinic(store):
    ann, bob = store.add_clinician("Ann"), store.add_clinician("Bob")
    patient = store.add_patient("Pat", clinician_id=ann)
    session = store.start_session("squat", patient_id=patient)
    store.set_live_sharing(session, True)
    return {
        "ann": Principal("clinician", "Ann", clinician_id=ann),
        "bob": Principal("clinician", "Bob", clinician_id=bob),
        "patient": Principal("patient", "Pat", patient_id=patient),
        "patient_id": patient,
        "session": session,
    }


@pytest.fixture
def bus():
    return InProcessRoomBus()


@pytest.fixture
def watches():
    return StreamRegistry()


@pytest.fixture
def client(store, bus, watches):
    app = Starlette(
        routes=routes(
            StreamRegistry(),
            lambda: RateLimit(1e9, 10**9),
            open_store=lambda: store,
            watch_registry=watches,
            bus=lambda: bus,
        )
    )
    with TestClient(app) as client:
        yield client


def token_for(watches, clinic, who: str, owner: StreamOwner, watch_list: list) -> str:
    watch = Watch(clinic["session"], clinic["patient_id"], clinic[who])
    watch_list.append(watch)  # the page holds its watch: the registry's reference is weak
    return watches.issue(watch, patient_id=watch.patient_id, owner=owner)


def test_the_patients_clinician_watches_the_frames_until_the_patient_stops(
    client, watches, bus, clinic
):
    owner, held = StreamOwner(), []
    control = bus.subscribe(control_topic(clinic["session"]))
    with client.websocket_connect(WATCH_PATH) as socket:
        socket.send_json({"type": "hello", "token": token_for(watches, clinic, "ann", owner, held)})
        assert socket.receive_json() == {"type": "ready", "session": clinic["session"]}
        # The patient's page sees the watcher: a heartbeat stamped on the bus's clock.
        (heartbeat,) = [decode_control(m) for m in control.poll()]
        assert isinstance(heartbeat, Presence) and heartbeat.at_s <= bus.now()
        frame = '{"type":"frame","t":1.0,"s":{"count":2}}'
        bus.publish(state_topic(clinic["session"]), frame)
        assert socket.receive_text() == frame
        bus.publish(state_topic(clinic["session"]), END_MESSAGE)
        assert socket.receive_json()["reason"] == "the patient stopped sharing this session"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert closed.value.code == 4410


@pytest.mark.parametrize("who", ["bob", "patient"])
def test_anyone_but_the_patients_clinician_is_refused_as_for_an_unseen_session_and_logged(
    client, watches, clinic, caplog, who
):
    owner, held = StreamOwner(), []
    caplog.set_level(logging.WARNING, logger="coach_ui.watch_socket")
    with client.websocket_connect(WATCH_PATH) as socket:
        socket.send_json({"type": "hello", "token": token_for(watches, clinic, who, owner, held)})
        error = socket.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert error == {"type": "error", "reason": f"no session {clinic['session']} that you can see"}
    assert closed.value.code == 4401
    assert any(
        "refused" in r.getMessage() and f"session {clinic['session']}" in r.getMessage()
        for r in caplog.records
    )


def test_an_unknown_or_spent_token_is_refused(client, watches, clinic):
    owner, held = StreamOwner(), []
    token = token_for(watches, clinic, "ann", owner, held)
    with client.websocket_connect(WATCH_PATH) as socket:
        socket.send_json({"type": "hello", "token": token})
        assert socket.receive_json()["type"] == "ready"
    for bad in (token, "x" * 43):
        with client.websocket_connect(WATCH_PATH) as socket:
            socket.send_json({"type": "hello", "token": bad})
            assert socket.receive_json()["type"] == "error"
            with pytest.raises(WebSocketDisconnect) as closed:
                socket.receive_text()
        assert closed.value.code == 4401


def test_a_session_not_shared_is_not_watched(client, watches, store, clinic):
    store.set_live_sharing(clinic["session"], False)
    owner, held = StreamOwner(), []
    with client.websocket_connect(WATCH_PATH) as socket:
        socket.send_json({"type": "hello", "token": token_for(watches, clinic, "ann", owner, held)})
        assert socket.receive_json()["reason"] == "the patient is not sharing this session now"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert closed.value.code == 4410


def test_signing_out_ends_the_watch(client, watches, clinic):
    owner, held = StreamOwner(), []
    with client.websocket_connect(WATCH_PATH) as socket:
        socket.send_json({"type": "hello", "token": token_for(watches, clinic, "ann", owner, held)})
        assert socket.receive_json()["type"] == "ready"
        owner.close()
        assert socket.receive_json()["reason"] == "the page's session ended"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert closed.value.code == 4410
