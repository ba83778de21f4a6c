"""Who is in the database: clinicians, patients, and the accounts they sign in with.

Passwords are kept only as argon2id hashes (coach.auth.passwords); an unknown user name and a
wrong password look the same to the caller and take about the same time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from coach.auth.access import Principal
from coach.auth.passwords import hash_password, needs_rehash, verify_password
from coach.store.base import DEFAULT_PATIENT_NAME, StoreBase
from coach.store.records import (
    Account,
    Clinician,
    Patient,
    StoreError,
    ValidationError,
    check_date,
    check_id,
    check_name,
    check_password,
    check_text,
    check_username,
)
from coach.store.rows import inserted_id, patient_record
from coach.store.schema import (
    accounts,
    clinicians,
    patients,
)


class PeopleStore(StoreBase):
    """Clinicians, patients and their logins."""

    # ---- clinicians, patients, logins ----------------------------------------------------------
    def add_clinician(
        self, name: str, *, email: str | None = None, login: tuple[str, str] | None = None
    ) -> int:
        """A new clinician; `login` (user name, password) also gives them an account, in
        the same transaction: a taken user name or a refused password leaves no clinician
        without a login behind."""
        values = {
            "name": check_name(name, "clinician's name"),
            "email": check_text(email, "e-mail", max_len=200, required=False),
            "created_at": self._clock(),
        }
        account = None if login is None else self._new_account(*login)
        with self._writing("adding a clinician") as connection:
            clinician_id = inserted_id(connection.execute(clinicians.insert().values(**values)))
            if account is not None:
                self._insert_account(connection, account, clinician_id=clinician_id)
            return clinician_id

    @staticmethod
    def _new_account(username: str, password: str) -> dict[str, str]:
        """An account's checked user name and the hash of its checked password."""
        return {
            "username": check_username(username),
            "password_hash": hash_password(check_password(password)),
        }

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
        owner = None if clinician_id is None else check_id(clinician_id, "clinician")
        values = {
            "name": check_name(name, "patient's name"),
            "date_of_birth": born,
            "referrer": check_text(referrer, "referring clinician", max_len=200, required=False),
            "clinician_id": owner,
            "notes": check_text(notes, "notes", max_len=2000, required=False),
            "is_default": bool(is_default),
            "created_at": self._clock(),
        }
        account = None if login is None else self._new_account(*login)
        with self._writing("adding a patient") as connection:
            if owner is not None:
                self._check_clinician(connection, owner)
            patient_id = inserted_id(connection.execute(patients.insert().values(**values)))
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
            values["referrer"] = check_text(
                referrer, "referring clinician", max_len=200, required=False
            )
        if clinician_id is not None:
            values["clinician_id"] = check_id(clinician_id, "clinician")
        if notes is not None:
            values["notes"] = check_text(notes, "notes", max_len=2000, required=False)
        if values:
            with self._writing("updating a patient") as connection:
                if "clinician_id" in values:
                    self._check_clinician(connection, values["clinician_id"])
                connection.execute(
                    patients.update()
                    .where(patients.c.id == check_id(patient_id, "patient"))
                    .values(**values)
                )

    def find_patient(self, patient_id: int) -> Patient | None:
        with self._reading() as connection:
            row = connection.execute(
                select(patients).where(patients.c.id == check_id(patient_id, "patient"))
            ).one_or_none()
        return None if row is None else patient_record(row)

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
            return [patient_record(row) for row in connection.execute(query)]

    def default_patient(self) -> Patient:
        """Home mode's one patient, created the first time it is asked for. The database
        holds at most one (a partial unique index): when another writer creates it at the
        same moment, this insert is refused and theirs is read."""
        query = select(patients).where(patients.c.is_default.is_(True))
        with self._reading() as connection:
            row = connection.execute(query).one_or_none()
        if row is not None:
            return patient_record(row)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    patients.insert().values(
                        name=DEFAULT_PATIENT_NAME, is_default=True, created_at=self._clock()
                    )
                )
        except IntegrityError:
            pass  # another writer made it first: theirs is read below
        except SQLAlchemyError as exc:
            raise self._database_error("creating the default patient", exc) from exc
        with self._reading() as connection:
            return patient_record(connection.execute(query).one())

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
        account = self._new_account(username, password)
        with self._writing(f"adding the account {account['username']!r}") as connection:
            return self._insert_account(
                connection,
                account,
                clinician_id=None if clinician_id is None else check_id(clinician_id, "clinician"),
                patient_id=None if patient_id is None else check_id(patient_id, "patient"),
            )

    @staticmethod
    def _check_clinician(connection: Connection, clinician_id: int) -> None:
        """Refuse a clinician id with no clinician, by name, before the database's foreign
        key refuses it in its own words."""
        found = connection.execute(
            select(clinicians.c.id).where(clinicians.c.id == clinician_id)
        ).first()
        if found is None:
            raise ValidationError(
                f"there is no clinician {clinician_id}: `coach users list` shows the clinicians"
            )

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
        return inserted_id(
            connection.execute(
                accounts.insert().values(
                    **account,
                    role="clinician" if clinician_id is not None else "patient",
                    clinician_id=clinician_id,
                    patient_id=patient_id,
                    created_at=self._clock(),
                )
            )
        )

    def set_password(self, username: str, password: str) -> None:
        with self._writing("changing a password") as connection:
            done = connection.execute(
                accounts.update()
                .where(accounts.c.username == check_username(username))
                .values(password_hash=hash_password(check_password(password)))
            )
            if done.rowcount == 0:
                raise StoreError(f"no account {username!r}")

    def list_accounts(self) -> list[Account]:
        with self._reading() as connection:
            rows = connection.execute(select(accounts).order_by(accounts.c.username))
            return [Account(r.id, r.username, r.role, r.clinician_id, r.patient_id) for r in rows]

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
        return self._principal_of(row)

    def _principal_of(self, row: Any) -> Principal:
        """The user an `accounts` row signs in (named as their clinician or patient)."""
        name = row.username
        if row.role == "clinician":
            clinician = self.find_clinician(row.clinician_id)
            return Principal(
                "clinician", clinician.name if clinician else name, clinician_id=row.clinician_id
            )
        patient = self.find_patient(row.patient_id)
        return Principal("patient", patient.name if patient else name, patient_id=row.patient_id)
