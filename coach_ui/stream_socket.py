"""The landmark stream's WebSocket endpoint (`STREAM_PATH` in coach_ui/routes.py): a
browser that runs the pose model itself sends each frame's landmarks here, and the frame
loop of the page that issued its token coaches from them.

One connection: a `hello` within `HELLO_TIMEOUT_S` whose token (coach_ui/live_stream.py)
attaches it to a loop, then per frame: checked (coach.runtime.stream), through the loop's
`process_poses`, answered with the loop's `stream_state`. Any refusal sends an `error`
with the reason, closes with the refusal's code and logs the reason (never the token).

The engine step runs on a worker thread, not on the event loop: a live coach writes each
rep to the store as it happens, and a slow write (a busy database) on the event loop would
hold up every other patient's stream. The hop costs a small share of the step's CPU time
(docs/live-stream.md has the measurement). A connection's frames still go one at a time,
in order, and are never dropped: a slow server answers later, it does not skip.
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

from coach.runtime.stream import (
    HELLO_TIMEOUT_S,
    READY_MESSAGE,
    FrameChecks,
    FrameMessage,
    HelloTimeoutError,
    RateLimit,
    StreamError,
    StreamState,
    decode_hello,
    error_message,
    state_message,
)
from coach_ui.live_stream import STREAMS, Attachment, StreamRegistry

log = logging.getLogger(__name__)
IDLE_CHECK_S = 1.0  # how often a quiet connection checks that its session goes on
_numbers = itertools.count(1)  # connection numbers for the log


async def receive_message(websocket: WebSocket, timeout_s: float) -> str | bytes | None:
    """The next message's text (or bytes); raises TimeoutError after `timeout_s` and
    WebSocketDisconnect when the client has gone."""
    message = await asyncio.wait_for(websocket.receive(), timeout_s)
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    return text if text is not None else message.get("bytes")


def _step(attachment: Attachment, frame: FrameMessage) -> StreamState:
    """One checked frame through its loop (worker thread). Raises `StreamError` when the
    stream has ended or the loop now writes into another patient's record."""
    loop = attachment.loop()
    if attachment.recorder_changed(loop):
        attachment.check_patient(loop)
    t_s = loop.session_time(frame.t_ms / 1000.0)
    seen = loop.process_poses(frame.poses(t_s), t_s, frame.frame_wh)
    return loop.stream_state(seen)


async def _hello(websocket: WebSocket, registry: StreamRegistry) -> tuple[Attachment, str]:
    try:
        text = await receive_message(websocket, HELLO_TIMEOUT_S)
    except TimeoutError:
        raise HelloTimeoutError(f"no hello within {HELLO_TIMEOUT_S:g} seconds") from None
    hello = decode_hello(text)
    attachment = registry.redeem(hello.token)
    await run_in_threadpool(attachment.check_patient, attachment.loop())
    return attachment, f"{hello.delegate} {hello.model} {hello.fps:.0f} fps"


async def _frames(websocket: WebSocket, attachment: Attachment, rate: RateLimit) -> None:
    checks = FrameChecks(rate)
    while True:
        try:
            text = await receive_message(websocket, IDLE_CHECK_S)
        except TimeoutError:
            attachment.loop()  # a quiet connection ends with its session too
            continue
        frame = checks.frame(text, time.monotonic())
        state = await run_in_threadpool(_step, attachment, frame)
        await websocket.send_text(state_message(frame.t_ms, state))


async def refuse(websocket: WebSocket, error: StreamError) -> None:
    """The error message, then the close with its code (a client already gone is fine)."""
    try:
        await websocket.send_text(error_message(error.reason))
        # A close frame's reason is at most 123 bytes; the message above has it whole.
        await websocket.close(error.code, error.reason.encode()[:120].decode(errors="ignore"))
    except (WebSocketDisconnect, RuntimeError, OSError) as exc:
        log.info("could not send the refusal (%s): the client has gone", type(exc).__name__)


@contextlib.asynccontextmanager
async def refusals(websocket: WebSocket, name: Callable[[], str], logger: logging.Logger):
    """Around a socket's life: a `StreamError` is logged on `logger` with the socket's
    `name()` and refused (`refuse`); the client closing is logged. Neither propagates."""
    try:
        yield
    except StreamError as exc:
        logger.warning("%s refused (close %d): %s", name(), exc.code, exc.reason)
        await refuse(websocket, exc)
    except WebSocketDisconnect as exc:
        logger.info("%s: closed by the client (code %s)", name(), exc.code)


async def serve(
    websocket: WebSocket, registry: StreamRegistry, rate_limit: Callable[[], RateLimit] = RateLimit
) -> None:
    """Serve one landmark stream against `registry`, each connection with its own
    `rate_limit()`, until it ends (see the module)."""
    await websocket.accept()
    peer = websocket.client.host if websocket.client is not None else "unknown"
    name = f"landmark stream {next(_numbers)} from {peer}"
    attachment: Attachment | None = None
    try:
        async with refusals(websocket, lambda: name, log):
            attachment, client = await _hello(websocket, registry)
            log.info("%s: ready (%s, patient %s)", name, client, attachment.patient_id)
            await websocket.send_text(READY_MESSAGE)
            await _frames(websocket, attachment, rate_limit())
    finally:
        if attachment is not None:
            registry.release(attachment)


def stream_endpoint(
    registry: StreamRegistry = STREAMS, rate_limit: Callable[[], RateLimit] = RateLimit
) -> Callable[[WebSocket], Awaitable[None]]:
    """The landmark stream's endpoint on `registry` (the app's one registry, or the load
    generator's harness's own, whose tokens no app server knows), with a `rate_limit()`
    per connection (the protocol's own by default)."""

    async def endpoint(websocket: WebSocket) -> None:
        await serve(websocket, registry, rate_limit)

    return endpoint
