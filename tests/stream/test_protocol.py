"""The landmark stream's messages, checked (coach/runtime/stream.py): what is accepted
decodes to the very poses sent, and each kind of bad message is refused with its reason."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose
from coach.runtime.stream import (
    CLOSE_MALFORMED,
    CLOSE_RATE,
    CLOSE_TOKEN,
    MAX_MESSAGE_BYTES,
    FrameChecks,
    MalformedMessageError,
    RateLimit,
    RateLimitedError,
    StreamError,
    TokenRefusedError,
    decode_hello,
    frame_message,
    hello_message,
    state_message,
)
from coach.vision.estimator import people_in_order
from coach.vision.recording import PoseRecording
from tests.conftest import POSE_FIXTURES

UNLIMITED = RateLimit(1e9, 10**9)


def person(x0: float, y0: float, x1: float, y1: float, t_s: float = 0.0) -> Pose:
    """33 landmarks spread over a box, world = image less 0.5, visibility 0.9."""
    xs, ys = np.linspace(x0, x1, NUM_LANDMARKS), np.linspace(y0, y1, NUM_LANDMARKS)[::-1]
    image = np.column_stack([xs, ys, np.zeros(NUM_LANDMARKS)])
    return Pose(image, image - 0.5, np.full(NUM_LANDMARKS, 0.9), t_s, (640, 480))


def good_frame() -> dict:
    return json.loads(frame_message(40.0, (640, 480), [person(0.3, 0.1, 0.6, 0.9)]))


def decode(message: dict | str | bytes, checks: FrameChecks | None = None):
    text = json.dumps(message) if isinstance(message, dict) else message
    return (checks or FrameChecks(UNLIMITED)).frame(text, 0.0)


def test_a_recorded_frame_decodes_to_the_very_poses_sent():
    rec = PoseRecording.load(POSE_FIXTURES / "squat_side_studio.npz")
    checks = FrameChecks(UNLIMITED)
    for t, poses in list(zip(rec.t_s, rec.frames(), strict=True))[:50]:
        frame = checks.frame(frame_message(1000 * float(t), rec.frame_wh, poses), 0.0)
        got = frame.poses(float(t))
        assert frame.frame_wh == rec.frame_wh and len(got) == len(poses)
        for a, b in zip(got, people_in_order(poses), strict=True):
            np.testing.assert_array_equal(a.image_xyz, b.image_xyz)
            np.testing.assert_array_equal(a.world_xyz, b.world_xyz)
            np.testing.assert_array_equal(a.visibility, b.visibility)


def test_poses_are_ordered_as_the_server_s_estimator_orders_them():
    small, large = person(0.7, 0.5, 0.8, 0.7), person(0.2, 0.1, 0.6, 0.9)
    frame = decode(json.loads(frame_message(1.0, (640, 480), [small, large])))
    first, second = frame.poses(0.0)
    np.testing.assert_array_equal(first.image_xyz, large.image_xyz)
    np.testing.assert_array_equal(second.image_xyz, small.image_xyz)
    twice = decode(json.loads(frame_message(1.0, (640, 480), [large, large])))
    assert len(twice.poses(0.0)) == 1  # one person found twice is one person


def test_nobody_in_view_is_an_empty_list():
    assert decode({"type": "frame", "t_ms": 5, "size": [640, 480], "poses": []}).poses(0.0) == []


def _set(path: tuple, value):
    def change(message: dict) -> dict:
        message = copy.deepcopy(message)
        target = message
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return message

    return change


def _drop(key: str):
    def change(message: dict) -> dict:
        return {k: v for k, v in message.items() if k != key}

    return change


ROW = ("poses", 0, "image", 3)
BAD_FRAMES = {
    "wrong type": (_set(("type",), "hello"), 'only "frame"'),
    "unknown key": (_set(("extra",), 1), "unknown keys"),
    "no time": (_drop("t_ms"), '"t_ms" must be a number'),
    "time as text": (_set(("t_ms",), "40"), '"t_ms" must be a number'),
    "time as bool": (_set(("t_ms",), True), '"t_ms" must be a number'),
    "negative time": (_set(("t_ms",), -1), '"t_ms" must be between'),
    "time too far": (_set(("t_ms",), 1e14), '"t_ms" must be between'),
    "no size": (_drop("size"), '"size" must be'),
    "size of floats": (_set(("size",), [640.0, 480.0]), '"size" must be'),
    "size of three": (_set(("size",), [640, 480, 3]), '"size" must be'),
    "tiny size": (_set(("size",), [8, 8]), "sides must be between"),
    "huge size": (_set(("size",), [100000, 480]), "sides must be between"),
    "a sliver": (_set(("size",), [4096, 16]), "not a camera's shape"),
    "poses not a list": (_set(("poses",), {}), '"poses" must be a list'),
    "three poses": (lambda m: {**m, "poses": m["poses"] * 3}, "at most 2"),
    "pose not an object": (_set(("poses", 0), [1, 2]), "must be an object"),
    "pose without world": (_set(("poses", 0), {"image": []}), "list of 33"),
    "32 landmarks": (lambda m: _set(("poses", 0, "image"), m["poses"][0]["image"][:32])(m), "33"),
    "34 landmarks": (
        lambda m: _set(("poses", 0, "world"), m["poses"][0]["world"] * 2)(m),
        "33",
    ),
    "3 numbers in an image row": (_set(ROW, [0.5, 0.5, 0.0]), "list of 4 numbers"),
    "text in a row": (_set(ROW, [0.5, "x", 0.0, 1.0]), "list of 4 numbers"),
    "null in a row": (_set(ROW, [0.5, None, 0.0, 1.0]), "list of 4 numbers"),
    "bool in a row": (_set(ROW, [0.5, True, 0.0, 1.0]), "list of 4 numbers"),
    "image far out": (_set(ROW, [0.5, 50.0, 0.0, 1.0]), "within ±10"),
    "visibility over 1": (_set(ROW, [0.5, 0.5, 0.0, 1.5]), "visibility"),
    "visibility negative": (_set(ROW, [0.5, 0.5, 0.0, -0.1]), "visibility"),
    "world far out": (_set(("poses", 0, "world", 0), [0.0, 20.0, 0.0]), "10 m"),
    "world row of 4": (_set(("poses", 0, "world", 0), [0.0, 0.0, 0.0, 0.0]), "3 numbers"),
    "row not a list": (_set(ROW, "0.5, 0.5, 0.0, 1.0"), "list of 4 numbers"),
    "a row of rows": (_set(ROW, [[0.5], [0.5], [0.0], [1.0]]), "list of 4 numbers"),
    # Valid JSON, an integer too large for a float (400 digits parse; 5000 do not):
    "time beyond a float": (_set(("t_ms",), 10**400), '"t_ms" must be between'),
    "landmark beyond a float": (_set(ROW, [10**400, 0.5, 0.0, 1.0]), "too large for a float"),
    "world beyond a float": (
        _set(("poses", 0, "world", 0), [0.0, -(10**400), 0.0]),
        "too large for a float",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FRAMES))
def test_a_bad_frame_is_refused_with_its_reason(case):
    change, reason = BAD_FRAMES[case]
    with pytest.raises(MalformedMessageError) as refused:
        decode(change(good_frame()))
    assert reason in refused.value.reason
    assert refused.value.code == CLOSE_MALFORMED


BAD_TEXTS = {
    "binary": b'{"type": "frame"}',
    "not json": "{'type': 'frame'}",
    "truncated": '{"type": "frame", "t_ms": 4',
    "a list": "[1, 2, 3]",
    "no type": '{"t_ms": 4}',
    "NaN": '{"type": "frame", "t_ms": NaN, "size": [640, 480], "poses": []}',
    "Infinity in a landmark": json.dumps(good_frame()).replace("0.9]", "Infinity]", 1),
    "1e999": '{"type": "frame", "t_ms": 1e999, "size": [640, 480], "poses": []}',
    "a 5000-digit integer": '{"type": "frame", "t_ms": ' + "9" * 5000 + ', "size": [640, 480]}',
    "deep nesting": '{"type": "frame", "poses": ' + "[" * 10000 + "]" * 10000 + "}",
    "too many bytes": json.dumps({**good_frame(), "pad": "x" * MAX_MESSAGE_BYTES}),
    "too many bytes of 4-byte characters": '{"type": "'
    + "😀" * (MAX_MESSAGE_BYTES // 4 + 1)
    + '"}',
}


@pytest.mark.parametrize("case", sorted(BAD_TEXTS))
def test_text_that_is_not_a_frame_object_is_refused(case):
    with pytest.raises(MalformedMessageError):
        decode(BAD_TEXTS[case])


def test_times_must_increase_from_frame_to_frame():
    checks = FrameChecks(UNLIMITED)
    decode({**good_frame(), "t_ms": 100}, checks)
    for t_ms in (100, 99.5):
        with pytest.raises(MalformedMessageError, match="must increase"):
            decode({**good_frame(), "t_ms": t_ms}, checks)
    decode({**good_frame(), "t_ms": 100.001}, checks)


def test_the_rate_limit_allows_a_burst_then_the_rate():
    rate = RateLimit(per_s=8.0, burst=5)  # an eighth of a second is exact in binary
    for _ in range(5):
        rate.take(0.0)
    with pytest.raises(RateLimitedError) as refused:
        rate.take(0.0)
    assert refused.value.code == CLOSE_RATE
    rate.take(0.125)  # an eighth of a second later: one more frame
    with pytest.raises(RateLimitedError):
        rate.take(0.125)
    for i in range(2, 40):  # at the rate, for as long as it lasts
        rate.take(i / 8.0)


def test_a_flood_is_refused_before_it_is_read():
    checks = FrameChecks(RateLimit(per_s=1.0, burst=1))
    checks.frame(json.dumps(good_frame()), 0.0)
    with pytest.raises(RateLimitedError):
        checks.frame("not even json", 0.01)


def test_a_good_hello_is_read():
    hello = decode_hello(hello_message("t" * 43, delegate="GPU", model="lite", fps=29.5))
    assert (hello.token, hello.delegate, hello.model, hello.fps) == ("t" * 43, "GPU", "lite", 29.5)


BAD_HELLOS = {
    "a frame first": (json.dumps(good_frame()), CLOSE_MALFORMED),
    "no token": ('{"type": "hello", "client": {}}', CLOSE_TOKEN),
    "a numeric token": ('{"type": "hello", "token": 12345678901234567890}', CLOSE_TOKEN),
    "a short token": (hello_message("abc"), CLOSE_TOKEN),
    "a huge token": (hello_message("a" * 5000), CLOSE_TOKEN),
    "no client": ('{"type": "hello", "token": "' + "t" * 43 + '"}', CLOSE_MALFORMED),
    "unknown delegate": (hello_message("t" * 43, delegate="TPU"), CLOSE_MALFORMED),
    "unknown model": (hello_message("t" * 43, model="huge"), CLOSE_MALFORMED),
    "negative fps": (hello_message("t" * 43, fps=-1.0), CLOSE_MALFORMED),
    "not json": ("hello", CLOSE_MALFORMED),
}


@pytest.mark.parametrize("case", sorted(BAD_HELLOS))
def test_a_bad_hello_is_refused_with_its_code(case):
    text, code = BAD_HELLOS[case]
    with pytest.raises(StreamError) as refused:
        decode_hello(text)
    assert refused.value.code == code
    assert isinstance(refused.value, TokenRefusedError) == (code == CLOSE_TOKEN)
    assert "t" * 43 not in refused.value.reason  # never the token


def test_a_state_with_nan_cannot_be_sent():
    with pytest.raises(ValueError):
        state_message(1.0, {"headline": "x", "gauge": {"value": float("nan")}})  # type: ignore[typeddict-item]


@pytest.mark.parametrize(
    "row", [[0.5, "x", 0.0, 1.0], [0.5, 0.5, 0.0], "row", [0.5, False, 0.0, 1.0]]
)
def test_a_bad_landmark_row_is_named(row):
    with pytest.raises(MalformedMessageError) as refused:
        decode(_set(ROW, row)(good_frame()))
    assert refused.value.reason == "poses[0].image[3] must be a list of 4 numbers"
