"""Worker threads that give way to the pose model.

The pose model is the slowest step of every pipeline and runs on one core; everything
else (decoding, the crowd check, the coach, drawing, encoding) runs beside it on worker
threads. On a two-core machine those workers and the model would otherwise take turns on
both cores, and every turn the model loses adds to the time per frame. Workers therefore
lower their own scheduling priority: they still get all the CPU the model leaves idle,
but the kernel runs the model first when both want a core. Threads the workers start
(FFmpeg's decoding and x264's encoding threads) inherit the lower priority. Only workers
joined to the model by a queue give way: a thread whose result the model's thread waits
for (the crowd check) must not, or the model would wait on it. Given a `CorePlacement`,
workers also keep off the model's core (`coach.runtime.cores`).
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from coach.runtime.cores import CorePlacement

T = TypeVar("T")
_DONE = object()

# Nice value added to a worker thread: 10 gives it about a tenth of the model thread's
# share of a contended core (the kernel's weights fall ~1.25x per step).
WORKER_NICENESS = 10


def give_way_to_the_model(placement: CorePlacement | None = None) -> None:
    """Lower the calling thread's priority by `WORKER_NICENESS` (and move it to the
    placement's worker cores).

    Linux schedules threads one by one, so this touches only the calling thread (and the
    threads it starts later). Elsewhere a priority belongs to the whole process and is
    left alone: the workers then simply share the cores as equals.
    """
    if placement is not None:
        placement.move_to_worker_cores()
    if sys.platform != "linux":
        return
    thread_id = threading.get_native_id()
    current = os.getpriority(os.PRIO_PROCESS, thread_id)
    os.setpriority(os.PRIO_PROCESS, thread_id, min(19, current + WORKER_NICENESS))


def prefetch(
    items: Iterable[T],
    maxsize: int,
    name: str = "decode",
    placement: CorePlacement | None = None,
) -> Iterator[T]:
    """Iterate `items` on a lower-priority worker thread (on the placement's worker cores),
    `maxsize` ahead; its exceptions re-raise here, and stopping early (break, an error)
    stops the worker."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def work() -> None:
        give_way_to_the_model(placement)
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            buffer.put(exc)

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
