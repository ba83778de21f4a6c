"""Who may see what: home mode (one user, no login) and clinic mode (logins).

`FORM_COACH_MODE=clinic` turns logins on. A clinician sees the patients assigned to them;
a patient sees only their own data. Every page and export asks `require_patient` (or
`require_session`) before it reads a patient's data, so the rule lives in one place.
A login expires after a period without activity and, at the latest, some hours after it
began. Password hashes are coach.auth.passwords.

The checks read who belongs to whom through `PatientDirectory`, the three questions they
ask of the store (`coach.store.Store` answers them): so coach.auth sits below the store
and imports nothing of it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, Protocol

from coach.core.errors import CoachError

MODE_ENV = "FORM_COACH_MODE"
IDLE_ENV = "FORM_COACH_SESSION_IDLE_MINUTES"
MAX_ENV = "FORM_COACH_SESSION_MAX_HOURS"
Mode = Literal["home", "clinic"]
Kind = Literal["home", "clinician", "patient"]


class PatientRecord(Protocol):
    """What the checks read of a patient: who they are and whose patient."""

    @property
    def id(self) -> int: ...

    @property
    def clinician_id(self) -> int | None: ...


class PatientDirectory(Protocol):
    """What the access checks ask of the store."""

    def list_patients(self, *, clinician_id: int | None = None) -> Sequence[PatientRecord]: ...

    def find_patient(self, patient_id: int) -> PatientRecord | None: ...

    def session_patient_id(self, session_id: int) -> int | None: ...


class AccessDeniedError(CoachError):
    """The signed-in user may not see this patient's data."""


def current_mode() -> Mode:
    """home (default) or clinic, from $FORM_COACH_MODE; anything else is an error, not a
    silent fallback to the mode with no login."""
    value = os.environ.get(MODE_ENV, "home").strip().lower() or "home"
    if value not in ("home", "clinic"):
        raise CoachError(f"{MODE_ENV} must be 'home' or 'clinic', got {value!r}")
    return value  # type: ignore[return-value]


@dataclass(frozen=True)
class Principal:
    """Who is using the app: the home user, a clinician or a patient."""

    kind: Kind
    name: str
    clinician_id: int | None = None
    patient_id: int | None = None

    @classmethod
    def home(cls) -> Principal:
        return cls("home", "home user")

    @property
    def is_staff(self) -> bool:
        """May build plans and see the dashboard of several patients."""
        return self.kind in ("home", "clinician")


def visible_patient_ids(store: PatientDirectory, principal: Principal) -> list[int]:
    if principal.kind == "home":
        return [p.id for p in store.list_patients()]
    if principal.kind == "clinician":
        if principal.clinician_id is None:
            return []
        return [p.id for p in store.list_patients(clinician_id=principal.clinician_id)]
    return [principal.patient_id] if principal.patient_id is not None else []


def can_read_patient(store: PatientDirectory, principal: Principal, patient_id: int) -> bool:
    if principal.kind == "home":
        return True
    if principal.kind == "patient":
        return principal.patient_id == patient_id
    if principal.kind != "clinician" or principal.clinician_id is None:
        return False
    patient = store.find_patient(patient_id)
    return patient is not None and patient.clinician_id == principal.clinician_id


def require_patient(store: PatientDirectory, principal: Principal, patient_id: int) -> None:
    """Raise AccessDeniedError unless this user may read this patient's data. The message is the
    same whether the patient exists or not."""
    if not can_read_patient(store, principal, patient_id):
        raise AccessDeniedError(f"no patient {patient_id} that you can see")


def require_session(store: PatientDirectory, principal: Principal, session_id: int) -> int:
    """The session's patient id, after checking this user may read it."""
    patient_id = store.session_patient_id(session_id)
    if patient_id is None or not can_read_patient(store, principal, patient_id):
        raise AccessDeniedError(f"no session {session_id} that you can see")
    return patient_id


def require_watcher(store: PatientDirectory, principal: Principal, session_id: int) -> int:
    """The session's patient id, after checking this user may watch it live: the
    patient's own clinician (or the home user), never the patient or anyone else. Raises
    AccessDeniedError with the same message as `require_session`, whether the session
    exists, is someone else's, or the user is the patient: a refusal tells nothing."""
    patient_id = store.session_patient_id(session_id)
    if patient_id is None or not principal.is_staff:
        raise AccessDeniedError(f"no session {session_id} that you can see")
    if not can_read_patient(store, principal, patient_id):
        raise AccessDeniedError(f"no session {session_id} that you can see")
    return patient_id


def require_staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise AccessDeniedError("only a clinician can change a plan or see other patients")


# ---- login sessions ----------------------------------------------------------------------
@dataclass(frozen=True)
class LoginPolicy:
    idle: timedelta = timedelta(minutes=30)
    longest: timedelta = timedelta(hours=8)

    @classmethod
    def from_env(cls) -> LoginPolicy:
        def number(name: str, default: float) -> float:
            raw = os.environ.get(name, "").strip()
            if not raw:
                return default
            try:
                value = float(raw)
            except ValueError:
                raise CoachError(f"{name} must be a number, got {raw!r}") from None
            if value <= 0:
                raise CoachError(f"{name} must be more than 0, got {raw!r}")
            return value

        return cls(timedelta(minutes=number(IDLE_ENV, 30)), timedelta(hours=number(MAX_ENV, 8)))


@dataclass(frozen=True)
class Login:
    """A signed-in user in one browser session."""

    principal: Principal
    started_at: datetime
    last_seen_at: datetime

    def expired(self, now: datetime, policy: LoginPolicy) -> bool:
        return now - self.last_seen_at > policy.idle or now - self.started_at > policy.longest

    def touched(self, now: datetime) -> Login:
        return replace(self, last_seen_at=now)
