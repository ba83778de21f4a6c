"""Writers at the same moment (issue 21): two writers made a second default patient and a
sixth PSFS goal, because the check ran before the write transaction. Threads of one process
and separate processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable

import pytest

from coach.store import Store, StoreError
from coach.store.records import MAX_GOALS

WRITERS = 8


def at_once(work: Callable[[int], object]) -> list[object]:
    """`work(n)` on WRITERS threads released together; what each returned or raised."""
    barrier = threading.Barrier(WRITERS)
    results: list[object] = [None] * WRITERS

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except StoreError as exc:
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def defaults(store: Store) -> list[int]:
    return [p.id for p in store.list_patients() if p.is_default]


def test_threads_make_one_default_patient(store):
    ids = {result.id for result in at_once(lambda n: store.default_patient())}
    assert len(ids) == 1 and defaults(store) == list(ids)


def test_threads_add_at_most_five_goals(store):
    patient = store.add_patient("Ana Example")
    results = at_once(lambda n: store.add_goal(patient, f"activity {n}"))
    added = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, StoreError)]
    assert len(added) == MAX_GOALS and len(refused) == WRITERS - MAX_GOALS
    assert all("at most" in str(r) for r in refused), refused
    assert len(store.goals(patient)) == MAX_GOALS


def _in_a_process(url: str, barrier, patient_id: int, queue) -> None:
    store = Store(url, migrate=False)
    barrier.wait()
    made = store.default_patient().id
    try:
        goal = store.add_goal(patient_id, "from a process")
    except StoreError as exc:
        goal = str(exc)
    queue.put((made, goal))


def test_processes_make_one_default_patient_and_at_most_five_goals(database_url):
    store = Store(database_url)
    patient = store.add_patient("Ana Example")
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(WRITERS), context.Queue()
    workers = [
        context.Process(target=_in_a_process, args=(database_url, barrier, patient, queue))
        for _ in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert len({made for made, _ in results}) == 1
    assert len(defaults(store)) == 1
    goals = [goal for _, goal in results]
    assert sum(isinstance(g, int) for g in goals) == MAX_GOALS, goals
    assert len(store.goals(patient)) == MAX_GOALS


@pytest.mark.parametrize("duplicates", [2, 3])
def test_a_database_with_several_defaults_keeps_the_oldest(tmp_path, duplicates):
    """What the upgrade to 0005 does with the duplicates the race left: the oldest stays
    the default, the others stay as patients."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from coach.store.migrations import alembic_config

    url = f"sqlite:///{tmp_path / 'coach.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
        for _ in range(duplicates):
            connection.execute(
                text(
                    "INSERT INTO patients (name, is_default, created_at) "
                    "VALUES ('Me', 1, '2026-01-01')"
                )
            )
    engine.dispose()
    store = Store(url)
    assert defaults(store) == [1] and len(store.list_patients()) == duplicates
    assert store.default_patient().id == 1
