"""Telehealth's live half: what a shared live session publishes for its physiotherapist to
watch, and what the physiotherapist sends back.

Each shared session has two rooms on the app's `RoomBus` (coach.runtime.room_bus):
`state_topic(session_id)`, where the patient's frame loop publishes one compact state
message per frame (at most `MAX_STATE_PER_S` a second: what a watcher needs to see the
movement), and `control_topic(session_id)`, where the watcher's side publishes its presence
heartbeat, short messages and changes of target; the patient's frame loop polls it
between frames. Messages are compact JSON (coordinates to `DECIMALS` places) and always
under `MAX_MESSAGE_BYTES`: a bus that carries rooms across app processes through
PostgreSQL NOTIFY has an 8,000-byte payload limit.

Nothing here decides who may watch (coach.auth does) or touches a web framework. Time: the
throttle runs on the frame's own time (a live frame loop's session time), never the wall
clock; only `sent_ms`, for measuring the delay to the watcher's screen, is wall time. A
heartbeat carries the time it was published on the room bus's clock (`RoomBus.now`), and
the patient's side checks it against the same clock: a heartbeat read late (no frame
and no page question for a while) is as old as it is, not as fresh as its reading.
"""

from __future__ import annotations

import json
import math
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from coach.core.errors import CoachError
from coach.core.pose import Pose
from coach.runtime.guided import SET_PLAN_LIMITS
from coach.runtime.room_bus import RoomBus, Subscription
from coach.runtime.stream import StreamState

MAX_MESSAGE_BYTES = 7000  # NOTIFY's payload limit is 8,000 bytes; room to spare
MAX_STATE_PER_S = 30.0  # a watcher's screen needs no more
DECIMALS = 4
PRESENCE_EVERY_S = 2.0  # a watcher says it is there this often
WATCHED_FOR_S = 5.0  # "is watching" lasts this long after the last heartbeat was published
MAX_SAY_CHARS = 200  # a short message, spoken on the patient's page
MAX_TEXT_CHARS = 300  # any text field of a state message (cue, headline), cut beyond


class ControlError(CoachError):
    """A control message that is not one of `decode_control`'s kinds, or out of bounds."""


def state_topic(session_id: int) -> str:
    """The room a shared session's frames are published to."""
    return f"live/{int(session_id)}/state"


def control_topic(session_id: int) -> str:
    """The room the watcher's presence, messages and target changes go to."""
    return f"live/{int(session_id)}/control"


def _round(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), DECIMALS)


def _text(value: str | None) -> str | None:
    return None if value is None else value[:MAX_TEXT_CHARS]


def landmark_rows(pose: Pose | None) -> list[list[float]] | None:
    """The pose's 33 image landmarks as [x, y, visibility] (x, y: 0-1 of the camera's
    own, unmirrored image), `DECIMALS` places; None when nobody is seen. A coordinate
    the model did not give (NaN) becomes visibility 0 at (0, 0)."""
    if pose is None or pose.is_empty:
        return None
    rows = []
    for (x, y, _z), v in zip(pose.image_xyz.tolist(), pose.visibility.tolist(), strict=True):
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(v)):
            rows.append([0.0, 0.0, 0.0])
            continue
        rows.append([round(x, DECIMALS), round(y, DECIMALS), round(v, DECIMALS)])
    return rows


def state_message(
    t_s: float,
    pose: Pose | None,
    frame_wh: tuple[int, int],
    state: StreamState,
    *,
    pain: int | None,
    sent_ms: float,
) -> str:
    """One frame of a shared session, as compact JSON: `t` (the session time, s), `wh`
    (frame size), `lm` (`landmark_rows`), `s` (count, phase, gauge, cue, guidance, set,
    faults first seen on this frame, headline), `pain` (what the patient entered),
    `sent` (wall clock ms, for the delay to the watcher's screen only).

    Raises ValueError if the message would exceed `MAX_MESSAGE_BYTES` (it cannot with 33
    landmarks and texts cut to `MAX_TEXT_CHARS`; the check keeps that true)."""
    gauge = state["gauge"]
    shown = {
        "headline": _text(state["headline"]),
        "count": state["count"],
        "phase": state["phase"],
        "gauge": None
        if gauge is None
        else {
            "label": gauge["label"],
            "unit": gauge["unit"],
            **{key: _round(gauge[key]) for key in ("value", "start", "turn", "target")},
        },
        "cue": _text(state["cue"]),
        "guidance": _text(state["guidance"]),
        "set": None
        if state["set"] is None
        else {**state["set"], "progress": _round(state["set"]["progress"])},
        "faults": state["faults"][:10],
    }
    message = {
        "type": "frame",
        "t": round(t_s, 3),
        "wh": [int(frame_wh[0]), int(frame_wh[1])],
        "lm": landmark_rows(pose),
        "s": shown,
        "pain": pain,
        "sent": round(sent_ms, 1),
    }
    text = json.dumps(message, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    if len(text.encode()) > MAX_MESSAGE_BYTES:
        raise ValueError(f"a live state message of {len(text.encode())} bytes is too large")
    return text


END_MESSAGE = json.dumps({"type": "end"}, separators=(",", ":"))


# ---- control: watcher -> patient -------------------------------------------------------
@dataclass(frozen=True)
class Say:
    """A short message from the physiotherapist, shown (and spoken) on the patient's page."""

    text: str


@dataclass(frozen=True)
class TargetChange:
    """This session's new target: reps per set and/or the range-of-motion target (degrees
    on the prescription's measure), taking effect from the next rep; or, for a hold
    exercise, the seconds of each hold (`hold_s`), from the next hold."""

    reps: int | None = None
    rom_target_deg: float | None = None
    hold_s: float | None = None


@dataclass(frozen=True)
class Presence:
    """A watcher's heartbeat, published at `at_s` on the room bus's clock (`RoomBus.now`)."""

    at_s: float


Control = Say | TargetChange | Presence


def say_message(text: str) -> str:
    """A `Say` for the control topic. Raises ControlError for empty or over-long text."""
    return encode_control(Say(text))


def presence_message(bus: RoomBus) -> str:
    """A heartbeat for the control topic, stamped with `bus.now()`: publish it on `bus`
    at once (the stamp is the time it was sent)."""
    return encode_control(Presence(bus.now()))


def encode_control(control: Control) -> str:
    """A control message as the control topic carries it (checked as it is decoded)."""
    if isinstance(control, Presence):
        payload: dict[str, object] = {"type": "presence", "at": control.at_s}
    elif isinstance(control, Say):
        payload = {"type": "say", "text": control.text}
    else:
        payload = {"type": "target"}
        if control.reps is not None:
            payload["reps"] = control.reps
        if control.rom_target_deg is not None:
            payload["rom"] = _round(control.rom_target_deg)
        if control.hold_s is not None:
            payload["hold"] = _round(control.hold_s)
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    decode_control(text)  # the same checks as the receiving side
    return text


def decode_control(text: str) -> Control:
    """A control message, checked. Raises ControlError naming what is wrong: not JSON, an
    unknown type, a heartbeat without its time (`at`, a finite number), a message text
    empty or over `MAX_SAY_CHARS`, reps outside 1-200, a range target outside 0-360
    degrees, a hold time outside `SET_PLAN_LIMITS["hold_s"]` seconds, or a target that
    changes nothing."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ControlError(f"a control message is not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise ControlError("a control message must be a JSON object")
    kind = value.get("type")
    if kind == "presence":
        at = value.get("at")
        # `type(...) is`, not isinstance: a JSON true is not a time.
        if not (type(at) is int or type(at) is float) or not math.isfinite(at):
            raise ControlError('a presence heartbeat needs "at", the time it was sent (seconds)')
        return Presence(float(at))
    if kind == "say":
        words = value.get("text")
        if not isinstance(words, str) or not words.strip():
            raise ControlError("a message to the patient needs some text")
        if len(words) > MAX_SAY_CHARS:
            raise ControlError(f"a message to the patient is at most {MAX_SAY_CHARS} characters")
        return Say(words.strip())
    if kind == "target":
        reps, rom, hold = value.get("reps"), value.get("rom"), value.get("hold")
        if reps is not None and (type(reps) is not int or not 1 <= reps <= 200):
            raise ControlError("target reps must be a whole number from 1 to 200")
        if rom is not None and (
            type(rom) not in (int, float) or not math.isfinite(rom) or not 0 <= rom <= 360
        ):
            raise ControlError("a range-of-motion target must be 0 to 360 degrees")
        low, high = SET_PLAN_LIMITS["hold_s"]
        if hold is not None and (
            type(hold) not in (int, float) or not math.isfinite(hold) or not low <= hold <= high
        ):
            raise ControlError(f"a hold time must be {low} to {high} seconds")
        if reps is None and rom is None and hold is None:
            raise ControlError("a target change needs reps, a range-of-motion target or a hold")
        return TargetChange(
            reps, None if rom is None else float(rom), None if hold is None else float(hold)
        )
    raise ControlError(f"unknown control message type {str(kind)[:32]!r}")


@dataclass(frozen=True)
class WatchStatus:
    """What the patient's page shows of the watcher: whether someone watches, and the
    last message (with a number that changes with each new one, for speaking it once)."""

    watched: bool
    message: str | None
    message_id: int


class Telecast:
    """One shared session's side of its rooms, owned by the patient's frame loop.

    `publish` (the frame loop's thread) sends a state message when `1/MAX_STATE_PER_S`
    of frame time has passed since the last; `controls` and `status` (any thread) both
    drain the control topic: `controls` returns the target changes to apply, `status`
    says whether someone watches (heartbeats are read with or without frames) and the
    last message. `stop` publishes the end message and leaves the rooms: watchers close.
    A heartbeat counts for `WATCHED_FOR_S` from the time it was published, on the bus's
    clock (`RoomBus.now`), whenever it is read."""

    def __init__(
        self,
        bus: RoomBus,
        session_id: int,
        *,
        pain: int | None = None,
        wall_ms: Callable[[], float] = lambda: time.time() * 1000.0,
    ) -> None:
        self.bus = bus
        self.session_id = session_id
        self.pain = pain
        self._wall_ms = wall_ms
        self._topic = state_topic(session_id)
        self._control: Subscription = bus.subscribe(control_topic(session_id))
        # A telecast dropped without `stop` (the page's state forgotten) still ends its
        # watchers and leaves the control room; the finalizer holds the bus, never self.
        self._finalizer = weakref.finalize(self, _end, bus, self._topic, self._control)
        self._lock = threading.Lock()
        self._last_t_s: float | None = None
        self._seen_at: float | None = None  # when the newest heartbeat was sent (bus clock)
        self._message: str | None = None
        self._message_id = 0
        self._changes: list[TargetChange] = []  # read by `status`, not yet by `controls`
        self._draining = threading.Lock()  # the frame loop's and the page's drains
        self._stopped = False
        self._publishing = threading.Lock()  # a frame and the end message, never crossed
        self._held_faults: list[str] = []  # faults of frames the throttle held back
        self.published = 0
        self.rejected = 0  # control messages refused by `decode_control`

    def publish(
        self, t_s: float, pose: Pose | None, frame_wh: tuple[int, int], state: StreamState
    ) -> bool:
        """Publish this frame unless it comes sooner than the throttle allows (frame time)
        or the telecast has stopped; the faults first seen on a frame held back go out
        with the next one published. Returns whether it was published."""
        with self._publishing:
            if self._stopped:
                return False
            if self._last_t_s is not None and t_s - self._last_t_s < 1.0 / MAX_STATE_PER_S - 1e-6:
                self._held_faults += state["faults"]
                return False
            self._last_t_s = t_s
            if self._held_faults:
                state = {**state, "faults": self._held_faults + state["faults"]}
                self._held_faults = []
            message = state_message(
                t_s, pose, frame_wh, state, pain=self.pain, sent_ms=self._wall_ms()
            )
            # Under the lock: no frame can follow the end message (`stop`).
            self.bus.publish(self._topic, message)
            self.published += 1
            return True

    def _drain(self) -> None:
        """Read what the control topic holds (any thread): presence and messages kept for
        `status`, target changes queued for `controls`. A refused message is counted
        (`rejected`) and skipped: the watcher's side checks before it publishes, so one
        only comes from a bug. One drain at a time: the changes keep their order."""
        with self._draining:
            for text in self._control.poll():
                try:
                    control = decode_control(text)
                except ControlError:
                    self.rejected += 1
                    continue
                with self._lock:
                    if isinstance(control, Presence):
                        # Its sending time, not now: a heartbeat read late is old. One
                        # stamped ahead of this clock (another machine's, running fast)
                        # counts from now, so it cannot keep "is watching" up for longer.
                        sent = min(control.at_s, self.bus.now())
                        if self._seen_at is None or sent > self._seen_at:
                            self._seen_at = sent
                    elif isinstance(control, Say):
                        self._message, self._message_id = control.text, self._message_id + 1
                    else:
                        self._changes.append(control)

    def controls(self) -> list[TargetChange]:
        """Drain the control topic and return the target changes that came since the last
        call (also those `status` read meanwhile), oldest first, for the frame loop to
        apply."""
        self._drain()
        with self._lock:
            changes, self._changes = self._changes, []
        return changes

    def status(self) -> WatchStatus:
        """Whether a watcher's heartbeat was sent within `WATCHED_FOR_S` (the bus's clock),
        and the last message. It drains the control topic itself: the patient's page asks
        whether someone watches also when no frame comes (before the camera starts, with
        it stopped)."""
        self._drain()
        with self._lock:
            watched = (
                not self._stopped
                and self._seen_at is not None
                and self.bus.now() - self._seen_at <= WATCHED_FOR_S
            )
            return WatchStatus(watched, self._message, self._message_id)

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Stop sharing now: the end message goes out (watchers close; no frame after
        it) and the control room is left. Idempotent."""
        with self._publishing, self._lock:
            if self._stopped:
                return
            self._stopped = True
            self._finalizer()


def _end(bus: RoomBus, topic: str, control: Subscription) -> None:
    """The end of a telecast: the end message on its state room, its control room left."""
    bus.publish(topic, END_MESSAGE)
    bus.unsubscribe(control)
