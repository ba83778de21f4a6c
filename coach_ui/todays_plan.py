"""The patient's plan for today: the Today page's list, and the plan item the Today page
sends to the Live coach page (whose session it records; its dosage there is
coach.clinical.plans.set_plan_for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import streamlit as st

from coach.auth.access import Principal, require_patient
from coach.clinical.plans import ADVICE_DAYS, TodayItem, todays_exercises
from coach.core.errors import CoachError
from coach.store import Store
from coach.store.records import Plan, PlanItem
from coach_ui import state
from coach_ui.auth import require_principal
from coach_ui.pickers import choose_patient


@dataclass(frozen=True)
class LiveTarget:
    """Whose session the live page records, and the plan item it is for (if any)."""

    patient_id: int
    item: PlanItem | None


def live_target(store: Store, exercise_id: str) -> LiveTarget:
    """The patient (home: the default one; a signed-in patient: themself; a clinician: the
    patient chosen on the physio's pages) and their plan's item for this exercise."""
    principal = require_principal(store)
    sent = _sent_item(store, principal)
    if sent is not None:
        patient_id = sent[0]
    elif principal.kind == "home":
        patient_id = store.default_patient().id
    elif principal.kind == "patient":
        assert principal.patient_id is not None
        patient_id = principal.patient_id
    else:
        patient_id = choose_patient(store, principal).id
    require_patient(store, principal, patient_id)
    plan = store.current_plan(patient_id)
    item = None
    if plan is not None and plan.covers(state.today()):
        wanted = st.session_state.get(state.LIVE_ITEM_KEY)
        matches = [i for i in plan.items if i.active and i.exercise_id == exercise_id]
        item = next((i for i in matches if i.id == wanted), matches[0] if matches else None)
    return LiveTarget(patient_id, item)


def _sent_item(store: Store, principal: Principal) -> tuple[int, PlanItem] | None:
    """The plan item the Today page sent to the live page, with its patient, if this user
    may see that patient."""
    wanted = st.session_state.get(state.LIVE_ITEM_KEY)
    if wanted is None:
        return None
    try:
        item = store.get_plan_item(wanted)
        patient_id = store.plan_item_patient_id(wanted)
        if patient_id is None:
            return None
        require_patient(store, principal, patient_id)
    except CoachError:
        return None
    return patient_id, item


def live_plan_exercise(store: Store, ids: list[str]) -> int:
    """The index in `ids` of the exercise the Today page sent over (0 otherwise)."""
    wanted = st.session_state.get(state.LIVE_ITEM_KEY)
    if wanted is None:
        return 0
    try:
        exercise_id = store.get_plan_item(wanted).exercise_id
    except CoachError:
        return 0
    return ids.index(exercise_id) if exercise_id in ids else 0


def today_items(store: Store, patient_id: int) -> tuple[Plan | None, list[TodayItem]]:
    """The patient's current plan and its exercises for today, each with its status and advice."""
    plan = store.current_plan(patient_id)
    day = state.today()
    sessions = store.sessions(patient_id, date_from=day - timedelta(days=ADVICE_DAYS))
    return plan, todays_exercises(plan, sessions, day)
