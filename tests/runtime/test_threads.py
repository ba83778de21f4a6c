"""Worker threads: lower priority than the model's thread, errors handed back, early stop."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator

import pytest

from coach.runtime.cores import CorePlacement
from coach.runtime.threads import WORKER_NICENESS, give_way_to_the_model, prefetch

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="per-thread priority is Linux's")


def _niceness_in_a_thread(start_at: int) -> tuple[int, int]:
    """(niceness before, after) `give_way_to_the_model` in a fresh thread at `start_at`."""
    seen: list[int] = []

    def work() -> None:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, start_at)
        seen.append(os.getpriority(os.PRIO_PROCESS, me))
        give_way_to_the_model()
        seen.append(os.getpriority(os.PRIO_PROCESS, me))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return seen[0], seen[1]


@linux_only
@pytest.mark.parametrize(
    ("start_at", "expected"),
    [
        (os.getpriority(os.PRIO_PROCESS, 0), os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS),
        (15, 19),
    ],  # never past the lowest priority there is
)
def test_a_worker_lowers_its_own_priority_only(start_at, expected):
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    before, after = _niceness_in_a_thread(start_at)
    assert (before, after) == (start_at, min(19, expected))
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before


@linux_only
def test_prefetch_runs_the_source_on_a_lower_priority_thread():
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def source() -> Iterator[tuple[str, int]]:
        for _ in range(3):
            yield (
                threading.current_thread().name,
                os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
            )

    seen = list(prefetch(source(), maxsize=2, name="decode"))
    assert seen == [("decode", min(19, main + WORKER_NICENESS))] * 3


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


@pytest.mark.skipif(
    sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2,
    reason="threads are pinned one by one on Linux, with two cores or more",
)
def test_prefetch_runs_the_source_on_the_workers_cores():
    placement = CorePlacement.split()

    def source() -> Iterator[set[int]]:
        yield os.sched_getaffinity(0)

    assert list(prefetch(source(), maxsize=2, placement=placement)) == [placement.worker_cores]
    assert not placement.worker_cores & placement.model_cores
