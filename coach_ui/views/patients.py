"""Patients: everyone the physio looks after, with this week's adherence, latest pain and
pain flags at a glance; and a form to add a patient."""

from __future__ import annotations

from datetime import date

import streamlit as st

from coach.auth.access import current_mode
from coach.core.markdown import literal
from coach_ui import auth, overview, state
from coach_ui.flash import save_and_rerun, show_flash

store, library, principal = auth.open_all()
auth.require_staff_page(principal)
st.title("Patients")
show_flash()
day = state.today()
table = overview.patient_overview(store, principal, day, library)
if table.empty:
    st.info("No patients yet: add the first one below.")
else:
    st.caption(f"Adherence: sessions done vs prescribed this week (from Monday), {day:%A %d %b}.")
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "Adherence": st.column_config.ProgressColumn(
                "Adherence", format="%d%%", min_value=0, max_value=100
            ),
            "Last session": st.column_config.DateColumn(format="DD MMM YYYY"),
        },
    )
    flagged = table[table[overview.FLAGS_COLUMN] > 0]
    for _, row in flagged.iterrows():
        st.warning(f"{literal(row['Patient'])}: {row['Latest flag']}. Suggest less load next time.")

with st.expander("Add a patient"), st.form("add_patient", clear_on_submit=True):
    name = st.text_input("Name", max_chars=120)
    born = st.date_input("Date of birth", value=None, min_value=date(1900, 1, 1), max_value=day)
    referrer = st.text_input("Referring clinician", max_chars=200)
    clinic = current_mode() == "clinic"
    if clinic:
        st.caption("A login lets the patient see their own plan and progress (optional).")
        username = st.text_input("Patient's user name", max_chars=64)
        password = st.text_input("Patient's first password", type="password")
    if st.form_submit_button("Add patient", type="primary"):

        def add_patient() -> None:
            st.session_state[state.PATIENT_KEY] = store.add_patient(
                name,
                date_of_birth=born,
                referrer=referrer or None,
                clinician_id=principal.clinician_id,
                login=(username, password) if clinic and username else None,
            )

        save_and_rerun(
            add_patient, f"Added {name.strip()}. Build their plan on the Plan editor page."
        )
