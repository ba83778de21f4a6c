"""Today: the physiotherapist's new comments; the exercises of the patient's plan for today,
ticked off when done, with the physio's dosage and, after a painful session, the advice to
take it easier; then the self-management blocks: goals due for rating, suggested lessons,
the flare-up plan; and the switch for keeping the patient's movement."""

from __future__ import annotations

import streamlit as st

from coach.clinical import progress
from coach.clinical.plans import dosage_text, range_text
from coach.core.markdown import literal
from coach_ui import auth, patient_review, pickers, selfcare, state, todays_plan
from coach_ui.flash import save_and_rerun, show_flash

store, library, principal = auth.open_all()
st.title("Today")
show_flash()
patient = pickers.choose_patient(store, principal)
plan, items = todays_plan.today_items(store, patient.id)
STATUS = {
    "done": ":green[:material/check_circle:] Done today",
    "complete": ":green[:material/check_circle:] Done for this week",
    "due": ":orange[:material/radio_button_unchecked:] To do today",
    "optional": ":blue[:material/bedtime:] Optional today (a rest day is fine)",
}


def exercises_today() -> None:
    """The plan's exercises for today, each ticked off or with its buttons."""
    if plan is None or not items:
        st.info(
            "There is no exercise plan for today. Your physiotherapist sets one up on the "
            "**Plan editor** page; meanwhile, any exercise works on **Live coach**."
        )
        return
    done = sum(t.ticked for t in items)
    st.progress(done / len(items), text=f"{done} of {len(items)} done")
    for entry in items:
        item = entry.item
        name = progress.exercise_name(library, item.exercise_id)
        with st.container(border=True):
            st.markdown(
                f"**{name}**: {dosage_text(item)}  \n{STATUS[entry.status]}, "
                f"{entry.done_this_week} of {item.frequency_per_week} "
                "this week"
            )
            if item.exercise_id in library:
                your_range = range_text(library.get(item.exercise_id), item)
                if your_range:
                    st.caption(f"Your range: {your_range}. The coach counts to it.")
            if item.notes:
                st.caption(literal(item.notes))
            if entry.advice.kind == "reduce":
                st.warning(
                    f"Last time your pain went up ({entry.advice.reason}). Take it "
                    f"easier today: {entry.advice.dosage.text()}, and tell your "
                    "physiotherapist."
                )
            elif entry.advice.kind == "progress" and principal.is_staff:
                st.info(
                    f"Ready to progress: {entry.advice.dosage.text()} "
                    f"({entry.advice.reason}). Apply it on the Plan editor page."
                )
            if entry.ticked:
                continue
            go, by_hand = st.columns(2)
            if go.button("Start with the coach", key=f"go_{item.id}", type="primary"):
                st.session_state[state.LIVE_ITEM_KEY] = item.id
                st.switch_page("views/live.py")
            if by_hand.button("Done without the camera", key=f"hand_{item.id}"):
                save_and_rerun(
                    lambda i=item.id: store.log_session_done_by_hand(i),
                    f"{name} ticked off for today.",
                )


patient_review.show_new_comments(store, principal, patient.id, library)
exercises_today()
selfcare.show_goal_reminder(store, patient.id, key="today")
selfcare.show_suggested_lessons(store, patient.id, key="today")
if plan is not None:
    with st.expander("My flare-up plan", icon=":material/healing:"):
        selfcare.show_flare_up(store, principal, patient.id, key="today_flare")
patient_review.show_movement_privacy(store, principal, patient.id)
