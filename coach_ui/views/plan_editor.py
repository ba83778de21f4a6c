"""Plan editor: the physio builds a patient's plan from the exercise library, overriding
the dosage and the range-of-motion target, sets progress rules, applies the suggested
next dosage (less load after a pain flag, more when a progress rule is met), and fills in
the flare-up plan with the patient."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from coach.clinical import progress
from coach.clinical.plans import ADVICE_DAYS, dosage_text, next_dosage, spec_with_dosage
from coach.core.markdown import literal
from coach.store.prescriptions import PlanItemSpec
from coach_ui import auth, pickers, plan_form, selfcare, state
from coach_ui.flash import save_and_rerun, show_flash

REMOVE_KEY = "plan_remove_item"  # the item whose removal the page asks to confirm
state_ = st.session_state
store, library, principal = auth.open_all()
auth.require_staff_page(principal)
st.title("Plan editor")
show_flash()
patient = pickers.choose_patient(store, principal)
plan = store.current_plan(patient.id)
day = state.today()


# ---- the plan itself ----------------------------------------------------------------------------
with st.form("plan"):
    st.markdown("**New plan**" if plan is None else f"**{literal(plan.title)}**")
    title = st.text_input("Title", plan.title if plan else "Home exercise plan", max_chars=200)
    c1, c2 = st.columns(2)
    start = c1.date_input("Starts", plan.start_date if plan else day)
    end = c2.date_input("Ends (optional)", plan.end_date if plan else day + timedelta(weeks=6))
    notes = st.text_area("Notes", (plan.notes or "") if plan else "", max_chars=4000)
    telehealth = st.checkbox(
        "Telehealth sessions: share the patient's live sessions with me",
        plan.telehealth if plan else False,
        help="The Live coach's sharing switch starts on for this plan's sessions (the "
        "patient can still turn it off); you watch them on the Live sessions page.",
    )
    label = "Create the plan" if plan is None else "Save the plan"
    if st.form_submit_button(label, type="primary"):

        def save_plan() -> None:
            if plan is None:
                store.create_plan(
                    patient.id,
                    title=title,
                    start_date=start,
                    end_date=end,
                    notes=notes or None,
                    clinician_id=principal.clinician_id,
                    telehealth=telehealth,
                )
            else:
                store.update_plan(
                    plan.id,
                    title=title,
                    start_date=start,
                    end_date=end,
                    clear_end_date=end is None,
                    notes=notes,
                    telehealth=telehealth,
                )

        save_and_rerun(save_plan, "Plan saved.")
if plan is None:
    st.stop()

# ---- its exercises -------------------------------------------------------------------------------
recent = store.sessions(patient.id, date_from=day - timedelta(days=ADVICE_DAYS))
items = [i for i in plan.items if i.active]
st.subheader("Exercises")
if not items:
    st.caption("No exercises yet: add the first one below.")
for item in items:
    name = progress.exercise_name(library, item.exercise_id)
    # Keyed: the expander stays open across the run a Save causes, though its label changes.
    with st.expander(f"{name}: {dosage_text(item)}", key=f"item_{item.id}_open"):
        mine = sorted(
            (
                s
                for s in recent
                if s.plan_item_id == item.id
                or (s.plan_item_id is None and s.exercise_id == item.exercise_id)
            ),
            key=lambda s: s.started_at,
            reverse=True,
        )
        advice = next_dosage(item, mine)
        if advice.kind != "keep":
            verb = "Less load" if advice.kind == "reduce" else "Progress"
            st.info(f"{verb} suggested: {advice.dosage.text()} ({advice.reason}).")
            if st.button(f"Apply: {advice.dosage.text()}", key=f"apply_{item.id}"):
                save_and_rerun(
                    lambda i=item, d=advice.dosage: store.update_plan_item(
                        i.id, spec_with_dosage(i, d)
                    ),
                    f"{name}: now {advice.dosage.text()}.",
                )
        else:
            st.caption(f"Dosage stays: {advice.reason}.")
        if item.exercise_id not in library.ids():
            st.warning(f"'{item.exercise_id}' is no longer in the exercise library.")
            continue
        # Enter in a field does not submit: only the Save button saves.
        with st.form(f"item_{item.id}", enter_to_submit=False):
            spec = plan_form.plan_item_form(
                library.get(item.exercise_id), PlanItemSpec.from_item(item), f"item{item.id}"
            )
            if st.form_submit_button("Save") and spec is not None:
                save_and_rerun(
                    lambda i=item.id, s=spec: store.update_plan_item(i, s), f"{name} saved."
                )
        if state_.get(REMOVE_KEY) == item.id:
            st.warning(
                f"Remove {name} from the plan? The patient will no longer be asked to do it."
            )
            yes, no = st.columns(2)
            if yes.button("Yes, remove it", key=f"remove_yes_{item.id}", type="primary"):
                state_.pop(REMOVE_KEY, None)
                save_and_rerun(lambda i=item.id: store.remove_plan_item(i), f"{name} removed.")
            no.button(
                "Keep it", key=f"remove_no_{item.id}", on_click=state_.pop, args=(REMOVE_KEY, None)
            )
        elif st.button("Remove from the plan", key=f"remove_{item.id}"):
            state_[REMOVE_KEY] = item.id
            st.rerun()

st.subheader("Add an exercise")
exercise_id = st.selectbox(
    "From the library", library.ids(), key="add_exercise", format_func=lambda i: library.get(i).name
)
exercise = library.get(exercise_id)
st.caption(
    f"Library dose: {exercise.dosage.sets} sets"
    + (f" of {exercise.dosage.reps} reps" if exercise.dosage.reps else "")
    + (f" of {exercise.dosage.hold_s:g} s" if exercise.dosage.hold_s else "")
    + ". Change anything for this patient."
)
already = [i for i in items if i.exercise_id == exercise.id]
with st.form("add_item", enter_to_submit=False):
    spec = plan_form.plan_item_form(exercise, PlanItemSpec.from_exercise(exercise), "new")
    again = False
    if already:
        st.warning(
            f"{exercise.name} is already in this plan ({dosage_text(already[0])}). Add it "
            "a second time only to give it twice with different doses."
        )
        again = st.checkbox(f"Yes, add {exercise.name} a second time", key="add_again")
    if st.form_submit_button("Add to the plan", type="primary") and spec is not None:
        if already and not again:
            st.error(f"Not added: tick 'Yes, add {exercise.name} a second time' first.")
        else:
            save_and_rerun(lambda: store.add_plan_item(plan.id, spec), f"{exercise.name} added.")

# ---- the flare-up plan ---------------------------------------------------------------------------
st.subheader("Flare-up plan")
st.caption(
    "Fill it in with the patient: it is kept with this plan, shown on their Today page "
    "and printable."
)
selfcare.flare_up_editor(store, principal, plan, key="flare")
