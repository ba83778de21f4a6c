"""Rooms for telehealth: what a live session publishes reaches whoever may watch it, and
the watcher's messages reach the patient's page.

A room is a topic name (a string the caller chooses, e.g. one per live session and
direction). Publishers are the frame loops: a browser's landmark stream on the event loop,
or a WebRTC callback on its own thread, so `publish` is thread-safe and never blocks on a
slow watcher. Subscribers are WebSocket handlers (they `await wait()`) or frame loops that
check for messages between frames (they call `poll()`).

A watcher that falls behind loses the oldest messages, not the newest: a live skeleton
should show where the patient is now. Access is not checked here: the caller decides who
may subscribe to which topic (coach.auth), the bus only carries messages.

`InProcessRoomBus` serves one app process (a home install, SQLite). A bus that carries
rooms across app processes (PostgreSQL LISTEN/NOTIFY) implements the same `RoomBus`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable

DEFAULT_MAX_PENDING = 64


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Subscription:
    """One subscriber's queue of messages on one topic.

    Created by `RoomBus.subscribe`; `close()` it (or `RoomBus.unsubscribe`) when the
    watcher leaves. If it was created while an asyncio event loop was running, `wait()`
    may be awaited on that loop; `poll()` works from any thread.
    """

    def __init__(self, topic: str, max_pending: int = DEFAULT_MAX_PENDING) -> None:
        if max_pending < 1:
            raise ValueError(f"max_pending must be at least 1, got {max_pending}")
        self.topic = topic
        self._pending: deque[str] = deque(maxlen=max_pending)
        self._lock = threading.Lock()
        self._closed = False
        self._dropped = 0
        self._loop = _running_loop()
        self._ready = asyncio.Event() if self._loop is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def dropped(self) -> int:
        """How many messages were dropped because this subscriber fell behind."""
        return self._dropped

    def deliver(self, message: str) -> None:
        """Queue `message` (any thread). Called by the bus; drops the oldest when full."""
        with self._lock:
            if self._closed:
                return
            if len(self._pending) == self._pending.maxlen:
                self._dropped += 1
            self._pending.append(message)
        self._wake()

    def poll(self) -> list[str]:
        """Return every queued message, oldest first, without waiting (any thread)."""
        with self._lock:
            messages = list(self._pending)
            self._pending.clear()
            if self._ready is not None and self._loop is not None:
                if _running_loop() is self._loop:
                    self._ready.clear()
                else:
                    self._loop.call_soon_threadsafe(self._ready.clear)
        return messages

    async def wait(self, timeout: float | None = None) -> list[str]:
        """Wait until a message is queued or the subscription closes, then return every
        queued message (an empty list on timeout or when closed).

        Raises:
            RuntimeError: the subscription was not created on a running event loop.
        """
        if self._ready is None:
            raise RuntimeError(
                f"subscription to {self.topic!r} was made outside an event loop: use poll()"
            )
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not self._closed:
            messages = self.poll()
            if messages:
                return messages
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return []
            try:
                await asyncio.wait_for(self._ready.wait(), remaining)
            except TimeoutError:
                return self.poll()
        return []

    def close(self) -> None:
        """Stop receiving; a pending `wait()` returns."""
        with self._lock:
            self._closed = True
            self._pending.clear()
        self._wake()

    def _wake(self) -> None:
        if self._ready is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._ready.set)


class RoomBus(ABC):
    """Carries messages from publishers to the subscribers of a topic."""

    @abstractmethod
    def publish(self, topic: str, message: str) -> None:
        """Send `message` to every current subscriber of `topic`; thread-safe, does not
        wait for subscribers. A topic with no subscriber drops the message."""

    @abstractmethod
    def subscribe(self, topic: str, max_pending: int = DEFAULT_MAX_PENDING) -> Subscription:
        """Return a new subscription to `topic` (see `Subscription`)."""

    @abstractmethod
    def unsubscribe(self, subscription: Subscription) -> None:
        """Close `subscription` and forget it."""

    def close(self) -> None:  # noqa: B027 - optional hook: the in-process bus holds nothing
        """Release what the bus holds (connections, threads)."""

    def now(self) -> float:
        """Seconds on the bus's clock: a time a publisher puts in a message (a watcher's
        heartbeat) that any subscriber of the bus can compare with its own `now()`. This
        default is the wall clock, the one clock app processes on several machines share
        (kept in step by NTP); a bus of one process may use a monotonic clock."""
        return time.time()


class InProcessRoomBus(RoomBus):
    """A bus for one app process: subscribers in the same process get the messages.
    `clock` (its `now()`): monotonic seconds, every publisher and subscriber being in this
    process; a test passes its own."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._topics: dict[str, set[Subscription]] = {}
        self._clock = clock

    def now(self) -> float:
        return self._clock()

    def publish(self, topic: str, message: str) -> None:
        with self._lock:
            subscribers = list(self._topics.get(topic, ()))
        for subscription in subscribers:
            subscription.deliver(message)

    def subscribe(self, topic: str, max_pending: int = DEFAULT_MAX_PENDING) -> Subscription:
        subscription = Subscription(topic, max_pending)
        with self._lock:
            self._topics.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.close()
        with self._lock:
            subscribers = self._topics.get(subscription.topic)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._topics[subscription.topic]


def room_bus_for(database_url: str | None) -> RoomBus:
    """The room bus for an app process whose store is at `database_url` (the store's
    `FORM_COACH_DATABASE_URL`): an `InProcessRoomBus` for SQLite or no database (a home
    install is one process), a `PostgresRoomBus` for PostgreSQL (app servers sharing the
    database share rooms; docs/rooms.md). The caller closes it when the process stops.

    Raises:
        ValueError: a database this bus does not know (the URL is named without password).
        coach.runtime.room_bus_postgres.RoomBusConnectionError: PostgreSQL is unreachable.
    """
    if not database_url:
        return InProcessRoomBus()
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return InProcessRoomBus()
    if backend == "postgresql":
        from coach.runtime.room_bus_postgres import PostgresRoomBus  # needs psycopg

        return PostgresRoomBus(database_url)
    raise ValueError(
        f"no room bus for a {backend} database ({url.render_as_string(hide_password=True)}): "
        f"use sqlite:// or postgresql://"
    )
