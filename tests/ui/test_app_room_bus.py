"""The app's one room bus follows its store: in-process on SQLite, across processes on
PostgreSQL (docs/rooms.md)."""

from __future__ import annotations

import pytest

from coach.runtime.room_bus import InProcessRoomBus
from coach.store import DATABASE_URL_ENV
from coach_ui.rooms import room_bus


@pytest.fixture
def fresh_bus():
    """The app's bus made anew in the test, closed after it (functools.cache's own API)."""
    room_bus.cache_clear()
    yield
    if room_bus.cache_info().currsize:
        room_bus().close()  # the one the test made
    room_bus.cache_clear()


def test_a_sqlite_store_gets_the_in_process_bus(fresh_bus, monkeypatch, tmp_path):
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'coach.db'}")
    assert type(room_bus()) is InProcessRoomBus


def test_a_postgresql_store_gets_the_postgresql_bus(fresh_bus, monkeypatch, postgres_cluster):
    from coach.runtime.room_bus_postgres import PostgresRoomBus

    monkeypatch.setenv(DATABASE_URL_ENV, postgres_cluster.new_database())
    assert isinstance(room_bus(), PostgresRoomBus)
    assert room_bus() is room_bus()  # one per process
