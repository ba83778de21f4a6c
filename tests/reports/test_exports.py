"""Exports of a patient for a date range: CSV columns and rows, JSON, the FHIR R4 Bundle
(validated with fhir.resources), the PDF report (opened with pypdf); empty patients give
valid, empty exports; a patient cannot export another patient's data."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from pypdf import PdfReader

from coach.auth.access import AccessDeniedError, Principal
from coach.reports import exports, fhir
from coach.reports import pdf as report
from coach.store import Store
from coach.store.records import local_date
from tests.support.store_data import record_session, seed_patient

HOME = Principal.home()


@pytest.fixture
def store(tmp_path):
    opened = Store(f"sqlite:///{tmp_path / 'coach.db'}")
    yield opened
    opened.close()


@pytest.fixture
def seeded(store, library):
    return seed_patient(store, library, days=4)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_sessions_csv_has_the_documented_columns_and_one_row_a_session(store, seeded, library):
    export = exports.gather(store, HOME, seeded.patient_id)
    text = exports.sessions_csv(export)
    assert text.splitlines()[0].split(",") == exports.SESSION_COLUMNS
    table = rows(text)
    assert [int(r["session_id"]) for r in table] == seeded.session_ids
    assert {r["reps"] for r in table} == {"5"}
    flagged = [r for r in table if r["pain_flag"] == "yes"]
    assert len(flagged) == 1 and "pain after exercise 6/10" in flagged[0]["pain_flag_reasons"]
    assert table[0]["started_at"].endswith("+00:00")  # ISO 8601, UTC


def test_reps_csv_has_one_row_per_rep_and_angle(store, seeded):
    table = rows(exports.reps_csv(exports.gather(store, HOME, seeded.patient_id)))
    assert list(table[0]) == exports.REP_COLUMNS
    assert len(table) == 4 * 5 * 2  # sessions x reps x angles
    knee = [r for r in table if r["angle"] == "knee_flexion"]
    assert knee[0]["min_deg"] == "5.0" and knee[0]["peak_deg"] == "90.0"
    assert {r["faults"] for r in table} == {"too_fast", ""}


def test_a_date_range_limits_every_export(store, seeded):
    yesterday = datetime.now().astimezone().date() - timedelta(days=1)
    export = exports.gather(store, HOME, seeded.patient_id, date_from=yesterday, date_to=yesterday)
    assert [s.id for s in export.sessions] == [seeded.session_ids[-1]]
    assert len(rows(exports.sessions_csv(export))) == 1


def test_text_that_a_spreadsheet_would_run_is_quoted(store):
    patient = store.add_patient("Pat")
    session = store.start_session("squat", patient_id=patient, notes='=HYPERLINK("x")')
    store.finish_session(session, notes='=HYPERLINK("x")')
    (row,) = rows(exports.sessions_csv(exports.gather(store, HOME, patient)))
    assert row["notes"] == '\'=HYPERLINK("x")'


def test_json_export_holds_patient_plan_sessions_reps_and_goals(store, seeded, library):
    data = json.loads(exports.export_json(exports.gather(store, HOME, seeded.patient_id), library))
    assert (data["format"], data["version"]) == ("form-coach-export", 1)
    assert data["patient"]["name"] == "Ana Example"
    assert [i["exercise"] for i in data["plan"]["items"]] == ["Squat", "Plank"]
    assert len(data["sessions"]) == 4 and len(data["sessions"][0]["reps"]) == 5
    assert data["sessions"][0]["reps"][0]["angles"]["knee_flexion"]["peak_deg"] == 90.0
    assert sum(s["pain_flag"]["flagged"] for s in data["sessions"]) == 1
    assert data["goals"][0]["activity"] == "Climb the stairs at home"


def observations_by_kind(bundle: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for entry in bundle.get("entry", []):
        out.setdefault(entry["resource"]["id"].split("-")[0], []).append(entry["resource"])
    return out


def test_fhir_bundle_validates_and_codes_pain_rom_and_repetitions(store, seeded, library):
    bundle = fhir.fhir_bundle(exports.gather(store, HOME, seeded.patient_id), library)
    parsed = Bundle.model_validate(bundle)  # fhir.resources: R4-compatible models
    assert parsed.type == "collection"
    kinds = observations_by_kind(bundle)
    assert {k: len(v) for k, v in kinds.items()} == {"pain": 8, "rom": 8, "reps": 4}
    for resource in (r for group in kinds.values() for r in group):
        Observation.model_validate(resource)
        assert resource["subject"]["identifier"]["value"] == str(seeded.patient_id)

    pain = kinds["pain"][1]  # the first session's pain after
    assert pain["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": fhir.PAIN_DISPLAY,
    }
    assert pain["valueCodeableConcept"]["coding"][0]["code"] == "LA6113-0"  # the answer "2"
    worst = [p for p in kinds["pain"] if p["valueCodeableConcept"]["text"] == "6"]
    assert [p["valueCodeableConcept"]["coding"][0]["code"] for p in worst] == ["LA10138-8"]

    knee = next(r for r in kinds["rom"] if r["code"]["coding"][0]["code"] == "knee_flexion")
    assert knee["valueQuantity"] == {
        "value": 90.0,
        "unit": "deg",
        "system": "http://unitsofmeasure.org",
        "code": "deg",
    }
    assert knee["bodySite"]["coding"][0]["code"] == "49076000"  # knee joint structure
    laterality = knee["component"][0]
    assert laterality["code"]["coding"][0]["code"] == "272741003"
    assert laterality["valueCodeableConcept"]["coding"][0]["display"] == "Bilateral"
    assert "markerless video pose estimation" in knee["method"]["text"]

    reps = kinds["reps"][0]
    assert reps["valueQuantity"]["value"] == 5 and reps["valueQuantity"]["code"] == "{repetitions}"


def test_all_eleven_pain_answers_are_distinct_loinc_answer_codes():
    codes = [fhir.pain_value(n)["coding"][0]["code"] for n in range(11)]
    assert codes[0] == "LA6111-4" and codes[10] == "LA13942-0"
    assert len(set(codes)) == 11 and all(c.startswith("LA") for c in codes)


def test_left_and_right_reps_give_their_own_laterality(store, library):
    from coach.engine.results import AngleStats, Rep

    patient = store.add_patient("Pat")
    session = store.start_session("bicep_curl", patient_id=patient)
    for index, side in enumerate(("left", "right"), 1):
        store.add_rep(
            session,
            1,
            Rep(
                index,
                side,
                index,
                index + 0.5,
                index + 1,
                {"elbow_flexion": AngleStats(20, 140, 139)},
                False,
            ),
        )
    bundle = fhir.fhir_bundle(exports.gather(store, HOME, patient), library)
    rom = observations_by_kind(bundle)["rom"]
    sides = [r["component"][0]["valueCodeableConcept"]["coding"][0]["code"] for r in rom]
    assert sides == ["7771000", "24028007"]  # left, right
    assert {r["bodySite"]["coding"][0]["code"] for r in rom} == {"16953009"}  # elbow joint


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_report_opens_has_pages_and_the_patient_plan_and_flags(store, seeded, library):
    export = exports.gather(store, HOME, seeded.patient_id)
    data = report.progress_report_pdf(export, library)
    assert data.startswith(b"%PDF-")
    pages, text = pdf_text(data)
    assert pages >= 2  # the charts need a second page
    cue = next(r.cue for r in library.get("squat").rules if r.id == "too_fast")
    for words in (
        "Ana Example",
        "Dr Referrer",
        "Squat",
        "Plank",
        "Adherence",
        "pain after exercise 6/10",
        cue.split(":")[0],
    ):
        assert words in text, words
    reader = PdfReader(io.BytesIO(data))
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 4  # adherence, ROM, pain, repetitions (and goals when scored)


def test_a_patient_with_no_sessions_exports_valid_and_empty(store, library):
    patient = store.add_patient("New Patient")
    export = exports.gather(store, HOME, patient)
    assert rows(exports.sessions_csv(export)) == [] and rows(exports.reps_csv(export)) == []
    assert exports.sessions_csv(export).strip().split(",") == exports.SESSION_COLUMNS
    data = json.loads(exports.export_json(export, library))
    assert data["sessions"] == [] and data["plan"] is None
    bundle = fhir.fhir_bundle(export, library)
    assert Bundle.model_validate(bundle).entry is None
    pages, text = pdf_text(report.progress_report_pdf(export, library))
    assert pages == 1 and "No sessions recorded" in text and "New Patient" in text


def test_a_patient_cannot_export_another_patients_data(store, seeded, library):
    other = store.add_patient("Someone Else")
    record_session(store, other, None, datetime.now(UTC) - timedelta(hours=2))
    me = Principal("patient", "Ana", patient_id=seeded.patient_id)
    with pytest.raises(AccessDeniedError):
        exports.gather(store, me, other)
    mine = exports.gather(store, me, seeded.patient_id)
    assert {s.patient_id for s in mine.sessions} == {seeded.patient_id}
    for text in (
        exports.sessions_csv(mine),
        exports.export_json(mine, library),
        fhir.fhir_json(mine, library),
    ):
        assert "Someone Else" not in text


# ---- assessments -------------------------------------------------------------------------------
def add_assessments(store: Store, patient_id: int) -> list[int]:
    """Two knee flexions a day apart, a trunk flexion (no side), a chair stand judged against
    its STEADI norm, a Timed Up and Go and a single-leg stance with a note a spreadsheet
    would run; all within the last three days."""
    start = datetime.now(UTC) - timedelta(days=3)
    specs = [
        ("rom", "knee_flexion", 105.0, "deg", "left", {"normal_range": [0, 130]}, None, 0),
        ("rom", "knee_flexion", 112.0, "deg", "left", {}, None, 1),
        ("rom", "trunk_flexion", 60.0, "deg", None, {}, None, 1),
        ("chair_stand_30s", "stands", 11, "{stands}", None, {"norm_below": 12}, None, 2),
        ("timed_up_and_go", "time", 13.2, "s", None, {"fall_risk": True}, None, 2),
        ("single_leg_stance", "time", 8.5, "s", "right", {}, '=HYPERLINK("x")', 2),
    ]
    return [
        store.add_assessment(
            patient_id,
            kind=kind,
            measure=measure,
            value=value,
            unit=unit,
            side=side,
            details=details,
            notes=notes,
            taken_at=start + timedelta(days=day),
        )
        for kind, measure, value, unit, side, details, notes, day in specs
    ]


@pytest.fixture
def assessed(store, seeded):
    add_assessments(store, seeded.patient_id)
    return seeded


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (
            0,
            {
                "kind": "rom",
                "measure": "knee_flexion",
                "label": "Knee flexion",
                "side": "left",
                "value": "105.0",
                "unit": "deg",
                "normal_low": "0.0",
                "normal_high": "130.0",
                "threshold": "",
                "reference": "normal adult range 0-130 deg",
            },
        ),
        (2, {"measure": "trunk_flexion", "side": "", "normal_high": "80.0"}),
        (
            3,
            {
                "kind": "chair_stand_30s",
                "value": "11",
                "unit": "{stands}",
                "normal_low": "",
                "threshold": "12.0",
                "reference": "below 12: below average for age and sex (STEADI)",
                "details": '{"norm_below": 12}',
            },
        ),
        (
            4,
            {
                "kind": "timed_up_and_go",
                "unit": "s",
                "threshold": "12.0",
                "reference": "12 s: higher fall risk (STEADI)",
            },
        ),
        (
            5,
            {
                "kind": "single_leg_stance",
                "side": "right",
                "threshold": "",
                "reference": "",
                "notes": '\'=HYPERLINK("x")',
            },
        ),  # a formula is quoted, as in the other CSVs
    ],
)
def test_assessments_csv_has_a_row_per_result_with_its_normal_range_or_threshold(
    store, assessed, index, expected
):
    text = exports.assessments_csv(exports.gather(store, HOME, assessed.patient_id))
    assert text.splitlines()[0].split(",") == exports.ASSESSMENT_COLUMNS
    table = rows(text)
    assert [r["assessment_id"] for r in table] == [
        str(a.id) for a in store.assessments(assessed.patient_id)
    ]
    assert {r["patient_id"] for r in table} == {str(assessed.patient_id)}
    assert table[index]["taken_at"].endswith("+00:00")  # ISO 8601, UTC
    assert {k: table[index][k] for k in expected} == expected


def test_a_date_range_limits_the_assessments_too(store, assessed):
    yesterday = datetime.now().astimezone().date() - timedelta(days=1)
    export = exports.gather(store, HOME, assessed.patient_id, date_from=yesterday)
    assert [a.kind for a in export.assessments] == [
        "chair_stand_30s",
        "timed_up_and_go",
        "single_leg_stance",
    ]
    assert len(rows(exports.assessments_csv(export))) == 3


def test_json_export_adds_the_assessments_beside_the_sessions(store, assessed, library):
    data = json.loads(
        exports.export_json(exports.gather(store, HOME, assessed.patient_id), library)
    )
    assert (data["format"], data["version"]) == ("form-coach-export", 1)  # an added key only
    assert len(data["sessions"]) == 4 and len(data["assessments"]) == 6
    knee = data["assessments"][0]
    assert (knee["measure"], knee["side"], knee["value"], knee["unit"]) == (
        "knee_flexion",
        "left",
        105.0,
        "deg",
    )
    assert knee["normal_range"] == [0, 130] and knee["details"] == {"normal_range": [0, 130]}
    assert data["assessments"][4]["threshold"] == 12.0


def test_pdf_report_has_an_assessments_section_with_first_and_latest(store, assessed, library):
    _pages, text = pdf_text(
        report.progress_report_pdf(exports.gather(store, HOME, assessed.patient_id), library)
    )
    flat = " ".join(text.split())
    section = flat[flat.index("Assessments") : flat.index("Trends")]
    for words in (
        "Knee flexion",
        "left",
        "105°",
        "112°",
        "+7°",
        "normal adult range 0-130",
        "Trunk forward flexion",
        "30-second chair stand",
        "11 stands",
        "below 12: below average",
        "Timed Up and Go",
        "13.2 s",
        "12 s: higher fall risk",
        "Single-leg stance",
        "none set",
        "one result",
    ):
        assert words in section, words


def fhir_assessments(bundle: dict) -> dict[str, dict]:
    """The assessment Observations by their label (code text up to the colon)."""
    found = observations_by_kind(bundle).get("assessment", [])
    return {r["code"]["text"].split(":")[0]: r for r in found}


def test_fhir_assessment_rom_is_coded_like_a_sessions_rom(store, assessed, library):
    bundle = fhir.fhir_bundle(exports.gather(store, HOME, assessed.patient_id), library)
    Bundle.model_validate(bundle)
    found = fhir_assessments(bundle)
    assert len(observations_by_kind(bundle)["assessment"]) == 6
    knee = next(
        r
        for r in observations_by_kind(bundle)["assessment"]
        if r["code"]["coding"][0]["code"] == "knee_flexion"
    )
    Observation.model_validate(knee)
    assert knee["valueQuantity"] == {
        "value": 105.0,
        "unit": "deg",
        "system": "http://unitsofmeasure.org",
        "code": "deg",
    }
    assert knee["bodySite"]["coding"][0]["code"] == "49076000"  # knee joint structure
    laterality = knee["component"][0]
    assert laterality["code"]["coding"][0]["code"] == "272741003"
    assert laterality["valueCodeableConcept"]["coding"][0]["code"] == "7771000"  # left
    assert "markerless video pose estimation" in knee["method"]["text"]
    assert knee["referenceRange"][0]["high"]["value"] == 130
    assert knee["effectiveDateTime"].endswith("+00:00")
    trunk = found["Trunk forward flexion"]
    assert "component" not in trunk and "coding" not in trunk["bodySite"]  # no side, no joint


@pytest.mark.parametrize(
    ("label", "coding", "unit", "note"),
    [
        (
            "30-second chair stand (full stands)",
            [
                {
                    "system": "http://snomed.info/sct",
                    "code": "450738001",
                    "display": "Thirty second chair stand test score (observable entity)",
                }
            ],
            "{stands}",
            "below 12: below average for age and sex (STEADI)",
        ),
        ("Timed Up and Go (s)", None, "s", "12 s: higher fall risk (STEADI)"),  # text only
        ("Single-leg stance, eyes open (s)", None, "s", '=HYPERLINK("x")'),  # text only
    ],
)
def test_fhir_functional_tests_use_only_verified_codes(
    store, assessed, library, label, coding, unit, note
):
    test = fhir_assessments(
        fhir.fhir_bundle(exports.gather(store, HOME, assessed.patient_id), library)
    )[label]
    Observation.model_validate(test)
    assert test["code"].get("coding") == coding and test["code"]["text"] == label
    assert test["valueQuantity"]["code"] == unit
    assert note in [n["text"] for n in test["note"]]


def test_a_patient_with_no_assessments_exports_a_header_and_says_so(store, seeded, library):
    export = exports.gather(store, HOME, seeded.patient_id)
    text = exports.assessments_csv(export)
    assert rows(text) == [] and text.strip().split(",") == exports.ASSESSMENT_COLUMNS
    assert json.loads(exports.export_json(export, library))["assessments"] == []
    assert "assessment" not in observations_by_kind(fhir.fhir_bundle(export, library))
    _pages, text = pdf_text(report.progress_report_pdf(export, library))
    assert "No assessments were recorded in this period." in text


def test_assessed_before_any_session_the_report_spans_the_assessments(store, library):
    """No dates asked for and no sessions yet: the period runs from the first assessment
    to the last (it used to read "no sessions yet" above a page of assessments)."""
    patient = store.add_patient("Assessed First")
    add_assessments(store, patient)
    export = exports.gather(store, HOME, patient)
    first, last = (local_date(a.taken_at) for a in (export.assessments[0], export.assessments[-1]))
    assert export.sessions == () and first < last
    assert export.period_text == f"{first:%d %b %Y} to {last:%d %b %Y}"
    _pages, text = pdf_text(report.progress_report_pdf(export, library))
    assert f"{first:%d %b %Y}" in text and "11 stands" in text


def test_a_patient_with_nothing_recorded_says_so(store):
    export = exports.gather(store, HOME, store.add_patient("New Patient"))
    assert export.period_text == "nothing recorded yet"


def test_a_patient_cannot_export_another_patients_assessments(store, assessed, library):
    other = store.add_patient("Someone Else")
    theirs = add_assessments(store, other)
    me = Principal("patient", "Ana", patient_id=assessed.patient_id)
    with pytest.raises(AccessDeniedError):
        exports.gather(store, me, other)
    mine = exports.gather(store, me, assessed.patient_id)
    assert {a.patient_id for a in mine.assessments} == {assessed.patient_id}
    ids = {r["assessment_id"] for r in rows(exports.assessments_csv(mine))}
    assert len(ids) == 6 and not ids & {str(i) for i in theirs}
    identifiers = {
        r["identifier"][0]["value"]
        for r in observations_by_kind(fhir.fhir_bundle(mine, library))["assessment"]
    }
    assert identifiers == ids
