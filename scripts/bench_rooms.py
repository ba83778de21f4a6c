#!/usr/bin/env python3
"""Latency of a room across two app processes over PostgreSQL (coach/runtime/room_bus_postgres.py).

This process publishes COUNT messages at RATE per second on one topic; a second OS process
(tests/support/room_peer.py) subscribes to it and notes when each arrives. Each message
carries its send time on the system-wide monotonic clock, so the latency is the peer's
arrival time minus it: publish -> sender thread -> PostgreSQL -> listener thread -> the
subscriber's queue -> the peer's `await wait()` on its event loop (as a watcher's WebSocket
handler does). Prints one JSON object.

Uses --database-url, or else a throwaway PostgreSQL cluster (tests/support/databases.py,
the one the tests use: Unix socket, fsync off).

Usage: python scripts/bench_rooms.py [--count 300] [--rate 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.runtime.room_bus_postgres import PostgresRoomBus  # noqa: E402
from tests.support.databases import start_postgres  # noqa: E402

TOPIC = "bench/room"


def measure(url: str, count: int, rate: float) -> dict:
    peer = subprocess.Popen(
        [sys.executable, "-m", "tests.support.room_peer", url, TOPIC, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert peer.stdout is not None
    if peer.stdout.readline().strip() != "listening":
        raise SystemExit("the peer process did not start listening")
    bus = PostgresRoomBus(url)
    try:
        start = time.monotonic() + 0.5
        for n in range(count):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            bus.publish(TOPIC, json.dumps({"n": n, "sent": time.monotonic()}))
        out, _ = peer.communicate(timeout=120)
    finally:
        bus.close()
    received = json.loads(out)
    latencies = [
        1000.0 * (arrived - json.loads(message)["sent"])
        for message, arrived in zip(received["messages"], received["arrived"], strict=True)
    ]
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "benchmark": "room across two processes over PostgreSQL LISTEN/NOTIFY",
        "messages_sent": count,
        "messages_received": len(latencies),
        "in_order": [json.loads(m)["n"] for m in received["messages"]] == list(range(count)),
        "rate_per_s": rate,
        "latency_ms_median": round(statistics.median(latencies), 3),
        "latency_ms_p95": round(q[94], 3),
        "latency_ms_max": round(max(latencies), 3),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0, help="messages per second")
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: a throwaway cluster)")
    args = parser.parse_args(argv)
    if args.database_url:
        print(json.dumps(measure(args.database_url, args.count, args.rate), indent=1))
        return 0
    cluster, reason = start_postgres()
    if cluster is None:
        raise SystemExit(f"no PostgreSQL to measure on: {reason}")
    try:
        report = measure(cluster.new_database(), args.count, args.rate)
        report["database"] = "throwaway local cluster, Unix socket, fsync off"
        print(json.dumps(report, indent=1))
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
