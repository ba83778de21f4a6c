"""What the patient sees of the clinician's review on Today: the new comments on their
sessions (until marked read), and their switch for keeping their movement.

Comments are user-written: shown with `st.text` and `literal`, never as Markdown.
"""

from __future__ import annotations

import streamlit as st

from coach.auth.access import Principal, require_patient
from coach.clinical.progress import exercise_name
from coach.core.markdown import literal
from coach.exercise.loader import ExerciseLibrary
from coach.reports import review
from coach.store import Store
from coach_ui.flash import save_and_rerun


def show_new_comments(
    store: Store, principal: Principal, patient_id: int, library: ExerciseLibrary
) -> None:
    """The comments the patient has not read yet, each with its session (and rep), and a
    button that marks them read. Nothing when there are none."""
    comments = review.new_comments(store, principal, patient_id)
    if not comments:
        return
    st.subheader("From your physiotherapist")
    for comment in comments:
        session = store.session(comment.session_id)
        about = f"{exercise_name(library, session.exercise_id)} on {session.day:%d %b}"
        if comment.rep_id is not None:
            rep = next((r for r in store.reps(session.id) if r.id == comment.rep_id), None)
            if rep is not None:
                about += f", set {rep.set_index}, rep {rep.rep_index}"
        with st.container(border=True):
            st.caption(literal(f"{comment.author} about your {about}"))
            st.text(comment.body)
    if principal.kind != "clinician" and st.button("Mark as read", key="comments_read"):
        save_and_rerun(
            lambda: store.mark_comments_seen(patient_id, [c.id for c in comments]),
        )


def show_movement_privacy(store: Store, principal: Principal, patient_id: int) -> None:
    """The patient's switch for keeping the landmarks of their sets, saying what is kept
    (a clinician sees the patient's choice, and cannot change it)."""
    require_patient(store, principal, patient_id)
    keep = store.keeps_landmarks(patient_id)
    with st.expander("What is kept of my movement", icon=":material/privacy_tip:"):
        st.write(
            "During each set the coach keeps the positions of 33 points of your body (a "
            "stick figure), so your physiotherapist can replay how each repetition moved. "
            "No picture or video of you is ever kept or sent."
        )
        if principal.kind == "clinician":  # the patient's choice, not the clinician's
            st.caption("Kept." if keep else "The patient turned this off: nothing is kept.")
            return
        wanted = st.toggle("Keep my movement for my physiotherapist", value=keep)
        if wanted != keep:
            message = (
                "Your movement is kept from your next set."
                if wanted
                else "Your movement is no longer kept, and what was kept is deleted."
            )
            save_and_rerun(lambda: store.set_keep_landmarks(patient_id, wanted), message)
