"""Failed sign-ins per account and per address, for the back-off on password guessing
(coach.auth.throttle holds the rules; this keeps the counts).

In the database rather than a server's memory: several server processes of a clinic share
one back-off, and a restart does not hand a guesser a fresh start. A failure is one
transaction that counts it for the account and the address together (an upsert, so two
processes counting at once both count).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from coach.auth.throttle import BackoffPolicy, FailureKey, Failures
from coach.store.base import StoreBase
from coach.store.records import aware
from coach.store.schema import login_failures as table


class LoginFailureStore(StoreBase):
    """The counts of `coach.auth.throttle.FailureCounts`."""

    def login_failures(self, keys: Sequence[FailureKey]) -> dict[FailureKey, Failures]:
        """The failures counted for these keys (keys with none are left out)."""
        with self._reading() as connection:
            rows = connection.execute(select(table).where(_any_of(keys))).all()
        return {(row.kind, row.subject): Failures(row.in_a_row, aware(row.last_at)) for row in rows}

    def add_login_failure(
        self, keys: Sequence[FailureKey], now: datetime, policy: BackoffPolicy
    ) -> list[int]:
        """Count one failure for each key at `now`; a count last touched more than
        `policy.forget_after` ago starts again at 1. Beyond `policy.most_kept` keys, the
        oldest half is dropped (a flood of made-up names). Returns each key's count."""
        stale = now - policy.forget_after
        upsert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        with self._writing("counting a failed sign-in") as connection:
            for kind, subject in keys:
                statement = upsert(table).values(
                    kind=kind, subject=subject, in_a_row=1, last_at=now
                )
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=[table.c.kind, table.c.subject],
                        set_={
                            "in_a_row": case(
                                (table.c.last_at < stale, 1), else_=table.c.in_a_row + 1
                            ),
                            "last_at": now,
                        },
                    )
                )
            counts = {
                (row.kind, row.subject): row.in_a_row
                for row in connection.execute(select(table).where(_any_of(keys)))
            }
            self._forget_oldest(connection, stale, policy.most_kept)
        return [counts[key] for key in keys]

    def clear_login_failures(self, key: FailureKey) -> None:
        """Forget one account's or address's failures (a good password)."""
        with self._writing("clearing failed sign-ins") as connection:
            connection.execute(delete(table).where(_any_of([key])))

    def login_failures_kept(self) -> int:
        """How many accounts and addresses have failures counted."""
        with self._reading() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    @staticmethod
    def _forget_oldest(connection: Connection, stale: datetime, most_kept: int) -> None:
        """Drop the counts a day old, and the oldest half when more than `most_kept` keys
        are counted."""
        connection.execute(delete(table).where(table.c.last_at < stale))
        kept = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if kept <= most_kept:
            return
        cutoff = connection.execute(
            select(table.c.last_at).order_by(table.c.last_at).offset(kept // 2).limit(1)
        ).scalar_one()
        connection.execute(delete(table).where(table.c.last_at < cutoff))


def _any_of(keys: Sequence[FailureKey]) -> ColumnElement[bool]:
    return or_(*(and_(table.c.kind == kind, table.c.subject == subject) for kind, subject in keys))
