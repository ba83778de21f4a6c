"""My goals: the activities a patient wants back, scored 0-10 now and then (PSFS), on a
page of its own so a patient rating them does not land among the physio's charts."""

from __future__ import annotations

import streamlit as st

from coach_ui import auth, goals, pickers, selfcare, state
from coach_ui.flash import show_flash

store, library, principal = auth.open_all()
st.title("My goals")
show_flash()
patient = pickers.choose_patient(store, principal)
st.write(
    "Pick up to five everyday activities that are hard because of your problem, such as "
    "climbing the stairs or lifting a shopping bag. Every few weeks, score how well you "
    "can do each one: 0 means not at all, 10 as well as before."
)
selfcare.show_goal_reminder(store, patient.id, key="goals", link=False)
goals.score_and_add(store, patient.id, state.today(), key="goals")
