"""The telehealth watch socket (`WATCH_PATH` in coach_ui/routes.py): a clinician's browser
gets a shared live session's frames (landmarks and the coach's state) as they are
published, and, while it is connected, tells the patient's page someone is watching.

One connection: a `{"type": "hello", "token": ...}` within `HELLO_TIMEOUT_S` whose watch
token (coach_ui/rooms.py) names the session and the clinician; access is checked again on
the store (the patient's own clinician only: coach.auth.access.require_watcher) and the
session must be shared live now. Then `{"type": "ready", "session": <id>}`, and every
message of the session's state room as it comes (coach.runtime.telehealth: "frame"
messages, then "end" when the patient stops sharing, after which the socket closes with
4410). A presence heartbeat, stamped with the room bus's time, goes to the session's
control room every `PRESENCE_EVERY_S`.
The socket also ends when the clinician's page lets go of its watch, signs out, or the
session is no longer shared in the store (checked every `RECHECK_S`: the patient may be
on another app process). Refusals are logged (logger `coach_ui.watch_socket`) with the
user and the session, never the token, and the client gets the same refusal as for a
session it cannot see.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from coach.auth.access import AccessDeniedError, require_watcher
from coach.runtime.room_bus import RoomBus
from coach.runtime.stream import (
    HELLO_TIMEOUT_S,
    StreamEndedError,
    TokenRefusedError,
    parse,
)
from coach.runtime.telehealth import (
    END_MESSAGE,
    PRESENCE_EVERY_S,
    control_topic,
    presence_message,
    state_topic,
)
from coach.store import Store
from coach_ui.live_stream import Attachment, StreamRegistry
from coach_ui.rooms import Watch
from coach_ui.stream_socket import receive_message, refusals

log = logging.getLogger(__name__)
RECHECK_S = 5.0  # how often the store is asked whether the session is still shared
_numbers = itertools.count(1)


def _check(open_store: Callable[[], Store], watch: Watch) -> None:
    """Refuse unless the watcher may watch the session and it is shared live now (worker
    thread: reads the store). Raises TokenRefusedError (the same words as a session the
    user cannot see) or StreamEndedError (no longer shared)."""
    store = open_store()
    try:
        require_watcher(store, watch.principal, watch.session_id)
    except AccessDeniedError as exc:
        raise TokenRefusedError(str(exc)) from exc
    if not store.is_shared_live(watch.session_id):
        raise StreamEndedError("the patient is not sharing this session now")


async def _hello(websocket: WebSocket, registry: StreamRegistry[Watch]) -> Attachment[Watch]:
    try:
        text = await receive_message(websocket, HELLO_TIMEOUT_S)
    except TimeoutError:
        raise StreamEndedError(f"no hello within {HELLO_TIMEOUT_S:g} seconds", 4408) from None
    message = parse(text)
    token = message.get("token")
    if message["type"] != "hello" or not isinstance(token, str):
        raise TokenRefusedError("the first message must be a hello with the watch token")
    return registry.redeem(token)


async def _watch(
    websocket: WebSocket,
    attachment: Attachment[Watch],
    bus: RoomBus,
    open_store: Callable[[], Store],
) -> None:
    """Forward the state room to the socket until the session, the page or the client
    ends it; a heartbeat on the control room meanwhile."""
    watch = attachment.loop()
    room = bus.subscribe(state_topic(watch.session_id))
    gone = asyncio.ensure_future(websocket.receive())  # the client's close (or stray text)
    try:
        await websocket.send_text(f'{{"type":"ready","session":{watch.session_id}}}')
        next_presence = next_check = 0.0
        while True:
            now = time.monotonic()
            if now >= next_presence:
                bus.publish(control_topic(watch.session_id), presence_message(bus))
                next_presence = now + PRESENCE_EVERY_S
            if now >= next_check:
                await run_in_threadpool(_check, open_store, attachment.loop())
                next_check = now + RECHECK_S
            waiting = asyncio.ensure_future(room.wait(min(1.0, next_presence - now)))
            await asyncio.wait({waiting, gone}, return_when=asyncio.FIRST_COMPLETED)
            if gone.done():
                waiting.cancel()
                if gone.result()["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(gone.result().get("code", 1000))
                gone = asyncio.ensure_future(websocket.receive())  # ignore stray text
                continue
            for text in waiting.result():
                if text == END_MESSAGE:
                    raise StreamEndedError("the patient stopped sharing this session")
                await websocket.send_text(text)
            attachment.loop()  # the clinician's page let go, or signed out
    finally:
        gone.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await gone
        bus.unsubscribe(room)


async def serve(
    websocket: WebSocket,
    registry: StreamRegistry[Watch],
    bus: Callable[[], RoomBus],
    open_store: Callable[[], Store],
) -> None:
    """Serve one watch socket (see the module)."""
    await websocket.accept()
    peer = websocket.client.host if websocket.client is not None else "unknown"
    name = f"watch {next(_numbers)} from {peer}"
    attachment: Attachment[Watch] | None = None
    try:
        async with refusals(websocket, lambda: name, log):
            attachment = await _hello(websocket, registry)
            watch = attachment.loop()
            principal = watch.principal
            name += f" ({principal.kind} {principal.name!r}, session {watch.session_id})"
            await run_in_threadpool(_check, open_store, watch)
            log.info("%s: watching", name)
            await _watch(websocket, attachment, bus(), open_store)
    finally:
        if attachment is not None:
            registry.release(attachment)


def watch_endpoint(
    registry: StreamRegistry[Watch], bus: Callable[[], RoomBus], open_store: Callable[[], Store]
) -> Callable[[WebSocket], Awaitable[None]]:
    """The watch socket's endpoint on `registry`, the app's `bus` and store."""

    async def endpoint(websocket: WebSocket) -> None:
        await serve(websocket, registry, bus, open_store)

    return endpoint
