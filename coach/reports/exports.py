"""Exports of one patient's record for a date range: CSV, JSON (and, in coach.reports.fhir and
coach.reports.pdf, a FHIR R4 Bundle and a PDF progress report): sessions, reps, pain, goals and
the assessments (camera goniometry and the functional tests).

`gather` is the only way in: it checks that the user may read the patient (coach.auth.access)
and collects what every format shows, so the formats cannot disagree and cannot leak
another patient's data. A patient with no sessions gives valid, empty exports.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, overload

import numpy as np

from coach.assessment.goniometer import load_measures
from coach.assessment.summary import reference_text, trend_rows
from coach.auth.access import Principal, require_patient
from coach.clinical.pain_monitoring import PainAssessment, assess_pain
from coach.clinical.plans import adherence_by_week
from coach.core.landmarks import LANDMARK_NAMES
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from coach.store.records import (
    Assessment,
    FaultEvent,
    Goal,
    Patient,
    Plan,
    RepRecord,
    SessionComment,
    SessionRecord,
    check_date,
    check_date_range,
    local_date,
)
from coach.vision.recording import PoseRecording

EXPORT_FORMAT = "form-coach-export"
EXPORT_VERSION = 1
LANDMARKS_FORMAT = "form-coach-set-landmarks/1"

SESSION_COLUMNS = [
    "session_id",
    "patient_id",
    "exercise_id",
    "plan_item_id",
    "source",
    "started_at",
    "ended_at",
    "ended_how",
    "duration_s",
    "camera_view",
    "planned_sets",
    "planned_reps",
    "planned_hold_s",
    "sets_done",
    "reps",
    "partial_reps",
    "held_s",
    "pain_before",
    "pain_during",
    "pain_after",
    "effort_borg",
    "major_faults",
    "faults",
    "pain_flag",
    "pain_flag_reasons",
    "notes",
]
REP_COLUMNS = [
    "session_id",
    "exercise_id",
    "set_index",
    "rep_index",
    "side",
    "start_s",
    "turn_s",
    "end_s",
    "duration_s",
    "partial",
    "angle",
    "min_deg",
    "max_deg",
    "rom_deg",
    "peak_deg",
    "faults",
]
ASSESSMENT_COLUMNS = [
    "assessment_id",
    "patient_id",
    "taken_at",
    "kind",
    "measure",
    "label",
    "side",
    "value",
    "unit",
    "normal_low",
    "normal_high",
    "threshold",
    "reference",
    "source",
    "details",
    "notes",
]


@dataclass(frozen=True)
class PatientExport:
    """Everything one export shows: a patient, their plan, and the sessions in a range."""

    patient: Patient
    date_from: date | None
    date_to: date | None
    generated_at: datetime
    plan: Plan | None
    sessions: tuple[SessionRecord, ...]
    reps: dict[int, tuple[RepRecord, ...]] = field(default_factory=dict)
    faults: dict[int, tuple[FaultEvent, ...]] = field(default_factory=dict)
    goals: tuple[Goal, ...] = ()
    clinician_name: str | None = None
    assessments: tuple[Assessment, ...] = ()
    comments: dict[int, tuple[SessionComment, ...]] = field(default_factory=dict)
    # session -> set -> its kept landmarks; only when the export asked for them
    landmarks: dict[int, dict[int, PoseRecording]] | None = None

    def pain(self, session: SessionRecord) -> PainAssessment:
        return assess_pain(session.pain_before, session.pain_during, session.pain_after)

    @property
    def flagged(self) -> list[tuple[SessionRecord, PainAssessment]]:
        return [(s, a) for s in self.sessions if (a := self.pain(s)).flagged]

    @property
    def period_text(self) -> str:
        """The range asked for, else the days from the first record to the last (sessions
        and assessments alike: a patient may have been assessed before any session)."""
        days = [s.day for s in self.sessions] + [local_date(a.taken_at) for a in self.assessments]
        first = self.date_from or (min(days) if days else None)
        last = self.date_to or (max(days) if days else None)
        if first is None or last is None:
            return "nothing recorded yet"
        return f"{first:%d %b %Y} to {last:%d %b %Y}"

    @cached_property
    def assessment_rows(self) -> list[dict[str, Any]]:
        """Each assessment, oldest first, with its label and the normal range or threshold
        it is read against (coach.assessment.summary): one reading for every format."""
        rows = trend_rows(self.assessments, load_measures())
        return [
            {
                **row,
                "id": a.id,
                "side": a.side,
                "source": a.source,
                "details": a.details,
                "notes": a.notes,
                "reference": reference_text(row),
            }
            for a, row in zip(self.assessments, rows, strict=True)
        ]

    def weekly_adherence(self) -> list[tuple[date, Any]]:
        days = [s.day for s in self.sessions]
        first = self.date_from or (min(days) if days else None)
        last = self.date_to or (max(days) if days else None)
        if first is None or last is None:
            return []
        return adherence_by_week(self.plan, self.sessions, first, last)


def gather(
    store: Store,
    principal: Principal,
    patient_id: int,
    *,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    now: datetime | None = None,
    with_landmarks: bool = False,
) -> PatientExport:
    """Collect one patient's export, after checking the user may read it; with each set's
    kept landmarks too when `with_landmarks` (the JSON export shows them)."""
    require_patient(store, principal, patient_id)
    first = check_date(date_from, "from date", required=False)
    last = check_date(date_to, "to date", required=False)
    check_date_range(first, last)
    patient = store.get_patient(patient_id)
    records = store.sessions(patient_id, date_from=first, date_to=last)
    clinician = store.find_clinician(patient.clinician_id) if patient.clinician_id else None
    return PatientExport(
        patient=patient,
        date_from=first,
        date_to=last,
        generated_at=now or datetime.now(UTC),
        plan=store.current_plan(patient_id),
        sessions=tuple(records),
        reps={s.id: tuple(store.reps(s.id)) for s in records},
        faults={s.id: tuple(store.fault_events(s.id)) for s in records},
        goals=tuple(store.goals(patient_id)),
        clinician_name=clinician.name if clinician else None,
        assessments=tuple(store.assessments(patient_id, date_from=first, date_to=last)),
        comments={s.id: tuple(store.comments(s.id)) for s in records},
        landmarks={
            s.id: {k.set_index: store.set_recording(s.id, k.set_index) for k in kept}
            for s in records
            if (kept := store.landmark_sets(s.id))
        }
        if with_landmarks
        else None,
    )


# ---- CSV -------------------------------------------------------------------------------------
def _cell(value: Any) -> Any:
    """One CSV cell: ISO times, and text that a spreadsheet would run as a formula quoted."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _write(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def sessions_csv(export: PatientExport) -> str:
    """One row per session (columns: SESSION_COLUMNS)."""
    rows = []
    for s in export.sessions:
        pain = export.pain(s)
        rows.append(
            {
                "session_id": s.id,
                "patient_id": s.patient_id,
                "exercise_id": s.exercise_id,
                "plan_item_id": s.plan_item_id,
                "source": s.source,
                "started_at": s.started_at,
                "ended_at": s.ended_at,
                "ended_how": s.ended_how,
                "duration_s": s.duration_s,
                "camera_view": s.view,
                "planned_sets": s.planned_sets,
                "planned_reps": s.planned_reps,
                "planned_hold_s": s.planned_hold_s,
                "sets_done": s.sets_done,
                "reps": s.reps,
                "partial_reps": s.partial_reps,
                "held_s": s.held_s,
                "pain_before": s.pain_before,
                "pain_during": s.pain_during,
                "pain_after": s.pain_after,
                "effort_borg": s.effort_borg,
                "major_faults": s.major_faults,
                "faults": ";".join(f"{rule}:{n}" for rule, n in sorted(s.faults.items())),
                "pain_flag": pain.flagged,
                "pain_flag_reasons": "; ".join(pain.reasons),
                "notes": s.notes,
            }
        )
    return _write(SESSION_COLUMNS, rows)


def reps_csv(export: PatientExport) -> str:
    """One row per rep and angle (a rep measured on three angles gives three rows; a rep
    with no angle gives one row with the angle columns empty). Columns: REP_COLUMNS."""
    rows = []
    for s in export.sessions:
        for rep in export.reps.get(s.id, ()):
            base = {
                "session_id": s.id,
                "exercise_id": s.exercise_id,
                "set_index": rep.set_index,
                "rep_index": rep.rep_index,
                "side": rep.side,
                "start_s": rep.start_s,
                "turn_s": rep.turn_s,
                "end_s": rep.end_s,
                "duration_s": rep.duration_s,
                "partial": rep.partial,
                "faults": ";".join(str(f.get("rule")) for f in rep.faults),
            }
            if not rep.angles:
                rows.append(base)
            for name, a in rep.angles.items():
                rows.append(
                    {
                        **base,
                        "angle": name,
                        "min_deg": a.min_deg,
                        "max_deg": a.max_deg,
                        "rom_deg": a.rom_deg,
                        "peak_deg": a.peak_deg,
                    }
                )
    return _write(REP_COLUMNS, rows)


def assessments_csv(export: PatientExport) -> str:
    """One row per stored result (a measure and side, or a test), oldest first, with the
    normal range or threshold where the data has one. Columns: ASSESSMENT_COLUMNS."""
    rows = [
        {
            "assessment_id": r["id"],
            "patient_id": export.patient.id,
            "taken_at": r["taken_at"],
            "kind": r["kind"],
            "measure": r["measure"],
            "label": r["label"],
            "side": r["side"],
            "value": r["value"],
            "unit": r["unit"],
            "normal_low": r["normal_low"],
            "normal_high": r["normal_high"],
            "threshold": r["threshold"],
            "reference": r["reference"],
            "source": r["source"],
            "details": json.dumps(r["details"], sort_keys=True) if r["details"] else None,
            "notes": r["notes"],
        }
        for r in export.assessment_rows
    ]
    return _write(ASSESSMENT_COLUMNS, rows)


# ---- JSON ------------------------------------------------------------------------------------
@overload
def iso(value: datetime | date) -> str: ...
@overload
def iso(value: None) -> None: ...
def iso(value: datetime | date | None) -> str | None:
    """ISO 8601 text: a moment in UTC to the second, a day as YYYY-MM-DD; None stays None.
    The JSON export and the FHIR Bundle write every date this way."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return value.isoformat()


def _pain_flag(assessment: PainAssessment) -> dict[str, Any]:
    return {
        "flagged": assessment.flagged,
        "reasons": list(assessment.reasons),
        "suggestion": assessment.suggestion,
    }


def export_dict(export: PatientExport, library: ExerciseLibrary | None = None) -> dict:
    """The whole export as plain JSON-ready data (documented in README.md)."""
    p, plan = export.patient, export.plan
    names = {i: library.get(i).name for i in library.ids()} if library is not None else {}
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": iso(export.generated_at),
        "date_from": iso(export.date_from),
        "date_to": iso(export.date_to),
        "patient": {
            "id": p.id,
            "name": p.name,
            "date_of_birth": iso(p.date_of_birth),
            "referrer": p.referrer,
            "clinician": export.clinician_name,
        },
        "plan": None
        if plan is None
        else {
            "id": plan.id,
            "title": plan.title,
            "start_date": iso(plan.start_date),
            "end_date": iso(plan.end_date),
            "notes": plan.notes,
            "items": [
                {
                    "id": i.id,
                    "exercise_id": i.exercise_id,
                    "exercise": names.get(i.exercise_id, i.exercise_id),
                    "sets": i.sets,
                    "reps": i.reps,
                    "hold_s": i.hold_s,
                    "rest_s": i.rest_s,
                    "rom_angle": i.rom_angle,
                    "rom_target_deg": i.rom_target_deg,
                    "counts_from_deg": i.counts_from_deg,
                    "frequency_per_week": i.frequency_per_week,
                    "notes": i.notes,
                    "progress_rule": i.progress_rule,
                }
                for i in plan.items
                if i.active
            ],
        },
        "sessions": [
            {
                "id": s.id,
                "exercise_id": s.exercise_id,
                "plan_item_id": s.plan_item_id,
                "source": s.source,
                "started_at": iso(s.started_at),
                "ended_at": iso(s.ended_at),
                "ended_how": s.ended_how,
                "camera_view": s.view,
                "planned": {
                    "sets": s.planned_sets,
                    "reps": s.planned_reps,
                    "hold_s": s.planned_hold_s,
                },
                "sets_done": s.sets_done,
                "reps_done": s.reps,
                "partial_reps": s.partial_reps,
                "held_s": s.held_s,
                "best_rom_deg": s.best_rom_deg,
                "pain": {"before": s.pain_before, "during": s.pain_during, "after": s.pain_after},
                "effort_borg": s.effort_borg,
                "notes": s.notes,
                "pain_flag": _pain_flag(export.pain(s)),
                "reps": [
                    {
                        "set_index": r.set_index,
                        "rep_index": r.rep_index,
                        "side": r.side,
                        "start_s": r.start_s,
                        "turn_s": r.turn_s,
                        "end_s": r.end_s,
                        "duration_s": round(r.duration_s, 3),
                        "partial": r.partial,
                        "angles": {
                            n: {
                                "min_deg": a.min_deg,
                                "max_deg": a.max_deg,
                                "rom_deg": a.rom_deg,
                                "peak_deg": a.peak_deg,
                            }
                            for n, a in r.angles.items()
                        },
                        "faults": list(r.faults),
                    }
                    for r in export.reps.get(s.id, ())
                ],
                "fault_events": [
                    {
                        "rule_id": f.rule_id,
                        "cue": f.cue,
                        "severity": f.severity,
                        "t_s": f.t_s,
                        "value": f.value,
                    }
                    for f in export.faults.get(s.id, ())
                ],
                "comments": [
                    {
                        "author": c.author,
                        "rep_id": c.rep_id,
                        "created_at": iso(c.created_at),
                        "text": c.body,
                    }
                    for c in export.comments.get(s.id, ())
                ],
                **(
                    {}
                    if export.landmarks is None
                    else {
                        "landmark_sets": [
                            landmarks_json(index, recording)
                            for index, recording in sorted(export.landmarks.get(s.id, {}).items())
                        ]
                    }
                ),
            }
            for s in export.sessions
        ],
        "goals": [
            {
                "id": g.id,
                "activity": g.activity,
                "scores": [{"date": iso(x.scored_on), "score": x.score} for x in g.scores],
            }
            for g in export.goals
        ],
        "assessments": [
            {
                "id": r["id"],
                "taken_at": iso(r["taken_at"]),
                "kind": r["kind"],
                "measure": r["measure"],
                "label": r["label"],
                "side": r["side"],
                "value": r["value"],
                "unit": r["unit"],
                "normal_range": None
                if r["normal_high"] is None
                else [r["normal_low"], r["normal_high"]],
                "threshold": r["threshold"],
                "reference": r["reference"] or None,
                "source": r["source"],
                "details": r["details"],
                "notes": r["notes"],
            }
            for r in export.assessment_rows
        ],
    }


def landmarks_json(set_index: int, recording: PoseRecording) -> dict[str, Any]:
    """One set's kept landmarks in the JSON export (format: docs/landmarks.md): per frame,
    its time and the patient's 33 landmarks, or null when nobody was the patient."""
    frames: list[dict[str, Any] | None] = []
    image = np.round(recording.image_xyz[:, 0], 4).tolist()
    world = np.round(recording.world_xyz[:, 0], 4).tolist()
    seen = np.round(recording.visibility[:, 0], 3).tolist()
    for i, present in enumerate(recording.people.tolist()):
        frames.append(
            None
            if not present
            else {"image_xyz": image[i], "world_xyz": world[i], "visibility": seen[i]}
        )
    return {
        "format": LANDMARKS_FORMAT,
        "set_index": set_index,
        "frame_wh": list(recording.frame_wh),
        "t_s": [round(t, 3) for t in recording.t_s.tolist()],
        "landmarks": list(LANDMARK_NAMES),
        "frames": frames,
    }


def export_json(export: PatientExport, library: ExerciseLibrary | None = None) -> str:
    return json.dumps(export_dict(export, library), indent=2, ensure_ascii=False)
