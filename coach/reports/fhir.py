"""A FHIR R4 `Bundle` (type collection) of `Observation` resources for one patient's export.

Per session:
- pain NRS before, during (if rated) and after: LOINC 72514-3, the answer as its LOINC
  answer code (LA6111-4 for 0 ... LA13942-0 for 10), category `survey`;
- range of motion, the best of the session per angle and side: value in UCUM `deg`,
  `bodySite` (SNOMED CT joint structure where the angle is about one joint), laterality as
  a component (SNOMED CT 272741003 |Laterality| = left / right / bilateral), method
  "markerless video pose estimation", category `exam`; no LOINC code measures a
  goniometric angle, so the code is Form Coach's own measure name;
- repetitions done (and partial ones as a component), category `activity`; seconds held
  for a timed hold.

Per assessment result in the range:
- a camera goniometer measurement: range of motion like a session's (deg, body site,
  laterality where the result has a side, the same method), with the normal adult range as
  `referenceRange`, at the moment it was taken;
- a functional test, category `exam`: the 30-second chair stand coded SNOMED CT 450738001
  |Thirty second chair stand test score (observable entity)| (as the Danish KL and Belgian
  FHIR guides code it); Timed Up and Go and single-leg stance with a text-only `code`, as
  no code for them could be verified here; the threshold, if any, as a note.

The subject is referenced by identifier, so the Bundle holds only Observations and a
patient with no sessions gives a valid, empty collection. Validated with the
`fhir.resources` models: its `R4B` package is the R4-compatible release that works with
pydantic 2 (the R4 4.0.1 models need pydantic 1); Bundle and Observation are the same in
R4 and R4B.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from coach.exercise.loader import ExerciseLibrary
from coach.reports.exports import PatientExport, iso
from coach.store.records import SessionRecord

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
MEASURE_SYSTEM = "urn:form-coach:measure"
PATIENT_SYSTEM = "urn:form-coach:patient"
METHOD_TEXT = "markerless video pose estimation"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
# LOINC answer list LL2335-9 (0-10 numeric rating), the answers to 72514-3.
PAIN_ANSWERS = (
    "LA6111-4",
    "LA6112-2",
    "LA6113-0",
    "LA6114-8",
    "LA6115-5",
    "LA10137-0",
    "LA10138-8",
    "LA10139-6",
    "LA10140-4",
    "LA10141-2",
    "LA13942-0",
)
JOINTS = {  # keyword in the angle name -> SNOMED CT joint structure
    "knee": ("49076000", "Knee joint structure"),
    "hip": ("24136001", "Hip joint structure"),
    "elbow": ("16953009", "Elbow joint structure"),
    "ankle": ("70258002", "Ankle joint structure"),
    "wrist": ("74670003", "Wrist joint structure"),
    "shoulder": ("31398001", None),
}
# Functional tests with a verified standard code; the others get a text-only code.
TEST_CODES = {
    "chair_stand_30s": {
        "system": SNOMED,
        "code": "450738001",
        "display": "Thirty second chair stand test score (observable entity)",
    },
}
UCUM_UNITS = {"deg": "deg", "s": "s", "{stands}": "stands"}
LATERALITY = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "both": ("51440002", "Bilateral"),
}
_NAMESPACE = uuid.UUID("6f0d5c1e-4f7b-4c55-9a55-0d1a7e7c0f01")


def _category(code: str) -> list[dict]:
    return [{"coding": [{"system": CATEGORY, "code": code}]}]


def _full_url(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, ':'.join(map(str, parts)))}"


def pain_value(score: int) -> dict[str, Any]:
    return {
        "coding": [{"system": LOINC, "code": PAIN_ANSWERS[score], "display": str(score)}],
        "text": str(score),
    }


def _observation(export: PatientExport, status: str, system: str, record_id: int) -> dict:
    """What every Observation here shares: the subject, a status, the record it came from."""
    return {
        "resourceType": "Observation",
        "status": status,
        "subject": {
            "identifier": {"system": PATIENT_SYSTEM, "value": str(export.patient.id)},
            "display": export.patient.name,
        },
        "identifier": [{"system": system, "value": str(record_id)}],
    }


def _base(export: PatientExport, session: SessionRecord) -> dict[str, Any]:
    status = "final" if session.ended_at is not None else "preliminary"
    return _observation(export, status, "urn:form-coach:session", session.id)


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": UCUM_UNITS.get(unit, unit), "system": UCUM, "code": unit}


def _laterality(side: str | None) -> list[dict]:
    """The laterality component (none for a result without a side, e.g. trunk flexion)."""
    if side is None:
        return []
    side_code, side_text = LATERALITY.get(side, LATERALITY["both"])
    return [
        {
            "code": {"coding": [{"system": SNOMED, "code": "272741003", "display": "Laterality"}]},
            "valueCodeableConcept": {
                "coding": [{"system": SNOMED, "code": side_code, "display": side_text}]
            },
        }
    ]


def _body_site(angle: str, side: str | None) -> dict[str, Any]:
    """The joint an angle is about (SNOMED CT where it is one joint), with its side in words."""
    part = angle.split("_")[0]
    body: dict[str, Any] = {"text": part}
    if side is not None:
        body["text"] = f"{LATERALITY.get(side, LATERALITY['both'])[1].lower()} {part}"
    joint = next((code for key, code in JOINTS.items() if key in angle), None)
    if joint is not None:
        coding = {"system": SNOMED, "code": joint[0]}
        if joint[1]:
            coding["display"] = joint[1]
        body["coding"] = [coding]
    return body


def _rom_fields(angle: str, label: str, text: str, value: float, side: str | None) -> dict:
    """The range-of-motion part of an Observation, shared by sessions and assessments."""
    return {
        "category": _category("exam"),
        "code": {
            "coding": [{"system": MEASURE_SYSTEM, "code": angle, "display": label}],
            "text": text,
        },
        "valueQuantity": _quantity(round(float(value), 1), "deg"),
        "bodySite": _body_site(angle, side),
        "method": {
            "coding": [
                {
                    "system": "urn:form-coach:method",
                    "code": "markerless-video-pose-estimation",
                    "display": METHOD_TEXT,
                }
            ],
            "text": f"{METHOD_TEXT} (single webcam, MediaPipe BlazePose)",
        },
        "component": _laterality(side),
    }


def _period(session: SessionRecord) -> dict[str, str]:
    period = {"start": iso(session.started_at)}
    if session.ended_at is not None:
        period["end"] = iso(session.ended_at)
    return period


def _pain(export: PatientExport, s: SessionRecord) -> list[dict]:
    out = []
    for when, score, moment in (
        ("before", s.pain_before, s.started_at),
        ("during", s.pain_during, s.ended_at or s.started_at),
        ("after", s.pain_after, s.ended_at or s.started_at),
    ):
        if score is None:
            continue
        out.append(
            {
                **_base(export, s),
                "id": f"pain-{when}-{s.id}",
                "category": _category("survey"),
                "code": {
                    "coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}],
                    "text": f"Pain {when} exercise (0-10 NRS)",
                },
                "effectiveDateTime": iso(moment),
                "valueCodeableConcept": pain_value(score),
                "note": [{"text": f"Rated {when} a {s.exercise_id} session"}],
            }
        )
    return out


def _angle_label(library: ExerciseLibrary | None, exercise_id: str, angle: str) -> str:
    if library is not None and exercise_id in library.ids():
        measure = library.get(exercise_id).angles.get(angle)
        if measure is not None and measure.label:
            return measure.label
    return angle.replace("_", " ")


def _rom(export: PatientExport, s: SessionRecord, library: ExerciseLibrary | None) -> list[dict]:
    out = []
    for side, angles in sorted(s.best_rom_by_side.items()):
        for angle, rom in sorted(angles.items()):
            label = _angle_label(library, s.exercise_id, angle)
            text = f"{label}: range of motion ({s.exercise_id})"
            out.append(
                {
                    **_base(export, s),
                    "id": f"rom-{s.id}-{side}-{angle}".replace("_", "-"),
                    "effectivePeriod": _period(s),
                    **_rom_fields(angle, label, text, rom, side),
                }
            )
    return out


def _assessment_notes(row: dict[str, Any]) -> list[dict[str, str]]:
    """The threshold a test is read against (a range of motion has its referenceRange) and
    the stored notes."""
    reference = row["reference"] if row["kind"] != "rom" else None
    return [{"text": text} for text in (reference, row["notes"]) if text]


def _assessment(export: PatientExport, row: dict[str, Any]) -> dict:
    """One assessment result: a goniometer measurement or a functional test."""
    a_id, kind, side = row["id"], row["kind"], row["side"]
    resource = {
        **_observation(export, "final", "urn:form-coach:assessment", a_id),
        "id": f"assessment-{a_id}",
        "effectiveDateTime": iso(row["taken_at"]),
    }
    if kind == "rom":
        text = f"{row['label']}: range of motion (camera goniometer)"
        resource |= _rom_fields(row["measure"], row["label"], text, row["value"], side)
        if row["normal_high"] is not None:
            resource["referenceRange"] = [
                {
                    "low": _quantity(row["normal_low"], "deg"),
                    "high": _quantity(row["normal_high"], "deg"),
                    "text": row["reference"],
                }
            ]
    else:
        code: dict[str, Any] = {"text": row["label"]}
        if kind in TEST_CODES:
            code["coding"] = [TEST_CODES[kind]]
        resource |= {
            "category": _category("exam"),
            "code": code,
            "valueQuantity": _quantity(row["value"], row["unit"]),
            "component": _laterality(side),
        }
    notes = _assessment_notes(row)
    if notes:
        resource["note"] = notes
    if not resource["component"]:
        del resource["component"]
    return resource


def _activity(export: PatientExport, s: SessionRecord) -> list[dict]:
    out = []
    if s.reps or (s.planned_reps is not None and s.source == "live"):
        out.append(
            {
                **_base(export, s),
                "id": f"reps-{s.id}",
                "category": _category("activity"),
                "code": {
                    "coding": [
                        {
                            "system": MEASURE_SYSTEM,
                            "code": "repetitions",
                            "display": "Repetitions completed",
                        }
                    ],
                    "text": f"Repetitions completed ({s.exercise_id})",
                },
                "effectivePeriod": _period(s),
                "valueQuantity": {
                    "value": s.reps,
                    "unit": "repetitions",
                    "system": UCUM,
                    "code": "{repetitions}",
                },
                "component": [
                    {
                        "code": {
                            "coding": [
                                {
                                    "system": MEASURE_SYSTEM,
                                    "code": "partial-repetitions",
                                    "display": "Partial repetitions",
                                }
                            ]
                        },
                        "valueQuantity": {
                            "value": s.partial_reps,
                            "unit": "repetitions",
                            "system": UCUM,
                            "code": "{repetitions}",
                        },
                    }
                ],
            }
        )
    if s.held_s > 0:
        out.append(
            {
                **_base(export, s),
                "id": f"hold-{s.id}",
                "category": _category("activity"),
                "code": {
                    "coding": [
                        {
                            "system": MEASURE_SYSTEM,
                            "code": "hold-seconds",
                            "display": "Time held in correct position",
                        }
                    ],
                    "text": f"Time held correctly ({s.exercise_id})",
                },
                "effectivePeriod": _period(s),
                "valueQuantity": {
                    "value": round(s.held_s, 1),
                    "unit": "s",
                    "system": UCUM,
                    "code": "s",
                },
            }
        )
    return out


def observations(export: PatientExport, library: ExerciseLibrary | None = None) -> list[dict]:
    out = []
    for s in export.sessions:
        out += _pain(export, s) + _rom(export, s, library) + _activity(export, s)
    return out + [_assessment(export, row) for row in export.assessment_rows]


def fhir_bundle(export: PatientExport, library: ExerciseLibrary | None = None) -> dict:
    """The export as a FHIR R4 Bundle, validated (raises pydantic's ValidationError if a
    resource is malformed: that is a bug here, never the user's input)."""
    entries = []
    for resource in observations(export, library):
        Observation.model_validate(resource)
        entries.append(
            {"fullUrl": _full_url(export.patient.id, resource["id"]), "resource": resource}
        )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, f"bundle:{export.patient.id}:{export.generated_at}")),
        "type": "collection",
        "timestamp": iso(export.generated_at),
        "meta": {
            "tag": [
                {
                    "system": "urn:form-coach:export",
                    "code": "patient-observations",
                    "display": f"Form Coach observations, {export.period_text}",
                }
            ]
        },
    }
    if entries:
        bundle["entry"] = entries
    Bundle.model_validate(bundle)
    return bundle


def fhir_json(export: PatientExport, library: ExerciseLibrary | None = None) -> str:
    return json.dumps(fhir_bundle(export, library), indent=2, ensure_ascii=False)
