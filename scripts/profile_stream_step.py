#!/usr/bin/env python3
"""Where the stream's server spends a frame's CPU, without a socket: a recorded landmark
stream (as `scripts/bench_stream.py` replays it) checked and decoded (`FrameChecks`),
then through a live coach (`LiveCoach.process_poses`, `stream_state`) as the socket's
worker thread runs it, profiled by sampling.

Sampling, not tracing: a profiler that traces every call (cProfile) multiplies the cost
of the many small functions of a frame step and hides what the array operations cost. A
`SIGPROF` timer interrupts this process every `--interval-ms` of its CPU time (or every
tick of the kernel's timer, if coarser: run thousands of frames) and counts the functions
of this project on the stack (inclusive) and the innermost one (its own).
A signal is only handled between Python bytecodes, so the time of an array operation is
counted where it returns: per function, not per line.

One JSON object on stdout: CPU microseconds a frame (thread time, the best of `--runs`)
for decoding and for the step, and the functions' shares of the step's samples.

Usage: python scripts/profile_stream_step.py [--frames 3000] [--runs 3] [--top 25]
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.exercise.loader import ExerciseLibrary  # noqa: E402
from coach.exercise.schema import ExerciseDef  # noqa: E402
from coach.runtime.live import LiveCoach  # noqa: E402
from coach.runtime.stream import FrameChecks, FrameMessage, RateLimit  # noqa: E402
from coach.vision.recording import PoseRecording  # noqa: E402
from scripts.bench_stream import DEFAULT_RECORDINGS, messages  # noqa: E402
from scripts.stream_harness import PLAN  # noqa: E402

OURS = str(ROOT / "coach") + "/"  # the library's functions only


class Sampler:
    """Counts, at each `SIGPROF`, this project's functions on the interrupted stack."""

    def __init__(self) -> None:
        self.samples = 0
        self.inclusive: collections.Counter[str] = collections.Counter()
        self.own: collections.Counter[str] = collections.Counter()

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.samples += 1
        seen: set[str] = set()
        innermost = True
        while frame is not None:
            path = frame.f_code.co_filename
            if path.startswith(OURS):
                name = f"{Path(path).relative_to(ROOT)}:{frame.f_code.co_qualname}"
                if innermost:
                    self.own[name] += 1
                    innermost = False
                if name not in seen:
                    seen.add(name)
                    self.inclusive[name] += 1
            frame = frame.f_back


def steps_us(decoded: list[FrameMessage], exercise: ExerciseDef) -> float:
    """CPU microseconds a frame of a fresh live coach fed `decoded`, on this thread."""
    loop = LiveCoach(exercise, PLAN)
    start = time.thread_time()
    for frame in decoded:
        t_s = loop.session_time(frame.t_ms / 1000.0)
        loop.stream_state(loop.process_poses(frame.poses(t_s), t_s, frame.frame_wh))
    return 1e6 * (time.thread_time() - start) / len(decoded)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--interval-ms", type=float, default=0.5)
    parser.add_argument("--exercise", default="squat")
    args = parser.parse_args(argv)
    recording = PoseRecording.load(DEFAULT_RECORDINGS[0])
    texts = [text for _, text in messages(recording, args.frames / 30.0)]

    def decode() -> tuple[float, list[FrameMessage]]:
        checks = FrameChecks(RateLimit(1e9, 10**9))
        start = time.thread_time()
        decoded = [checks.frame(text, 0.0) for text in texts]
        return 1e6 * (time.thread_time() - start) / len(texts), decoded

    decode_us, decoded = min((decode() for _ in range(args.runs)), key=lambda run: run[0])
    exercise = ExerciseLibrary().get(args.exercise)  # loaded once, outside what is sampled
    step_us = min(steps_us(decoded, exercise) for _ in range(args.runs))
    sampler = Sampler()
    signal.signal(signal.SIGPROF, sampler)
    interval = args.interval_ms / 1000.0
    signal.setitimer(signal.ITIMER_PROF, interval, interval)
    try:
        steps_us(decoded, exercise)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)

    def shares(counter: collections.Counter[str]) -> dict[str, float]:
        total = max(sampler.samples, 1)
        return {name: round(count / total, 3) for name, count in counter.most_common(args.top)}

    result = {
        "recording": DEFAULT_RECORDINGS[0].name,
        "exercise": args.exercise,
        "frames": len(texts),
        "decode_us_per_frame": round(decode_us, 1),
        "step_us_per_frame": round(step_us, 1),
        "samples": sampler.samples,
        "inclusive_share": shares(sampler.inclusive),
        "own_share": shares(sampler.own),
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
