"""Slowing password guessing: a back-off per account and per address.

After a few failed sign-ins, each further attempt must wait, twice as long after each
failure: for the account (whoever tries) and for the address (whichever account it tries).
The account's wait stops growing at a minute, so someone guessing at a patient's account
can never lock the patient out for longer than that, while guessing goes at a crawl; an
address's wait grows to a quarter of an hour. A success clears the account's failures;
failures are forgotten a day after the last one. Every failure is logged (user name as
typed, address, how many in a row), never the password.

The counts live in the server process (`LoginThrottle`, thread-safe), with the time passed
in, so the rules are tested without waiting.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger("coach.auth")


@dataclass(frozen=True)
class BackoffPolicy:
    """How guessing is slowed: failures allowed before any wait, the first wait, and the
    longest wait of an account and of an address."""

    free_failures: int = 5
    first_wait: timedelta = timedelta(seconds=2)
    account_longest: timedelta = timedelta(minutes=1)
    address_longest: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(days=1)
    most_kept: int = 100_000  # keys kept before the oldest are dropped (a flood of names)


@dataclass
class _Failures:
    count: int
    last: datetime


class LoginThrottle:
    """Failed sign-ins per account and per address, and how long the next attempt waits."""

    def __init__(self, policy: BackoffPolicy | None = None) -> None:
        self.policy = policy or BackoffPolicy()
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], _Failures] = {}

    def wait(self, username: str, address: str | None, now: datetime) -> timedelta:
        """How long until this account may be tried again from this address (zero: now)."""
        with self._lock:
            waits = [
                self._wait(("account", _account(username)), self.policy.account_longest, now),
                self._wait(("address", address or "unknown"), self.policy.address_longest, now),
            ]
        return max(waits)

    def failed(self, username: str, address: str | None, now: datetime) -> None:
        """Count a wrong user name or password, and log it."""
        with self._lock:
            counts = [
                self._count(("account", _account(username)), now),
                self._count(("address", address or "unknown"), now),
            ]
            if len(self._failures) > self.policy.most_kept:
                self._forget_oldest()
        log.warning(
            "failed sign-in for user name %r from %s (%d in a row for the account, %d from "
            "the address)",
            username[:64],
            address or "an unknown address",
            *counts,
        )

    def succeeded(self, username: str) -> None:
        """A good password: the account's failures are forgotten (the address's are not)."""
        with self._lock:
            self._failures.pop(("account", _account(username)), None)

    def tracked(self) -> int:
        """How many accounts and addresses have failures counted now."""
        with self._lock:
            return len(self._failures)

    def _wait(self, key: tuple[str, str], longest: timedelta, now: datetime) -> timedelta:
        entry = self._failures.get(key)
        if entry is None or now - entry.last > self.policy.forget_after:
            return timedelta(0)
        extra = entry.count - self.policy.free_failures
        if extra < 0:
            return timedelta(0)
        wait = min(longest, self.policy.first_wait * 2 ** min(extra, 30))
        return max(timedelta(0), entry.last + wait - now)

    def _count(self, key: tuple[str, str], now: datetime) -> int:
        entry = self._failures.get(key)
        if entry is None or now - entry.last > self.policy.forget_after:
            entry = self._failures[key] = _Failures(0, now)
        entry.count += 1
        entry.last = now
        return entry.count

    def _forget_oldest(self) -> None:
        by_age = sorted(self._failures, key=lambda k: self._failures[k].last)
        for key in by_age[: len(by_age) // 2]:
            del self._failures[key]


def _account(username: str) -> str:
    """The account a typed user name means (user names are kept lower-case)."""
    return username.strip().lower()[:64]
