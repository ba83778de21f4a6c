"""The landmark stream's messages: what a browser that runs the pose model itself sends,
checked before anything reaches a frame loop, and what the server answers.

The protocol (docs/live-stream.md is the reference): the client's first message is a
`hello` with its single-use token, then one `frame` message per processed video frame
(its own capture time, its size and 0-2 poses of 33 landmarks); the server answers
`ready`, then one `state` per frame. A refused message gets an `error` with the reason in
plain words and the connection is closed with the `StreamError`'s code.

Everything here is pure: no sockets, no Streamlit, no wall clock but the one the caller
passes to the rate limit (which guards the server, not the count: counting takes time from
the frames). A decoded frame becomes `Pose`s ordered by `people_in_order`, the same
function the server's own estimator orders its poses with, so the engine cannot tell where
the landmarks came from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import numpy as np

from coach.core.errors import CoachError
from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose
from coach.vision.estimator import people_in_order

# Close codes (WebSocket private range 4000-4999), one per kind of refusal.
CLOSE_MALFORMED = 4400  # not JSON, wrong shape, out of bounds, time not increasing, too big
CLOSE_TOKEN = 4401  # no, unknown, used or expired token; or not this patient's session
CLOSE_NO_HELLO = 4408  # no hello within HELLO_TIMEOUT_S of opening
CLOSE_REPLACED = 4409  # a newer connection took over the same frame loop
CLOSE_ENDED = 4410  # the page's session ended (page left, signed out, session expired)
CLOSE_RATE = 4429  # more frames than the rate limit allows

HELLO_TIMEOUT_S = 5.0
# A frame of two poses is about 10 KB of JSON; anything near this is not a frame.
MAX_MESSAGE_BYTES = 32 * 1024
MAX_POSES = 2
# A 60 frames/s camera is the fastest a patient's browser sends; a burst absorbs the
# frames a busy tab or network delivers at once after a pause.
MAX_FRAMES_PER_S = 60.0
BURST_FRAMES = 30

# Bounds of plausible values (far beyond what the model gives, well short of nonsense).
FRAME_SIDE_PX = (16, 8192)  # each side of the frame
MAX_ASPECT = 8.0  # longer side / shorter side
IMAGE_BOUND = 10.0  # |x|, |y|, |z| of an image landmark (x, y: 0-1 inside the frame)
WORLD_BOUND_M = 10.0  # |x|, |y|, |z| of a world landmark, metres about the hips
MAX_T_MS = 1e13  # about 300 years: any clock a browser stamps frames with
TOKEN_CHARS = (16, 128)
DELEGATES = ("CPU", "GPU")
MODELS = ("full", "lite", "heavy")
MAX_CLIENT_FPS = 1000.0


class StreamError(CoachError):
    """A message refused: `reason` in plain words (sent to the client and logged; it never
    holds the token), `code` the WebSocket close code the connection is closed with."""

    code = CLOSE_MALFORMED

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class MalformedMessageError(StreamError):
    """Not JSON, not the protocol's shape, a number out of bounds or not finite, a time
    not after the last one, or too many bytes."""

    code = CLOSE_MALFORMED


class TokenRefusedError(StreamError):
    """No token, an unknown, used or expired one, or one not valid for this session."""

    code = CLOSE_TOKEN


class HelloTimeoutError(StreamError):
    """The client did not say hello in time."""

    code = CLOSE_NO_HELLO


class RateLimitedError(StreamError):
    """The client sent frames faster than the rate limit allows."""

    code = CLOSE_RATE


class StreamEndedError(StreamError):
    """The page's session ended, or a newer connection took over its frame loop."""

    def __init__(self, reason: str, code: int = CLOSE_ENDED) -> None:
        super().__init__(reason)
        self.code = code


# ---- client -> server ------------------------------------------------------------------
@dataclass(frozen=True)
class Hello:
    """The client's first message: its token and how it runs the model (for the log)."""

    token: str
    delegate: str
    model: str
    fps: float


@dataclass(frozen=True)
class FrameMessage:
    """One frame's landmarks as checked: its capture time (ms, the client's clock), its
    size and per pose a (33, 4) image array (x, y, z, visibility) and a (33, 3) world one."""

    t_ms: float
    frame_wh: tuple[int, int]
    landmarks: tuple[tuple[np.ndarray, np.ndarray], ...]

    def poses(self, t_s: float) -> list[Pose]:
        """The frame's poses at time `t_s` (the frame loop's time for this frame), largest
        person first (`people_in_order`). Returns [] when nobody was seen."""
        poses = [
            Pose(image[:, :3], world, image[:, 3], t_s, self.frame_wh)
            for image, world in self.landmarks
        ]
        return people_in_order(poses)


def _refuse_constant(name: str) -> float:
    raise MalformedMessageError(f"the message holds {name}, which is not a number JSON allows")


def parse(text: str | bytes | None) -> dict[str, Any]:
    """One message's JSON object. Raises `MalformedMessageError` for a binary or empty message,
    one over `MAX_MESSAGE_BYTES`, text that is not JSON (NaN and Infinity included) or
    JSON that is not an object with a string "type"."""
    if not isinstance(text, str):
        raise MalformedMessageError("messages must be JSON text, not binary")
    # Characters are at most 4 bytes: the cheap length check first, the exact one after.
    if len(text) > MAX_MESSAGE_BYTES or len(text.encode()) > MAX_MESSAGE_BYTES:
        raise MalformedMessageError(f"the message is larger than {MAX_MESSAGE_BYTES} bytes")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, over-long integers
        raise MalformedMessageError(
            f"the message is not valid JSON ({type(exc).__name__})"
        ) from exc
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise MalformedMessageError('a message must be a JSON object with a "type" string')
    return value


def _number(value: object, where: str, low: float, high: float) -> float:
    if type(value) not in (int, float):  # bool is an int to Python, not a number here
        raise MalformedMessageError(f"{where} must be a number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:  # a JSON integer of hundreds of digits
        number = math.inf
    if not (math.isfinite(number) and low <= number <= high):
        raise MalformedMessageError(f"{where} must be between {low:g} and {high:g}")
    return number


def _keys(message: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = set(message) - allowed
    if extra:
        raise MalformedMessageError(
            f"{where} has unknown keys: {', '.join(sorted(map(str, extra)))}"
        )


def decode_hello(text: str | bytes | None) -> Hello:
    """The first message, checked. Raises `MalformedMessageError` when it is not a well-formed
    hello, `TokenRefusedError` when it carries no token string of a plausible length."""
    message = parse(text)
    if message["type"] != "hello":
        raise MalformedMessageError(f'the first message must be a "hello", not "{message["type"]}"')
    _keys(message, {"type", "token", "client"}, "the hello")
    token = message.get("token")
    if not isinstance(token, str) or not TOKEN_CHARS[0] <= len(token) <= TOKEN_CHARS[1]:
        raise TokenRefusedError("the hello carries no valid token")
    client = message.get("client")
    if not isinstance(client, dict):
        raise MalformedMessageError('the hello\'s "client" must be an object')
    _keys(client, {"delegate", "model", "fps"}, 'the hello\'s "client"')
    delegate, model = client.get("delegate"), client.get("model")
    if delegate not in DELEGATES:
        raise MalformedMessageError(f'"client.delegate" must be one of {", ".join(DELEGATES)}')
    if model not in MODELS:
        raise MalformedMessageError(f'"client.model" must be one of {", ".join(MODELS)}')
    fps = _number(client.get("fps"), '"client.fps"', 0.0, MAX_CLIENT_FPS)
    return Hello(token, delegate, model, fps)


_NUMBER_TYPES = frozenset((int, float))  # not bool, a subclass of int


def _landmark_rows(value: object, columns: int, where: str) -> np.ndarray:
    """`NUM_LANDMARKS` rows of `columns` numbers, as a float array."""
    if not isinstance(value, list) or len(value) != NUM_LANDMARKS:
        raise MalformedMessageError(f"{where} must be a list of {NUM_LANDMARKS} landmarks")
    # Checked in two sweeps (every row, then the set of every value's type): a frame's
    # check is a good part of its cost on the server. A refusal then names the row.
    if not (
        all(type(row) is list and len(row) == columns for row in value)
        and {type(v) for row in value for v in row} <= _NUMBER_TYPES
    ):
        bad = next(
            i
            for i, row in enumerate(value)
            if type(row) is not list
            or len(row) != columns
            or not {type(v) for v in row} <= _NUMBER_TYPES
        )
        raise MalformedMessageError(f"{where}[{bad}] must be a list of {columns} numbers")
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:  # a JSON integer of hundreds of digits
        raise MalformedMessageError(f"{where} holds a number too large for a float") from None
    if not np.isfinite(array).all():  # "1e999" parses as infinity
        raise MalformedMessageError(f"{where} holds a number that is not finite")
    return array


def _pose_arrays(value: object, where: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(value, dict):
        raise MalformedMessageError(f'{where} must be an object with "image" and "world"')
    _keys(value, {"image", "world"}, where)
    image = _landmark_rows(value.get("image"), 4, f"{where}.image")
    world = _landmark_rows(value.get("world"), 3, f"{where}.world")
    if np.abs(image[:, :3]).max() > IMAGE_BOUND:
        raise MalformedMessageError(f"{where}.image coordinates must be within ±{IMAGE_BOUND:g}")
    if image[:, 3].min() < 0.0 or image[:, 3].max() > 1.0:
        raise MalformedMessageError(f"{where}.image visibility must be between 0 and 1")
    if np.abs(world).max() > WORLD_BOUND_M:
        raise MalformedMessageError(
            f"{where}.world coordinates must be within ±{WORLD_BOUND_M:g} m"
        )
    return image, world


def _frame_size(value: object) -> tuple[int, int]:
    low, high = FRAME_SIDE_PX
    if not isinstance(value, list) or len(value) != 2 or any(type(v) is not int for v in value):
        raise MalformedMessageError('"size" must be [width, height] in whole pixels')
    width, height = value
    if not (low <= width <= high and low <= height <= high):
        raise MalformedMessageError(f'"size" sides must be between {low} and {high} pixels')
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise MalformedMessageError(f'"size" is not a camera\'s shape (over {MAX_ASPECT:g} to 1)')
    return width, height


def decode_frame(message: Mapping[str, Any]) -> FrameMessage:
    """A parsed `frame` message, checked: its time, size and poses. Raises
    `MalformedMessageError` naming the key at fault."""
    if message.get("type") != "frame":
        raise MalformedMessageError(
            f'after the hello only "frame" messages are accepted, not '
            f'"{str(message.get("type"))[:32]}"'
        )
    _keys(message, {"type", "t_ms", "size", "poses"}, "a frame")
    t_ms = _number(message.get("t_ms"), '"t_ms"', 0.0, MAX_T_MS)
    frame_wh = _frame_size(message.get("size"))
    poses = message.get("poses")
    if not isinstance(poses, list) or len(poses) > MAX_POSES:
        raise MalformedMessageError(f'"poses" must be a list of at most {MAX_POSES} poses')
    landmarks = tuple(_pose_arrays(pose, f"poses[{i}]") for i, pose in enumerate(poses))
    return FrameMessage(t_ms, frame_wh, landmarks)


class RateLimit:
    """A token bucket: `per_s` frames a second on average, `burst` at once after a quiet
    spell. `take(now_s)` spends one frame (raising `RateLimitedError` when none is left); the
    caller passes a monotonic clock."""

    def __init__(self, per_s: float = MAX_FRAMES_PER_S, burst: int = BURST_FRAMES) -> None:
        self.per_s = per_s
        self.burst = float(burst)
        self._left = float(burst)
        self._at: float | None = None

    def take(self, now_s: float) -> None:
        if self._at is not None:
            self._left = min(self.burst, self._left + (now_s - self._at) * self.per_s)
        self._at = now_s
        if self._left < 1.0:
            raise RateLimitedError(
                f"more than {self.per_s:g} frames a second (bursts of {self.burst:g}): slow down"
            )
        self._left -= 1.0


class FrameChecks:
    """Everything checked about one connection's frames: bytes, the rate limit, the
    message, and capture times strictly increasing. One per connection."""

    def __init__(self, rate: RateLimit | None = None) -> None:
        self.rate = rate or RateLimit()
        self.last_t_ms: float | None = None

    def frame(self, text: str | bytes | None, now_s: float) -> FrameMessage:
        """The next frame message, checked. Raises a `StreamError` (its `code` says how
        to close) when it is refused."""
        if isinstance(text, str) and len(text) > MAX_MESSAGE_BYTES:
            raise MalformedMessageError(f"the message is larger than {MAX_MESSAGE_BYTES} bytes")
        self.rate.take(now_s)  # before the JSON is read: a flood costs little
        frame = decode_frame(parse(text))
        if self.last_t_ms is not None and frame.t_ms <= self.last_t_ms:
            raise MalformedMessageError(
                f'"t_ms" must increase from frame to frame: {frame.t_ms:g} after {self.last_t_ms:g}'
            )
        self.last_t_ms = frame.t_ms
        return frame


# ---- server -> client ------------------------------------------------------------------
class Gauge(TypedDict):
    """The driving measure against its thresholds in force (the panel's gauge)."""

    label: str
    unit: str  # "°" for an angle, "" for a ratio
    value: float | None  # None while it is not seen
    start: float | None
    turn: float | None
    target: float | None


class SetProgress(TypedDict):
    """Where the patient is in the plan."""

    index: int
    of: int
    reps: int
    target_reps: int | None  # None for a hold
    held_s: float  # held in the current set (0 for reps)
    target_hold_s: float | None  # this hold's seconds (the next one's between sets); None: reps
    stage: str  # positioning, exercising, resting, done
    progress: float  # 0-1 of the current set
    text: str  # all of it in words, as the pages show it (coach.runtime.live.set_line)


class StreamState(TypedDict):
    """What the page shows and speaks after one frame (None where it does not apply)."""

    headline: str
    count: int | None
    phase: str | None
    gauge: Gauge | None
    cue: str | None
    guidance: str | None
    set: SetProgress | None
    say: str | None
    faults: list[str]  # rule ids of the faults first seen on this frame
    details: list[str]  # the read-out's further lines (the assessment's), [] if none
    # A shared live session: the physiotherapist's last message (coach.runtime.telehealth),
    # {"id": <changes with each new one>, "text": ...}; absent otherwise.
    message: NotRequired[ClinicianMessage]


class ClinicianMessage(TypedDict):
    """The watcher's last message on a shared session, shown and spoken once per id."""

    id: str  # coach.runtime.live.spoken_message: "message-<n>"
    text: str


def finite_or_none(value: float | None) -> float | None:
    """`value` as JSON can carry it: NaN (not seen) and None become None."""
    return None if value is None or not math.isfinite(value) else float(value)


READY_MESSAGE = json.dumps({"type": "ready"})


def state_message(t_ms: float, state: StreamState) -> str:
    """The `state` answer to the frame captured at `t_ms` (raises ValueError on a NaN,
    which browsers' JSON cannot read: states are built with `finite_or_none`)."""
    return json.dumps({"type": "state", "t_ms": t_ms, "state": state}, allow_nan=False)


def error_message(reason: str) -> str:
    """The `error` message sent before a refused connection is closed."""
    return json.dumps({"type": "error", "reason": reason})


# ---- the client's side, in Python (the load generator, tests) --------------------------
def hello_message(
    token: str, *, delegate: str = "CPU", model: str = "full", fps: float = 30.0
) -> str:
    """A `hello` as the browser component sends it."""
    client = {"delegate": delegate, "model": model, "fps": fps}
    return json.dumps({"type": "hello", "token": token, "client": client})


def frame_message(t_ms: float, frame_wh: tuple[int, int], poses: list[Pose]) -> str:
    """A `frame` as the browser component sends it, from poses (a recording's, replayed):
    image landmarks with their visibility, and world landmarks. Float64 survives JSON
    exactly, so the server decodes the very same poses."""
    payload = [
        {
            "image": np.column_stack([pose.image_xyz, pose.visibility]).tolist(),
            "world": pose.world_xyz.tolist(),
        }
        for pose in poses
        if not pose.is_empty
    ]
    size = [int(frame_wh[0]), int(frame_wh[1])]
    return json.dumps({"type": "frame", "t_ms": t_ms, "size": size, "poses": payload})
