"""The store: patients, plans, sessions, reps, fault events and goals, behind one class.

One small module in front of a real database: SQLite by default (a file in the user's
data folder, WAL journal, foreign keys on), or any SQLAlchemy URL given in
`FORM_COACH_DATABASE_URL` (PostgreSQL for a clinic server). The schema is created and
upgraded by Alembic migrations (coach/migrations) when the store opens. The tables are in
`coach.store_schema`, the records it hands out and the checks on what it takes in are in
`coach.records`; pages, exports and the CLI use only the methods of `Store`.

Every write is one transaction, and every rep is committed as it is counted. All queries
are built with SQLAlchemy Core, so values are always bound parameters, never SQL text.
Only numbers derived from landmarks are stored: no images, no video.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from coach.access import Principal, hash_password, needs_rehash, verify_password
from coach.engine.results import Rep
from coach.plans import PlanItemSpec
from coach.records import (
    MAX_GOALS,
    Account,
    AngleRecord,
    Clinician,
    FaultEvent,
    Goal,
    GoalScore,
    Patient,
    Plan,
    PlanItem,
    RepRecord,
    SessionRecord,
    StoreError,
    ValidationError,
    aware,
    check_borg,
    check_date,
    check_date_range,
    check_exercise_id,
    check_id,
    check_name,
    check_pain,
    check_password,
    check_score,
    check_text,
    check_username,
)
from coach.store_schema import (
    accounts,
    clinicians,
    fault_events,
    goal_scores,
    goals,
    metadata,
    patients,
    plan_items,
    plans,
    reps,
    sessions,
    sets,
)

__all__ = ["DATABASE_URL_ENV", "DATA_DIR_ENV", "SessionSummary", "Store", "StoreError",
           "ValidationError", "default_database_url", "metadata"]  # fmt: skip

DATABASE_URL_ENV = "FORM_COACH_DATABASE_URL"
DATA_DIR_ENV = "FORM_COACH_DATA"
DEFAULT_PATIENT_NAME = "Me"


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


def _now() -> datetime:
    return datetime.now(UTC)


def _plain(value: float | None) -> float | None:
    return None if value is None or value != value else round(float(value), 2)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, ...]:
    """Local calendar days as a half-open UTC interval [start, end)."""
    start = end = None
    if date_from is not None:
        start = datetime.combine(date_from, time.min).astimezone().astimezone(UTC)
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min).astimezone().astimezone(UTC)
    return start, end


def _patient(row: Row) -> Patient:
    return Patient(row.id, row.name, row.date_of_birth, row.referrer, row.clinician_id,
                   bool(row.is_default), row.notes)  # fmt: skip


def _plan_item(row: Row) -> PlanItem:
    return PlanItem(
        row.id, row.plan_id, row.position, row.exercise_id, row.sets, row.reps, row.hold_s,
        row.rest_s, row.rom_angle, row.rom_target_deg, row.frequency_per_week, row.notes,
        _json(row.progress_rule), bool(row.active),
    )  # fmt: skip


def _angles(raw: Any) -> dict[str, AngleRecord]:
    return {
        name: AngleRecord(stats.get("min_deg"), stats.get("max_deg"), stats.get("rom_deg"),
                          stats.get("peak_deg"))
        for name, stats in (_json(raw) or {}).items()
    }  # fmt: skip


class Store:
    """Everything Form Coach keeps, in one database. Safe to use from several threads.

    `clock` gives the time for new rows (tests pass a fixed one).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        migrate: bool = True,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.url = url or default_database_url()
        self._clock = clock
        if self.url.startswith("sqlite:///"):
            folder = Path(self.url.removeprefix("sqlite:///")).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data folder {folder}: {exc.strerror}; set "
                    f"{DATA_DIR_ENV} or {DATABASE_URL_ENV} to a writable place"
                ) from exc
        try:
            self.engine: Engine = create_engine(self.url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot use the database URL {self.url!r}: {exc}") from exc
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            self.migrate()

    # ---- schema ------------------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the newest revision (creates it in an empty database)."""
        from coach.migrations import upgrade_to_head

        engine = self.engine
        if self.is_sqlite:
            engine = create_engine(self.url, poolclass=NullPool)
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
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    @contextmanager
    def _writing(self, what: str, engine: Engine | None = None) -> Iterator[Connection]:
        try:
            with (engine or self.engine).begin() as connection:
                yield connection
        except IntegrityError as exc:
            detail = str(exc.orig) if exc.orig is not None else str(exc)
            raise StoreError(f"{what} was refused by the database: {detail}") from exc
        except OperationalError as exc:
            detail = str(exc.orig) if exc.orig is not None else str(exc)
            hint = " (is the disk full?)" if "full" in detail or "disk" in detail else ""
            raise StoreError(f"{what} failed in {self.url}: {detail}{hint}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"{what} failed in {self.url}: {exc}") from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(f"reading {self.url} failed: {exc}") from exc

    def close(self) -> None:
        self.engine.dispose()

    # ---- clinicians, patients, logins ----------------------------------------------------------
    def add_clinician(self, name: str, *, email: str | None = None) -> int:
        values = {"name": check_name(name, "clinician's name"),
                  "email": check_text(email, "e-mail", max_len=200, required=False),
                  "created_at": self._clock()}  # fmt: skip
        with self._writing("adding a clinician") as connection:
            return int(connection.execute(clinicians.insert().values(**values))
                       .inserted_primary_key[0])  # fmt: skip

    def list_clinicians(self) -> list[Clinician]:
        with self._reading() as connection:
            rows = connection.execute(select(clinicians).order_by(clinicians.c.name))
            return [Clinician(r.id, r.name, r.email) for r in rows]

    def find_clinician(self, clinician_id: int) -> Clinician | None:
        with self._reading() as connection:
            row = connection.execute(
                select(clinicians).where(clinicians.c.id == check_id(clinician_id, "clinician"))
            ).one_or_none()
        return None if row is None else Clinician(row.id, row.name, row.email)

    def add_patient(
        self,
        name: str,
        *,
        date_of_birth: date | str | None = None,
        referrer: str | None = None,
        clinician_id: int | None = None,
        notes: str | None = None,
        is_default: bool = False,
        login: tuple[str, str] | None = None,
    ) -> int:
        """A new patient; `login` (user name, password) also gives them an account, in the
        same transaction (both or neither)."""
        born = check_date(date_of_birth, "date of birth", required=False)
        if born is not None and born > self._clock().date():
            raise ValidationError(f"date of birth {born.isoformat()} is in the future")
        values = {
            "name": check_name(name, "patient's name"), "date_of_birth": born,
            "referrer": check_text(referrer, "referring clinician", max_len=200, required=False),
            "clinician_id": None if clinician_id is None else check_id(clinician_id, "clinician"),
            "notes": check_text(notes, "notes", max_len=2000, required=False),
            "is_default": bool(is_default), "created_at": self._clock(),
        }  # fmt: skip
        account = None
        if login is not None:
            account = {"username": check_username(login[0]),
                       "password_hash": hash_password(check_password(login[1]))}  # fmt: skip
        with self._writing("adding a patient") as connection:
            patient_id = int(connection.execute(patients.insert().values(**values))
                             .inserted_primary_key[0])  # fmt: skip
            if account is not None:
                self._insert_account(connection, account, patient_id=patient_id)
            return patient_id

    def update_patient(
        self,
        patient_id: int,
        *,
        name: str | None = None,
        referrer: str | None = None,
        clinician_id: int | None = None,
        notes: str | None = None,
    ) -> None:
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = check_name(name, "patient's name")
        if referrer is not None:
            values["referrer"] = check_text(referrer, "referring clinician", max_len=200,
                                            required=False)  # fmt: skip
        if clinician_id is not None:
            values["clinician_id"] = check_id(clinician_id, "clinician")
        if notes is not None:
            values["notes"] = check_text(notes, "notes", max_len=2000, required=False)
        if values:
            with self._writing("updating a patient") as connection:
                connection.execute(
                    patients.update().where(patients.c.id == check_id(patient_id, "patient"))
                    .values(**values)
                )  # fmt: skip

    def find_patient(self, patient_id: int) -> Patient | None:
        with self._reading() as connection:
            row = connection.execute(
                select(patients).where(patients.c.id == check_id(patient_id, "patient"))
            ).one_or_none()
        return None if row is None else _patient(row)

    def get_patient(self, patient_id: int) -> Patient:
        patient = self.find_patient(patient_id)
        if patient is None:
            raise StoreError(f"no patient {patient_id} in the database")
        return patient

    def list_patients(self, *, clinician_id: int | None = None) -> list[Patient]:
        """Every patient, or those of one clinician."""
        query = select(patients).order_by(patients.c.name, patients.c.id)
        if clinician_id is not None:
            query = query.where(patients.c.clinician_id == check_id(clinician_id, "clinician"))
        with self._reading() as connection:
            return [_patient(row) for row in connection.execute(query)]

    def default_patient(self) -> Patient:
        """Home mode's one patient, created the first time it is asked for."""
        with self._writing("creating the default patient") as connection:
            row = connection.execute(
                select(patients).where(patients.c.is_default.is_(True))
                .order_by(patients.c.id).limit(1)
            ).one_or_none()  # fmt: skip
            if row is not None:
                return _patient(row)
            new_id = connection.execute(patients.insert().values(
                name=DEFAULT_PATIENT_NAME, is_default=True, created_at=self._clock()
            )).inserted_primary_key[0]  # fmt: skip
        return self.get_patient(int(new_id))

    def add_account(
        self,
        username: str,
        password: str,
        *,
        clinician_id: int | None = None,
        patient_id: int | None = None,
    ) -> int:
        """A login for a clinician or for a patient (exactly one of the two)."""
        if (clinician_id is None) == (patient_id is None):
            raise ValidationError("an account belongs to one clinician or one patient")
        account = {"username": check_username(username),
                   "password_hash": hash_password(check_password(password))}  # fmt: skip
        with self._writing(f"adding the account {account['username']!r}") as connection:
            return self._insert_account(
                connection, account,
                clinician_id=None if clinician_id is None else check_id(clinician_id, "clinician"),
                patient_id=None if patient_id is None else check_id(patient_id, "patient"),
            )  # fmt: skip

    def _insert_account(
        self,
        connection: Connection,
        account: dict[str, str],
        *,
        clinician_id: int | None = None,
        patient_id: int | None = None,
    ) -> int:
        taken = connection.execute(
            select(accounts.c.id).where(accounts.c.username == account["username"])
        ).first()
        if taken is not None:
            raise ValidationError(f"the user name {account['username']!r} is taken")
        return int(connection.execute(accounts.insert().values(
            **account, role="clinician" if clinician_id is not None else "patient",
            clinician_id=clinician_id, patient_id=patient_id, created_at=self._clock(),
        )).inserted_primary_key[0])  # fmt: skip

    def set_password(self, username: str, password: str) -> None:
        with self._writing("changing a password") as connection:
            done = connection.execute(
                accounts.update().where(accounts.c.username == check_username(username))
                .values(password_hash=hash_password(check_password(password)))
            )  # fmt: skip
            if done.rowcount == 0:
                raise StoreError(f"no account {username!r}")

    def list_accounts(self) -> list[Account]:
        with self._reading() as connection:
            rows = connection.execute(select(accounts).order_by(accounts.c.username))
            return [Account(r.id, r.username, r.role, r.clinician_id, r.patient_id)
                    for r in rows]  # fmt: skip

    def authenticate(self, username: str, password: str) -> Principal | None:
        """The user behind a user name and password, or None (the same for an unknown user
        and a wrong password, and in about the same time)."""
        try:
            name = check_username(username)
        except ValidationError:
            verify_password(None, password)
            return None
        with self._reading() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.username == name)
            ).one_or_none()
        if not verify_password(row.password_hash if row else None, password) or row is None:
            return None
        values: dict[str, Any] = {"last_login_at": self._clock()}
        if needs_rehash(row.password_hash):
            values["password_hash"] = hash_password(password)
        with self._writing("recording a login") as connection:
            connection.execute(accounts.update().where(accounts.c.id == row.id).values(**values))
        if row.role == "clinician":
            clinician = self.find_clinician(row.clinician_id)
            return Principal("clinician", clinician.name if clinician else name,
                             clinician_id=row.clinician_id)  # fmt: skip
        patient = self.find_patient(row.patient_id)
        return Principal("patient", patient.name if patient else name, patient_id=row.patient_id)

    # ---- plans -----------------------------------------------------------------------------------
    def create_plan(
        self,
        patient_id: int,
        *,
        start_date: date | str,
        title: str = "Home exercise plan",
        end_date: date | str | None = None,
        notes: str | None = None,
        clinician_id: int | None = None,
    ) -> int:
        """A new plan for the patient; their earlier plans stop being active."""
        start = check_date(start_date, "start date")
        end = check_date(end_date, "end date", required=False)
        check_date_range(start, end)
        values = {
            "patient_id": check_id(patient_id, "patient"),
            "clinician_id": None if clinician_id is None else check_id(clinician_id, "clinician"),
            "title": check_text(title, "plan title", max_len=200),
            "start_date": start, "end_date": end,
            "notes": check_text(notes, "notes", max_len=4000, required=False),
            "active": True, "created_at": self._clock(),
        }  # fmt: skip
        with self._writing("creating a plan") as connection:
            connection.execute(
                plans.update().where(plans.c.patient_id == values["patient_id"])
                .values(active=False)
            )  # fmt: skip
            return int(connection.execute(plans.insert().values(**values))
                       .inserted_primary_key[0])  # fmt: skip

    def update_plan(
        self,
        plan_id: int,
        *,
        title: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        clear_end_date: bool = False,
        notes: str | None = None,
    ) -> None:
        plan = self.get_plan(plan_id)
        start = check_date(start_date, "start date", required=False) or plan.start_date
        end = None if clear_end_date else (
            check_date(end_date, "end date", required=False) or plan.end_date
        )
        check_date_range(start, end)
        values: dict[str, Any] = {"start_date": start, "end_date": end}
        if title is not None:
            values["title"] = check_text(title, "plan title", max_len=200)
        if notes is not None:
            values["notes"] = check_text(notes, "notes", max_len=4000, required=False)
        with self._writing("updating a plan") as connection:
            connection.execute(plans.update().where(plans.c.id == plan.id).values(**values))

    def _item_values(self, spec: PlanItemSpec) -> dict[str, Any]:
        if not isinstance(spec, PlanItemSpec):
            raise ValidationError("a plan item must be a PlanItemSpec")
        rule = spec.progress_rule.to_dict() if spec.progress_rule is not None else None
        return {
            "exercise_id": spec.exercise_id, "sets": spec.sets, "reps": spec.reps,
            "hold_s": spec.hold_s, "rest_s": spec.rest_s, "rom_angle": spec.rom_angle,
            "rom_target_deg": spec.rom_target_deg, "frequency_per_week": spec.frequency_per_week,
            "notes": check_text(spec.notes, "notes", max_len=2000, required=False),
            "progress_rule": rule,
        }  # fmt: skip

    def add_plan_item(self, plan_id: int, spec: PlanItemSpec) -> int:
        values = self._item_values(spec)
        plan_id = check_id(plan_id, "plan")
        with self._writing("adding an exercise to a plan") as connection:
            position = connection.execute(
                select(func.coalesce(func.max(plan_items.c.position), 0))
                .where(plan_items.c.plan_id == plan_id)
            ).scalar_one()  # fmt: skip
            return int(connection.execute(plan_items.insert().values(
                plan_id=plan_id, position=int(position) + 1, active=True,
                created_at=self._clock(), **values,
            )).inserted_primary_key[0])  # fmt: skip

    def update_plan_item(self, item_id: int, spec: PlanItemSpec) -> None:
        values = self._item_values(spec)
        with self._writing("changing a plan item") as connection:
            done = connection.execute(
                plan_items.update().where(plan_items.c.id == check_id(item_id, "plan item"))
                .values(**values)
            )  # fmt: skip
            if done.rowcount == 0:
                raise StoreError(f"no plan item {item_id}")

    def remove_plan_item(self, item_id: int) -> None:
        """Take an exercise out of the plan; its past sessions keep pointing at it."""
        with self._writing("removing a plan item") as connection:
            connection.execute(
                plan_items.update().where(plan_items.c.id == check_id(item_id, "plan item"))
                .values(active=False)
            )  # fmt: skip

    def _plan(self, connection: Connection, row: Row) -> Plan:
        items = connection.execute(
            select(plan_items).where(plan_items.c.plan_id == row.id)
            .order_by(plan_items.c.position, plan_items.c.id)
        )  # fmt: skip
        return Plan(row.id, row.patient_id, row.clinician_id, row.title, row.start_date,
                    row.end_date, row.notes, bool(row.active),
                    tuple(_plan_item(i) for i in items))  # fmt: skip

    def get_plan(self, plan_id: int) -> Plan:
        with self._reading() as connection:
            row = connection.execute(
                select(plans).where(plans.c.id == check_id(plan_id, "plan"))
            ).one_or_none()
            if row is None:
                raise StoreError(f"no plan {plan_id}")
            return self._plan(connection, row)

    def plans_for(self, patient_id: int) -> list[Plan]:
        with self._reading() as connection:
            rows = connection.execute(
                select(plans).where(plans.c.patient_id == check_id(patient_id, "patient"))
                .order_by(plans.c.start_date.desc(), plans.c.id.desc())
            ).all()  # fmt: skip
            return [self._plan(connection, row) for row in rows]

    def current_plan(self, patient_id: int) -> Plan | None:
        """The patient's active plan (the newest, if there were ever several)."""
        return next((p for p in self.plans_for(patient_id) if p.active), None)

    def get_plan_item(self, item_id: int) -> PlanItem:
        with self._reading() as connection:
            row = connection.execute(
                select(plan_items).where(plan_items.c.id == check_id(item_id, "plan item"))
            ).one_or_none()
        if row is None:
            raise StoreError(f"no plan item {item_id}")
        return _plan_item(row)

    def plan_item_patient_id(self, item_id: int) -> int | None:
        with self._reading() as connection:
            return connection.execute(
                select(plans.c.patient_id).join(plan_items, plan_items.c.plan_id == plans.c.id)
                .where(plan_items.c.id == check_id(item_id, "plan item"))
            ).scalar_one_or_none()  # fmt: skip

    # ---- sessions: writing, one transaction per event ----------------------------------------
    def start_session(
        self,
        exercise_id: str,
        *,
        patient_id: int | None = None,
        plan_item_id: int | None = None,
        pain_before: int | None = None,
        planned_sets: int | None = None,
        planned_reps: int | None = None,
        planned_hold_s: float | None = None,
        mirrored: bool = False,
        source: str = "live",
        started_at: datetime | None = None,
        notes: str | None = None,
    ) -> int:
        """A new session for the patient (home mode's default patient if none is given)."""
        values = {
            "exercise_id": check_exercise_id(exercise_id),
            "pain_before": check_pain(pain_before, "pain before"),
            "planned_sets": planned_sets, "planned_reps": planned_reps,
            "planned_hold_s": planned_hold_s, "mirrored": bool(mirrored),
            "notes": check_text(notes, "notes", max_len=2000, required=False),
        }  # fmt: skip
        if source not in ("live", "manual"):
            raise ValidationError(f"session source must be 'live' or 'manual', got {source!r}")
        if patient_id is None:
            patient_id = self.default_patient().id
        patient_id = check_id(patient_id, "patient")
        if plan_item_id is not None:
            owner = self.plan_item_patient_id(plan_item_id)
            if owner != patient_id:
                raise ValidationError(f"plan item {plan_item_id} is not in this patient's plan")
        started = aware(started_at) if started_at is not None else self._clock()
        with self._writing("starting a session") as connection:
            result = connection.execute(sessions.insert().values(
                patient_id=patient_id, plan_item_id=plan_item_id, source=source,
                started_at=started, **values,
            ))  # fmt: skip
            return int(result.inserted_primary_key[0])

    def log_session_done_by_hand(
        self,
        plan_item_id: int,
        *,
        pain_before: int | None = None,
        pain_after: int | None = None,
        effort_borg: float | None = None,
        notes: str | None = None,
        when: datetime | None = None,
    ) -> int:
        """Tick an exercise off without the camera: a 'manual' session at the plan's dose."""
        item = self.get_plan_item(plan_item_id)
        patient_id = self.plan_item_patient_id(plan_item_id)
        assert patient_id is not None
        session_id = self.start_session(
            item.exercise_id, patient_id=patient_id, plan_item_id=item.id,
            pain_before=pain_before, planned_sets=item.sets, planned_reps=item.reps,
            planned_hold_s=item.hold_s, source="manual", started_at=when, notes=notes,
        )  # fmt: skip
        self.finish_session(session_id, pain_after=pain_after, effort_borg=effort_borg,
                            ended_at=when)  # fmt: skip
        return session_id

    def start_set(self, session_id: int, set_index: int) -> None:
        with self._writing("starting a set") as connection:
            connection.execute(sets.insert().values(
                session_id=session_id, set_index=set_index, started_at=self._clock()
            ))  # fmt: skip

    def add_rep(self, session_id: int, set_index: int, rep: Rep) -> None:
        """Commit one rep and its faults now, so a crash loses at most the rep in progress."""
        rom = {
            name: {"min_deg": _plain(a.min_deg), "max_deg": _plain(a.max_deg),
                   "rom_deg": _plain(a.rom_deg), "peak_deg": _plain(a.at_turn_deg)}
            for name, a in rep.angles.items()
        }  # fmt: skip
        faults = [{"rule": f.rule_id, "cue": f.cue, "severity": f.severity,
                   "t_s": _plain(f.t_s), "value": _plain(f.value)} for f in rep.faults]  # fmt: skip
        now = self._clock()
        with self._writing("saving a rep") as connection:
            rep_id = connection.execute(reps.insert().values(
                session_id=session_id, set_index=set_index, rep_index=rep.index,
                side=rep.side, start_s=rep.start_s, turn_s=rep.turn_s, end_s=rep.end_s,
                duration_s=rep.duration_s, partial=rep.partial, range_of_motion=rom,
                faults=faults, recorded_at=now,
            )).inserted_primary_key[0]  # fmt: skip
            if faults:
                connection.execute(fault_events.insert(), [
                    {"session_id": session_id, "rep_id": rep_id, "rule_id": f["rule"],
                     "cue": f["cue"], "severity": f["severity"], "t_s": f["t_s"],
                     "value": f["value"], "recorded_at": now} for f in faults
                ])  # fmt: skip

    def finish_set(self, session_id: int, set_index: int, *, reps_done: int, held_s: float) -> None:
        with self._writing("finishing a set") as connection:
            connection.execute(
                sets.update()
                .where(sets.c.session_id == session_id, sets.c.set_index == set_index)
                .values(ended_at=self._clock(), reps=reps_done, held_s=round(held_s, 2))
            )

    def finish_session(
        self,
        session_id: int,
        *,
        pain_after: int | None = None,
        pain_during: int | None = None,
        effort_borg: float | None = None,
        view: str | None = None,
        notes: str | None = None,
        ended_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "pain_after": check_pain(pain_after, "pain after"),
            "pain_during": check_pain(pain_during, "pain during"),
            "effort_borg": check_borg(effort_borg),
            "view": check_text(view, "camera view", max_len=16, required=False),
            "ended_at": aware(ended_at) if ended_at is not None else self._clock(),
        }
        if notes is not None:
            values["notes"] = check_text(notes, "notes", max_len=2000, required=False)
        with self._writing("finishing a session") as connection:
            done = connection.execute(
                sessions.update().where(sessions.c.id == session_id).values(**values)
            )
            if done.rowcount == 0:
                raise StoreError(f"no session {session_id} in {self.url}")

    # ---- sessions: reading ------------------------------------------------------------------
    def session_patient_id(self, session_id: int) -> int | None:
        with self._reading() as connection:
            return connection.execute(
                select(sessions.c.patient_id).where(sessions.c.id == check_id(session_id,
                                                                              "session"))
            ).scalar_one_or_none()  # fmt: skip

    def sessions(
        self,
        patient_id: int,
        *,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        exercise_id: str | None = None,
    ) -> list[SessionRecord]:
        """The patient's sessions, oldest first, with their totals; dates are local days,
        both ends included."""
        first = check_date(date_from, "from date", required=False)
        last = check_date(date_to, "to date", required=False)
        check_date_range(first, last)
        start, end = _day_bounds(first, last)
        query = select(sessions).where(sessions.c.patient_id == check_id(patient_id, "patient"))
        if start is not None:
            query = query.where(sessions.c.started_at >= start)
        if end is not None:
            query = query.where(sessions.c.started_at < end)
        if exercise_id is not None:
            query = query.where(sessions.c.exercise_id == check_exercise_id(exercise_id))
        with self._reading() as connection:
            rows = connection.execute(query.order_by(sessions.c.started_at, sessions.c.id)).all()
            return self._with_totals(connection, rows)

    def session(self, session_id: int) -> SessionRecord:
        with self._reading() as connection:
            rows = connection.execute(
                select(sessions).where(sessions.c.id == check_id(session_id, "session"))
            ).all()
            if not rows:
                raise StoreError(f"no session {session_id} in {self.url}")
            return self._with_totals(connection, rows)[0]

    def _with_totals(self, connection: Connection, rows: Sequence[Row]) -> list[SessionRecord]:
        ids = [row.id for row in rows]
        rep_rows: dict[int, list[Row]] = {i: [] for i in ids}
        held: dict[int, float] = dict.fromkeys(ids, 0.0)
        set_count: dict[int, int] = dict.fromkeys(ids, 0)
        majors: dict[int, int] = dict.fromkeys(ids, 0)
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for rep in connection.execute(
                select(reps.c.session_id, reps.c.side, reps.c.partial, reps.c.range_of_motion,
                       reps.c.faults).where(reps.c.session_id.in_(chunk))
            ):  # fmt: skip
                rep_rows[rep.session_id].append(rep)
            for row in connection.execute(
                select(sets.c.session_id, func.count(), func.coalesce(func.sum(sets.c.held_s), 0))
                .where(sets.c.session_id.in_(chunk)).group_by(sets.c.session_id)
            ):  # fmt: skip
                set_count[row[0]], held[row[0]] = int(row[1]), float(row[2])
            for row in connection.execute(
                select(fault_events.c.session_id, func.count())
                .where(fault_events.c.session_id.in_(chunk), fault_events.c.severity == "major")
                .group_by(fault_events.c.session_id)
            ):  # fmt: skip
                majors[row[0]] = int(row[1])
        records = []
        for row in rows:
            best: dict[str, float] = {}
            furthest: dict[str, float] = {}
            by_side: dict[str, dict[str, float]] = {}
            faults: dict[str, int] = {}
            for rep in rep_rows[row.id]:
                for name, stats in (_json(rep.range_of_motion) or {}).items():
                    rom = stats.get("rom_deg")
                    if stats.get("max_deg") is not None:
                        furthest[name] = max(furthest.get(name, -360.0), stats["max_deg"])
                    if rom is not None:
                        best[name] = max(best.get(name, 0.0), rom)
                        side = by_side.setdefault(rep.side, {})
                        side[name] = max(side.get(name, 0.0), rom)
                for fault in _json(rep.faults) or []:
                    faults[fault["rule"]] = faults.get(fault["rule"], 0) + 1
            manual = row.source == "manual"
            records.append(SessionRecord(
                id=row.id, patient_id=row.patient_id, plan_item_id=row.plan_item_id,
                exercise_id=row.exercise_id, source=row.source,
                started_at=aware(row.started_at), ended_at=aware(row.ended_at), view=row.view,
                planned_sets=row.planned_sets, planned_reps=row.planned_reps,
                planned_hold_s=row.planned_hold_s, pain_before=row.pain_before,
                pain_during=row.pain_during, pain_after=row.pain_after,
                effort_borg=row.effort_borg, notes=row.notes, reps=len(rep_rows[row.id]),
                partial_reps=sum(bool(r.partial) for r in rep_rows[row.id]),
                sets_done=(row.planned_sets or 0) if manual else set_count[row.id],
                held_s=held[row.id], best_rom_deg=best, best_rom_by_side=by_side,
                furthest_deg=furthest, faults=faults, major_faults=majors[row.id],
            ))  # fmt: skip
        return records

    def reps(self, session_id: int) -> list[RepRecord]:
        with self._reading() as connection:
            rows = connection.execute(
                select(reps).where(reps.c.session_id == check_id(session_id, "session"))
                .order_by(reps.c.id)
            )  # fmt: skip
            return [
                RepRecord(r.id, r.session_id, r.set_index, r.rep_index, r.side, r.start_s,
                          r.turn_s, r.end_s, r.duration_s, bool(r.partial),
                          _angles(r.range_of_motion), tuple(_json(r.faults) or ()),
                          aware(r.recorded_at))
                for r in rows
            ]  # fmt: skip

    def fault_events(self, session_id: int) -> list[FaultEvent]:
        with self._reading() as connection:
            rows = connection.execute(
                select(fault_events).where(fault_events.c.session_id == check_id(session_id,
                                                                                "session"))
                .order_by(fault_events.c.t_s, fault_events.c.id)
            )  # fmt: skip
            return [FaultEvent(r.id, r.session_id, r.rep_id, r.rule_id, r.cue, r.severity,
                               r.t_s, r.value) for r in rows]  # fmt: skip

    def rep_rows(self, session_id: int) -> list[dict[str, Any]]:
        """The session's reps as plain rows (JSON columns decoded)."""
        with self._reading() as connection:
            rows = connection.execute(
                select(reps).where(reps.c.session_id == session_id).order_by(reps.c.id)
            )
            out = []
            for row in rows:
                data = dict(row._mapping)
                data["range_of_motion"] = _json(data["range_of_motion"])
                data["faults"] = _json(data["faults"])
                out.append(data)
            return out

    def summary(self, session_id: int) -> SessionSummary:
        record = self.session(session_id)
        return SessionSummary(
            id=record.id, exercise_id=record.exercise_id, started_at=record.started_at,
            ended_at=record.ended_at, reps=record.reps, partial_reps=record.partial_reps,
            held_s=record.held_s, best_rom_deg=record.best_rom_deg, faults=record.faults,
            pain_before=record.pain_before, pain_after=record.pain_after,
            effort_borg=record.effort_borg,
        )  # fmt: skip

    def previous_session(self, exercise_id: str, before_id: int) -> SessionSummary | None:
        """The same patient's last session of this exercise before `before_id`, for
        'compared with last time'."""
        patient_id = self.session_patient_id(before_id)
        with self._reading() as connection:
            previous = connection.execute(
                select(sessions.c.id)
                .where(sessions.c.exercise_id == exercise_id, sessions.c.id < before_id,
                       sessions.c.patient_id == patient_id)
                .order_by(sessions.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()  # fmt: skip
        return None if previous is None else self.summary(previous)

    # ---- goals (PSFS) -----------------------------------------------------------------------
    def add_goal(self, patient_id: int, activity: str) -> int:
        """A patient-chosen activity they find hard (PSFS); at most five at a time."""
        text = check_text(activity, "activity", max_len=200)
        patient_id = check_id(patient_id, "patient")
        with self._writing("adding a goal") as connection:
            active = connection.execute(
                select(func.count()).select_from(goals)
                .where(goals.c.patient_id == patient_id, goals.c.active.is_(True))
            ).scalar_one()  # fmt: skip
            if active >= MAX_GOALS:
                raise ValidationError(
                    f"a patient has at most {MAX_GOALS} goals (PSFS); retire one first"
                )
            return int(connection.execute(goals.insert().values(
                patient_id=patient_id, position=int(active) + 1, activity=text, active=True,
                created_at=self._clock(),
            )).inserted_primary_key[0])  # fmt: skip

    def score_goal(self, goal_id: int, score: int, *, scored_on: date | str | None = None) -> None:
        """0 = unable to do the activity, 10 = able to do it as before the problem."""
        day = check_date(scored_on, "date scored", required=False) or self._clock().date()
        with self._writing("scoring a goal") as connection:
            connection.execute(goal_scores.insert().values(
                goal_id=check_id(goal_id, "goal"), score=check_score(score, "goal score"),
                scored_on=day, created_at=self._clock(),
            ))  # fmt: skip

    def retire_goal(self, goal_id: int) -> None:
        with self._writing("retiring a goal") as connection:
            connection.execute(
                goals.update().where(goals.c.id == check_id(goal_id, "goal")).values(active=False)
            )

    def goal_patient_id(self, goal_id: int) -> int | None:
        with self._reading() as connection:
            return connection.execute(
                select(goals.c.patient_id).where(goals.c.id == check_id(goal_id, "goal"))
            ).scalar_one_or_none()

    def goals(self, patient_id: int, *, include_retired: bool = False) -> list[Goal]:
        query = select(goals).where(goals.c.patient_id == check_id(patient_id, "patient"))
        if not include_retired:
            query = query.where(goals.c.active.is_(True))
        with self._reading() as connection:
            rows = connection.execute(query.order_by(goals.c.position, goals.c.id)).all()
            out = []
            for row in rows:
                scores = connection.execute(
                    select(goal_scores.c.scored_on, goal_scores.c.score)
                    .where(goal_scores.c.goal_id == row.id)
                    .order_by(goal_scores.c.scored_on, goal_scores.c.id)
                )  # fmt: skip
                out.append(Goal(row.id, row.patient_id, row.position, row.activity,
                                bool(row.active), tuple(GoalScore(s[0], s[1]) for s in scores)))
            return out
