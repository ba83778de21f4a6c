"""Slowing password guessing: a back-off per account and per address.

After a few failed sign-ins, each further attempt must wait, twice as long after each
failure: for the account (whoever tries) and for the address (whichever account it tries).
The account's wait stops growing at a minute, so someone guessing at a patient's account
can never lock the patient out for longer than that, while guessing goes at a crawl; an
address's wait grows to a quarter of an hour. A success clears the account's failures;
failures are forgotten a day after the last one. Every failure is logged (user name as
typed, address, how many in a row), never the password.

The rules are here (`LoginThrottle`); the counts are kept by a `FailureCounts`, the store
in the app (coach.store.logins), so every server process of a clinic shares them and a
restart forgets none. The time is passed in, so the rules are tested without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

log = logging.getLogger("coach.auth")

FailureKind = Literal["account", "address"]
FailureKey = tuple[FailureKind, str]  # ("account", user name) or ("address", IP address)
KEY_LENGTH = 64  # the longest user name or address kept


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


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins in a row for one account or address, and when the last was."""

    count: int
    last: datetime


class FailureCounts(Protocol):
    """Where the failed sign-ins are counted (coach.store.logins.LoginFailureStore)."""

    def login_failures(self, keys: Sequence[FailureKey]) -> dict[FailureKey, Failures]:
        """The failures counted for these keys (keys with none are left out)."""
        ...

    def add_login_failure(
        self, keys: Sequence[FailureKey], now: datetime, policy: BackoffPolicy
    ) -> list[int]:
        """Count one failure for each key at `now` (a count last touched more than
        `policy.forget_after` ago starts again), dropping the oldest keys beyond
        `policy.most_kept`; returns each key's count in a row."""
        ...

    def clear_login_failures(self, key: FailureKey) -> None: ...

    def login_failures_kept(self) -> int: ...


class LoginThrottle:
    """The back-off rules over the failures `counts` keeps."""

    def __init__(self, counts: FailureCounts, policy: BackoffPolicy | None = None) -> None:
        self.counts = counts
        self.policy = policy or BackoffPolicy()

    def wait(self, username: str, address: str | None, now: datetime) -> timedelta:
        """How long until this account may be tried again from this address (zero: now)."""
        account, place = _keys(username, address)
        found = self.counts.login_failures([account, place])
        return max(
            self._wait(found.get(account), self.policy.account_longest, now),
            self._wait(found.get(place), self.policy.address_longest, now),
        )

    def failed(self, username: str, address: str | None, now: datetime) -> None:
        """Count a wrong user name or password, and log it."""
        counts = self.counts.add_login_failure(list(_keys(username, address)), now, self.policy)
        log.warning(
            "failed sign-in for user name %r from %s (%d in a row for the account, %d from "
            "the address)",
            username[:KEY_LENGTH],
            address or "an unknown address",
            *counts,
        )

    def succeeded(self, username: str) -> None:
        """A good password: the account's failures are forgotten (the address's are not)."""
        self.counts.clear_login_failures(_keys(username, None)[0])

    def tracked(self) -> int:
        """How many accounts and addresses have failures counted now."""
        return self.counts.login_failures_kept()

    def _wait(self, entry: Failures | None, longest: timedelta, now: datetime) -> timedelta:
        if entry is None or now - entry.last > self.policy.forget_after:
            return timedelta(0)
        extra = entry.count - self.policy.free_failures
        if extra < 0:
            return timedelta(0)
        wait = min(longest, self.policy.first_wait * 2 ** min(extra, 30))
        return max(timedelta(0), entry.last + wait - now)


def _keys(username: str, address: str | None) -> tuple[FailureKey, FailureKey]:
    """The account a typed user name means (user names are kept lower-case) and the
    address (or "unknown")."""
    account = username.strip().lower()[:KEY_LENGTH]
    return ("account", account), ("address", (address or "unknown")[:KEY_LENGTH])
