"""The room buses: delivery, drop-oldest, closing, and waking across threads, the same
behaviour in one process (`InProcessRoomBus`) and through PostgreSQL (`PostgresRoomBus`);
then what only the PostgreSQL bus does: its size limit, reconnecting, two processes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest

from coach.runtime.room_bus import InProcessRoomBus, RoomBus, Subscription, room_bus_for
from tests.conftest import ROOT

SETTLE_TIMEOUT_S = 10.0  # a deadline for a message that should arrive, not a measurement


@pytest.fixture(params=["in-process", "postgresql"])
def bus(request):
    """Each behaviour test against the in-process bus and the PostgreSQL bus."""
    if request.param == "in-process":
        made: RoomBus = InProcessRoomBus()
    else:
        from coach.runtime.room_bus_postgres import PostgresRoomBus

        made = PostgresRoomBus(request.getfixturevalue("postgres_cluster").new_database())
    yield made
    made.close()


@pytest.fixture
def pg_url(postgres_cluster) -> str:
    return postgres_cluster.new_database()


def settle(bus: RoomBus) -> None:
    """Return once every message published before the call has reached its subscribers.

    A bus keeps one order for all topics (the in-process bus delivers at once; the
    PostgreSQL bus sends and receives on one connection each), so a marker published now
    arrives after all of them."""
    topic = f"settle/{uuid.uuid4()}"
    marker = bus.subscribe(topic)
    bus.publish(topic, "marker")
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while not marker.poll():
        if time.monotonic() > deadline:
            pytest.fail(f"a message on {topic} did not arrive within {SETTLE_TIMEOUT_S} s")
        time.sleep(0.005)
    bus.unsubscribe(marker)


def test_publish_reaches_every_subscriber_of_the_topic_only(bus: RoomBus) -> None:
    a = bus.subscribe("room/1")
    b = bus.subscribe("room/1")
    other = bus.subscribe("room/2")
    bus.publish("room/1", "hello")
    settle(bus)
    assert a.poll() == ["hello"]
    assert b.poll() == ["hello"]
    assert other.poll() == []


def test_a_slow_subscriber_loses_the_oldest_messages(bus: RoomBus) -> None:
    sub = bus.subscribe("room", max_pending=3)
    for n in range(5):
        bus.publish("room", str(n))
    settle(bus)
    assert sub.poll() == ["2", "3", "4"]
    assert sub.dropped == 2


def test_messages_keep_their_order_and_text(bus: RoomBus) -> None:
    sub = bus.subscribe("room", max_pending=500)
    sent = [f"{n} é ✓ \n line two" for n in range(300)]
    for message in sent:
        bus.publish("room", message)
    settle(bus)
    assert sub.poll() == sent


def test_unsubscribed_gets_nothing_more(bus: RoomBus) -> None:
    sub = bus.subscribe("room")
    bus.unsubscribe(sub)
    bus.publish("room", "late")
    settle(bus)
    assert sub.closed
    assert sub.poll() == []


def test_max_pending_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_pending"):
        Subscription("room", max_pending=0)


def test_wait_outside_an_event_loop_is_refused(bus: RoomBus) -> None:
    sub = bus.subscribe("room")
    with pytest.raises(RuntimeError, match="poll"):
        asyncio.run(sub.wait(0.01))


def test_wait_wakes_on_a_message_from_another_thread(bus: RoomBus) -> None:
    async def scenario() -> list[str]:
        sub = bus.subscribe("room")
        threading.Timer(0.05, bus.publish, args=("room", "from a thread")).start()
        return await sub.wait(timeout=SETTLE_TIMEOUT_S)

    assert asyncio.run(scenario()) == ["from a thread"]


def test_wait_times_out_empty_and_returns_when_closed(bus: RoomBus) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        sub = bus.subscribe("room")
        timed_out = await sub.wait(timeout=0.01)
        asyncio.get_running_loop().call_later(0.02, bus.unsubscribe, sub)
        closed = await sub.wait(timeout=SETTLE_TIMEOUT_S)
        return timed_out, closed

    assert asyncio.run(scenario()) == ([], [])


def test_messages_queued_before_wait_are_returned_at_once(bus: RoomBus) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        sub = bus.subscribe("room")
        bus.publish("room", "a")
        bus.publish("room", "b")
        settle(bus)  # both are queued before the first wait
        first = await sub.wait(timeout=SETTLE_TIMEOUT_S)
        bus.publish("room", "c")
        return first, await sub.wait(timeout=SETTLE_TIMEOUT_S)

    assert asyncio.run(scenario()) == (["a", "b"], ["c"])


# ---- choosing the bus ------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["", None, "sqlite:////tmp/x/form-coach.db", "sqlite://"])
def test_a_home_install_gets_the_in_process_bus(url: str | None) -> None:
    assert type(room_bus_for(url)) is InProcessRoomBus


def test_an_unknown_database_is_refused_without_its_password() -> None:
    with pytest.raises(ValueError, match="sqlite:// or postgresql://") as refused:
        room_bus_for("mysql://me:secret@db/coach")
    assert "secret" not in str(refused.value)


def test_a_postgresql_store_gets_the_postgresql_bus(pg_url: str) -> None:
    from coach.runtime.room_bus_postgres import PostgresRoomBus

    bus = room_bus_for(pg_url)
    try:
        assert isinstance(bus, PostgresRoomBus)
    finally:
        bus.close()


# ---- what only the PostgreSQL bus does -------------------------------------------------------
def test_an_unreachable_database_is_named_without_its_password(tmp_path) -> None:
    from coach.runtime.room_bus_postgres import PostgresRoomBus, RoomBusConnectionError

    url = f"postgresql+psycopg://coach:secret@/nowhere?host={tmp_path}&port=1"
    with pytest.raises(RoomBusConnectionError, match="cannot connect") as refused:
        PostgresRoomBus(url)
    assert "secret" not in str(refused.value) and "***" in str(refused.value)


def test_a_message_over_the_notify_limit_is_refused_at_once(pg_url: str) -> None:
    from coach.runtime.room_bus_postgres import (
        NOTIFY_PAYLOAD_LIMIT_BYTES,
        MessageTooLargeError,
        PostgresRoomBus,
    )

    bus = PostgresRoomBus(pg_url)
    try:
        sub = bus.subscribe("r")
        largest = "x" * (NOTIFY_PAYLOAD_LIMIT_BYTES - len("r\n") - 1)
        with pytest.raises(MessageTooLargeError, match="shorter than 8000 bytes"):
            bus.publish("r", largest + "x")
        with pytest.raises(MessageTooLargeError, match="8000 bytes"):
            bus.publish("r", "é" * 4000)  # 4000 characters, 8000 bytes
        bus.publish("r", largest)  # the largest PostgreSQL carries
        settle(bus)
        assert sub.poll() == [largest]
    finally:
        bus.close()


def test_a_topic_with_a_newline_or_a_nul_is_refused(pg_url: str) -> None:
    from coach.runtime.room_bus_postgres import PostgresRoomBus

    bus = PostgresRoomBus(pg_url)
    try:
        with pytest.raises(ValueError, match="newline"):
            bus.publish("room\n1", "m")
        with pytest.raises(ValueError, match="NUL"):
            bus.publish("room", "a\x00b")
    finally:
        bus.close()


def test_the_bus_reconnects_after_its_connections_are_killed(pg_url: str, postgres_cluster) -> None:
    import psycopg

    from coach.runtime.room_bus_postgres import PostgresRoomBus, connect_kwargs

    bus = PostgresRoomBus(pg_url)
    try:
        sub = bus.subscribe("room")
        bus.publish("room", "before")
        settle(bus)
        assert sub.poll() == ["before"]
        with psycopg.connect(**connect_kwargs(pg_url), autocommit=True) as admin:
            others = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
            killed = [
                admin.execute("SELECT pg_terminate_backend(%s)", other).fetchone()
                for other in others
            ]
        assert killed == [(True,), (True,)]  # the listener and the sender
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while bus.reconnects < 2 and time.monotonic() < deadline:
            bus.publish("room", "probe")  # the sender notices its loss when it sends
            time.sleep(0.05)
        assert bus.reconnects == 2
        assert bus.wait_listening(SETTLE_TIMEOUT_S)
        settle(bus)
        sub.poll()  # probes that arrived once the listener was back
        bus.publish("room", "after")
        settle(bus)
        assert sub.poll() == ["after"]
    finally:
        bus.close()


def bus_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("room-bus")]


def test_close_sends_what_is_queued_and_joins_its_threads(pg_url: str) -> None:
    from coach.runtime.room_bus_postgres import PostgresRoomBus

    assert bus_threads() == []
    watcher = PostgresRoomBus(pg_url)
    bus = PostgresRoomBus(pg_url)
    try:
        sub = watcher.subscribe("room", max_pending=200)
        for n in range(100):
            bus.publish("room", str(n))
        bus.close()
        assert bus.sent == 100
        assert len(bus_threads()) == 2  # the watcher's listener and sender only
        settle(watcher)
        assert sub.poll() == [str(n) for n in range(100)]
        with pytest.raises(ValueError, match="closed"):
            bus.publish("room", "late")
        bus.close()  # twice is fine
    finally:
        watcher.close()
    assert bus_threads() == []


def test_a_message_crosses_from_one_process_to_another_in_order(pg_url: str) -> None:
    """A subscriber in a second OS process gets what this process publishes, in order."""
    from coach.runtime.room_bus_postgres import PostgresRoomBus

    count = 200
    peer = subprocess.Popen(
        [sys.executable, "-m", "tests.support.room_peer", pg_url, "room/patient-1", str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    bus = PostgresRoomBus(pg_url)
    try:
        assert peer.stdout is not None
        assert peer.stdout.readline().strip() == "listening"
        sent = [json.dumps({"n": n, "from": os.getpid()}) for n in range(count)]
        for message in sent:
            bus.publish("room/patient-1", message)
            bus.publish("room/other", "not for the peer")
        out, _ = peer.communicate(timeout=60)
    finally:
        bus.close()
        if peer.poll() is None:
            peer.kill()
    assert peer.returncode == 0, out
    received = json.loads(out)
    assert received["pid"] != os.getpid()
    assert received["messages"] == sent


def test_equal_messages_published_together_all_arrive(bus: RoomBus) -> None:
    """PostgreSQL folds equal payloads notified in one transaction into one: the bus's
    batches must not lose a repeated message (a patient holding still repeats a state)."""
    sub = bus.subscribe("room", max_pending=100)
    sent = ["same"] * 5 + ["other", "same", "other"]
    for message in sent:
        bus.publish("room", message)
    settle(bus)
    assert sub.poll() == sent


def test_while_the_database_is_away_publish_keeps_only_the_newest_unsent(
    pg_url: str, postgres_cluster
) -> None:
    """publish never waits: with the database refusing connections, the send queue keeps
    `max_unsent` messages, dropping the oldest; once it is back, those are sent."""
    import psycopg

    from coach.runtime.room_bus_postgres import PostgresRoomBus, connect_kwargs

    database = connect_kwargs(pg_url)["dbname"]
    admin_url = postgres_cluster.url("postgres")
    bus = PostgresRoomBus(pg_url, max_unsent=2)
    try:
        with psycopg.connect(**connect_kwargs(admin_url), autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            admin.execute(
                # With a timeout it returns once they are gone (PostgreSQL 14 and later).
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )
            for n in range(10):
                bus.publish("room", str(n))
            assert bus.unsent_dropped == 8
            assert bus.sent == 0
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while bus.sent < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bus.sent == 2
        assert bus.wait_listening(SETTLE_TIMEOUT_S)
    finally:
        bus.close()


def test_a_shared_session_in_one_process_is_watched_from_another(pg_url: str) -> None:
    """Issue 23: two app processes on one PostgreSQL. The patient's (a subprocess) shares
    a live session; this process, the clinician's, gets every frame's state in order, the
    count as it grows and the end, and its message reaches the patient's page."""
    from coach.runtime.room_bus_postgres import PostgresRoomBus
    from coach.runtime.telehealth import END_MESSAGE, control_topic, say_message, state_topic

    session = 41
    patient = subprocess.Popen(
        [sys.executable, "-m", "tests.support.telehealth_patient", pg_url, str(session)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    clinician = PostgresRoomBus(pg_url)
    try:
        assert patient.stdin is not None and patient.stdout is not None
        watching = clinician.subscribe(state_topic(session), max_pending=100_000)
        assert patient.stdout.readline().strip() == "ready"
        settle(clinician)  # subscribed before the first frame is published
        clinician.publish(control_topic(session), say_message("Knees out, please"))
        patient.stdin.write("go\n")
        patient.stdin.flush()
        received: list[str] = []
        deadline = time.monotonic() + 60
        while END_MESSAGE not in received and time.monotonic() < deadline:
            received += watching.poll()
            time.sleep(0.01)
        done = json.loads(patient.stdout.readline())
        patient.wait(timeout=60)
    finally:
        clinician.close()
        if patient.poll() is None:
            patient.kill()
    assert patient.returncode == 0
    assert received[-1] == END_MESSAGE
    states = [json.loads(m) for m in received[:-1]]
    assert len(states) == done["published"] > 0
    assert all(s["type"] == "frame" for s in states)
    times = [s["t"] for s in states]
    assert times == sorted(times)
    counts = [s["s"]["count"] for s in states]
    assert counts == sorted(counts) and counts[-1] == done["reps"] > 0
    assert done["message"] == "Knees out, please"
