"""Live sessions (telehealth): the physiotherapist's patients exercising now with sharing
on, and one of them watched as a moving skeleton with the coach's read-out; a message to
the patient, this session's target changed, notes saved on the session.

Wiring only: who is sharing comes from the store (any app process); the frames come over
the watch socket (coach_ui/watch_socket.py) straight to the component, not through this
script; the actions are coach.clinical.telehealth and the session comments.
"""

from __future__ import annotations

import logging

import streamlit as st

from coach.auth.access import AccessDeniedError
from coach.clinical.telehealth import NotSharedError, change_target, check_watcher, send_message
from coach.core.errors import CoachError
from coach.core.landmarks import SKELETON_EDGES
from coach.reports import review
from coach.runtime.guided import SET_PLAN_LIMITS
from coach_ui import auth
from coach_ui.flash import flash, show_flash
from coach_ui.rooms import WATCH_KEY, Watch, current_watch, end_watch, room_bus, watch_token
from coach_ui.watch_view import live_watch

log = logging.getLogger("coach_ui.live_sessions")
WATCHING_KEY = "live_watching"  # the session id opened on this page

state = st.session_state
store, library, principal = auth.open_all()
auth.require_staff_page(principal)
st.title("Live sessions")
show_flash()


def stop_watching() -> None:
    watch = current_watch()
    if watch is not None:
        end_watch(watch)
    state.pop(WATCH_KEY, None)
    state.pop(WATCHING_KEY, None)


def open_session(session_id: int) -> None:
    state[WATCHING_KEY] = session_id


requested = st.query_params.get("watch")
if requested is not None and requested.isdigit():
    state[WATCHING_KEY] = int(requested)

watching: int | None = state.get(WATCHING_KEY)
if watching is None:
    clinician_id = principal.clinician_id if principal.kind == "clinician" else None
    if principal.kind == "clinician" and clinician_id is None:
        shared = []
    else:
        shared = store.shared_live_sessions(clinician_id=clinician_id)
    if not shared:
        st.info(
            "None of your patients is exercising with sharing on right now. When one turns "
            "on **Share this session with my physiotherapist** on the Live coach (or their "
            "plan is a telehealth plan), they appear here."
        )
        st.button("Refresh")
        st.stop()
    st.caption("Your patients exercising now with sharing on.")
    for item in shared:
        name = library.get(item.exercise_id).name if item.exercise_id in library.ids() else ""
        st.button(
            f"Watch {item.patient_name}: {name or item.exercise_id}, "
            f"sharing since {item.shared_since:%H:%M}",
            key=f"watch_{item.session_id}",
            on_click=open_session,
            args=(item.session_id,),
        )
    st.button("Refresh")
    st.stop()

try:
    patient_id = check_watcher(store, principal, watching)
except AccessDeniedError as exc:
    # The same refusal as for a session this user cannot see; the attempt is logged.
    log.warning(
        "refused %s %r watching session %s: %s", principal.kind, principal.name, watching, exc
    )
    state.pop(WATCHING_KEY, None)
    st.error(str(exc))
    st.stop()
except NotSharedError as exc:
    state.pop(WATCHING_KEY, None)
    st.warning(f"{exc}.")
    st.button("Back to the list")
    st.stop()

watch = current_watch()
if watch is None or watch.session_id != watching or watch.principal != principal:
    if watch is not None:
        end_watch(watch)
    watch = state[WATCH_KEY] = Watch(watching, patient_id, principal)

patient = store.find_patient(patient_id)
record = store.session(watching)
exercise = library.get(record.exercise_id) if record.exercise_id in library.ids() else None
st.subheader(f"{patient.name if patient else 'Patient'}: {exercise.name if exercise else ''}")
live_watch(
    token=watch_token(watch),
    edges=[list(edge) for edge in SKELETON_EDGES],
    joints=sorted({i for edge in SKELETON_EDGES for i in edge}),
    key=f"live-watch-{watching}",
)
st.button("Stop watching", on_click=stop_watching)

message_col, target_col = st.columns(2)
with message_col, st.form("live_message", clear_on_submit=True):
    words = st.text_input("Message to the patient (shown and spoken)", max_chars=200)
    if st.form_submit_button("Send"):
        try:
            send_message(store, room_bus(), principal, watching, words)
        except CoachError as exc:
            st.error(str(exc))
        else:
            st.success("Sent.")

changes = store.target_changes(watching)
# What the session counts to now: the last change of each, else the plan it started with.
planned = next((c.target_reps for c in reversed(changes) if c.target_reps), record.planned_reps)
planned_hold = next(
    (c.target_hold_s for c in reversed(changes) if c.target_hold_s), record.planned_hold_s
)
with target_col, st.form("live_target"):
    if planned_hold is not None:  # a hold exercise: seconds per hold, no reps or range
        low, high = SET_PLAN_LIMITS["hold_s"]
        hold = st.number_input(
            "Target hold time per set, seconds (from the next hold)",
            min_value=float(low),
            max_value=float(high),
            value=float(planned_hold),
            step=1.0,
        )
        reps, rom = None, None
    else:
        hold = None
        reps = st.number_input(
            "Target repetitions per set (from the next rep)",
            min_value=1,
            max_value=200,
            value=int(planned) if planned else 10,
            disabled=planned is None,
        )
        rom = st.number_input(
            "Range-of-motion target, degrees (empty: unchanged)",
            min_value=0.0,
            max_value=360.0,
            value=None,
            step=1.0,
        )
    if st.form_submit_button("Change this session's target"):
        new_reps = (
            int(reps) if reps is not None and planned is not None and int(reps) != planned else None
        )
        new_hold = float(hold) if hold is not None and float(hold) != planned_hold else None
        try:
            change_target(
                store,
                room_bus(),
                principal,
                watching,
                reps=new_reps,
                rom_target_deg=rom,
                hold_s=new_hold,
            )
        except CoachError as exc:
            st.error(str(exc))
        else:
            flash("Target changed: it applies from the patient's next repetition or hold.")
            st.rerun()

if changes:
    st.caption(
        "Changed this session: "
        + "; ".join(
            " and ".join(
                part
                for part in (
                    f"{c.target_reps} reps" if c.target_reps is not None else "",
                    f"{c.rom_target_deg:g}° target" if c.rom_target_deg is not None else "",
                    f"{c.target_hold_s:g} s hold" if c.target_hold_s is not None else "",
                )
                if part
            )
            + f" by {c.author} at {c.created_at:%H:%M}"
            for c in changes
        )
    )

with st.form("live_notes", clear_on_submit=True):
    notes = st.text_area("Notes on this session", max_chars=2000)
    if st.form_submit_button("Save the notes"):
        try:
            review.add_comment(store, principal, watching, notes)
        except CoachError as exc:
            st.error(str(exc))
        else:
            st.success("Notes saved on the session.")
