"""Streamlit blocks for self-management, shared by the Today, Live coach, Learn, Plan
editor and Progress pages: suggested lessons, the flare-up plan (shown, edited, printed)
and the reminder to rate goals.

Each block is handed a patient the page has already checked access to (coach_ui.pickers'
`choose_patient` or `require_patient`); the flare-up plan is read through
`coach.clinical.flare_up.flare_up_for`, which checks again. coach/ never imports this module.
"""

from __future__ import annotations

import streamlit as st

from coach.auth.access import Principal
from coach.clinical.flare_up import (
    FIELDS,
    PatientFlareUp,
    filled,
    flare_up_for,
    flare_up_text,
)
from coach.clinical.lessons import Lesson, load_lessons, suggested
from coach.clinical.pain_monitoring import assess_pain
from coach.clinical.psfs import goal_review
from coach.core.errors import CoachError
from coach.core.markdown import literal
from coach.posture.assess import LABELS, Issue
from coach.reports.flare_up import flare_up_pdf
from coach.store import Store
from coach.store.records import Plan, PostureCheck
from coach_ui.flash import save_and_rerun
from coach_ui.resources import or_stop
from coach_ui.state import today

ISSUE_IDS = frozenset(issue.value for issue in Issue)
LESSON_KEY = "form_coach_lesson"  # the lesson the Learn page opens on
LEARN_PAGE = "views/learn.py"
GOALS_PAGE = "views/goals.py"


@st.cache_resource
def shipped_lessons() -> tuple[Lesson, ...]:
    """The shipped lessons: read-only, so one copy serves every session."""
    return load_lessons()


def suggested_for(store: Store, patient_id: int, lessons: tuple[Lesson, ...]) -> list[Lesson]:
    """Unread lessons for this patient now: after the first session, after a flagged one."""
    sessions = store.sessions(patient_id)
    last = max(sessions, key=lambda s: s.started_at) if sessions else None
    flagged = (
        last is not None
        and assess_pain(last.pain_before, last.pain_during, last.pain_after).flagged
    )
    return suggested(
        lessons, store.lessons_read(patient_id), sessions=len(sessions), last_flagged=flagged
    )


def show_suggested_lessons(store: Store, patient_id: int, *, key: str, limit: int = 2) -> None:
    """A short box of the next lessons to read, each with a button to open it."""
    try:
        lessons = shipped_lessons()
    except CoachError as exc:
        st.error(str(exc))
        return
    picks = suggested_for(store, patient_id, lessons)[:limit]
    if not picks:
        return
    with st.container(border=True):
        st.markdown("**Suggested reading** (a few minutes each)")
        for lesson in picks:
            text, button = st.columns([4, 1])
            text.markdown(f"*{lesson.title}*: {lesson.summary}")
            if button.button("Read", key=f"{key}_read_{lesson.id}"):
                st.session_state[LESSON_KEY] = lesson.id
                st.switch_page(LEARN_PAGE)


def show_goal_reminder(store: Store, patient_id: int, *, key: str, link: bool = True) -> None:
    """Ask for goal (PSFS) ratings when they are due: at the start, then every 3 weeks."""
    review = goal_review(store.goals(patient_id), today())
    if not review.due:
        return
    st.info(f":material/flag: {literal(review.message)}")
    if link and st.button("Rate my goals", key=f"{key}_goals"):
        st.switch_page(GOALS_PAGE)


# ---- the flare-up plan ------------------------------------------------------------------------
def show_flare_up(store: Store, principal: Principal, patient_id: int, *, key: str) -> None:
    """The patient's flare-up plan, with PDF and text downloads to print it."""
    try:
        data = flare_up_for(store, principal, patient_id)
    except CoachError as exc:
        st.error(str(exc))
        return
    if not filled(data.flare_up):
        st.caption(
            "No flare-up plan yet: fill it in with your physiotherapist (Plan editor), "
            "and read *Planning for a flare-up* on the Learn page."
        )
        return
    for field, heading, _ in FIELDS:
        value = getattr(data.flare_up, field)
        if value:
            st.markdown(f"**{heading}**  \n{literal(value)}")
    flare_up_downloads(data, key=key)


def flare_up_downloads(data: PatientFlareUp, *, key: str) -> None:
    stem = f"flare-up-plan-patient{data.patient.id}"
    pdf, text = st.columns(2)
    pdf.download_button(
        "Print (PDF)",
        flare_up_pdf(data),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
    )
    text.download_button(
        "Plain text",
        flare_up_text(data),
        file_name=f"{stem}.md",
        mime="text/markdown",
        key=f"{key}_text",
    )


def flare_up_editor(store: Store, principal: Principal, plan: Plan, *, key: str) -> None:
    """The form a physio fills in with the patient; saved with the treatment plan."""
    try:
        data = flare_up_for(store, principal, plan.patient_id)
    except CoachError as exc:
        st.error(str(exc))
        return
    current = data.flare_up
    with st.form(f"{key}_form"):
        values = {
            field: st.text_area(
                f"{heading}: {question}",
                (getattr(current, field) or "") if current else "",
                max_chars=2000,
                key=f"{key}_{field}",
            )
            for field, heading, question in FIELDS
        }
        if st.form_submit_button("Save the flare-up plan"):
            answers = {k: v.strip() or None for k, v in values.items()}
            save_and_rerun(
                lambda: store.save_flare_up_plan(plan.id, **answers), "Flare-up plan saved."
            )
    if filled(current):
        flare_up_downloads(data, key=key)


# ---- posture checks ---------------------------------------------------------------------------
def posture_rows(checks: list[PostureCheck]) -> list[dict]:
    """One row per stored posture check summary, newest first, in the patient's words."""
    rows = []
    for check in reversed(checks):
        s = check.summary
        issues = s.get("issues_s") or {}
        main = max(issues, key=issues.get) if issues else None
        fraction = s.get("good_fraction")
        nudges = s.get("nudges") or {}
        rows.append(
            {
                "When": check.started_at.astimezone().strftime("%d %b %Y %H:%M"),
                "Minutes in view": round((s.get("observed_s") or 0) / 60, 1),
                "Good posture (%)": None if fraction is None else round(100 * fraction),
                "Main issue": LABELS.get(Issue(main), main) if main in ISSUE_IDS else "-",
                "Screen distance (cm)": s.get("screen_distance_cm"),
                "Reminders given": sum(nudges.values()),
            }
        )
    return rows


def show_self_management(store: Store, principal: Principal, patient_id: int) -> None:
    """For the progress page: lessons read, the flare-up plan's state, posture checks."""
    st.subheader("Self-management")
    lessons = or_stop(shipped_lessons)
    read = store.lessons_read(patient_id)
    titles = [x.title for x in lessons if x.id in read]
    st.markdown(
        f"**Lessons read:** {len(titles)} of {len(lessons)}"
        + (f" ({', '.join(titles)})" if titles else "")
    )
    try:
        plan = flare_up_for(store, principal, patient_id)
    except CoachError as exc:
        st.error(str(exc))
        return
    state = (
        ("filled in" if filled(plan.flare_up) else "not filled in yet")
        if plan.plan
        else ("no treatment plan yet")
    )
    st.markdown(f"**Flare-up plan:** {state}")
    rows = posture_rows(store.posture_checks(patient_id))
    if rows:
        st.markdown("**Posture checks** (newest first)")
        st.dataframe(rows[:10], hide_index=True)
    else:
        st.caption("No posture checks saved yet.")
