"""Share and export: a date range, then the CSV, JSON, PDF and FHIR downloads of one
patient's sessions and assessments (made by coach.reports, which checks access again).
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from coach.auth.access import Principal
from coach.core.errors import CoachError
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from coach.store.records import Patient
from coach_ui import state


def export_section(
    store: Store, principal: Principal, patient: Patient, library: ExerciseLibrary
) -> None:
    """Date range, then CSV, JSON, PDF and FHIR downloads of this patient's sessions and
    assessments."""
    from coach.reports import exports, fhir
    from coach.reports import pdf as report

    st.subheader("Share and export")
    day = state.today()
    c1, c2 = st.columns(2)
    first = c1.date_input("From", day - timedelta(days=56), key="export_from")
    last = c2.date_input("To", day, key="export_to")
    movement = st.checkbox(
        "Include each set's movement (landmarks) in the JSON",
        key="export_landmarks",
        help="The kept landmarks of every set, frame by frame (docs/landmarks.md): large.",
    )
    # for this patient, these days, this user, with or without the landmarks
    wanted = (patient.id, first, last, principal, movement)
    if st.button("Prepare the exports", key="export_prepare"):
        try:
            data = exports.gather(
                store,
                principal,
                patient.id,
                date_from=first,
                date_to=last,
                with_landmarks=movement,
            )
            st.session_state[state.EXPORTS_KEY] = (
                wanted,
                {
                    "sessions.csv": (exports.sessions_csv(data), "text/csv"),
                    "reps.csv": (exports.reps_csv(data), "text/csv"),
                    "assessments.csv": (exports.assessments_csv(data), "text/csv"),
                    "sessions.json": (exports.export_json(data, library), "application/json"),
                    "report.pdf": (report.progress_report_pdf(data, library), "application/pdf"),
                    "fhir-bundle.json": (fhir.fhir_json(data, library), "application/fhir+json"),
                },
            )
        except CoachError as exc:
            st.error(str(exc))
    prepared = st.session_state.get(state.EXPORTS_KEY)
    if prepared is None or prepared[0] != wanted:
        st.caption(
            "CSV and JSON of the sessions, reps and assessments, a PDF progress "
            "report for the referring clinician, and a FHIR R4 Bundle of "
            "Observations."
        )
        return
    stem = f"form-coach-patient{patient.id}-{first:%Y%m%d}-{last:%Y%m%d}"
    columns = st.columns(len(prepared[1]))
    for column, (name, (data, mime)) in zip(columns, prepared[1].items(), strict=True):
        column.download_button(
            name, data, file_name=f"{stem}-{name}", mime=mime, key=f"download_{name}"
        )
