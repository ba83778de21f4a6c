"""Live coaching with the webcam: positioning, guided sets, cues shown and spoken.

Wiring only. The frame callback runs on streamlit-webrtc's worker thread and calls only
`LiveCoach.process_frames`; this page reads `LiveCoach.snapshot()` on its own thread in a
fragment that refreshes twice a second. Each browser session has its own LiveCoach (in
`st.session_state`), so two patients never see each other's counts.
"""

from __future__ import annotations

import streamlit as st

from coach.auth.access import AccessDeniedError, require_session
from coach.clinical.plans import set_plan_for
from coach.core.errors import CoachError
from coach.runtime.guided import SET_PLAN_LIMITS, SetPlan, Stage
from coach.runtime.live import LiveCoach
from coach_ui import auth, camera, coaching, pickers, ratings, resources, selfcare, todays_plan
from coach_ui.flash import flash, show_flash
from coach_ui.live_session import LiveSession
from coach_ui.state import LIVE_ITEM_KEY

state = st.session_state
PAIN_BEFORE_KEY, PAIN_AFTER_KEY, EFFORT_KEY = "pain_before", "finish_pain_after", "finish_effort"
# Which question the page asks after Finish or Discard: "empty" (nothing was counted: keep
# it?) or "discard" (are you sure?).
CONFIRM_KEY = "live_confirm"
SHARE_KEY = "live_share"
SHARE_LABEL = "Share this session with my physiotherapist"
WATCHING = "Your physiotherapist is watching"
library = resources.or_stop(resources.load_library)
store = resources.or_stop(resources.open_store)

principal = auth.require_principal(store)
pickers.check_address(store, principal)  # ?patient= and ?session= only if allowed
st.title("Live coach")
live: LiveSession | None = state.get("live_session")
if live is not None:  # a session held here must be one this user may record into
    try:
        require_session(store, principal, live.session_id)
    except AccessDeniedError:
        live.close()
        del state.live_session
        live = None

# ---- 1. before the session: exercise, plan, pain --------------------------------------
if live is None:
    show_flash()  # "Session discarded."
    st.write(
        "Pick your exercise, check the plan, rate your pain, then start. The coach counts "
        "your repetitions and tells you, one tip at a time, how to do them well."
    )
    ids = library.ids()
    exercise_id = st.selectbox(
        "Exercise",
        ids,
        index=todays_plan.live_plan_exercise(store, ids),
        key="live_exercise",
        format_func=lambda i: library.get(i).name,
    )
    exercise = library.get(exercise_id)
    target = todays_plan.live_target(store, exercise.id)  # whose session, and their plan's item
    with st.expander(f"How to do the {exercise.name.lower()} and where to put the camera"):
        st.markdown("\n".join(f"- {step}" for step in exercise.instructions))
    default = set_plan_for(exercise, target.item)
    if target.item is not None:
        st.caption("Sets and repetitions from your physiotherapist's plan.")
    prescription = coaching.choose_range(store, exercise, target)
    sets_col, amount_col, rest_col = st.columns(3)
    limits = SET_PLAN_LIMITS
    sets = sets_col.number_input("Sets", *limits["sets"], default.sets, key=f"sets_{exercise_id}")
    if exercise.mode == "hold":
        amount = amount_col.number_input(
            "Hold (seconds)",
            *limits["hold_s"],
            int(default.hold_s or 30),
            key=f"hold_{exercise_id}",
        )
    else:
        amount = amount_col.number_input(
            "Repetitions per set", *limits["reps"], default.reps or 10, key=f"reps_{exercise_id}"
        )
    rest = rest_col.number_input("Rest between sets (s)", *limits["rest_s"], int(default.rest_s))
    ratings.rating(
        "How much pain do you have right now?", key=PAIN_BEFORE_KEY, help=coaching.PAIN_HELP
    )
    if st.button("Start session", type="primary"):
        plan = (
            SetPlan(int(sets), hold_s=float(amount), rest_s=float(rest))
            if exercise.mode == "hold"
            else SetPlan(int(sets), reps=int(amount), rest_s=float(rest))
        )
        try:
            session_id = store.start_session(
                exercise.id,
                pain_before=state[PAIN_BEFORE_KEY],
                planned_sets=plan.sets,
                planned_reps=plan.reps,
                planned_hold_s=plan.hold_s,
                patient_id=target.patient_id,
                plan_item_id=target.item.id if target.item is not None else None,
            )
        except CoachError as exc:
            st.error(str(exc))
            st.stop()
        coach = LiveCoach(
            exercise,
            plan,
            recorder=coaching.StoreRecorder(store, session_id),
            stats_path=coaching.live_stats_path(),
            prescription=prescription,
        )
        live = state.live_session = LiveSession(coach, session_id, exercise.id, store)
        state.pop(LIVE_ITEM_KEY, None)
        plan_record = store.current_plan(target.patient_id) if target.patient_id else None
        if plan_record is not None and plan_record.telehealth:  # the plan says: shared
            try:
                live.share(True, pain=state[PAIN_BEFORE_KEY])
            except CoachError as exc:
                flash(f"The session could not be shared: {exc}", "error")
        st.rerun()
    st.stop()

exercise = library.get(live.exercise_id)

# ---- 3. after the session: pain, effort, summary ----------------------------------------
if live.finished:
    coaching.show_session_summary(store, live.session_id, exercise)
    owner = store.session_patient_id(live.session_id)
    if owner is not None:  # after the first session or a painful one: a lesson to read
        selfcare.show_suggested_lessons(store, owner, key="live")
    if st.button("Start another session"):
        live.close()
        del state.live_session
        st.rerun()
    st.stop()


# ---- 2. the session: camera and coaching --------------------------------------------------
async def frames_callback(frames: list) -> list:
    """Runs on the webrtc worker thread: no st.* here, only the session's own coach."""
    return live_coach.process_frames(frames)


live_coach = live.coach
st.caption(
    f"{exercise.name}: allow the camera (on the server path, press **Start** below the "
    "video first). Stand where the whole body the exercise needs is in view."
)
video_col, panel_col = st.columns([3, 2])
with video_col:
    place = camera.live_camera(
        f"live-{live.session_id}",
        live_coach,
        patient_id=store.session_patient_id(live.session_id),
        frames_callback=frames_callback,
        mirror=live_coach.mirror_display,
        speak=not state.get("muted", False),
    )
    st.caption(
        "No picture? Allow the camera in your browser's address bar, or use "
        "**Analyse a video** to try the coach without a webcam."
    )


@st.fragment(run_every=0.5)
def coaching_panel() -> None:
    snapshot = live_coach.snapshot()
    coaching.show_live_panel(snapshot, exercise, live_coach.plan)
    if place == "server":  # on the device, the camera component speaks them itself
        muted = state.get("muted", False)
        coaching.speaker(coaching.to_speak(snapshot), muted=muted, key="speaker")
    if snapshot.guided is not None and snapshot.guided.stage is Stage.DONE:
        st.success("All sets done. Rate your pain and effort below to finish.")
    watch = snapshot.watch
    if watch is not None and watch.watched:
        st.info(WATCHING, icon=":material/visibility:")
    if watch is not None and watch.message is not None:  # and spoken (`to_speak`)
        st.info(f"From your physiotherapist: {watch.message}", icon=":material/chat:")


def change_sharing(live: LiveSession) -> None:
    """The sharing switch's callback: the store and the stream follow it at once."""
    try:
        live.share(bool(state[SHARE_KEY]), pain=live.store.session(live.session_id).pain_before)
    except CoachError as exc:
        state[SHARE_KEY] = live.coach.shared
        flash(f"Sharing could not be changed: {exc}", "error")


with panel_col:
    coaching_panel()
    st.toggle("Mute the voice", key="muted")
    if principal.kind == "patient":  # a home install has no physio watching from elsewhere
        state[SHARE_KEY] = live.coach.shared  # the switch shows what is so
        st.toggle(
            SHARE_LABEL,
            key=SHARE_KEY,
            on_change=change_sharing,
            args=(live,),
            help="Your physiotherapist sees your movement as a moving skeleton, your count "
            "and the coach's tips while you exercise: no video is sent. Turn it off at any "
            "time; it stops at once.",
        )


def counted(live: LiveSession) -> bool:
    """Whether anything was done: a rep or a second held, saved or in the set under way."""
    snapshot, summary = live.coach.snapshot(), store.summary(live.session_id)
    held_now = snapshot.guided.held_total_s if snapshot.guided is not None else 0.0
    return bool(summary.reps or summary.held_s or snapshot.reps or held_now)


def finish_session(live: LiveSession, *, keep_empty: bool = False) -> None:
    """The Finish form's callback: it runs before the page's next run, so that run shows
    the summary. (Not st.rerun() after saving: a tick of the panel's timed fragment at that
    moment turns Streamlit's pending full rerun into a panel-only one.) A session in which
    nothing was counted is kept only when the patient says so (`keep_empty`): otherwise
    the page asks first."""
    if not (keep_empty or counted(live)):
        state[CONFIRM_KEY] = "empty"
        return
    lost = live.stop_counting()  # the set in progress saved with what it holds
    if lost:
        flash(live.coach.snapshot().error or f"{lost} repetitions could not be saved", "error")
    result = live.coach.snapshot().result
    try:
        store.finish_session(
            live.session_id,
            pain_after=state.get(PAIN_AFTER_KEY),
            effort_borg=state.get(EFFORT_KEY),
            view=result.view if result else None,
        )
    except CoachError as exc:
        flash(str(exc), "error")
    else:
        state.pop(CONFIRM_KEY, None)
        live.finished = True


def discard_session(live: LiveSession) -> None:
    """Delete the session from the record (confirmed), and go back to the start."""
    live.stop_counting()  # first: no browser frame may write into the session deleted
    try:
        store.discard_session(live.session_id)
    except CoachError as exc:
        flash(str(exc), "error")
        return
    live.close()  # the pose model released; the session is gone, so nothing is ended
    for key in (CONFIRM_KEY, "live_session"):
        state.pop(key, None)
    flash("Session discarded: nothing from it is kept in your record.", "info")


def ask(key: str, value: str | None) -> None:
    state[key] = value


with st.form("finish"):
    st.markdown("**When you have finished**")
    ratings.rating("How much pain do you have now?", key=PAIN_AFTER_KEY, help=coaching.PAIN_HELP)
    ratings.rating(
        coaching.EFFORT_QUESTION,
        coaching.EFFORT_SCALE,
        key=EFFORT_KEY,
        help="0 is no effort at all, 10 the most you could possibly do.",
    )
    st.form_submit_button("Finish and see my summary", on_click=finish_session, args=(live,))

question = state.get(CONFIRM_KEY)
if question == "empty":
    st.warning(
        "No repetitions or hold time were counted in this session. Discard it, or keep it "
        "in your record as a session with nothing done?"
    )
    discard_col, keep_col, back_col = st.columns(3)
    discard_col.button(
        "Discard this session", type="primary", on_click=discard_session, args=(live,)
    )
    keep_col.button(
        "Keep it in my record",
        on_click=finish_session,
        args=(live,),
        kwargs={"keep_empty": True},
    )
    back_col.button("Carry on exercising", on_click=ask, args=(CONFIRM_KEY, None))
elif question == "discard":
    reps_so_far = store.summary(live.session_id).reps
    st.warning(
        f"Discard this session? Its {reps_so_far} repetitions and ratings will be deleted "
        "from your record. This cannot be undone."
    )
    yes_col, no_col = st.columns(2)
    yes_col.button("Yes, discard it", type="primary", on_click=discard_session, args=(live,))
    no_col.button("No, keep it", on_click=ask, args=(CONFIRM_KEY, None))
else:
    st.button("Discard this session", on_click=ask, args=(CONFIRM_KEY, "discard"))
show_flash()  # a failed save, under the form
