"""The review in the exports: the clinician's comments in the JSON and in the PDF report
(set as written), each set's kept landmarks in the JSON when asked for (the documented
format), and the FHIR Bundle unchanged by either."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import numpy as np
import pytest
from pypdf import PdfReader

from coach.auth.access import AccessDeniedError, Principal
from coach.core.landmarks import LANDMARK_NAMES
from coach.reports import exports, fhir, review
from coach.reports import pdf as report
from coach.store import Store
from tests.support.landmark_sets import patient_set, with_gaps
from tests.support.store_data import seed_patient

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
COMMENT = "Knees <b>out</b> & **slower** on the way down\nThen rest."


@pytest.fixture
def clinic(tmp_path, library):
    store = Store(f"sqlite:///{tmp_path / 'coach.db'}")
    ann, bob = store.add_clinician("Ann Physio"), store.add_clinician("Bob Physio")
    seeded = seed_patient(store, library, days=2, clinician_id=ann)
    session = seeded.session_ids[-1]
    recording = with_gaps(patient_set("squat_side_studio"))
    store.save_set_recording(session, 1, recording)
    ann_p = Principal("clinician", "Ann Physio", clinician_id=ann)
    (rep,) = [r for r in store.reps(session) if r.rep_index == 3]
    review.add_comment(store, ann_p, session, COMMENT, rep_id=rep.id)
    yield {
        "store": store,
        "ann": ann_p,
        "bob": Principal("clinician", "Bob Physio", clinician_id=bob),
        "patient": seeded.patient_id,
        "session": session,
        "recording": recording,
    }
    store.close()


def test_the_json_export_has_the_comments_and_the_landmarks_only_when_asked(clinic, library):
    store, ann = clinic["store"], clinic["ann"]
    plain = json.loads(exports.export_json(exports.gather(store, ann, clinic["patient"], now=NOW)))
    by_id = {s["id"]: s for s in plain["sessions"]}
    (comment,) = by_id[clinic["session"]]["comments"]
    assert comment["text"] == COMMENT and comment["author"] == "Ann Physio"
    assert all("landmark_sets" not in s for s in plain["sessions"])

    full = exports.gather(store, ann, clinic["patient"], now=NOW, with_landmarks=True)
    sessions = {s["id"]: s for s in json.loads(exports.export_json(full, library))["sessions"]}
    (kept,) = sessions[clinic["session"]]["landmark_sets"]
    assert [s.get("landmark_sets") for i, s in sessions.items() if i != clinic["session"]] == [[]]
    recording = clinic["recording"]
    assert kept["format"] == exports.LANDMARKS_FORMAT and kept["set_index"] == 1
    assert kept["frame_wh"] == list(recording.frame_wh)
    assert kept["landmarks"] == list(LANDMARK_NAMES)
    assert len(kept["t_s"]) == len(kept["frames"]) == len(recording)
    nobody = recording.people == 0
    assert [f is None for f in kept["frames"]] == nobody.tolist()
    first = next(i for i, f in enumerate(kept["frames"]) if f is not None)
    frame = kept["frames"][first]
    assert np.array(frame["image_xyz"]).shape == (33, 3) and len(frame["visibility"]) == 33
    # the stored precision (a quarter millimetre), then rounded to 0.1 mm
    assert np.abs(np.array(frame["world_xyz"]) - recording.world_xyz[first, 0]).max() < 4e-4


def test_the_fhir_bundle_is_the_same_with_or_without_landmarks_and_comments(clinic, library):
    store, ann = clinic["store"], clinic["ann"]
    plain = exports.gather(store, ann, clinic["patient"], now=NOW)
    full = exports.gather(store, ann, clinic["patient"], now=NOW, with_landmarks=True)
    assert fhir.fhir_json(full, library) == fhir.fhir_json(plain, library)
    assert COMMENT not in fhir.fhir_json(full, library)


def test_the_pdf_report_shows_the_comment_as_written(clinic, library):
    export = exports.gather(clinic["store"], clinic["ann"], clinic["patient"], now=NOW)
    text = "\n".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(report.progress_report_pdf(export, library))).pages
    )
    assert "Comments" in text
    assert "Ann Physio: Knees <b>out</b> & **slower** on the way down" in text
    assert "Then rest." in text and "set 1 rep 3" in text


def test_another_clinician_cannot_export_the_landmarks(clinic):
    with pytest.raises(AccessDeniedError):
        exports.gather(clinic["store"], clinic["bob"], clinic["patient"], with_landmarks=True)
