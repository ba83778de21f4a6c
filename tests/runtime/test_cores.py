"""Thread placement: the model's core and the workers' cores, set and given back."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

import pytest

from coach.runtime.cores import CorePlacement, claimed_split, current_core, processor_of

ALLOWED = frozenset(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else frozenset()
needs_two_cores = pytest.mark.skipif(
    sys.platform != "linux" or len(ALLOWED) < 2,
    reason="threads are pinned one by one on Linux, with two cores or more",
)

# A /proc/<pid>/stat line with the processor (field 39) set to 5; fields 3-52 after the name.
_AFTER_NAME = " ".join(["S"] + ["0"] * 35 + ["5"] + ["0"] * 13)


@pytest.mark.parametrize("name", ["python", "my thread", "odd ) name", "(x)", "a) 1 2 3 (b"])
def test_the_processor_is_read_after_the_command_name_whatever_it_holds(name):
    assert processor_of(f"1234 ({name}) {_AFTER_NAME}\n") == 5


def in_a_thread(work: Callable[[], object]) -> object:
    """`work()` run in a fresh thread (so this test's own thread keeps its cores)."""
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(work()))
    thread.start()
    thread.join()
    return seen[0]


@needs_two_cores
def test_split_gives_the_model_the_current_core_and_the_workers_the_rest():
    placement = in_a_thread(CorePlacement.split)
    assert placement.pinned
    assert len(placement.model_cores) == 1
    assert placement.model_cores | placement.worker_cores == ALLOWED
    assert not placement.model_cores & placement.worker_cores


@needs_two_cores
@pytest.mark.parametrize(
    ("running_on", "model_core"),
    [
        (max(ALLOWED, default=0), max(ALLOWED, default=0)),
        (min(ALLOWED, default=0), min(ALLOWED, default=0)),
        (10_000, min(ALLOWED, default=0)),
    ],  # a core it may not use (not possible): the first
)
def test_the_model_keeps_the_core_the_thread_runs_on(monkeypatch, running_on, model_core):
    monkeypatch.setattr("coach.runtime.cores.current_core", lambda: running_on)
    placement = in_a_thread(CorePlacement.split)
    assert placement.model_cores == {model_core}
    assert placement.worker_cores == ALLOWED - {model_core}


@needs_two_cores
def test_the_current_core_is_one_the_thread_may_use():
    assert in_a_thread(current_core) in ALLOWED


@needs_two_cores
def test_a_thread_allowed_one_core_only_is_left_unpinned():
    def restricted() -> CorePlacement:
        os.sched_setaffinity(0, {min(ALLOWED)})
        return CorePlacement.split()

    assert in_a_thread(restricted) == CorePlacement.unpinned()


@needs_two_cores
def test_on_the_model_core_moves_the_thread_and_those_it_starts_then_gives_back():
    def work() -> tuple[set[int], set[int], set[int]]:
        placement = CorePlacement.split()
        started: list[set[int]] = []
        with placement.on_model_core():
            inside = os.sched_getaffinity(0)
            child = threading.Thread(target=lambda: started.append(os.sched_getaffinity(0)))
            child.start()
            child.join()
        return inside, started[0], os.sched_getaffinity(0), placement

    inside, started, after, placement = in_a_thread(work)
    assert inside == started == placement.model_cores
    assert after == ALLOWED


@needs_two_cores
def test_the_cores_come_back_after_an_error():
    def work() -> set[int]:
        placement = CorePlacement.split()
        with pytest.raises(RuntimeError), placement.on_worker_cores():
            assert os.sched_getaffinity(0) == placement.worker_cores
            raise RuntimeError("the analysis failed")
        return os.sched_getaffinity(0)

    assert in_a_thread(work) == ALLOWED


@needs_two_cores
def test_a_worker_moves_off_the_model_core_for_good():
    def work() -> tuple[set[int], CorePlacement]:
        placement = CorePlacement.split()
        placement.move_to_worker_cores()
        return os.sched_getaffinity(0), placement

    cores, placement = in_a_thread(work)
    assert cores == placement.worker_cores


def test_unpinned_leaves_every_thread_where_it_is():
    placement = CorePlacement.unpinned()
    assert not placement.pinned

    def work() -> list[set[int]]:
        before = os.sched_getaffinity(0)
        with placement.on_model_core():
            during_model = os.sched_getaffinity(0)
        with placement.on_worker_cores():
            during_workers = os.sched_getaffinity(0)
        placement.move_to_worker_cores()
        return [before, during_model, during_workers, os.sched_getaffinity(0)]

    if hasattr(os, "sched_getaffinity"):
        seen = in_a_thread(work)
        assert all(cores == seen[0] for cores in seen)


@needs_two_cores
def test_only_one_analysis_at_a_time_is_placed(tmp_path):
    """The second analysis (another process or thread) started while one is placed runs
    unpinned; once the first ends, the next is placed again."""
    claim = tmp_path / "claim.lock"
    with claimed_split(claim) as first:
        assert first.pinned
        with claimed_split(claim) as second:
            assert second == CorePlacement.unpinned()
        assert in_a_thread(lambda: _placement_claimed(claim)) == CorePlacement.unpinned()
    with claimed_split(claim) as after:
        assert after.pinned


def _placement_claimed(claim) -> CorePlacement:
    with claimed_split(claim) as placement:
        return placement


def test_no_claim_is_taken_when_nothing_can_be_placed(tmp_path, monkeypatch):
    monkeypatch.setattr(CorePlacement, "split", classmethod(lambda cls: cls.unpinned()))
    claim = tmp_path / "claim.lock"
    with claimed_split(claim) as placement:
        assert placement == CorePlacement.unpinned()
    assert not claim.exists()
