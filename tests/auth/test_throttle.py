"""The back-off on password guessing (coach.auth.throttle): per account and per address,
growing to a crawl, never a lock-out for ever, every failure logged; the counts kept in the
store, so two server processes (two Store instances on one database) and a restart share
them. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from coach.auth.throttle import BackoffPolicy, LoginThrottle
from coach.store import Store

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


@pytest.fixture
def throttle(store) -> LoginThrottle:
    return LoginThrottle(store)


def fail(throttle: LoginThrottle, times: int, user: str = "ana", address: str = "10.0.0.1"):
    for _ in range(times):
        throttle.failed(user, address, T0)


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (4, 0), (5, 2), (6, 4), (7, 8), (8, 16), (10, 60), (50, 60)],
)
def test_the_account_waits_twice_as_long_after_each_failure_up_to_a_minute(
    failures, wait, throttle
):
    fail(throttle, failures, address=None)  # from an unknown address
    # From another address, only the account's wait counts.
    assert throttle.wait("ana", "10.9.9.9", T0) == wait * S


@pytest.mark.parametrize(("failures", "wait"), [(4, 0), (5, 2), (9, 32), (12, 256), (50, 900)])
def test_an_address_trying_many_accounts_waits_up_to_a_quarter_of_an_hour(failures, wait, throttle):
    for n in range(failures):
        throttle.failed(f"user{n}", "10.0.0.1", T0)
    assert throttle.wait("someone-new", "10.0.0.1", T0) == wait * S
    assert throttle.wait("someone-new", "10.0.0.2", T0) == 0 * S


def test_the_wait_runs_out_and_the_patient_gets_in(throttle):
    fail(throttle, 200, address="10.0.0.1")
    longest = BackoffPolicy().account_longest
    assert throttle.wait("ana", "192.168.1.5", T0) == longest
    assert throttle.wait("ana", "192.168.1.5", T0 + longest) == 0 * S


def test_a_success_clears_the_account_but_not_the_address(throttle):
    fail(throttle, 8)
    throttle.succeeded("ANA ")  # user names are compared as the store keeps them
    assert throttle.wait("ana", "10.9.9.9", T0) == 0 * S
    assert throttle.wait("bob", "10.0.0.1", T0) > 0 * S


def test_failures_are_forgotten_a_day_after_the_last(throttle):
    fail(throttle, 9)
    assert throttle.wait("ana", "10.0.0.1", T0 + timedelta(days=1, seconds=1)) == 0 * S


def test_a_flood_of_names_does_not_grow_without_bound(store):
    throttle = LoginThrottle(store, BackoffPolicy(most_kept=100))
    for n in range(1000):
        throttle.failed(f"user{n}", f"10.0.{n // 250}.{n % 250}", T0 + n * S)
    assert throttle.tracked() <= 202


def test_every_failure_is_logged_without_the_password(caplog, throttle):
    with caplog.at_level(logging.WARNING, logger="coach.auth"):
        fail(throttle, 3, user="ana\x1b[31m")
    lines = [r.getMessage() for r in caplog.records if r.name == "coach.auth"]
    assert len(lines) == 3 and "10.0.0.1" in lines[-1] and "3 in a row" in lines[-1]
    assert "\x1b" not in lines[-1], "the user name is quoted, not written raw"


def test_two_server_processes_share_the_back_off(database_url):
    """Failures counted through one Store are seen through another on the same database
    (two server processes), and a success through either clears the account."""
    one, two = Store(database_url), Store(database_url)
    fail(LoginThrottle(one), 6)
    assert LoginThrottle(two).wait("ana", "10.9.9.9", T0) == 4 * S
    fail(LoginThrottle(two), 1)  # the seventh, from the other process
    assert LoginThrottle(one).wait("ana", "10.9.9.9", T0) == 8 * S
    LoginThrottle(two).succeeded("ana")
    assert LoginThrottle(one).wait("ana", "10.9.9.9", T0) == 0 * S
    one.close()
    two.close()


def test_a_restart_does_not_give_a_guesser_a_fresh_start(database_url):
    before = Store(database_url)
    fail(LoginThrottle(before), 7)
    before.close()
    after = Store(database_url)  # the server restarted
    assert LoginThrottle(after).wait("ana", "10.9.9.9", T0) == 8 * S
    after.close()


def test_failures_counted_at_once_by_two_processes_are_all_counted(database_url):
    """Two threads with a Store each (two processes' worth of connections) counting ten
    failures each at the same moment: twenty in a row, none lost to the race."""
    stores = [Store(database_url), Store(database_url)]
    start = threading.Barrier(2)

    def guess(store: Store) -> None:
        start.wait()
        fail(LoginThrottle(store), 10, address="10.0.0.7")

    threads = [threading.Thread(target=guess, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = stores[0].login_failures([("account", "ana"), ("address", "10.0.0.7")])
    assert [f.count for f in found.values()] == [20, 20]
    for store in stores:
        store.close()


def test_upgrading_0006_adds_the_failures_table_and_downgrades_back(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from coach.store.migrations import alembic_config

    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
    store = Store(database_url)
    fail(LoginThrottle(store), 6)
    store.close()
    assert "login_failures" in inspect(engine).get_table_names()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0006")
    assert "login_failures" not in inspect(engine).get_table_names()
    engine.dispose()
