"""Patient progress: adherence calendar, range of motion per exercise against its target and
the normal range, assessments (measured range of motion and functional tests) over time,
reps and sets, pain before and after, faults by type, goals (PSFS), and the exports for the
referring clinician."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from coach.clinical import progress
from coach.clinical.pain_monitoring import ACCEPTABLE_DURING, RISE_THAT_FLAGS
from coach.clinical.plans import weekly_adherence
from coach_ui import assessment, auth, charts, downloads, overview, pickers, selfcare, state
from coach_ui import goals as goals_ui
from coach_ui.flash import show_flash

store, library, principal = auth.open_all()
st.title("Progress" if principal.kind == "patient" else "Patient progress")
show_flash()
patient = pickers.choose_patient(store, principal)

day = state.today()
c1, c2 = st.columns(2)
first = c1.date_input("From", day - timedelta(weeks=8), key="progress_from")
last = c2.date_input("To", day, key="progress_to")
if first > last:
    st.error("The start date is after the end date.")
    st.stop()
sessions = store.sessions(patient.id, date_from=first, date_to=last)
plan = store.current_plan(patient.id)

adherence = weekly_adherence(plan, store.sessions(patient.id, date_from=day - timedelta(7)), day)
flags = progress.flag_rows(sessions, library)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Sessions in range", len(sessions))
m2.metric("This week", adherence.text(), help="Sessions done vs prescribed (from Monday)")
m3.metric(
    "Pain flags",
    len(flags),
    help=f"Pain during exercise above {ACCEPTABLE_DURING}/10, or a rise of {RISE_THAT_FLAGS}+",
)
m4.metric("Reps in range", sum(s.reps for s in sessions))
for flag in flags[-3:]:
    st.warning(
        f"{flag['day']:%d %b}, {flag['exercise']}: {flag['reasons']}. Suggest less load next time."
    )

st.subheader("Adherence")
calendar = charts.calendar_chart(progress.calendar_rows(sessions, first, last))
if calendar is not None:
    st.altair_chart(calendar, width="stretch")

st.subheader("Range of motion")
rom = progress.rom_rows(sessions, plan, library)
if not rom:
    st.caption("No repetitions with a measured angle in this range yet.")
for exercise in dict.fromkeys(r["exercise"] for r in rom):
    chart = charts.rom_chart(rom, exercise)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
if rom:
    st.caption(
        "Green band: the plan's target and beyond. Grey band: the normal adult active "
        "range. Measured by markerless video pose estimation (about 5-7° error "
        "side-on)."
    )

assessment.show_trends(store, patient)

st.subheader("Pain, reps and faults")
chart = charts.pain_chart(progress.pain_rows(sessions, library))
if chart is not None:
    st.altair_chart(chart, width="stretch")
else:
    st.caption("No pain ratings in this range.")
chart = charts.volume_chart(progress.volume_rows(sessions, library))
if chart is not None:
    st.altair_chart(chart, width="stretch")
chart = charts.fault_chart(progress.fault_rows(sessions, library))
if chart is not None:
    st.altair_chart(chart, width="stretch")
else:
    st.caption("No form faults in this range.")

st.subheader("Goals")
st.caption(
    "Activities the patient finds hard, scored 0 (unable) to 10 (as before the "
    "problem): the Patient-Specific Functional Scale."
)
selfcare.show_goal_reminder(store, patient.id, key="progress", link=False)
goals = store.goals(patient.id)
chart = charts.goal_chart(progress.goal_rows(goals))
if chart is not None:
    st.altair_chart(chart, width="stretch")
goals_ui.score_and_add(store, patient.id, day, key="progress")

selfcare.show_self_management(store, principal, patient.id)

st.subheader("Sessions")
if sessions:
    st.dataframe(
        [
            {
                "Id": s.id,
                "When": s.started_at.astimezone().strftime("%d %b %Y %H:%M"),
                "Exercise": progress.exercise_name(library, s.exercise_id),
                "Sets": s.sets_done,
                "Reps": s.reps,
                "Partial": s.partial_reps,
                "Pain": overview.pain_text(s),
                "Effort": s.effort_borg,
                "Faults": sum(s.faults.values()),
            }
            for s in reversed(sessions)
        ],
        hide_index=True,
    )
    st.caption("Open one on the **Session** page for each repetition and its faults.")
else:
    st.caption("No sessions in this range.")

downloads.export_section(store, principal, patient, library)
