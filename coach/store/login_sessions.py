"""Server-side sign-in sessions: a refresh, a bookmark or a typed address keeps a user
signed in, and signing out (or a timeout) ends the session on the server, wherever its
token is.

The browser holds an opaque random token (coach.auth.tokens, in an HttpOnly cookie); the
database holds its SHA-256 digest, the account, when the session began, when it was last
seen, and its absolute end. A session ends when it is idle longer than the policy's idle
time, at its absolute end, on sign-out, or with its account. Ended sessions are deleted, so
nothing of them can be used again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection

from coach.auth.access import LoginPolicy, Principal
from coach.auth.tokens import new_token, token_digest
from coach.store.people import PeopleStore
from coach.store.records import ValidationError, aware, check_username
from coach.store.schema import accounts, login_sessions

# How stale `last_seen_at` may get before a page run writes it again: not one write per
# run of a page, and far below any idle timeout.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class LoginSession:
    """A signed-in user as their session says: who, since when, last seen when."""

    principal: Principal
    started_at: datetime
    last_seen_at: datetime


class LoginSessionStore(PeopleStore):
    """Sign-in sessions by token: started, looked up (and kept alive), ended."""

    def start_login_session(self, username: str, now: datetime, policy: LoginPolicy) -> str:
        """A new session for the account `username` (already authenticated); returns its
        token, which only the browser keeps. Sessions ended by a timeout are deleted on the
        way. Raises ValidationError for an unknown user name."""
        name = check_username(username)
        token = new_token()
        with self._writing("starting a sign-in session") as connection:
            self._delete_ended(connection, now, policy)
            account_id = connection.execute(
                select(accounts.c.id).where(accounts.c.username == name)
            ).scalar_one_or_none()
            if account_id is None:
                raise ValidationError(f"no account with the user name {name!r}")
            connection.execute(
                login_sessions.insert().values(
                    token_sha256=token_digest(token),
                    account_id=account_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + policy.longest,
                )
            )
        return token

    def login_session(self, token: str, now: datetime, policy: LoginPolicy) -> LoginSession | None:
        """The session `token` opens, seen now (its idle time starts again), or None when
        there is none: never made, signed out, idle too long or past its end (an ended one
        is deleted)."""
        digest = token_digest(token)
        with self._reading() as connection:
            row = connection.execute(
                select(login_sessions, accounts)
                .join(accounts, accounts.c.id == login_sessions.c.account_id)
                .where(login_sessions.c.token_sha256 == digest)
            ).one_or_none()
        if row is None:
            return None
        started, last_seen = aware(row.created_at), aware(row.last_seen_at)
        if now - last_seen > policy.idle or now >= aware(row.expires_at):
            self.end_login_session(token)
            return None
        if now - last_seen >= TOUCH_EVERY:
            with self._writing("keeping a sign-in session alive") as connection:
                connection.execute(
                    update(login_sessions)
                    .where(login_sessions.c.token_sha256 == digest)
                    .values(last_seen_at=now)
                )
            last_seen = now
        return LoginSession(self._principal_of(row), started, last_seen)

    def end_login_session(self, token: str) -> None:
        """Sign out: the session `token` opens is deleted (nothing happens without one)."""
        with self._writing("ending a sign-in session") as connection:
            connection.execute(
                delete(login_sessions).where(login_sessions.c.token_sha256 == token_digest(token))
            )

    @staticmethod
    def _delete_ended(connection: Connection, now: datetime, policy: LoginPolicy) -> None:
        connection.execute(
            delete(login_sessions).where(
                or_(
                    login_sessions.c.expires_at <= now,
                    login_sessions.c.last_seen_at < now - policy.idle,
                )
            )
        )
