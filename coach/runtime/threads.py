"""A worker thread that reads ahead: decoding overlaps the pose model.

The pose model is the slowest step of the offline pipeline; decoding the next frames on
another thread, a few frames ahead through a bounded queue, keeps the model busy and the
memory flat however long the video is. The system schedules the threads: placing them on
cores or lowering their priority was measured side by side and gained too little to keep
(docs/benchmarks.md).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterable[T], maxsize: int, name: str = "decode") -> Iterator[T]:
    """Iterate `items` on a worker thread, `maxsize` ahead.

    Returns an iterator of the same items in the same order. The worker's exceptions
    re-raise here, at the item where they happened; stopping early (break, an error)
    stops the worker.
    """
    buffer: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def work() -> None:
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
