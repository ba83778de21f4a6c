"""The read-ahead thread: order kept, errors handed back, early stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from coach.runtime.threads import prefetch


def test_prefetch_runs_the_source_on_its_own_named_thread():
    def source() -> Iterator[str]:
        for _ in range(3):
            yield threading.current_thread().name

    assert list(prefetch(source(), maxsize=2, name="decode")) == ["decode"] * 3


def test_prefetch_keeps_order_and_reraises_the_source_error_here():
    def source() -> Iterator[int]:
        yield from range(5)
        raise ValueError("frame 5 is corrupt")

    got = []
    with pytest.raises(ValueError, match="frame 5 is corrupt"):
        for item in prefetch(source(), maxsize=2):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]


def test_stopping_early_stops_the_worker():
    produced = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    for item in prefetch(endless(), maxsize=2):
        if item == 3:
            break
    settled = len(produced)
    threading.Event().wait(0.3)  # the worker has stopped: nothing more is produced
    assert len(produced) == settled <= 3 + 2 + 2
