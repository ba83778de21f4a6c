"""Posture check at the desk: the laptop webcam watches head, shoulders and lean, says what
to change in plain words, and (if switched on) nudges gently after a long spell of poor
posture or of sitting. Only the summary is kept, never a frame.

Wiring only, as on the Live coach page: the frame callback calls only
`LivePostureCheck.process_frames` on the webrtc worker thread; the panel reads snapshots in
a fragment. Each browser session has its own check, for one patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st

from coach.core.errors import CoachError
from coach.posture.live import LivePostureCheck, finding_lines, posture_headline
from coach.posture.measures import CameraModel, distance_is_plausible
from coach.posture.monitor import PostureMonitor
from coach_ui import auth, camera, pickers, selfcare
from coach_ui.flash import flash, show_flash
from coach_ui.live_stream import end_streams

SITTING_KEY = "posture_sitting"
SHOWN_KEY = "posture_nudges_shown"
SAVED_KEY = "posture_last_saved"  # stays on the page: the new check's camera reruns it


@dataclass
class PostureSitting:
    """One posture check on this page: the live check, whose it is, when it began."""

    check: LivePostureCheck
    patient_id: int
    started_at: datetime  # when the page made it (the stream may start later)

    def close(self) -> None:
        """End the browser's landmark stream and release the pose model (called when the
        session state is forgotten, and when the page drops the check)."""
        end_streams(self.check)
        self.check.close()


state = st.session_state
store, library, principal = auth.open_all()
st.title("Posture check")
if state.get(SAVED_KEY):
    st.success(state[SAVED_KEY])
patient = pickers.choose_patient(store, principal)

st.write(
    "Sit at your desk as you usually do, with the laptop's camera seeing your face and "
    "shoulders. Allow the camera (on the server path, press **Start** under the video), "
    "then **Calibrate** while you sit comfortably upright: the check compares you with "
    "your own upright posture."
)

with st.expander("Camera and what the distance assumes"):
    fov = st.slider(
        "The camera's horizontal field of view (degrees)",
        50,
        90,
        65,
        key="posture_fov",
        help="Most laptop webcams: 55-75 degrees.",
    )
    st.caption(
        "The screen distance comes from the size of your face in the image: it assumes "
        "eyes about 63 mm apart (the adult average) and this field of view, so treat it "
        "as a guide (about 10-15% either way). A new field of view applies from the "
        "next check."
    )

sitting: PostureSitting | None = state.get(SITTING_KEY)
if sitting is None or sitting.patient_id != patient.id:
    if sitting is not None:  # another patient chosen: the old check's stream ends
        sitting.close()
    monitor = PostureMonitor(camera=CameraModel(horizontal_fov_deg=float(fov)))
    sitting = PostureSitting(LivePostureCheck(monitor), patient.id, datetime.now(UTC))
    state[SITTING_KEY], state[SHOWN_KEY] = sitting, 0
check = sitting.check


async def frames_callback(frames: list) -> list:
    """Runs on the webrtc worker thread: no st.* here, only this session's check."""
    return check.process_frames(frames)


video_col, panel_col = st.columns([3, 2])
with video_col:
    camera.live_camera(
        f"posture-{patient.id}-{sitting.started_at.timestamp():.0f}",
        check,
        patient_id=patient.id,
        frames_callback=frames_callback,
        mirror=False,
    )
    st.caption(
        "Nothing you do here is recorded except the summary when you press "
        "**Finish and save**: no picture, no video."
    )


@st.fragment(run_every=1.0)
def posture_panel() -> None:
    snapshot = check.snapshot()
    for nudge in snapshot.nudges[state.get(SHOWN_KEY, 0) :]:
        st.toast(nudge.text, icon=":material/self_improvement:")
    state[SHOWN_KEY] = len(snapshot.nudges)
    current = snapshot.state
    if current is None:
        camera.show_waiting()
        return
    headline = posture_headline(current)
    if current.calibrating:
        st.progress(current.calibration_progress, text=headline)
        return
    if current.turned_away or not current.present:
        st.warning(headline)
        return
    if not current.poor:
        st.success(headline)
    if current.calibrated:
        st.caption("Compared with your own upright posture (calibrated).")
    for poor, line in finding_lines(current):  # poor posture as a warning, the rest as advice
        (st.warning if poor else st.info)(line)
    left, right = st.columns(2)
    if current.measures is not None:
        readable = distance_is_plausible(current.measures)
        left.metric(
            "From the screen",
            f"{100 * current.measures.screen_distance_m:.0f} cm" if readable else "not read",
            help="Aim for about arm's length, 50-75 cm."
            if readable
            else "Too near or too far from the camera to read: sit at arm's length from it.",
        )
    right.metric("Sitting for", f"{snapshot.sitting_s / 60:.0f} min")
    if snapshot.nudges:
        st.caption(f"Last reminder: {snapshot.nudges[-1].text}")


with panel_col:
    reminders = st.toggle(
        "Gentle reminders",
        key="posture_reminders",
        help="A nudge after about 2 minutes of poor posture or 40 minutes of sitting, "
        "at most one every 10 minutes.",
    )
    check.set_reminders(reminders)
    if st.button("Calibrate: I am sitting comfortably upright"):
        check.calibrate()
    posture_panel()


def finish_and_save(check: LivePostureCheck, sitting: PostureSitting) -> None:
    """The Finish button's callback. It runs before the page's next run, so that run shows
    the saved summary and a fresh check. (Not st.rerun() after saving: a tick of the panel's
    timed fragment arriving at that moment turns Streamlit's pending full rerun into a
    panel-only one, and the page would go on showing the old check.)"""
    summary = check.summary()
    if not summary["observed_s"]:
        flash("Nothing to save yet: start the camera and sit in view first.", "info")
        return
    # The check ran for the frames' time, which may have begun well after the page opened:
    # date it back from now by that time.
    ended = datetime.now(UTC)
    ran = timedelta(seconds=summary["observed_s"] + summary["away_s"])
    started = max(sitting.started_at, ended - ran)
    try:
        store.add_posture_check(
            sitting.patient_id, started_at=started, ended_at=ended, summary=summary
        )
    except CoachError as exc:
        flash(str(exc), "error")
        return
    sitting.close()
    del state[SITTING_KEY]
    minutes = summary["observed_s"] / 60
    state[SAVED_KEY] = (
        f"Posture check saved: {minutes:.0f} min in view, good posture "
        f"{100 * (summary['good_fraction'] or 0):.0f}% of the time."
    )


st.button(
    "Finish and save the summary", type="primary", on_click=finish_and_save, args=(check, sitting)
)
show_flash()  # what the Finish button had to say, under it

st.subheader("Earlier checks")
rows = selfcare.posture_rows(store.posture_checks(patient.id))
if rows:
    st.dataframe(rows, hide_index=True)
else:
    st.caption("No posture checks saved yet.")
