"""Exercise sessions, written one event per transaction and read back with their totals.

Every rep and its faults are committed as the rep is counted, so a process killed in the
middle of a session loses nothing already counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row

from coach.engine.results import Rep
from coach.store.base import checked_day_bounds
from coach.store.people import PeopleStore
from coach.store.plans import PlanStore
from coach.store.records import (
    FaultEvent,
    RepRecord,
    SessionRecord,
    StoreError,
    ValidationError,
    aware,
    check_borg,
    check_exercise_id,
    check_id,
    check_pain,
    check_text,
)
from coach.store.rows import angle_records, from_json, inserted_id, plain_number
from coach.store.schema import (
    fault_events,
    reps,
    session_comments,
    sessions,
    set_landmarks,
    sets,
)

UnfinishedEnd = Literal["kept", "removed", "open"]


def _delete_session(connection: Connection, session_id: int) -> bool:
    """Delete a session and its children; False when there was no such session. The
    foreign keys cascade on both back ends; the children go first anyway, so a database
    written by another tool without the cascade loses them too."""
    for table in (session_comments, set_landmarks, fault_events, reps, sets):
        connection.execute(table.delete().where(table.c.session_id == session_id))
    done = connection.execute(sessions.delete().where(sessions.c.id == session_id))
    return bool(done.rowcount)


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


class SessionStore(PeopleStore, PlanStore):
    """Exercise sessions, their sets, reps and fault events.

    Built on the people part (`default_patient`) and the plans part (the plan item lookups),
    which a session needs.
    """

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
            "planned_sets": planned_sets,
            "planned_reps": planned_reps,
            "planned_hold_s": planned_hold_s,
            "mirrored": bool(mirrored),
            "notes": check_text(notes, "notes", max_len=2000, required=False),
        }
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
            result = connection.execute(
                sessions.insert().values(
                    patient_id=patient_id,
                    plan_item_id=plan_item_id,
                    source=source,
                    started_at=started,
                    **values,
                )
            )
            return inserted_id(result)

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
            item.exercise_id,
            patient_id=patient_id,
            plan_item_id=item.id,
            pain_before=pain_before,
            planned_sets=item.sets,
            planned_reps=item.reps,
            planned_hold_s=item.hold_s,
            source="manual",
            started_at=when,
            notes=notes,
        )
        self.finish_session(
            session_id, pain_after=pain_after, effort_borg=effort_borg, ended_at=when
        )
        return session_id

    def start_set(self, session_id: int, set_index: int) -> None:
        with self._writing("starting a set") as connection:
            connection.execute(
                sets.insert().values(
                    session_id=session_id, set_index=set_index, started_at=self._clock()
                )
            )

    def add_rep(self, session_id: int, set_index: int, rep: Rep) -> None:
        """Commit one rep and its faults now, so a crash loses at most the rep in progress."""
        rom = {
            name: {
                "min_deg": plain_number(a.min_deg),
                "max_deg": plain_number(a.max_deg),
                "rom_deg": plain_number(a.rom_deg),
                "peak_deg": plain_number(a.at_turn_deg),
            }
            for name, a in rep.angles.items()
        }
        faults = [
            {
                "rule": f.rule_id,
                "cue": f.cue,
                "severity": f.severity,
                "t_s": plain_number(f.t_s),
                "value": plain_number(f.value),
            }
            for f in rep.faults
        ]
        now = self._clock()
        with self._writing("saving a rep") as connection:
            rep_id = inserted_id(
                connection.execute(
                    reps.insert().values(
                        session_id=session_id,
                        set_index=set_index,
                        rep_index=rep.index,
                        side=rep.side,
                        start_s=rep.start_s,
                        turn_s=rep.turn_s,
                        end_s=rep.end_s,
                        duration_s=rep.duration_s,
                        partial=rep.partial,
                        range_of_motion=rom,
                        faults=faults,
                        recorded_at=now,
                    )
                )
            )
            if faults:
                connection.execute(
                    fault_events.insert(),
                    [
                        {
                            "session_id": session_id,
                            "rep_id": rep_id,
                            "rule_id": f["rule"],
                            "cue": f["cue"],
                            "severity": f["severity"],
                            "t_s": f["t_s"],
                            "value": f["value"],
                            "recorded_at": now,
                        }
                        for f in faults
                    ],
                )

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
            "ended_how": "finished",
        }
        if notes is not None:
            values["notes"] = check_text(notes, "notes", max_len=2000, required=False)
        with self._writing("finishing a session") as connection:
            done = connection.execute(
                sessions.update().where(sessions.c.id == session_id).values(**values)
            )
            if done.rowcount == 0:
                raise StoreError(f"no session {session_id} in {self.shown_url}")

    def discard_session(self, session_id: int) -> None:
        """Delete a session with its sets, reps and fault events (the patient chose not to
        keep it, or nothing was done in it). Raises StoreError when there is no such session.
        """
        with self._writing("discarding a session") as connection:
            if not _delete_session(connection, check_id(session_id, "session")):
                raise StoreError(f"no session {session_id} in {self.shown_url}")

    def end_unfinished_session(
        self, session_id: int, *, idle_since: datetime | None = None
    ) -> UnfinishedEnd:
        """End a session the patient left without Finish or Discard (the tab closed, the
        browser or the server went away), as a physio would want the record: one in which
        something was done (a rep, a second held) is kept, marked `unfinished`, ending at
        its last rep or set, its open set closed with the reps it has; one with nothing
        done is deleted. Ratings it never got stay unset.

        With `idle_since`, only a session with nothing recorded since then is ended (a
        server's leftovers, not another server's session under way). Returns "kept",
        "removed", or "open" when the session had already ended, is gone or is not idle.
        """
        session_id = check_id(session_id, "session")
        with self._writing("ending a session left unfinished") as connection:
            row = connection.execute(
                select(sessions.c.started_at)
                .where(sessions.c.id == session_id, sessions.c.ended_at.is_(None))
                .with_for_update()
            ).first()
            if row is None:
                return "open"
            last_rep = connection.execute(
                select(func.max(reps.c.recorded_at)).where(reps.c.session_id == session_id)
            ).scalar()
            set_times = connection.execute(
                select(
                    func.max(sets.c.started_at), func.max(sets.c.ended_at), func.sum(sets.c.held_s)
                ).where(sets.c.session_id == session_id)
            ).one()
            moments = [aware(t) for t in (row.started_at, last_rep, *set_times[:2]) if t]
            last = max(moments)
            if idle_since is not None and last >= aware(idle_since):
                return "open"
            if last_rep is None and not set_times[2]:
                _delete_session(connection, session_id)
                return "removed"
            counted = (
                select(func.count())
                .where(reps.c.session_id == session_id, reps.c.set_index == sets.c.set_index)
                .scalar_subquery()
            )
            connection.execute(
                sets.update()
                .where(sets.c.session_id == session_id, sets.c.ended_at.is_(None))
                .values(ended_at=last, reps=counted)
            )
            connection.execute(
                sessions.update()
                .where(sessions.c.id == session_id)
                .values(ended_at=last, ended_how="unfinished")
            )
            return "kept"

    def end_leftover_sessions(self, idle_for: timedelta) -> dict[UnfinishedEnd, int]:
        """End the live sessions a server left open (killed, crashed) that have had nothing
        recorded for `idle_for`, as `end_unfinished_session` does: a server calls this when
        it starts. Returns how many were kept and removed."""
        cutoff = self._clock() - idle_for
        with self._reading() as connection:
            ids = (
                connection.execute(
                    select(sessions.c.id).where(
                        sessions.c.ended_at.is_(None),
                        sessions.c.source == "live",
                        sessions.c.started_at < cutoff,
                    )
                )
                .scalars()
                .all()
            )
        ended: dict[UnfinishedEnd, int] = {"kept": 0, "removed": 0}
        for session_id in ids:
            outcome = self.end_unfinished_session(session_id, idle_since=cutoff)
            if outcome != "open":
                ended[outcome] += 1
        return ended

    # ---- sessions: reading ------------------------------------------------------------------
    def session_patient_id(self, session_id: int) -> int | None:
        with self._reading() as connection:
            return connection.execute(
                select(sessions.c.patient_id).where(
                    sessions.c.id == check_id(session_id, "session")
                )
            ).scalar_one_or_none()

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
        start, end = checked_day_bounds(date_from, date_to)
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
                raise StoreError(f"no session {session_id} in {self.shown_url}")
            return self._with_totals(connection, rows)[0]

    def _with_totals(self, connection: Connection, rows: Sequence[Row]) -> list[SessionRecord]:
        ids = [row.id for row in rows]
        rep_rows: dict[int, list[Row]] = {i: [] for i in ids}
        held: dict[int, float] = dict.fromkeys(ids, 0.0)
        set_count: dict[int, int] = dict.fromkeys(ids, 0)
        majors: dict[int, int] = dict.fromkeys(ids, 0)
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for rep in connection.execute(
                select(
                    reps.c.session_id,
                    reps.c.side,
                    reps.c.partial,
                    reps.c.range_of_motion,
                    reps.c.faults,
                ).where(reps.c.session_id.in_(chunk))
            ):
                rep_rows[rep.session_id].append(rep)
            for row in connection.execute(
                select(sets.c.session_id, func.count(), func.coalesce(func.sum(sets.c.held_s), 0))
                .where(sets.c.session_id.in_(chunk))
                .group_by(sets.c.session_id)
            ):
                set_count[row[0]], held[row[0]] = int(row[1]), float(row[2])
            for row in connection.execute(
                select(fault_events.c.session_id, func.count())
                .where(fault_events.c.session_id.in_(chunk), fault_events.c.severity == "major")
                .group_by(fault_events.c.session_id)
            ):
                majors[row[0]] = int(row[1])
        records = []
        for row in rows:
            best: dict[str, float] = {}
            furthest: dict[str, float] = {}
            by_side: dict[str, dict[str, float]] = {}
            faults: dict[str, int] = {}
            for rep in rep_rows[row.id]:
                for name, stats in (from_json(rep.range_of_motion) or {}).items():
                    rom = stats.get("rom_deg")
                    if stats.get("max_deg") is not None:
                        furthest[name] = max(furthest.get(name, -360.0), stats["max_deg"])
                    if rom is not None:
                        best[name] = max(best.get(name, 0.0), rom)
                        side = by_side.setdefault(rep.side, {})
                        side[name] = max(side.get(name, 0.0), rom)
                for fault in from_json(rep.faults) or []:
                    faults[fault["rule"]] = faults.get(fault["rule"], 0) + 1
            manual = row.source == "manual"
            records.append(
                SessionRecord(
                    id=row.id,
                    patient_id=row.patient_id,
                    plan_item_id=row.plan_item_id,
                    exercise_id=row.exercise_id,
                    source=row.source,
                    started_at=aware(row.started_at),
                    ended_at=aware(row.ended_at),
                    view=row.view,
                    planned_sets=row.planned_sets,
                    planned_reps=row.planned_reps,
                    planned_hold_s=row.planned_hold_s,
                    pain_before=row.pain_before,
                    pain_during=row.pain_during,
                    pain_after=row.pain_after,
                    effort_borg=row.effort_borg,
                    notes=row.notes,
                    reps=len(rep_rows[row.id]),
                    partial_reps=sum(bool(r.partial) for r in rep_rows[row.id]),
                    sets_done=(row.planned_sets or 0) if manual else set_count[row.id],
                    held_s=held[row.id],
                    best_rom_deg=best,
                    best_rom_by_side=by_side,
                    furthest_deg=furthest,
                    faults=faults,
                    major_faults=majors[row.id],
                    ended_how=row.ended_how,
                )
            )
        return records

    def reps(self, session_id: int) -> list[RepRecord]:
        with self._reading() as connection:
            rows = connection.execute(
                select(reps)
                .where(reps.c.session_id == check_id(session_id, "session"))
                .order_by(reps.c.id)
            )
            return [
                RepRecord(
                    r.id,
                    r.session_id,
                    r.set_index,
                    r.rep_index,
                    r.side,
                    r.start_s,
                    r.turn_s,
                    r.end_s,
                    r.duration_s,
                    bool(r.partial),
                    angle_records(r.range_of_motion),
                    tuple(from_json(r.faults) or ()),
                    aware(r.recorded_at),
                )
                for r in rows
            ]

    def fault_events(self, session_id: int) -> list[FaultEvent]:
        with self._reading() as connection:
            rows = connection.execute(
                select(fault_events)
                .where(fault_events.c.session_id == check_id(session_id, "session"))
                .order_by(fault_events.c.t_s, fault_events.c.id)
            )
            return [
                FaultEvent(
                    r.id, r.session_id, r.rep_id, r.rule_id, r.cue, r.severity, r.t_s, r.value
                )
                for r in rows
            ]

    def rep_rows(self, session_id: int) -> list[dict[str, Any]]:
        """The session's reps as plain rows (JSON columns decoded)."""
        with self._reading() as connection:
            rows = connection.execute(
                select(reps).where(reps.c.session_id == session_id).order_by(reps.c.id)
            )
            out = []
            for row in rows:
                data = dict(row._mapping)
                data["range_of_motion"] = from_json(data["range_of_motion"])
                data["faults"] = from_json(data["faults"])
                out.append(data)
            return out

    def summary(self, session_id: int) -> SessionSummary:
        record = self.session(session_id)
        return SessionSummary(
            id=record.id,
            exercise_id=record.exercise_id,
            started_at=record.started_at,
            ended_at=record.ended_at,
            reps=record.reps,
            partial_reps=record.partial_reps,
            held_s=record.held_s,
            best_rom_deg=record.best_rom_deg,
            faults=record.faults,
            pain_before=record.pain_before,
            pain_after=record.pain_after,
            effort_borg=record.effort_borg,
        )

    def previous_session(self, exercise_id: str, before_id: int) -> SessionSummary | None:
        """The same patient's last session of this exercise before `before_id`, for
        'compared with last time'."""
        patient_id = self.session_patient_id(before_id)
        with self._reading() as connection:
            previous = connection.execute(
                select(sessions.c.id)
                .where(
                    sessions.c.exercise_id == exercise_id,
                    sessions.c.id < before_id,
                    sessions.c.patient_id == patient_id,
                )
                .order_by(sessions.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if previous is None else self.summary(previous)
