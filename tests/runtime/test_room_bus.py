"""The in-process room bus: delivery, drop-oldest, closing, and waking across threads."""

from __future__ import annotations

import asyncio
import threading

import pytest

from coach.runtime.room_bus import InProcessRoomBus, Subscription


def test_publish_reaches_every_subscriber_of_the_topic_only() -> None:
    bus = InProcessRoomBus()
    a = bus.subscribe("room/1")
    b = bus.subscribe("room/1")
    other = bus.subscribe("room/2")
    bus.publish("room/1", "hello")
    assert a.poll() == ["hello"]
    assert b.poll() == ["hello"]
    assert other.poll() == []


def test_a_slow_subscriber_loses_the_oldest_messages() -> None:
    bus = InProcessRoomBus()
    sub = bus.subscribe("room", max_pending=3)
    for n in range(5):
        bus.publish("room", str(n))
    assert sub.poll() == ["2", "3", "4"]
    assert sub.dropped == 2


def test_unsubscribed_gets_nothing_more() -> None:
    bus = InProcessRoomBus()
    sub = bus.subscribe("room")
    bus.unsubscribe(sub)
    bus.publish("room", "late")
    assert sub.closed
    assert sub.poll() == []


def test_max_pending_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_pending"):
        Subscription("room", max_pending=0)


def test_wait_outside_an_event_loop_is_refused() -> None:
    sub = InProcessRoomBus().subscribe("room")
    with pytest.raises(RuntimeError, match="poll"):
        asyncio.run(sub.wait(0.01))


def test_wait_wakes_on_a_message_from_another_thread() -> None:
    async def scenario() -> list[str]:
        bus = InProcessRoomBus()
        sub = bus.subscribe("room")
        threading.Timer(0.05, bus.publish, args=("room", "from a thread")).start()
        return await sub.wait(timeout=5)

    assert asyncio.run(scenario()) == ["from a thread"]


def test_wait_times_out_empty_and_returns_when_closed() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        bus = InProcessRoomBus()
        sub = bus.subscribe("room")
        timed_out = await sub.wait(timeout=0.01)
        asyncio.get_running_loop().call_later(0.02, bus.unsubscribe, sub)
        closed = await sub.wait(timeout=5)
        return timed_out, closed

    assert asyncio.run(scenario()) == ([], [])


def test_messages_queued_before_wait_are_returned_at_once() -> None:
    async def scenario() -> list[str]:
        bus = InProcessRoomBus()
        sub = bus.subscribe("room")
        bus.publish("room", "a")
        bus.publish("room", "b")
        first = await sub.wait(timeout=5)
        bus.publish("room", "c")
        return first + await sub.wait(timeout=5)

    assert asyncio.run(scenario()) == ["a", "b", "c"]
