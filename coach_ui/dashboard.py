"""Helpers for the physio's dashboard pages and the patient's "Today" page (coach_ui/pages/).

Access first: every page asks `require_principal()` (a login form in clinic mode) and
reads patient data only after `choose_patient` / `choose_session` checked the user may see
it (coach.auth.access). Chart builders are plain functions returning Altair charts from the rows
of coach.clinical.progress, testable without a browser. The store and the library are the app's
shared ones (coach_ui/resources.py); this module never writes SQL, it only calls `Store` methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import altair as alt
import pandas as pd
import streamlit as st

from coach.auth.access import (
    AccessDeniedError,
    Login,
    LoginPolicy,
    Principal,
    current_mode,
    require_patient,
    require_session,
    visible_patient_ids,
)
from coach.clinical.pain_monitoring import assess_pain
from coach.clinical.plans import todays_exercises, weekly_adherence
from coach.clinical.progress import PAIN_LIMIT, exercise_name
from coach.core.errors import CoachError
from coach.exercise.loader import ExerciseLibrary
from coach.exercise.schema import ExerciseDef
from coach.runtime.guided import SetPlan
from coach.store import Store
from coach.store.prescriptions import PlanItemSpec, ProgressRule
from coach.store.records import Patient, PlanItem, SessionRecord
from coach_ui.resources import load_library, open_store

LOGIN_KEY = "form_coach_login"
EXPIRED_KEY = "form_coach_login_expired"
PATIENT_KEY = "form_coach_patient"  # the patient last chosen, kept across pages
SESSION_KEY = "form_coach_session"
LIVE_ITEM_KEY = "form_coach_live_item"  # a plan item the Today page sends to Live coach
FLAG_DAYS = 14  # the patient list shows pain flags of the last two weeks

__all__ = ["load_library", "open_store"]


def today() -> date:
    return datetime.now().astimezone().date()


# ---- who is using the app --------------------------------------------------------------------
def current_principal() -> Principal | None:
    """The home user, the signed-in clinician or patient, or None (clinic mode, signed out
    or expired; an expired login is forgotten and the login form says so)."""
    if current_mode() == "home":
        return Principal.home()
    login: Login | None = st.session_state.get(LOGIN_KEY)
    if login is None:
        return None
    now = datetime.now(UTC)
    if login.expired(now, LoginPolicy.from_env()):
        del st.session_state[LOGIN_KEY]
        st.session_state[EXPIRED_KEY] = True
        return None
    st.session_state[LOGIN_KEY] = login.touched(now)
    return login.principal


def login_form(store: Store) -> None:
    st.title("Sign in")
    if st.session_state.pop(EXPIRED_KEY, False):
        st.warning("Your session expired. Please sign in again.")
    st.write("Form Coach runs in clinic mode here: sign in with the account your clinic "
             "gave you.")  # fmt: skip
    with st.form("login"):
        username = st.text_input("User name", max_chars=64)
        password = st.text_input("Password", type="password", max_chars=256)
        if st.form_submit_button("Sign in", type="primary"):
            principal = store.authenticate(username, password)
            if principal is None:
                st.error("That user name and password do not match an account.")
            else:
                now = datetime.now(UTC)
                st.session_state[LOGIN_KEY] = Login(principal, now, now)
                st.session_state.pop(PATIENT_KEY, None)
                st.rerun()


def require_principal(store: Store) -> Principal:
    """The user, or the login form and a stop."""
    principal = current_principal()
    if principal is None:
        login_form(store)
        st.stop()
    assert principal is not None
    return principal


def require_staff_page(principal: Principal) -> None:
    if not principal.is_staff:
        st.error("This page is for your physiotherapist.")
        st.stop()


def sign_out_button() -> None:
    login: Login | None = st.session_state.get(LOGIN_KEY)
    if login is None:
        return
    st.sidebar.caption(f"Signed in as {login.principal.name} ({login.principal.kind})")
    if st.sidebar.button("Sign out"):
        for key in (LOGIN_KEY, PATIENT_KEY, SESSION_KEY, LIVE_ITEM_KEY):
            st.session_state.pop(key, None)
        st.rerun()


def open_all() -> tuple[Store, ExerciseLibrary, Principal]:
    """The store, the library and the user, or an error message and a stop."""
    try:
        store, library = open_store(), load_library()
        principal = require_principal(store)
        if principal.kind == "home":
            store.default_patient()  # home mode's one patient, made on first start
        check_address(store, principal)
    except CoachError as exc:
        st.error(str(exc))
        st.stop()
    return store, library, principal


# ---- choosing whose data to show ------------------------------------------------------------
def _query_int(name: str) -> int | None:
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        st.error(f"'{name}' in the address must be a number, got {raw!r}")
        st.stop()
    return None


def check_address(store: Store, principal: Principal) -> None:
    """A patient or a session named in the address (`?patient=3`, `?session=12`) must be one
    this user may see, whatever the page: otherwise an error and a stop, nothing else."""
    try:
        patient_id = _query_int("patient")
        if patient_id is not None:
            require_patient(store, principal, patient_id)
        session_id = _query_int("session")
        if session_id is not None:
            owner = require_session(store, principal, session_id)
            if patient_id is not None and owner != patient_id:
                raise AccessDeniedError(f"no session {session_id} of patient {patient_id}")
            st.session_state[PATIENT_KEY] = owner  # open the session's patient
    except AccessDeniedError as exc:
        st.error(str(exc))
        st.stop()


def _follow_address(name: str, key: str, check: Callable[[int], object]) -> None:
    """`?name=ID` in the address picks that record, if `check` allows it; otherwise the
    page stops with the same message whether the record exists or not."""
    requested = _query_int(name)
    if requested is None:
        return
    try:
        check(requested)
    except AccessDeniedError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state[key] = requested


def choose_patient(store: Store, principal: Principal) -> Patient | None:
    """The patient the page is about: a patient always sees themself; staff pick one of the
    patients they may see (`?patient=ID` in the address picks one too, if allowed)."""
    _follow_address("patient", PATIENT_KEY, lambda i: require_patient(store, principal, i))
    if principal.kind == "patient":
        assert principal.patient_id is not None
        return store.get_patient(principal.patient_id)
    ids = visible_patient_ids(store, principal)
    if not ids:
        st.info("No patients yet: add one on the **Patients** page.")
        return None
    names = {p.id: p.name for p in store.list_patients()} if principal.kind == "home" else {
        p.id: p.name for p in store.list_patients(clinician_id=principal.clinician_id)}
    chosen = st.session_state.get(PATIENT_KEY)
    if chosen is None and principal.kind == "home":
        chosen = store.default_patient().id
    index = ids.index(chosen) if chosen in ids else 0
    patient_id = st.selectbox("Patient", ids, index=index,
                              format_func=lambda i: f"{names.get(i, i)} (#{i})")  # fmt: skip
    require_patient(store, principal, patient_id)
    st.session_state[PATIENT_KEY] = patient_id
    return store.get_patient(patient_id)


def choose_session(
    store: Store, principal: Principal, sessions: list[SessionRecord], library: ExerciseLibrary
) -> SessionRecord | None:
    _follow_address("session", SESSION_KEY, lambda i: require_session(store, principal, i))
    if not sessions:
        st.info("No sessions recorded for this patient yet.")
        return None
    newest_first = sorted(sessions, key=lambda s: s.started_at, reverse=True)
    ids = [s.id for s in newest_first]
    by_id = {s.id: s for s in newest_first}
    chosen = st.session_state.get(SESSION_KEY)
    session_id = st.selectbox(
        "Session", ids, index=ids.index(chosen) if chosen in ids else 0,
        format_func=lambda i: session_label(by_id[i], library),
    )  # fmt: skip
    require_session(store, principal, session_id)
    st.session_state[SESSION_KEY] = session_id
    return by_id[session_id]


def session_label(s: SessionRecord, library: ExerciseLibrary) -> str:
    local = s.started_at.astimezone()
    flag = " - pain flag" if assess_pain(s.pain_before, s.pain_during, s.pain_after).flagged else ""
    return f"{local:%d %b %Y %H:%M} {exercise_name(library, s.exercise_id)}, {s.reps} reps{flag}"


# ---- the patient list --------------------------------------------------------------------------
def pain_text(s: SessionRecord | None) -> str:
    if s is None or (s.pain_before is None and s.pain_after is None):
        return "-"
    def show(v: int | None) -> str:
        return "?" if v is None else str(v)
    return f"{show(s.pain_before)} -> {show(s.pain_after)}"


def patient_overview(
    store: Store, principal: Principal, day: date, library: ExerciseLibrary
) -> pd.DataFrame:
    """One row per patient the user may see: adherence this week, latest pain, flags."""
    rows = []
    for patient_id in visible_patient_ids(store, principal):
        patient = store.get_patient(patient_id)
        plan = store.current_plan(patient_id)
        sessions = store.sessions(patient_id, date_from=day - timedelta(days=day.weekday() + 7))
        adherence = weekly_adherence(plan, sessions, day)
        latest = sessions[-1] if sessions else None
        recent = [s for s in sessions if s.day >= day - timedelta(days=FLAG_DAYS)]
        flags = [assess_pain(s.pain_before, s.pain_during, s.pain_after) for s in recent]
        flagged = [f for f in flags if f.flagged]
        rows.append({
            "Id": patient.id, "Patient": patient.name,
            "This week": adherence.text(),
            "Adherence": None if adherence.fraction is None else round(100 * adherence.fraction),
            "Last session": latest.day if latest else None,
            "Last exercise": exercise_name(library, latest.exercise_id) if latest else "",
            "Pain before -> after": pain_text(latest),
            "Pain flags (14 days)": len(flagged),
            "Latest flag": flagged[-1].summary if flagged else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)


OVERVIEW_COLUMNS = ["Id", "Patient", "This week", "Adherence", "Last session", "Last exercise",
                    "Pain before -> after", "Pain flags (14 days)", "Latest flag"]  # fmt: skip


# ---- charts (Altair) ---------------------------------------------------------------------------
def calendar_chart(rows: list[dict]) -> alt.Chart | None:
    """Adherence calendar: weeks down, weekdays across, darker = more sessions that day."""
    if not rows:
        return None
    data = pd.DataFrame(rows)
    data["week"] = pd.to_datetime(data["week"]).dt.strftime("%d %b")
    data["day"] = pd.to_datetime(data["day"]).dt.strftime("%a %d %b")
    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return (
        alt.Chart(data)
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("weekday:O", sort=weekdays, title=None),
            y=alt.Y("week:O", sort=None, title="Week of"),
            color=alt.Color("sessions:Q", title="Sessions",
                            scale=alt.Scale(domain=[0, max(2, int(data["sessions"].max()))],
                                            scheme="greens")),
            tooltip=[alt.Tooltip("day:N", title="Day"), alt.Tooltip("sessions:Q")],
        )
        .properties(title="Sessions done per day", height=max(80, 24 * data["week"].nunique()))
    )  # fmt: skip


def normal_range_band(low: float, high: float) -> alt.Chart:
    """The normal adult range as a grey band behind a range-of-motion chart."""
    band = pd.DataFrame({"low": [low], "high": [high],
                         "what": [f"normal adult range {low:g}-{high:g}°"]})  # fmt: skip
    return alt.Chart(band).mark_rect(color="#eceff1").encode(
        y="low:Q", y2="high:Q", tooltip=alt.Tooltip("what:N", title="Band"))  # fmt: skip


def rom_chart(rows: list[dict], exercise: str) -> alt.LayerChart | None:
    """One exercise's range of motion per session, over the normal adult range (grey) and
    the target band (green: the target and beyond)."""
    mine = [r for r in rows if r["exercise"] == exercise]
    if not mine:
        return None
    data = pd.DataFrame(mine)
    first = mine[0]
    layers: list[alt.Chart] = []
    if first["normal_high"] is not None:
        layers.append(normal_range_band(first["normal_low"], first["normal_high"]))
    if first["target_deg"] is not None:
        top = first["normal_high"] if first["normal_high"] is not None else (
            first["target_deg"] + 10)
        band = pd.DataFrame({"low": [first["target_deg"]], "high": [top],
                             "what": [f"target: {first['target_deg']:g}° or more"]})
        layers.append(alt.Chart(band).mark_rect(color="#a5d6a7", opacity=0.5).encode(
            y="low:Q", y2="high:Q", tooltip=alt.Tooltip("what:N", title="Band")))
    long = data.melt(id_vars=["started_at", "session_id"], value_vars=["furthest_deg", "rom_deg"],
                     var_name="measure", value_name="deg")
    long["measure"] = long["measure"].map({"furthest_deg": "furthest reached",
                                           "rom_deg": "range of motion"})
    layers.append(alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("started_at:T", title="Session", axis=alt.Axis(format="%d %b")),
        y=alt.Y("deg:Q", title=f"{first['label']} (°)"),
        color=alt.Color("measure:N", title=None),
        tooltip=[alt.Tooltip("started_at:T", title="When", format="%d %b %H:%M"),
                 alt.Tooltip("measure:N"), alt.Tooltip("deg:Q", format=".0f", title="deg")],
    ))
    return alt.layer(*layers).properties(title=f"{exercise}: {first['label'].lower()}",
                                         height=260)  # fmt: skip


def pain_chart(rows: list[dict]) -> alt.LayerChart | None:
    if not rows:
        return None
    data = pd.DataFrame(rows)
    line = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("started_at:T", title="Session"),
        y=alt.Y("pain:Q", title="Pain (0-10 NRS)", scale=alt.Scale(domain=[0, 10])),
        color=alt.Color("when:N", title="Rated", sort=["before", "during", "after"]),
        tooltip=[alt.Tooltip("started_at:T", title="When", format="%d %b %H:%M"),
                 "exercise:N", "when:N", "pain:Q"],
    )  # fmt: skip
    limit = alt.Chart(pd.DataFrame({"y": [PAIN_LIMIT]})).mark_rule(
        strokeDash=[4, 4], color="#c62828").encode(y="y:Q")
    return alt.layer(limit, line).properties(title="Pain before and after", height=240)


def volume_chart(rows: list[dict]) -> alt.Chart | None:
    data = pd.DataFrame(rows)
    if data.empty:
        return None
    long = data.melt(id_vars=["started_at", "exercise", "session_id"], value_vars=["reps", "sets"],
                     var_name="what", value_name="count")  # fmt: skip
    return (
        alt.Chart(long).mark_bar().encode(
            x=alt.X("session_id:O", title="Session"),
            y=alt.Y("count:Q", title=None),
            color=alt.Color("exercise:N", title="Exercise"),
            row=alt.Row("what:N", title=None),
            tooltip=[alt.Tooltip("started_at:T", title="When", format="%d %b %H:%M"),
                     "exercise:N", "what:N", "count:Q"],
        ).properties(height=120, title="Reps and sets per session")
    )  # fmt: skip


def fault_chart(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    data = pd.DataFrame(rows)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("count:Q", title="Times seen"),
        y=alt.Y("fault:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
        color=alt.Color("exercise:N", title="Exercise"),
        tooltip=["exercise:N", "fault:N", "count:Q"],
    ).properties(title="Form faults by type", height=max(120, 32 * len(data)))  # fmt: skip


def goal_chart(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    data = pd.DataFrame(rows)
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("day:T", title="Scored on"),
        y=alt.Y("score:Q", title="Score (0 unable - 10 as before)",
                scale=alt.Scale(domain=[0, 10])),
        color=alt.Color("goal:N", title="Goal"),
        tooltip=["goal:N", alt.Tooltip("day:T", format="%d %b %Y"), "score:Q"],
    ).properties(title="Goals (PSFS) over time", height=240)  # fmt: skip


def rep_outline_chart(points: list[dict], faults: list[dict], label: str) -> alt.LayerChart | None:
    """The angle over the session as the stored reps tell it, with each fault as a red mark
    at the moment it was seen."""
    if not points:
        return None
    data = pd.DataFrame(points)
    layers: list[alt.Chart] = [alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("t_s:Q", title="Time in the session (s)"),
        y=alt.Y("angle_deg:Q", title=f"{label} (°)"),
        detail="rep:N",
        tooltip=["rep:N", "moment:N", alt.Tooltip("t_s:Q", format=".1f"),
                 alt.Tooltip("angle_deg:Q", format=".0f")],
    )]  # fmt: skip
    timed = [f for f in faults if f.get("t_s") is not None]
    if timed:
        layers.append(alt.Chart(pd.DataFrame(timed)).mark_rule(color="#c62828").encode(
            x="t_s:Q", tooltip=["cue:N", "severity:N", alt.Tooltip("t_s:Q", format=".1f")]))
    return alt.layer(*layers).properties(title=f"{label} over the session", height=280)


def fault_timeline_chart(faults: list[dict]) -> alt.Chart | None:
    timed = [f for f in faults if f.get("t_s") is not None]
    if not timed:
        return None
    return alt.Chart(pd.DataFrame(timed)).mark_tick(thickness=3, size=24).encode(
        x=alt.X("t_s:Q", title="Time in the session (s)"),
        y=alt.Y("cue:N", title=None),
        color=alt.Color("severity:N", scale=alt.Scale(domain=["minor", "major", "info"],
                                                      range=["#f9a825", "#c62828", "#90a4ae"])),
        tooltip=["cue:N", "severity:N", alt.Tooltip("t_s:Q", format=".1f")],
    ).properties(title="Faults on the timeline")  # fmt: skip


# ---- plans ---------------------------------------------------------------------------------------
def progress_rule_fields(item: PlanItem | None, key: str) -> ProgressRule | None:
    """The progress-rule part of a plan item form (inside an st.form)."""
    rule = ProgressRule.from_dict(item.progress_rule) if item else None
    on = st.checkbox("Progress automatically", value=rule is not None, key=f"{key}_rule_on",
                     help="Suggest more repetitions (or a longer hold) when the rule is met")
    rule = rule or ProgressRule()
    c1, c2, c3, c4 = st.columns(4)
    add_reps = c1.number_input("Add reps", 0, 20, rule.add_reps, key=f"{key}_add_reps")
    add_hold = c2.number_input("Add hold (s)", 0, 60, int(rule.add_hold_s), key=f"{key}_add_hold")
    after = c3.number_input("After sessions", 1, 10, rule.after_sessions, key=f"{key}_after")
    max_pain = c4.number_input("Pain at most", 0, 10, rule.max_pain, key=f"{key}_max_pain")
    c5, c6, c7 = st.columns(3)
    no_major = c5.checkbox("No major fault", value=rule.no_major_faults, key=f"{key}_nomajor")
    completed = c6.checkbox("All reps done", value=rule.completed, key=f"{key}_completed")
    max_reps = c7.number_input("Most reps", 1, 200, rule.max_reps, key=f"{key}_max_reps")
    if not on:
        return None
    return ProgressRule(add_reps=int(add_reps), add_hold_s=float(add_hold),
                        after_sessions=int(after), max_pain=int(max_pain),
                        no_major_faults=bool(no_major), completed=bool(completed),
                        max_reps=int(max_reps))  # fmt: skip


def plan_item_form(
    exercise: ExerciseDef, item: PlanItem | None, key: str
) -> PlanItemSpec | None:
    """Dosage and targets for one exercise (inside an st.form); None if a value is refused
    (the reason is shown)."""
    base = PlanItemSpec.from_exercise(exercise) if item is None else PlanItemSpec.from_item(item)
    c1, c2, c3, c4 = st.columns(4)
    sets = c1.number_input("Sets", 1, 20, base.sets, key=f"{key}_sets")
    if exercise.mode == "hold":
        hold = c2.number_input("Hold (s)", 1, 600, int(base.hold_s or 30), key=f"{key}_hold")
        reps = None
    else:
        reps = c2.number_input("Reps", 1, 200, int(base.reps or 10), key=f"{key}_reps")
        hold = None
    rest = c3.number_input("Rest (s)", 0, 900, int(base.rest_s), key=f"{key}_rest")
    freq = c4.number_input("Times a week", 1, 14, base.frequency_per_week, key=f"{key}_freq")
    angles = list(exercise.angles)
    angle = st.selectbox("Range-of-motion angle", angles,
                         index=angles.index(base.rom_angle) if base.rom_angle in angles else 0,
                         key=f"{key}_angle",
                         format_func=lambda a: exercise.angles[a].label or a)  # fmt: skip
    target = st.number_input("Range-of-motion target (°, 0 = none)", 0, 360,
                             int(base.rom_target_deg or 0), key=f"{key}_target")  # fmt: skip
    notes = st.text_area("Notes for the patient", base.notes or "", max_chars=2000,
                         key=f"{key}_notes")  # fmt: skip
    rule = progress_rule_fields(item, key)
    try:
        return PlanItemSpec(
            exercise_id=exercise.id, sets=int(sets), reps=None if reps is None else int(reps),
            hold_s=None if hold is None else float(hold), rest_s=float(rest),
            frequency_per_week=int(freq), rom_angle=angle if target else None,
            rom_target_deg=float(target) if target else None, notes=notes or None,
            progress_rule=rule,
        )  # fmt: skip
    except CoachError as exc:
        st.error(str(exc))
        return None


# ---- the live page's patient and plan ----------------------------------------------------------
@dataclass(frozen=True)
class LiveTarget:
    """Whose session the live page records, and the plan item it is for (if any)."""

    patient_id: int
    item: PlanItem | None


def live_target(store: Store, exercise_id: str) -> LiveTarget:
    """The patient (home: the default one; a signed-in patient: themself; a clinician: the
    patient chosen on the dashboard) and their plan's item for this exercise."""
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
        patient = choose_patient(store, principal)
        if patient is None:
            st.stop()
        assert patient is not None
        patient_id = patient.id
    require_patient(store, principal, patient_id)
    plan = store.current_plan(patient_id)
    item = None
    if plan is not None and plan.covers(today()):
        wanted = st.session_state.get(LIVE_ITEM_KEY)
        matches = [i for i in plan.items if i.active and i.exercise_id == exercise_id]
        item = next((i for i in matches if i.id == wanted), matches[0] if matches else None)
    return LiveTarget(patient_id, item)


def _sent_item(store: Store, principal: Principal) -> tuple[int, PlanItem] | None:
    """The plan item the Today page sent to the live page, with its patient, if this user
    may see that patient."""
    wanted = st.session_state.get(LIVE_ITEM_KEY)
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
    wanted = st.session_state.get(LIVE_ITEM_KEY)
    if wanted is None:
        return 0
    try:
        exercise_id = store.get_plan_item(wanted).exercise_id
    except CoachError:
        return 0
    return ids.index(exercise_id) if exercise_id in ids else 0


# What the live page's number inputs accept.
LIVE_LIMITS = {"sets": (1, 10), "reps": (1, 50), "hold_s": (5, 300), "rest_s": (0, 600)}


def _clamp(value: float, name: str) -> float:
    low, high = LIVE_LIMITS[name]
    return min(max(value, low), high)


def set_plan_for(exercise: ExerciseDef, item: PlanItem | None) -> SetPlan:
    """The live page's default plan: the physio's dosage when the plan has this exercise
    (within what the live page's inputs accept)."""
    if item is None:
        return SetPlan.from_dosage(exercise)
    sets = int(_clamp(item.sets, "sets"))
    if exercise.mode == "hold":
        hold = item.hold_s or exercise.dosage.hold_s or 30.0
        return SetPlan(sets, hold_s=_clamp(hold, "hold_s"), rest_s=_clamp(item.rest_s, "rest_s"))
    reps = item.reps or exercise.dosage.reps or 10
    return SetPlan(sets, reps=int(_clamp(reps, "reps")), rest_s=_clamp(item.rest_s, "rest_s"))


def today_items(store: Store, patient_id: int):
    plan = store.current_plan(patient_id)
    day = today()
    sessions = store.sessions(patient_id, date_from=day - timedelta(days=60))
    return plan, todays_exercises(plan, sessions, day)


# ---- exports -------------------------------------------------------------------------------------
EXPORTS_KEY = "form_coach_exports"


def export_section(
    store: Store, principal: Principal, patient: Patient, library: ExerciseLibrary
) -> None:
    """Date range, then CSV, JSON, PDF and FHIR downloads of this patient's sessions and
    assessments."""
    from coach.reports import exports, fhir
    from coach.reports import pdf as report

    st.subheader("Share and export")
    day = today()
    c1, c2 = st.columns(2)
    first = c1.date_input("From", day - timedelta(days=56), key="export_from")
    last = c2.date_input("To", day, key="export_to")
    wanted = (patient.id, first, last)
    if st.button("Prepare the exports", key="export_prepare"):
        try:
            data = exports.gather(store, principal, patient.id, date_from=first, date_to=last)
            st.session_state[EXPORTS_KEY] = (wanted, {
                "sessions.csv": (exports.sessions_csv(data), "text/csv"),
                "reps.csv": (exports.reps_csv(data), "text/csv"),
                "assessments.csv": (exports.assessments_csv(data), "text/csv"),
                "sessions.json": (exports.export_json(data, library), "application/json"),
                "report.pdf": (report.progress_report_pdf(data, library), "application/pdf"),
                "fhir-bundle.json": (fhir.fhir_json(data, library), "application/fhir+json"),
            })  # fmt: skip
        except CoachError as exc:
            st.error(str(exc))
    prepared = st.session_state.get(EXPORTS_KEY)
    if prepared is None or prepared[0] != wanted:
        st.caption("CSV and JSON of the sessions, reps and assessments, a PDF progress "
                   "report for the referring clinician, and a FHIR R4 Bundle of "
                   "Observations.")  # fmt: skip
        return
    stem = f"form-coach-patient{patient.id}-{first:%Y%m%d}-{last:%Y%m%d}"
    columns = st.columns(len(prepared[1]))
    for column, (name, (data, mime)) in zip(columns, prepared[1].items(), strict=True):
        column.download_button(name, data, file_name=f"{stem}-{name}", mime=mime,
                               key=f"download_{name}")  # fmt: skip


FLASH_KEY = "form_coach_flash"


FlashKind = Literal["success", "info", "error"]


def flash(message: str, kind: FlashKind = "success") -> None:
    """A message that survives the rerun after a change (or is set in a widget's callback,
    before the run that shows it)."""
    st.session_state[FLASH_KEY] = (kind, message)


def show_flash() -> None:
    flashed: tuple[FlashKind, str] | None = st.session_state.pop(FLASH_KEY, None)
    if flashed:
        kind, message = flashed
        {"success": st.success, "info": st.info, "error": st.error}[kind](message)
