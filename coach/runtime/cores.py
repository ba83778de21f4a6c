"""Which cores the pose model's threads and everything else run on.

MediaPipe runs each frame through its graph on several threads in turn, one at a time.
Left free, the kernel spreads them over the cores, and on a virtual machine every
hand-over to a core that has gone idle waits for that core to wake up. Kept on one core,
the bare model ran 1.22 times as fast (decoding and pose on a 30 s 720p clip, medians of
five interleaved runs on this 2-core VM, 1.13-1.39 in each pair). So an analysis gives
the model's threads the core it starts on and puts every other thread (decoding, the
coach, drawing, encoding, the crowd check) on the other cores.

Only one analysis on the machine at a time is placed so (`claimed_split`): two placed
analyses side by side each lock their model to a core shared with the other's workers,
and the pair took 1.13 times as long as with nothing placed (two `coach analyze` of a 30 s
720p clip at once, median of three interleaved rounds, 1.08-1.30). With one placed and
the other not, the pair took as long as with neither (0.99, 0.98-1.10), so any analysis
started while another is placed is left unpinned.

A thread's cores are its own on Linux, and threads inherit them from the thread that
starts them: the model's threads are MediaPipe's, started when a landmarker is built, so
the landmarker is built on the model's core. Elsewhere, or with a single core allowed,
nothing is pinned (`CorePlacement.unpinned`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def processor_of(stat: str) -> int:
    """The processor (field 39) of a /proc/<pid>/stat line. The command name (field 2,
    in brackets) may itself hold spaces and brackets, so fields are counted from its
    closing bracket: field 3 is the first after it."""
    return int(stat[stat.rindex(")") + 1 :].split()[39 - 3])


def current_core() -> int:
    """The core the calling thread is running on now (Linux)."""
    return processor_of(Path("/proc/thread-self/stat").read_text())


@dataclass(frozen=True)
class CorePlacement:
    """The pose model's threads on `model_cores`, every other thread on `worker_cores`;
    both empty: the kernel places every thread (nothing is pinned)."""

    model_cores: frozenset[int]
    worker_cores: frozenset[int]

    @classmethod
    def unpinned(cls) -> CorePlacement:
        return cls(frozenset(), frozenset())

    @classmethod
    def split(cls) -> CorePlacement:
        """The calling thread's current core for the model, the rest of the cores it may
        use for everything else; unpinned where threads cannot be pinned or only one core
        is allowed. Starting from the current core keeps two analyses started side by
        side apart: the kernel has already put them on different cores."""
        if not hasattr(os, "sched_setaffinity"):
            return cls.unpinned()
        allowed = os.sched_getaffinity(0)
        if len(allowed) < 2:
            return cls.unpinned()
        core = current_core()
        model = core if core in allowed else min(allowed)
        return cls(frozenset({model}), frozenset(allowed - {model}))

    @property
    def pinned(self) -> bool:
        return bool(self.model_cores)

    @contextlib.contextmanager
    def on_model_core(self) -> Iterator[None]:
        """The calling thread, and the threads it starts meanwhile (MediaPipe's, when a
        landmarker is built), on the model's core; its own cores back afterwards."""
        with _on(self.model_cores):
            yield

    @contextlib.contextmanager
    def on_worker_cores(self) -> Iterator[None]:
        """As `on_model_core`, on the workers' cores (to build the crowd check's
        landmarker, whose threads must keep off the model's core)."""
        with _on(self.worker_cores):
            yield

    def move_to_worker_cores(self) -> None:
        """Move the calling thread (a worker, for the rest of its life) off the model's core."""
        if self.worker_cores:
            os.sched_setaffinity(0, self.worker_cores)


@contextlib.contextmanager
def _on(cores: frozenset[int]) -> Iterator[None]:
    if not cores:
        yield
        return
    saved = os.sched_getaffinity(0)  # 0: the calling thread, on Linux
    os.sched_setaffinity(0, cores)
    try:
        yield
    finally:
        os.sched_setaffinity(0, saved)


def default_claim_path() -> Path:
    """The file held (flock) by the one analysis whose threads are placed; per user, so
    that another user's file cannot stop this one being opened. Asked for only where
    threads are placed (Linux): `os.getuid` is POSIX only."""
    return Path(tempfile.gettempdir()) / f"form-coach-{os.getuid()}-model-core.lock"


@contextlib.contextmanager
def claimed_split(claim_path: Path | None = None) -> Iterator[CorePlacement]:
    """`CorePlacement.split()` for as long as this is the only analysis on the machine
    (in any process) holding the claim (`default_claim_path`), else unpinned; the claim
    goes with the block."""
    placement = CorePlacement.split()
    if not placement.pinned:
        yield placement
        return
    import fcntl  # Linux (placement is pinned only there)

    claim_path = claim_path if claim_path is not None else default_claim_path()
    handle = os.open(claim_path, os.O_RDONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another analysis is placed: share the cores as equals
            placement = CorePlacement.unpinned()
        yield placement
    finally:
        os.close(handle)  # releases the claim
