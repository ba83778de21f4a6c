"""Learn: short pain-education lessons in plain language (coach/clinical/data/lessons/),
the ones suggested now first, each marked as read when the patient says so."""

from __future__ import annotations

import streamlit as st

from coach.core.markdown import literal
from coach_ui import auth, pickers, resources, selfcare
from coach_ui.flash import save_and_rerun, show_flash

store, library, principal = auth.open_all()
st.title("Learn about pain")
show_flash()
patient = pickers.choose_patient(store, principal)
lessons = resources.or_stop(selfcare.shipped_lessons)
read = store.lessons_read(patient.id)
suggested = selfcare.suggested_for(store, patient.id, lessons)
by_id = {lesson.id: lesson for lesson in lessons}

st.write(
    "Five short lessons about persistent pain and how to manage it, a few minutes each. "
    "They do not replace your physiotherapist's advice: ask them about anything here."
)
wanted = st.session_state.get(selfcare.LESSON_KEY)
first = wanted if wanted in by_id else (suggested[0].id if suggested else lessons[0].id)
ids = list(by_id)


def label(lesson_id: str) -> str:
    lesson = by_id[lesson_id]
    mark = (
        ":material/check_circle: "
        if lesson_id in read
        else (":material/star: " if by_id[lesson_id] in suggested else "")
    )
    return f"{mark}{lesson.order}. {lesson.title} ({lesson.minutes} min)"


chosen = st.radio("Lesson", ids, index=ids.index(first), format_func=label, key="learn_choice")
st.session_state[selfcare.LESSON_KEY] = chosen
lesson = by_id[chosen]
st.caption(":material/star: suggested for you now   :material/check_circle: read")

with st.container(border=True):
    st.header(lesson.title)
    st.caption(f"{lesson.summary} About {lesson.minutes} minutes to read.")
    st.markdown(lesson.markdown(heading_level=4))

if chosen in read:
    st.success(f"Read on {read[chosen].astimezone():%d %b %Y}.")
elif principal.kind == "clinician":
    st.caption(f"{literal(patient.name)} has not marked this lesson as read yet.")
elif st.button("I have read this", type="primary"):
    save_and_rerun(
        lambda: store.mark_lesson_read(patient.id, chosen), f"'{lesson.title}' marked as read."
    )
