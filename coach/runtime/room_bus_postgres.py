"""Rooms across app processes: a `RoomBus` over PostgreSQL's LISTEN/NOTIFY.

Two app servers that share one PostgreSQL database (a clinic's deployment) carry a room's
messages from a patient's stream on one to a clinician's page on the other. Nothing extra
runs: the database the store already uses is the broker.

Per bus (one per app process):

- a listener connection and thread: `LISTEN` on one channel (`CHANNEL`); every message of
  every room of the database arrives there, as the payload `"<topic>\\n<message>"`, and is
  handed to this process's subscribers of that topic (an `InProcessRoomBus` does the local
  part, so subscriptions behave exactly as in one process);
- a sender connection (autocommit) and thread that runs `pg_notify` for the queued
  messages, in publishing order, as many as are waiting (up to `MAX_BATCH`) in one
  statement: a busy process pays one round trip per batch, not per message. `publish`
  only checks the message and queues it: a slow network or a restarting server never
  holds up a frame loop. The queue is bounded (`max_unsent`); when it is full the OLDEST
  unsent message is dropped and counted (`unsent_dropped`), the same choice a slow
  subscriber gets: a live room should show now.

Every message goes through PostgreSQL, this process's own subscribers' too, so every
subscriber of a topic sees one order: the order of the sender's connection.

A server restart (or a dropped connection) is survived: each thread reconnects with a
growing pause (up to `MAX_RECONNECT_PAUSE_S`) and the listener listens again. Messages
published while the listener is away are not delivered (NOTIFY keeps nothing for a
session that is not listening); a message the sender could not send is sent again after
it reconnects, so it may, rarely, arrive twice.

PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (default build): `publish` refuses
such a message at once with `MessageTooLargeError` instead of failing later on the thread.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from coach.runtime.room_bus import (
    DEFAULT_MAX_PENDING,
    InProcessRoomBus,
    RoomBus,
    Subscription,
)

log = logging.getLogger(__name__)

CHANNEL = "form_coach_rooms"
# PostgreSQL: "the payload string ... must be shorter than 8000 bytes" (server encoding).
NOTIFY_PAYLOAD_LIMIT_BYTES = 8000
DEFAULT_MAX_UNSENT = 1024
MAX_BATCH = 256  # messages sent in one statement when they queue up
LISTEN_POLL_S = 0.2  # how often the listener looks up from the socket to see if it must stop
FIRST_RECONNECT_PAUSE_S = 0.05
MAX_RECONNECT_PAUSE_S = 2.0


class MessageTooLargeError(ValueError):
    """A room message that PostgreSQL's NOTIFY cannot carry."""


class RoomBusConnectionError(RuntimeError):
    """The room bus could not connect to its database when it was made."""


def connect_kwargs(database_url: str) -> dict[str, Any]:
    """psycopg's connection arguments for a SQLAlchemy PostgreSQL URL (the store's
    `FORM_COACH_DATABASE_URL`, e.g. `postgresql+psycopg://user:pw@host/db?host=/run/pg`).

    Raises:
        ValueError: the URL is not a PostgreSQL URL.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            f"the PostgreSQL room bus needs a postgresql:// URL, got "
            f"{url.render_as_string(hide_password=True)}"
        )
    kwargs: dict[str, Any] = {
        key: value
        for key, value in url.translate_connect_args(database="dbname", username="user").items()
        if value is not None
    }
    for key, value in url.query.items():
        kwargs[key] = value if isinstance(value, str) else value[-1]
    return kwargs


def payload(topic: str, message: str) -> str:
    """The NOTIFY payload that carries `message` on `topic`: `"<topic>\\n<message>"`.

    Raises:
        ValueError: the topic holds a newline, or either holds a NUL character (PostgreSQL
            text cannot).
        MessageTooLargeError: the payload is `NOTIFY_PAYLOAD_LIMIT_BYTES` or more in UTF-8.
    """
    if "\n" in topic:
        raise ValueError(f"a room topic cannot hold a newline: {topic!r}")
    if "\x00" in topic or "\x00" in message:
        raise ValueError(f"a room message on {topic!r} cannot hold a NUL character")
    text = f"{topic}\n{message}"
    size = len(text.encode("utf-8"))
    if size >= NOTIFY_PAYLOAD_LIMIT_BYTES:
        raise MessageTooLargeError(
            f"a room message on {topic!r} is {size} bytes with its topic; PostgreSQL's NOTIFY "
            f"carries payloads shorter than {NOTIFY_PAYLOAD_LIMIT_BYTES} bytes: publish less "
            f"(fewer digits, fewer fields) or split it"
        )
    return text


class PostgresRoomBus(RoomBus):
    """A `RoomBus` whose messages reach the subscribers of every app process on the same
    PostgreSQL database (see the module). `close()` it when the process stops."""

    def __init__(
        self,
        database_url: str,
        channel: str = CHANNEL,
        max_unsent: int = DEFAULT_MAX_UNSENT,
    ) -> None:
        """Connect both connections now and start their threads.

        Raises:
            ValueError: not a PostgreSQL URL, or `max_unsent` below 1.
            RoomBusConnectionError: the database cannot be reached (the URL is named
                without its password).
        """
        if max_unsent < 1:
            raise ValueError(f"max_unsent must be at least 1, got {max_unsent}")
        self._kwargs = connect_kwargs(database_url)
        self._shown_url = make_url(database_url).render_as_string(hide_password=True)
        self._password = make_url(database_url).password or ""
        self._channel = channel
        self._local = InProcessRoomBus()
        self._unsent: deque[tuple[int, str]] = deque()  # (number, payload), oldest first
        self._numbers = itertools.count()
        self._max_unsent = max_unsent
        self._unsent_dropped = 0
        self._sent = 0
        self._reconnects = 0
        self._wake_sender = threading.Condition()
        self._stopping = threading.Event()
        self._listening = threading.Event()
        try:
            listener = self._connect_listener()
            sender = self._connect()
        except psycopg.OperationalError as exc:
            raise RoomBusConnectionError(
                f"the room bus cannot connect to {self._shown_url}: {self._said(exc)}; check "
                f"FORM_COACH_DATABASE_URL and that the server is up"
            ) from exc
        self._listener = threading.Thread(
            target=self._listen, args=(listener,), name="room-bus-listener", daemon=True
        )
        self._sender = threading.Thread(
            target=self._send, args=(sender,), name="room-bus-sender", daemon=True
        )
        self._listener.start()
        self._sender.start()

    # ---- the RoomBus ---------------------------------------------------------------------
    def publish(self, topic: str, message: str) -> None:
        """Queue `message` for every subscriber of `topic` in every process; returns at
        once. Drops the oldest unsent message when `max_unsent` are waiting.

        Raises:
            MessageTooLargeError: see `payload`.
            ValueError: see `payload`; or the bus is closed.
        """
        text = payload(topic, message)
        with self._wake_sender:
            if self._stopping.is_set():
                raise ValueError("the room bus is closed: publish on a bus that is open")
            if len(self._unsent) >= self._max_unsent:
                self._unsent.popleft()
                self._unsent_dropped += 1
                if self._unsent_dropped == 1 or self._unsent_dropped % 1000 == 0:
                    log.warning(
                        "room bus on %s: %d messages dropped unsent (the database is slow or away)",
                        self._shown_url,
                        self._unsent_dropped,
                    )
            self._unsent.append((next(self._numbers), text))
            self._wake_sender.notify()

    def subscribe(self, topic: str, max_pending: int = DEFAULT_MAX_PENDING) -> Subscription:
        return self._local.subscribe(topic, max_pending)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._local.unsubscribe(subscription)

    def close(self) -> None:
        """Send what is queued (while the database answers), stop both threads and wait
        for them, and close the connections. Idempotent."""
        with self._wake_sender:
            self._stopping.set()
            self._wake_sender.notify()
        for thread in (self._sender, self._listener):
            if thread is not threading.current_thread():
                thread.join()

    # ---- what it did, for logs and tests -------------------------------------------------
    @property
    def unsent_dropped(self) -> int:
        """Messages dropped because `max_unsent` were waiting to be sent."""
        return self._unsent_dropped

    @property
    def sent(self) -> int:
        """Messages sent to the database so far."""
        return self._sent

    @property
    def reconnects(self) -> int:
        """Times either connection was made again after it was lost."""
        return self._reconnects

    def wait_listening(self, timeout: float | None = None) -> bool:
        """Wait until the listener is listening (after a reconnect, say); True if it is.
        A message published before then does not reach this process's subscribers."""
        return self._listening.wait(timeout)

    def _said(self, error: BaseException) -> str:
        """The driver's text of `error` without the URL's password (libpq may quote it)."""
        text = str(error)
        return text.replace(self._password, "***") if self._password else text

    # ---- the threads ---------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(**self._kwargs, autocommit=True)

    def _connect_listener(self) -> psycopg.Connection[Any]:
        connection = self._connect()
        try:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
        except psycopg.Error:
            connection.close()
            raise
        self._listening.set()
        return connection

    def _reconnect(self, what: str, make: Any, error: psycopg.Error) -> Any | None:
        """A new connection made by `make()`, retried with growing pauses; None once the
        bus stops."""
        log.warning(
            "room bus %s lost %s (%s): reconnecting", what, self._shown_url, self._said(error)
        )
        pause = FIRST_RECONNECT_PAUSE_S
        while not self._stopping.wait(pause):
            try:
                connection = make()
            except psycopg.OperationalError as exc:
                log.info(
                    "room bus %s: %s still unreachable (%s)",
                    what,
                    self._shown_url,
                    self._said(exc),
                )
                pause = min(2 * pause, MAX_RECONNECT_PAUSE_S)
                continue
            with self._wake_sender:
                self._reconnects += 1
            log.info("room bus %s reconnected to %s", what, self._shown_url)
            return connection
        return None

    def _listen(self, connection: psycopg.Connection[Any] | None) -> None:
        while connection is not None:
            try:
                while not self._stopping.is_set():
                    for notify in connection.notifies(timeout=LISTEN_POLL_S):
                        topic, _, message = notify.payload.partition("\n")
                        self._local.publish(topic, message)
                connection.close()
                return
            except psycopg.OperationalError as exc:
                self._listening.clear()
                connection.close()
                connection = self._reconnect("listener", self._connect_listener, exc)

    def _next_batch(self) -> list[tuple[int, str]] | None:
        """The oldest unsent messages to send in one statement (waits for one), or None
        once the bus stops with nothing left. A batch is one transaction, and PostgreSQL
        folds identical payloads sent in one transaction into one: a batch ends before
        a message equal to one already in it."""
        with self._wake_sender:
            while not self._unsent and not self._stopping.is_set():
                self._wake_sender.wait()
            batch: list[tuple[int, str]] = []
            seen: set[str] = set()
            for number, text in self._unsent:
                if len(batch) == MAX_BATCH or text in seen:
                    break
                batch.append((number, text))
                seen.add(text)
            return batch or None

    def _send(self, connection: psycopg.Connection[Any] | None) -> None:
        # unnest yields the array in order and NOTIFY delivers one transaction's
        # notifications in the order they were made: the batch keeps publishing order.
        statement = "SELECT pg_notify(%s, payload) FROM unnest(%s::text[]) AS payload"
        while connection is not None:
            batch = self._next_batch()
            if batch is None:
                connection.close()
                return
            sent = 0
            try:
                connection.execute(statement, (self._channel, [text for _, text in batch]))
                sent = len(batch)
            except psycopg.OperationalError as exc:
                connection.close()
                connection = self._reconnect("sender", self._connect, exc)
                continue  # the same messages again (less any dropped meanwhile)
            except psycopg.Error as exc:  # refused by the server: never sent again
                log.error("room bus: the database refused %d messages (%s)", len(batch), exc)
            last = batch[-1][0]
            with self._wake_sender:
                while self._unsent and self._unsent[0][0] <= last:
                    self._unsent.popleft()
                self._sent += sent
