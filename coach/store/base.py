"""The store's foundation: the database connection, migrations and transactions.

SQLite by default (a file in the user's data folder, WAL journal, foreign keys on), or any
SQLAlchemy URL given in `FORM_COACH_DATABASE_URL` (PostgreSQL for a clinic server). The
schema is created and upgraded by Alembic migrations (coach/store/migrations) when the store
opens. Every write is one transaction (`_writing`); database errors become `StoreError`s
that say what was being done and, for a full disk, how to fix it.

A database URL can hold a password: no message, log line or page ever shows it. The store
names its database by `shown_url` (the password replaced by ***) and every error it raises
passes through `_secret_free`, which also takes the password out of the driver's own text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from coach.store.records import StoreError, check_date, check_date_range

DATABASE_URL_ENV = "FORM_COACH_DATABASE_URL"
DATA_DIR_ENV = "FORM_COACH_DATA"
DEFAULT_PATIENT_NAME = "Me"


def default_database_url() -> str:
    """$FORM_COACH_DATABASE_URL, else a SQLite file in $FORM_COACH_DATA or the XDG data folder."""
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    base = os.environ.get(DATA_DIR_ENV)
    if not base:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        base = str(Path(xdg) / "form-coach")
    return f"sqlite:///{Path(base) / 'form-coach.db'}"


# user:password@ in a URL SQLAlchemy cannot parse (a typo in the scheme, say).
_CREDENTIALS = re.compile(r"(://[^:/@\s]*:)([^@\s]*)@")


def masked_url(url: str) -> str:
    """`url` as it may be shown to anyone: its password replaced by ***. SQLAlchemy renders
    the URLs it can parse; in one it cannot, whatever stands between `user:` and `@` is
    masked the same way, so a mistyped URL does not leak either."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _CREDENTIALS.sub(r"\1***@", url)


def url_secrets(url: str) -> list[str]:
    """The password in `url`, as written and as decoded (empty without one): the strings
    no message may contain."""
    found = {match.group(2) for match in _CREDENTIALS.finditer(url)}
    with suppress(ArgumentError, ValueError):  # not parseable: the pattern found what there is
        found.add(make_url(url).password or "")
    return sorted((s for s in found if s), key=len, reverse=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across process crashes
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_migration_connect(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys off while tables are rebuilt: with them on, SQLite's DROP TABLE of the old
    # sessions table would cascade and delete every rep (checked afterwards instead).
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    # The whole migration is one transaction that holds the write lock from the start:
    # two processes starting together cannot both upgrade, and a failure rolls back.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _create_private(database: Path) -> None:
    """Create the SQLite file's folder (0700) and the empty file (0600) if they are not
    there, readable by this user only: the health data in them is nobody else's. SQLite
    gives its -wal and -shm files the database file's permissions. Existing ones are left
    as they are. Raises StoreError naming the folder and the settings that move it."""
    folder = database.parent
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True)
            folder.chmod(0o700)  # whatever the umask
        if not database.exists():
            os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise StoreError(
            f"cannot create the database in {folder}: {exc.strerror}; make the folder "
            f"writable, or set {DATA_DIR_ENV} or {DATABASE_URL_ENV} to a writable place"
        ) from exc


def _now() -> datetime:
    return datetime.now(UTC)


def day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, ...]:
    """Local calendar days as a half-open UTC interval [start, end): rows keep UTC times,
    while a patient's "from" and "to" are days on their own clock."""
    start = end = None
    if date_from is not None:
        start = datetime.combine(date_from, time.min).astimezone().astimezone(UTC)
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min).astimezone().astimezone(UTC)
    return start, end


def checked_day_bounds(
    date_from: date | str | None, date_to: date | str | None
) -> tuple[datetime | None, ...]:
    """`day_bounds` of a user's "from" and "to" (dates or ISO text), checked first so the
    error names the wrong date; every date-range query of the store reads its range so."""
    first = check_date(date_from, "from date", required=False)
    last = check_date(date_to, "to date", required=False)
    check_date_range(first, last)
    return day_bounds(first, last)


class StoreBase:
    """The connection and transactions the parts of `Store` share. Safe across threads.

    `clock` gives the time for new rows (tests pass a fixed one).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        migrate: bool = True,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._url = url or default_database_url()
        self.shown_url = masked_url(self._url)  # for messages: never the password
        self._secrets = url_secrets(self._url)
        self._clock = clock
        sqlite_file = self._url.removeprefix("sqlite:///").partition("?")[0]
        if self._url.startswith("sqlite:///") and sqlite_file not in ("", ":memory:"):
            _create_private(Path(sqlite_file))
        try:
            self.engine: Engine = create_engine(self._url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(
                self._secret_free(f"cannot use the database URL {self.shown_url!r}: {exc}")
            ) from exc
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            self.migrate()

    # ---- schema ------------------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the newest revision (creates it in an empty database)."""
        from coach.store.migrations import upgrade_to_head

        engine = self.engine
        if self.is_sqlite:
            engine = create_engine(self._url, poolclass=NullPool)
            event.listen(engine, "connect", _sqlite_migration_connect)
            event.listen(engine, "begin", _sqlite_begin_immediate)
        try:
            with self._writing("upgrading the database schema", engine) as connection:
                upgrade_to_head(connection)
                if self.is_sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(f"the upgrade left broken references: {broken[:5]}")
        finally:
            if engine is not self.engine:
                engine.dispose()

    def revision(self) -> str | None:
        with self._reading() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def _secret_free(self, text: str) -> str:
        """`text` with the database password masked, wherever it came from (our message, the
        driver's, SQLAlchemy's), and on one line."""
        text = text.replace(self._url, self.shown_url)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())

    def _database_error(self, what: str, exc: SQLAlchemyError) -> StoreError:
        """The StoreError for a database error while doing `what`: what failed, where (the
        masked URL) and the driver's reason, with a hint for a full disk."""
        if isinstance(exc, IntegrityError):
            detail = str(exc.orig) if exc.orig is not None else str(exc)
            return StoreError(self._secret_free(f"{what} was refused by the database: {detail}"))
        if isinstance(exc, OperationalError):
            detail = str(exc.orig) if exc.orig is not None else str(exc)
            hint = " (is the disk full?)" if "full" in detail or "disk" in detail else ""
            if "unable to open database file" in detail or "readonly database" in detail:
                hint = (
                    " (the database's folder is not writable: make it writable, or set "
                    f"{DATA_DIR_ENV} or {DATABASE_URL_ENV} to a writable place)"
                )
            where = f"{what} failed in {self.shown_url}"
            return StoreError(self._secret_free(f"{where}: {detail}{hint}"))
        return StoreError(self._secret_free(f"{what} failed in {self.shown_url}: {exc}"))

    @contextmanager
    def _writing(self, what: str, engine: Engine | None = None) -> Iterator[Connection]:
        try:
            with (engine or self.engine).begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise self._database_error(what, exc) from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise self._database_error("reading the database", exc) from exc

    def close(self) -> None:
        self.engine.dispose()
