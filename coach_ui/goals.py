"""Goals (the Patient-Specific Functional Scale): score them and add new ones. Shown on the
patient's own "My goals" page and on the physio's progress page, from this one function."""

from __future__ import annotations

from datetime import date

import streamlit as st

from coach.core.markdown import literal
from coach.store import Store
from coach.store.records import MAX_GOALS
from coach_ui.flash import save_and_rerun
from coach_ui.ratings import rating

SCORE_HELP = "0 means you cannot do it at all, 10 that you can do it as well as before."


def score_and_add(store: Store, patient_id: int, day: date, *, key: str) -> None:
    """A form to score each goal today (only the goals moved off "Not rated" are saved) and
    one to add a goal while there are fewer than `MAX_GOALS`."""
    goals = store.goals(patient_id)
    if goals:
        with st.form(f"{key}_score_goals"):
            for goal in goals:
                last = (
                    f" (last time {goal.scores[-1].score} on {goal.scores[-1].scored_on:%d %b})"
                    if goal.scores
                    else ""
                )
                rating(
                    f"{literal(goal.activity)}{last}", key=f"{key}_goal_{goal.id}", help=SCORE_HELP
                )
            if st.form_submit_button("Save today's scores"):
                given = {
                    g.id: st.session_state[f"{key}_goal_{g.id}"]
                    for g in goals
                    if st.session_state.get(f"{key}_goal_{g.id}") is not None
                }
                if not given:
                    st.warning("Move at least one slider off 'Not rated' to save a score.")
                else:

                    def score_goals() -> None:
                        for goal_id, score in given.items():
                            store.score_goal(goal_id, score, scored_on=day)

                    save_and_rerun(score_goals, "Scores saved.")
    if len(goals) < MAX_GOALS:
        with st.form(f"{key}_add_goal", clear_on_submit=True):
            activity = st.text_input(
                "A new goal (an activity, e.g. 'climb the stairs at home')", max_chars=200
            )
            if st.form_submit_button("Add goal"):
                save_and_rerun(lambda: store.add_goal(patient_id, activity))
