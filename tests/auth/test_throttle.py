"""The back-off on password guessing (coach.auth.throttle): per account and per address,
growing to a crawl, never a lock-out for ever, every failure logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from coach.auth.throttle import BackoffPolicy, LoginThrottle

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def fail(throttle: LoginThrottle, times: int, user: str = "ana", address: str = "10.0.0.1"):
    for _ in range(times):
        throttle.failed(user, address, T0)


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (4, 0), (5, 2), (6, 4), (7, 8), (8, 16), (10, 60), (50, 60)],
)
def test_the_account_waits_twice_as_long_after_each_failure_up_to_a_minute(failures, wait):
    throttle = LoginThrottle()
    fail(throttle, failures, address=None)  # from an unknown address
    # From another address, only the account's wait counts.
    assert throttle.wait("ana", "10.9.9.9", T0) == wait * S


@pytest.mark.parametrize(("failures", "wait"), [(4, 0), (5, 2), (9, 32), (12, 256), (50, 900)])
def test_an_address_trying_many_accounts_waits_up_to_a_quarter_of_an_hour(failures, wait):
    throttle = LoginThrottle()
    for n in range(failures):
        throttle.failed(f"user{n}", "10.0.0.1", T0)
    assert throttle.wait("someone-new", "10.0.0.1", T0) == wait * S
    assert throttle.wait("someone-new", "10.0.0.2", T0) == 0 * S


def test_the_wait_runs_out_and_the_patient_gets_in():
    throttle = LoginThrottle()
    fail(throttle, 200, address="10.0.0.1")
    longest = BackoffPolicy().account_longest
    assert throttle.wait("ana", "192.168.1.5", T0) == longest
    assert throttle.wait("ana", "192.168.1.5", T0 + longest) == 0 * S


def test_a_success_clears_the_account_but_not_the_address():
    throttle = LoginThrottle()
    fail(throttle, 8)
    throttle.succeeded("ANA ")  # user names are compared as the store keeps them
    assert throttle.wait("ana", "10.9.9.9", T0) == 0 * S
    assert throttle.wait("bob", "10.0.0.1", T0) > 0 * S


def test_failures_are_forgotten_a_day_after_the_last():
    throttle = LoginThrottle()
    fail(throttle, 9)
    assert throttle.wait("ana", "10.0.0.1", T0 + timedelta(days=1, seconds=1)) == 0 * S


def test_a_flood_of_names_does_not_grow_without_bound():
    throttle = LoginThrottle(BackoffPolicy(most_kept=100))
    for n in range(1000):
        throttle.failed(f"user{n}", f"10.0.{n // 250}.{n % 250}", T0 + n * S)
    assert throttle.tracked() <= 202


def test_every_failure_is_logged_without_the_password(caplog):
    throttle = LoginThrottle()
    with caplog.at_level(logging.WARNING, logger="coach.auth"):
        fail(throttle, 3, user="ana\x1b[31m")
    lines = [r.getMessage() for r in caplog.records if r.name == "coach.auth"]
    assert len(lines) == 3 and "10.0.0.1" in lines[-1] and "3 in a row" in lines[-1]
    assert "\x1b" not in lines[-1], "the user name is quoted, not written raw"
