"""Telehealth's live half in the record: which sessions under way the patient shares with
their physiotherapist (so any app process can list who is exercising now: nothing of it
lives only in one process's memory), and the physiotherapist's changes of a session's
target made while watching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from coach.store.records import StoreError, ValidationError, aware, check_id, check_name
from coach.store.rows import inserted_id
from coach.store.schema import patients, session_target_changes, sessions
from coach.store.sessions import SessionStore

REPS_RANGE = (1, 200)  # as a plan item's reps
ROM_RANGE_DEG = (0.0, 360.0)
HOLD_RANGE_S = (5.0, 300.0)  # as a set's hold time (coach.runtime.guided.SET_PLAN_LIMITS)


@dataclass(frozen=True)
class SharedSession:
    """A session under way that its patient shares live."""

    session_id: int
    patient_id: int
    patient_name: str
    exercise_id: str
    started_at: datetime
    shared_since: datetime
    pain_before: int | None


@dataclass(frozen=True)
class TargetChangeRecord:
    """A change of a session's target by the physiotherapist watching it (None: unchanged)."""

    id: int
    session_id: int
    clinician_id: int | None
    author: str
    target_reps: int | None
    rom_target_deg: float | None
    created_at: datetime
    target_hold_s: float | None = None  # a hold exercise's seconds per hold


class LiveSharingStore(SessionStore):
    """Sessions shared live, and the target changes made while watching them."""

    def set_live_sharing(self, session_id: int, shared: bool) -> None:
        """Share the session live from now (`shared`), or stop sharing it. Sharing a
        session already shared keeps its first time. Raises StoreError when there is no
        such session, ValidationError when it has ended (an ended session cannot be
        shared; it can always be unshared)."""
        session_id = check_id(session_id, "session")
        with self._writing("changing whether a session is shared live") as connection:
            row = connection.execute(
                select(sessions.c.ended_at, sessions.c.shared_since).where(
                    sessions.c.id == session_id
                )
            ).one_or_none()
            if row is None:
                raise StoreError(f"no session {session_id} in {self.shown_url}")
            if not shared:
                value = None
            elif row.ended_at is not None:
                raise ValidationError(f"session {session_id} has ended: it cannot be shared")
            else:
                value = row.shared_since or self._clock()
            connection.execute(
                sessions.update().where(sessions.c.id == session_id).values(shared_since=value)
            )

    def is_shared_live(self, session_id: int) -> bool:
        """Whether the session is under way and shared live."""
        with self._reading() as connection:
            row = connection.execute(
                select(sessions.c.ended_at, sessions.c.shared_since).where(
                    sessions.c.id == check_id(session_id, "session")
                )
            ).one_or_none()
        return row is not None and row.ended_at is None and row.shared_since is not None

    def shared_live_sessions(self, *, clinician_id: int | None = None) -> list[SharedSession]:
        """The sessions under way that are shared live, longest shared first: of the
        patients of `clinician_id`, or of everyone (home mode) when None."""
        query = (
            select(
                sessions.c.id,
                sessions.c.patient_id,
                patients.c.name,
                sessions.c.exercise_id,
                sessions.c.started_at,
                sessions.c.shared_since,
                sessions.c.pain_before,
            )
            .join(patients, patients.c.id == sessions.c.patient_id)
            .where(sessions.c.ended_at.is_(None), sessions.c.shared_since.is_not(None))
            .order_by(sessions.c.shared_since, sessions.c.id)
        )
        if clinician_id is not None:
            query = query.where(patients.c.clinician_id == check_id(clinician_id, "clinician"))
        with self._reading() as connection:
            rows = connection.execute(query).all()
        return [
            SharedSession(
                r.id,
                r.patient_id,
                r.name,
                r.exercise_id,
                aware(r.started_at),
                aware(r.shared_since),
                r.pain_before,
            )
            for r in rows
        ]

    def record_target_change(
        self,
        session_id: int,
        *,
        author: str,
        clinician_id: int | None = None,
        target_reps: int | None = None,
        rom_target_deg: float | None = None,
        target_hold_s: float | None = None,
    ) -> int:
        """Record the watching physiotherapist's change of this session's target (reps per
        set, range-of-motion degrees and/or a hold exercise's seconds per hold). Returns
        its id. Raises ValidationError when it changes nothing or a value is out of range,
        StoreError for an unknown session."""
        if target_reps is None and rom_target_deg is None and target_hold_s is None:
            raise ValidationError(
                "a target change needs target reps, a range target or a hold time"
            )
        if target_reps is not None and not (
            type(target_reps) is int and REPS_RANGE[0] <= target_reps <= REPS_RANGE[1]
        ):
            raise ValidationError(f"target reps must be {REPS_RANGE[0]}-{REPS_RANGE[1]}")
        if rom_target_deg is not None and not (
            ROM_RANGE_DEG[0] <= float(rom_target_deg) <= ROM_RANGE_DEG[1]
        ):
            raise ValidationError("a range-of-motion target must be 0-360 degrees")
        if target_hold_s is not None and not (
            HOLD_RANGE_S[0] <= float(target_hold_s) <= HOLD_RANGE_S[1]
        ):
            raise ValidationError(
                f"a hold time must be {HOLD_RANGE_S[0]:g}-{HOLD_RANGE_S[1]:g} seconds"
            )
        values = {
            "session_id": check_id(session_id, "session"),
            "clinician_id": None if clinician_id is None else check_id(clinician_id, "clinician"),
            "author": check_name(author, "change's author"),
            "target_reps": target_reps,
            "rom_target_deg": None if rom_target_deg is None else float(rom_target_deg),
            "target_hold_s": None if target_hold_s is None else float(target_hold_s),
            "created_at": self._clock(),
        }
        with self._writing("recording a target change") as connection:
            found = connection.execute(
                select(sessions.c.id).where(sessions.c.id == values["session_id"])
            ).scalar_one_or_none()
            if found is None:
                raise StoreError(f"no session {session_id} in {self.shown_url}")
            return inserted_id(connection.execute(session_target_changes.insert().values(**values)))

    def target_changes(self, session_id: int) -> list[TargetChangeRecord]:
        """The session's target changes, oldest first."""
        table = session_target_changes
        with self._reading() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.session_id == check_id(session_id, "session"))
                .order_by(table.c.created_at, table.c.id)
            ).all()
        return [
            TargetChangeRecord(
                r.id,
                r.session_id,
                r.clinician_id,
                r.author,
                r.target_reps,
                r.rom_target_deg,
                aware(r.created_at),
                r.target_hold_s,
            )
            for r in rows
        ]
