"""Tokens that bind a landmark stream (a WebSocket, coach_ui/stream_socket.py) to the page
that opened it: its Streamlit session, its frame loop and its patient.

A live page that lets the browser run the pose model calls `stream_token(loop,
patient_id=...)` and hands the token to its component, which says it in its first message.
The token is single-use and expires `TOKEN_TTL_S` after it was issued if not redeemed;
only its SHA-256 is kept, so the registry holds nothing a reader of memory could replay.
Redeeming it attaches the socket to the loop (a weak reference: the page owns the loop)
until one of these ends it: the page forgets the loop (left the page, a new session), the
Streamlit session is signed out or expires (its `StreamOwner`, kept in the session state,
is closed or collected), the page calls `end_streams(loop)`, or a newer socket redeems a
token for the same loop.

Streamlit 1.60 has no public API for a session's id (`st.context` has none), so the
session is a `StreamOwner` object the page keeps in `st.session_state`: it dies with the
session state, and `coach_ui.auth.forget_session_state` closes it on sign-out.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import streamlit as st

from coach.runtime.live import FrameLoop
from coach.runtime.stream import CLOSE_ENDED, CLOSE_REPLACED, StreamEndedError, TokenRefusedError

TOKEN_TTL_S = 60.0
OWNER_KEY = "live_stream_owner"
# What a token attaches its socket to: a frame loop (the landmark stream) or a telehealth
# watch (coach_ui/watch_socket.py). The registry holds it by a weak reference: the page
# that issued the token owns it.
Target = TypeVar("Target")


class StreamOwner:
    """One Streamlit session's hold on its streams: closed (sign-out) or collected (the
    session ended), every stream it opened ends."""

    def __init__(self) -> None:
        self._closed = threading.Event()

    def close(self) -> None:
        """End every stream this session opened; called when its session state is forgotten."""
        self._closed.set()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()


@runtime_checkable
class PatientRecorder(Protocol):
    """A recorder that can say whose session it writes into (coaching.StoreRecorder)."""

    def patient_id(self) -> int | None: ...


def recorder_patient_matches(loop: object, patient_id: int | None) -> bool:
    """Whether everything `loop` writes goes to `patient_id`'s record: True when it has no
    recorder (the assessment and posture loops: their pages save), False when its recorder
    cannot say whose session it writes. Reads the store: not on the event loop."""
    recorder = getattr(loop, "recorder", None)
    if recorder is None:
        return True
    return isinstance(recorder, PatientRecorder) and recorder.patient_id() == patient_id


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass
class _Grant(Generic[Target]):
    owner: weakref.ref[StreamOwner]
    loop: weakref.ref[Target]
    patient_id: int | None
    expires_at: float


@dataclass
class Attachment(Generic[Target]):
    """A redeemed token: one socket's hold on its frame loop. `loop()` gives the loop for
    one frame, or raises `StreamEndedError` once the stream must end."""

    owner: weakref.ref[StreamOwner]
    loop_ref: weakref.ref[Target]
    patient_id: int | None
    _ended: threading.Event = field(default_factory=threading.Event)
    _why: tuple[str, int] | None = None
    _checked_recorder: object = None  # the recorder whose patient was last checked

    def end(self, reason: str, code: int) -> None:
        """End the stream (from any thread); the socket closes with `code` at its next check."""
        self._why = (reason, code)
        self._ended.set()

    def loop(self) -> Target:
        """The frame loop, alive and still this socket's. Raises `StreamEndedError` when the
        stream was ended, the session signed out or gone, or the page forgot the loop."""
        if self._ended.is_set():
            reason, code = self._why or ("the stream was ended", CLOSE_ENDED)
            raise StreamEndedError(reason, code)
        owner, loop = self.owner(), self.loop_ref()
        if owner is None or owner.closed:
            raise StreamEndedError("the page's session ended")
        if loop is None:
            raise StreamEndedError("the page no longer runs this session")
        return loop

    def recorder_changed(self, loop: Target) -> bool:
        """Whether the loop writes through another recorder than the one last checked."""
        return getattr(loop, "recorder", None) is not self._checked_recorder

    def check_patient(self, loop: Target) -> None:
        """Refuse the stream unless everything `loop` writes goes to the token's patient.
        Reads the store: call it off the event loop. Raises `TokenRefusedError`."""
        recorder = getattr(loop, "recorder", None)
        if not recorder_patient_matches(loop, self.patient_id):
            raise TokenRefusedError("the token is not valid for this patient's session")
        self._checked_recorder = recorder


class StreamRegistry(Generic[Target]):
    """The tokens issued and not yet redeemed, and the socket attached to each loop (or,
    for a telehealth watch, to each watch: any weakly referable `Target`).

    Process-wide by necessity (the script thread issues a token, the server's event loop
    redeems it), shared by every session but holding nothing of one another's: a token
    names one loop, and redeeming it needs the token itself. Every method takes the lock.
    `clock` is monotonic seconds (a test may pass its own)."""

    def __init__(
        self, ttl_s: float = TOKEN_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._grants: dict[bytes, _Grant[Target]] = {}
        self._attached: weakref.WeakKeyDictionary[Target, Attachment[Target]] = (
            weakref.WeakKeyDictionary()
        )

    def issue(self, loop: Target, *, patient_id: int | None, owner: StreamOwner) -> str:
        """A new single-use token for `loop`, valid `ttl_s` seconds. Raises ValueError when
        the loop writes into another patient's record than `patient_id` (reads the store)."""
        if not recorder_patient_matches(loop, patient_id):
            raise ValueError(
                "stream_token: the loop's recorder does not write into this patient's record"
            )
        token = secrets.token_urlsafe(32)
        grant = _Grant(
            weakref.ref(owner), weakref.ref(loop), patient_id, self._clock() + self.ttl_s
        )
        with self._lock:
            self._purge()
            self._grants[_digest(token)] = grant
        return token

    def redeem(self, token: str) -> Attachment[Target]:
        """The attachment a token grants, once: the token is spent whatever happens next.
        A socket already attached to the same loop is ended (`CLOSE_REPLACED`). Raises
        `TokenRefusedError` for an unknown, used or expired token or a session that ended."""
        with self._lock:
            self._purge()
            grant = self._grants.pop(_digest(token), None)
            if grant is None:
                raise TokenRefusedError("the token is unknown, used or expired")
            owner, loop = grant.owner(), grant.loop()
            if owner is None or owner.closed or loop is None:
                raise TokenRefusedError("the session the token was issued for has ended")
            attachment = Attachment(grant.owner, grant.loop, grant.patient_id)
            previous = self._attached.get(loop)
            self._attached[loop] = attachment
        if previous is not None:
            previous.end("a newer connection took over this session", CLOSE_REPLACED)
        return attachment

    def end_streams(self, loop: Target) -> None:
        """End the socket attached to `loop`, if any, and void its unredeemed tokens (the
        page is done with the loop)."""
        with self._lock:
            attachment = self._attached.pop(loop, None)
            for digest in [d for d, g in self._grants.items() if g.loop() is loop]:
                del self._grants[digest]
        if attachment is not None:
            attachment.end("the page ended this session", CLOSE_ENDED)

    def release(self, attachment: Attachment[Target]) -> None:
        """Forget a socket that has closed (if it is still the one attached to its loop)."""
        loop = attachment.loop_ref()
        with self._lock:
            if loop is not None and self._attached.get(loop) is attachment:
                del self._attached[loop]

    def pending(self) -> int:
        """How many tokens are issued and neither redeemed nor expired."""
        with self._lock:
            self._purge()
            return len(self._grants)

    def _purge(self) -> None:
        now = self._clock()
        for digest in [d for d, g in self._grants.items() if g.expires_at <= now]:
            del self._grants[digest]


STREAMS: StreamRegistry[FrameLoop[Any]] = StreamRegistry()  # the app's one registry


def session_owner() -> StreamOwner:
    """This Streamlit session's `StreamOwner`, made on first use and kept in its state."""
    owner = st.session_state.get(OWNER_KEY)
    if not isinstance(owner, StreamOwner) or owner.closed:
        owner = st.session_state[OWNER_KEY] = StreamOwner()
    return owner


def stream_token(loop: FrameLoop[Any], *, patient_id: int | None) -> str:
    """A single-use token (valid 60 s) that attaches one WebSocket on `STREAM_PATH` to
    `loop`, for this Streamlit session and `patient_id` (None in home mode). Call it from
    the page's script. Raises ValueError when the loop writes into another patient's record."""
    return STREAMS.issue(loop, patient_id=patient_id, owner=session_owner())


def end_streams(loop: FrameLoop[Any]) -> None:
    """End the socket streaming into `loop` (the page left or finished its session)."""
    STREAMS.end_streams(loop)
