#!/usr/bin/env python3
"""Load generator for the landmark stream: how many live patients one server coaches.

For each N tried, starts a server process (scripts/stream_harness.py: the app's routes
with N live coaching sessions and their tokens), then from this process replays recorded
landmark streams (tests/fixtures/poses, or any `coach record` output given) at 30 frames/s
over N concurrent WebSockets for a while, and measures per frame the time from sending it
to receiving its state. N doubles while the run passes (p95 latency under the target and
no frame dropped: every frame sent got its state, no connection refused or closed), then
a bisection finds the largest N that passes. Reports, as one JSON object on stdout, that N
and per N tried: latencies, frames, the server's CPU time per frame (from /proc, all its
threads) and this process's CPU share (if near a core, the client is the bottleneck).

Usage: python scripts/bench_stream.py [--max-n 256 | --n 12 16 ...] [--seconds 20]
[--recording X.npz ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

from coach.runtime.stream import frame_message, hello_message
from coach.vision.recording import PoseRecording
from coach_ui.routes import STREAM_PATH

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_RECORDINGS = [
    ROOT / "tests" / "fixtures" / "poses" / f"{name}.npz"
    for name in ("squat_side_studio", "squat_front_counter20", "squat_side_barbell")
]
FPS = 30.0
TARGET_P95_MS = 100.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Connection:
    sent_at: dict[float, float] = field(default_factory=dict)  # t_ms -> perf_counter
    latencies_ms: list[float] = field(default_factory=list)
    sent: int = 0
    answered: int = 0
    refused: str | None = None


def messages(recording: PoseRecording, seconds: float) -> list[tuple[float, str]]:
    """The recording's poses, looped, one frame every 1/30 s for `seconds`: (t_ms, text)."""
    frames = list(recording.frames())
    count = int(seconds * FPS)
    out = []
    for i in range(count):
        t_ms = 1000.0 * i / FPS
        out.append((t_ms, frame_message(t_ms, recording.frame_wh, frames[i % len(frames)])))
    return out


async def run_connection(
    url: str, token: str, frames: list[tuple[float, str]], start: float, conn: Connection
) -> None:
    async with websockets.connect(url, max_size=2**20) as ws:
        await ws.send(hello_message(token))
        ready = json.loads(await ws.recv())
        if ready.get("type") != "ready":
            conn.refused = str(ready)
            return

        async def receive() -> None:
            async for text in ws:
                answer = json.loads(text)
                if answer.get("type") != "state":
                    conn.refused = answer.get("reason", str(answer))
                    return
                conn.latencies_ms.append(
                    1000.0 * (time.perf_counter() - conn.sent_at.pop(answer["t_ms"]))
                )
                conn.answered += 1
                if conn.answered == len(frames):
                    return

        receiver = asyncio.create_task(receive())
        for i, (t_ms, text) in enumerate(frames):
            delay = start + i / FPS - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            conn.sent_at[t_ms] = time.perf_counter()
            try:
                await ws.send(text)
            except websockets.ConnectionClosed as exc:  # refused: the receiver has the reason
                conn.refused = conn.refused or f"closed while sending ({exc})"
                break
            conn.sent += 1
            if receiver.done():
                break
        try:
            await asyncio.wait_for(receiver, timeout=10.0)
        except TimeoutError:
            conn.refused = conn.refused or "states still missing 10 s after the last frame"
        except websockets.ConnectionClosed as exc:
            conn.refused = conn.refused or f"closed by the server ({exc})"


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0.0
    )


async def replay(port: int, tokens: list[str], recordings: list[PoseRecording], seconds: float):
    url = f"ws://127.0.0.1:{port}{STREAM_PATH}"
    streams = [messages(recordings[i % len(recordings)], seconds) for i in range(len(tokens))]
    conns = [Connection() for _ in tokens]
    start = time.perf_counter() + 1.0  # every connection says hello first
    # Start times spread over a frame interval, as real patients' cameras are.
    await asyncio.gather(
        *(
            run_connection(url, token, frames, start + (i / len(tokens)) / FPS, conn)
            for i, (token, frames, conn) in enumerate(zip(tokens, streams, conns, strict=True))
        )
    )
    return conns


def start_harness(n: int) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.stream_harness", "--sessions", str(n)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise SystemExit(f"the stream harness did not start (exit code {process.returncode})")
    ready = json.loads(line)
    for _ in range(100):  # until it listens
        try:
            with socket.create_connection(("127.0.0.1", ready["port"]), 0.1):
                break
        except OSError:
            time.sleep(0.1)
    return process, ready


def trial(n: int, recordings: list[PoseRecording], seconds: float) -> dict:
    process, ready = start_harness(n)
    try:
        server_before, client_before = cpu_s(process.pid), time.process_time()
        wall_before = time.perf_counter()
        conns = asyncio.run(replay(ready["port"], ready["tokens"], recordings, seconds))
        wall = time.perf_counter() - wall_before
        server_cpu = cpu_s(process.pid) - server_before
        client_cpu = time.process_time() - client_before
    finally:
        process.terminate()
        process.wait(timeout=30)
    latencies = [ms for conn in conns for ms in conn.latencies_ms]
    sent = sum(conn.sent for conn in conns)
    answered = sum(conn.answered for conn in conns)
    refused = sorted({conn.refused for conn in conns if conn.refused})
    p95 = percentile(latencies, 95)
    return {
        "n": n,
        "frames_sent": sent,
        "states": answered,
        "dropped": sent - answered,
        "refused": refused,
        "latency_ms_median": round(statistics.median(latencies), 2) if latencies else None,
        "latency_ms_p95": round(p95, 2),
        "latency_ms_max": round(max(latencies), 2) if latencies else None,
        "server_cpu_ms_per_frame": round(1000.0 * server_cpu / max(answered, 1), 3),
        "server_cpu_share": round(server_cpu / wall, 3),
        "client_cpu_share": round(client_cpu / wall, 3),
        "passed": bool(latencies) and p95 < TARGET_P95_MS and sent == answered and not refused,
    }


def search(max_n: int, recordings: list[PoseRecording], seconds: float) -> tuple[int, list[dict]]:
    """Double N while it passes, then bisect between the last pass and the first fail."""
    runs: list[dict] = []

    def passes(n: int) -> bool:
        result = trial(n, recordings, seconds)
        runs.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
        return result["passed"]

    best, n = 0, 1
    while n <= max_n and passes(n):
        best, n = n, n * 2
    high = min(n, max_n + 1)  # the first N that failed (or beyond the range)
    while high - best > 1 and best > 0:
        middle = (best + high) // 2
        if passes(middle):
            best = middle
        else:
            high = middle
    return best, runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=256, help="the most connections to try")
    parser.add_argument("--seconds", type=float, default=20.0, help="replay time per trial")
    parser.add_argument(
        "--recording", type=Path, action="append", help="a pose recording (.npz) to replay"
    )
    parser.add_argument(
        "--n",
        type=int,
        nargs="+",
        help="run one trial at each of these N instead of the search (side-by-side runs: "
        "a search ends at its first failed trial, which a burst of other jobs can cause)",
    )
    args = parser.parse_args(argv)
    paths = args.recording or DEFAULT_RECORDINGS
    recordings = [PoseRecording.load(path) for path in paths]
    if args.n:
        runs = [trial(n, recordings, args.seconds) for n in args.n]
        best = max((run["n"] for run in runs if run["passed"]), default=0)
    else:
        best, runs = search(args.max_n, recordings, args.seconds)
    report = {
        "benchmark": "landmark stream load",
        "fps_per_connection": FPS,
        "target_p95_ms": TARGET_P95_MS,
        "seconds_per_trial": args.seconds,
        "recordings": [path.name for path in paths],
        "cpus": os.cpu_count(),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "largest_n_passing": best,
        "max_n_tried": max(args.n) if args.n else args.max_n,
        "trials": runs,
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
