"""A second OS process on a PostgreSQL room bus, for the cross-process tests and
scripts/bench_rooms.py: subscribes to a topic on an event loop (as a watcher's WebSocket
handler does), says `listening` on stdout, then awaits COUNT messages and prints them, and
when each arrived on the system-wide monotonic clock, as one JSON object. Exits 1 if they
do not all come within a minute.

Usage: python -m tests.support.room_peer DATABASE_URL TOPIC COUNT
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from coach.runtime.room_bus_postgres import PostgresRoomBus

DEADLINE_S = 60.0


async def watch(bus: PostgresRoomBus, topic: str, count: int) -> tuple[list[str], list[float]]:
    sub = bus.subscribe(topic, max_pending=count + 1)
    print("listening", flush=True)
    messages: list[str] = []
    arrived: list[float] = []
    deadline = time.monotonic() + DEADLINE_S
    while len(messages) < count and time.monotonic() < deadline:
        batch = await sub.wait(timeout=deadline - time.monotonic())
        now = time.monotonic()
        messages += batch
        arrived += [now] * len(batch)
    return messages, arrived


def main(argv: list[str]) -> int:
    url, topic, count = argv[0], argv[1], int(argv[2])
    bus = PostgresRoomBus(url)
    try:
        messages, arrived = asyncio.run(watch(bus, topic, count))
    finally:
        bus.close()
    print(json.dumps({"pid": os.getpid(), "messages": messages, "arrived": arrived}))
    return 0 if len(messages) == count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
