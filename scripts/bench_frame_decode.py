#!/usr/bin/env python3
"""What a binary frame format would save the stream's server: decoding and checking one
frame message today (JSON text, `FrameChecks.frame`) beside a binary prototype of the same
frame (float32 landmarks read with numpy, the same checks), beside the engine step the
frame then goes through, in CPU time per frame on this thread.

The wire format is NOT changed by this: the prototype lives only here, to decide whether a
binary format is worth the browser component's change (docs/benchmarks.md has the figures).

Two JSON inputs: the recordings as `scripts/bench_stream.py` replays them (their landmarks
were kept at reduced precision, so their numbers print short), and the same landmarks as
a browser sends them (float32 values, printed by JSON.stringify with up to 17 digits).
Rounds interleave the variants; the medians are reported. One JSON object on stdout.

Usage: python scripts/bench_frame_decode.py [--rounds 7] [--frames 300]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.exercise.loader import ExerciseLibrary  # noqa: E402
from coach.runtime.live import LiveCoach  # noqa: E402
from coach.runtime.stream import FrameChecks, RateLimit, frame_message  # noqa: E402
from coach.vision.recording import PoseRecording  # noqa: E402
from scripts.bench_stream import DEFAULT_RECORDINGS, FPS  # noqa: E402
from scripts.stream_harness import PLAN  # noqa: E402

# Prototype layout, little-endian: t_ms f64, width u16, height u16, poses u8, 3 pad bytes,
# then per pose 33 x 4 float32 (image x, y, z, visibility) and 33 x 3 float32 (world).
HEADER = struct.Struct("<dHHB3x")
POSE_FLOATS = 33 * 4 + 33 * 3


def full_precision(values: np.ndarray, rng: np.random.Generator) -> list:
    """`values` as the model's float32 output: the recording kept them at reduced precision,
    so a jitter far below a pixel gives them the full float32 mantissa back."""
    jitter = rng.uniform(-1e-5, 1e-5, values.shape)
    return (values + jitter).clip(-9.99, 9.99).astype(np.float32).tolist()


def browser_json(
    t_ms: float, frame_wh: tuple[int, int], poses: list, rng: np.random.Generator
) -> str:
    """The frame as the browser sends it: float32 landmark values, full JSON precision."""
    payload = []
    for p in poses:
        if p.is_empty:
            continue
        image = np.column_stack([p.image_xyz, p.visibility.clip(0.0, 1.0 - 1e-5)])
        payload.append(
            {"image": full_precision(image, rng), "world": full_precision(p.world_xyz, rng)}
        )
    size = [int(frame_wh[0]), int(frame_wh[1])]
    return json.dumps({"type": "frame", "t_ms": t_ms, "size": size, "poses": payload})


def binary(t_ms: float, frame_wh: tuple[int, int], poses: list) -> bytes:
    kept = [p for p in poses if not p.is_empty]
    parts = [HEADER.pack(t_ms, frame_wh[0], frame_wh[1], len(kept))]
    for p in kept:
        parts.append(np.column_stack([p.image_xyz, p.visibility]).astype("<f4").tobytes())
        parts.append(p.world_xyz.astype("<f4").tobytes())
    return b"".join(parts)


def decode_binary(data: bytes) -> tuple[float, tuple[int, int], list]:
    """The prototype's decoding with the same checks as the JSON path's (shape from the
    length, finite numbers, the bounds)."""
    t_ms, width, height, count = HEADER.unpack_from(data)
    if count > 2 or len(data) != HEADER.size + count * POSE_FLOATS * 4:
        raise ValueError("wrong length")
    if not (0.0 <= t_ms <= 1e13) or not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise ValueError("out of bounds")
    floats = np.frombuffer(data, "<f4", offset=HEADER.size).astype(np.float64)
    if not np.isfinite(floats).all():
        raise ValueError("not finite")
    poses = []
    for i in range(count):
        block = floats[i * POSE_FLOATS : (i + 1) * POSE_FLOATS]
        image, world = block[:132].reshape(33, 4), block[132:].reshape(33, 3)
        if np.abs(image[:, :3]).max() > 10 or np.abs(world).max() > 10:
            raise ValueError("out of bounds")
        if image[:, 3].min() < 0 or image[:, 3].max() > 1:
            raise ValueError("visibility out of bounds")
        poses.append((image, world))
    return t_ms, (width, height), poses


def per_frame_us(run: Callable[[int], object], count: int) -> float:
    start = time.thread_time()
    for i in range(count):
        run(i)
    return 1e6 * (time.thread_time() - start) / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args(argv)
    recording = PoseRecording.load(DEFAULT_RECORDINGS[0])
    frames = list(recording.frames())
    n = args.frames
    times = [1000.0 * i / FPS for i in range(n)]
    chosen = [frames[i % len(frames)] for i in range(n)]
    wh = recording.frame_wh
    replayed = [frame_message(t, wh, p) for t, p in zip(times, chosen, strict=True)]
    rng = np.random.default_rng(23)
    browser = [browser_json(t, wh, p, rng) for t, p in zip(times, chosen, strict=True)]
    packed = [binary(t, wh, p) for t, p in zip(times, chosen, strict=True)]
    exercise = ExerciseLibrary().get("squat")

    def json_run(texts: list[str]) -> Callable[[int], object]:
        checks = FrameChecks(RateLimit(1e9, 10**9))
        return lambda i: checks.frame(texts[i], 0.0)

    def engine_run() -> Callable[[int], object]:
        loop, checks = LiveCoach(exercise, PLAN), FrameChecks(RateLimit(1e9, 10**9))
        decoded = [checks.frame(text, 0.0) for text in browser]

        def step(i: int) -> object:
            frame = decoded[i]
            t_s = loop.session_time(frame.t_ms / 1000.0)
            return loop.stream_state(loop.process_poses(frame.poses(t_s), t_s, frame.frame_wh))

        return step

    variants: dict[str, Callable[[], Callable[[int], object]]] = {
        "json_as_replayed": lambda: json_run(replayed),
        "json_as_a_browser_sends": lambda: json_run(browser),
        "binary_prototype": lambda: lambda i: decode_binary(packed[i]),
        "engine_step_and_state": engine_run,
    }
    results: dict[str, list[float]] = {name: [] for name in variants}
    for r in range(args.rounds):
        order = list(variants) if r % 2 == 0 else list(reversed(variants))
        for name in order:
            results[name].append(per_frame_us(variants[name](), n))
    medians = {name: round(statistics.median(v), 1) for name, v in results.items()}
    report = {
        "benchmark": "frame decoding: JSON text today beside a binary prototype",
        "cpu_us_per_frame_median": medians,
        "bytes_per_frame_median": {
            "json_as_replayed": int(statistics.median(len(t.encode()) for t in replayed)),
            "json_as_a_browser_sends": int(statistics.median(len(t.encode()) for t in browser)),
            "binary_prototype": int(statistics.median(len(b) for b in packed)),
        },
        "rounds": args.rounds,
        "frames_per_round": n,
        "recording": DEFAULT_RECORDINGS[0].name,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
