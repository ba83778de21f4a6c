"""The session store: every session and every rep, committed as it happens.

One small module in front of a real database: SQLite by default (a file in the user's
data folder, WAL journal, foreign keys on), or any SQLAlchemy URL given in
`FORM_COACH_DATABASE_URL` (PostgreSQL for a clinic server). The schema is created and
upgraded by Alembic migrations (coach/migrations) when the store opens.

Only numbers derived from landmarks are stored: no images, no video.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from coach.engine.results import Rep
from coach.errors import CoachError

DATABASE_URL_ENV = "FORM_COACH_DATABASE_URL"
DATA_DIR_ENV = "FORM_COACH_DATA"

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exercise_id", String(64), nullable=False, index=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("view", String(16)),
    Column("mirrored", Boolean, nullable=False, default=False),
    Column("planned_sets", Integer),
    Column("planned_reps", Integer),
    Column("planned_hold_s", Float),
    Column("pain_before", Integer),
    Column("pain_after", Integer),
    Column("effort_borg", Float),
    Column("notes", Text),
)

sets = Table(
    "sets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
    ),
    Column("set_index", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("reps", Integer, nullable=False, default=0),
    Column("held_s", Float, nullable=False, default=0.0),
)

reps = Table(
    "reps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
    ),
    Column("set_index", Integer, nullable=False),
    Column("rep_index", Integer, nullable=False),
    Column("side", String(8), nullable=False),
    Column("start_s", Float, nullable=False),
    Column("end_s", Float, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("partial", Boolean, nullable=False),
    Column("range_of_motion", JSON, nullable=False),  # angle -> {min_deg, max_deg, rom_deg}
    Column("faults", JSON, nullable=False),  # [{rule, cue, severity}]
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


class StoreError(CoachError):
    """The database could not be read or written; the message says what to do."""


@dataclass(frozen=True)
class SessionSummary:
    """One session as the summary card and the 'last time' comparison show it."""

    id: int
    exercise_id: str
    started_at: datetime
    ended_at: datetime | None
    reps: int
    partial_reps: int
    held_s: float
    best_rom_deg: dict[str, float]
    faults: dict[str, int]
    pain_before: int | None
    pain_after: int | None
    effort_borg: float | None


def default_database_url() -> str:
    """$FORM_COACH_DATABASE_URL, else a SQLite file in $FORM_COACH_DATA or the XDG data folder."""
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    base = os.environ.get(DATA_DIR_ENV)
    if not base:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        base = str(Path(xdg) / "form-coach")
    return f"sqlite:///{Path(base) / 'form-coach.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across process crashes
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _now() -> datetime:
    return datetime.now(UTC)


def _plain(value: float | None) -> float | None:
    return None if value is None or value != value else round(float(value), 2)


class Store:
    """Sessions, sets and reps in one database. Safe to use from several threads."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_database_url()
        if self.url.startswith("sqlite:///"):
            folder = Path(self.url.removeprefix("sqlite:///")).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data folder {folder}: {exc.strerror}; set "
                    f"{DATA_DIR_ENV} or {DATABASE_URL_ENV} to a writable place"
                ) from exc
        self.engine: Engine = create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (creates it in an empty database)."""
        from coach.migrations import upgrade_to_head

        with self._writing("upgrading the database schema") as connection:
            upgrade_to_head(connection)

    @contextmanager
    def _writing(self, what: str) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            detail = str(exc.orig) if exc.orig is not None else str(exc)
            hint = " (is the disk full?)" if "full" in detail or "disk" in detail else ""
            raise StoreError(f"{what} failed in {self.url}: {detail}{hint}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"{what} failed in {self.url}: {exc}") from exc

    # ---- writing, one transaction per event --------------------------------------------
    def start_session(
        self,
        exercise_id: str,
        *,
        pain_before: int | None = None,
        planned_sets: int | None = None,
        planned_reps: int | None = None,
        planned_hold_s: float | None = None,
        mirrored: bool = False,
    ) -> int:
        if pain_before is not None and not 0 <= pain_before <= 10:
            raise StoreError(f"pain must be 0-10 on the NRS, got {pain_before}")
        with self._writing("starting a session") as connection:
            result = connection.execute(
                sessions.insert().values(
                    exercise_id=exercise_id, started_at=_now(), pain_before=pain_before,
                    planned_sets=planned_sets, planned_reps=planned_reps,
                    planned_hold_s=planned_hold_s, mirrored=mirrored,
                )
            )
            return int(result.inserted_primary_key[0])

    def start_set(self, session_id: int, set_index: int) -> None:
        with self._writing("starting a set") as connection:
            connection.execute(
                sets.insert().values(session_id=session_id, set_index=set_index, started_at=_now())
            )

    def add_rep(self, session_id: int, set_index: int, rep: Rep) -> None:
        """Commit one rep now, so a crash loses at most the rep in progress."""
        rom = {
            name: {"min_deg": _plain(a.min_deg), "max_deg": _plain(a.max_deg),
                   "rom_deg": _plain(a.rom_deg)}
            for name, a in rep.angles.items()
        }  # fmt: skip
        faults = [{"rule": f.rule_id, "cue": f.cue, "severity": f.severity} for f in rep.faults]
        with self._writing("saving a rep") as connection:
            connection.execute(
                reps.insert().values(
                    session_id=session_id, set_index=set_index, rep_index=rep.index,
                    side=rep.side, start_s=rep.start_s, end_s=rep.end_s,
                    duration_s=rep.duration_s, partial=rep.partial, range_of_motion=rom,
                    faults=faults, recorded_at=_now(),
                )
            )

    def finish_set(self, session_id: int, set_index: int, *, reps_done: int, held_s: float) -> None:
        with self._writing("finishing a set") as connection:
            connection.execute(
                sets.update()
                .where(sets.c.session_id == session_id, sets.c.set_index == set_index)
                .values(ended_at=_now(), reps=reps_done, held_s=round(held_s, 2))
            )

    def finish_session(
        self,
        session_id: int,
        *,
        pain_after: int | None = None,
        effort_borg: float | None = None,
        view: str | None = None,
        notes: str | None = None,
    ) -> None:
        if pain_after is not None and not 0 <= pain_after <= 10:
            raise StoreError(f"pain must be 0-10 on the NRS, got {pain_after}")
        if effort_borg is not None and not 0 <= effort_borg <= 10:
            raise StoreError(f"effort must be 0-10 on the Borg CR10 scale, got {effort_borg}")
        with self._writing("finishing a session") as connection:
            connection.execute(
                sessions.update()
                .where(sessions.c.id == session_id)
                .values(ended_at=_now(), pain_after=pain_after, effort_borg=effort_borg,
                        view=view, notes=notes)
            )  # fmt: skip

    # ---- reading -------------------------------------------------------------------------
    def rep_rows(self, session_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reps).where(reps.c.session_id == session_id).order_by(reps.c.id)
            )
            return [dict(row._mapping) for row in rows]

    def summary(self, session_id: int) -> SessionSummary:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(sessions).where(sessions.c.id == session_id)
            ).one_or_none()
            if row is None:
                raise StoreError(f"no session {session_id} in {self.url}")
            held = connection.execute(
                select(func.coalesce(func.sum(sets.c.held_s), 0.0)).where(
                    sets.c.session_id == session_id
                )
            ).scalar_one()
        rep_rows = self.rep_rows(session_id)
        best: dict[str, float] = {}
        faults: dict[str, int] = {}
        for rep in rep_rows:
            rom = rep["range_of_motion"]
            rom = json.loads(rom) if isinstance(rom, str) else rom
            for name, stats in rom.items():
                if stats.get("rom_deg") is not None:
                    best[name] = max(best.get(name, 0.0), stats["rom_deg"])
            for fault in rep["faults"]:
                faults[fault["rule"]] = faults.get(fault["rule"], 0) + 1
        return SessionSummary(
            id=row.id, exercise_id=row.exercise_id, started_at=row.started_at,
            ended_at=row.ended_at, reps=len(rep_rows),
            partial_reps=sum(bool(r["partial"]) for r in rep_rows), held_s=float(held),
            best_rom_deg=best, faults=faults, pain_before=row.pain_before,
            pain_after=row.pain_after, effort_borg=row.effort_borg,
        )  # fmt: skip

    def previous_session(self, exercise_id: str, before_id: int) -> SessionSummary | None:
        """The last session of this exercise before `before_id`, for 'compared with last time'."""
        with self.engine.connect() as connection:
            previous = connection.execute(
                select(sessions.c.id)
                .where(sessions.c.exercise_id == exercise_id, sessions.c.id < before_id)
                .order_by(sessions.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if previous is None else self.summary(previous)

    def close(self) -> None:
        self.engine.dispose()
