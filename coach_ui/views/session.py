"""One session: pain and effort, the clinician's comments, each repetition, each set
replayed as a moving skeleton beside its angle (and re-scored under another prescription),
the angle over the session as the stored reps tell it, and the faults on the timeline."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coach.clinical import progress
from coach.clinical.pain_monitoring import assess_pain
from coach_ui import auth, charts, overview, pickers, session_review

store, library, principal = auth.open_all()
st.title("Session")
patient = pickers.choose_patient(store, principal)
session = pickers.choose_session(store, principal, store.sessions(patient.id), library)
if session is None:
    st.stop()

name = progress.exercise_name(library, session.exercise_id)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Repetitions", session.reps, help=f"{session.partial_reps} partial")
c2.metric("Sets", session.sets_done)
c3.metric("Pain before -> after", overview.pain_text(session))
c4.metric("Effort (0-10)", "-" if session.effort_borg is None else f"{session.effort_borg:g}")
details = [f"{name}", f"{session.started_at.astimezone():%A %d %b %Y, %H:%M}"]
if session.view:
    details.append(f"camera view: {session.view}")
if session.planned_reps:
    details.append(f"planned {session.planned_sets} x {session.planned_reps} reps")
elif session.planned_hold_s:
    details.append(f"planned {session.planned_sets} x {session.planned_hold_s:g} s hold")
if session.source == "manual":
    details.append("ticked off by hand (no camera)")
if session.unfinished:
    details.append("ended without finishing (left before Finish: no ratings at the end)")
st.caption(" · ".join(details))
if session.notes:
    st.text(session.notes)
pain = assess_pain(session.pain_before, session.pain_during, session.pain_after)
if pain.flagged:
    st.warning(f"Pain flag: {pain.summary}. {pain.suggestion}")

reps = store.reps(session.id)
faults = store.fault_events(session.id)
session_review.show_comments(store, principal, session, reps)
if not reps:
    st.info("No repetitions were recorded in this session.")
    st.stop()

st.subheader("Each repetition")
angle = progress.main_angle(library, session.exercise_id, store.current_plan(patient.id))
label = progress.angle_label(library, session.exercise_id, angle) if angle else "Angle"
rows = []
for rep in reps:
    stats = rep.angles.get(angle) if angle else None
    rows.append(
        {
            "Set": rep.set_index,
            "Rep": rep.rep_index,
            "Side": rep.side,
            "Start (s)": round(rep.start_s, 1),
            "Duration (s)": round(rep.duration_s, 1),
            "Partial": rep.partial,
            "Least (°)": stats.min_deg if stats else None,
            "Peak (°)": (stats.peak_deg if stats.peak_deg is not None else stats.max_deg)
            if stats
            else None,
            "Range (°)": stats.rom_deg if stats else None,
            "Faults": "; ".join(dict.fromkeys(str(f.get("cue")) for f in rep.faults)) or "-",
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True)
if angle:
    st.caption(f"Least, peak and range: {label.lower()} in each repetition, in degrees.")

session_review.show_replay(store, principal, library, session, reps, faults)

st.subheader("Angle over the session")
fault_rows = [{"t_s": f.t_s, "cue": f.cue, "severity": f.severity} for f in faults]
chart = charts.rep_outline_chart(
    progress.rep_outline(reps, angle) if angle else [], fault_rows, label
)
if chart is None:
    st.caption("No angle was stored for these repetitions.")
else:
    st.altair_chart(chart, width="stretch")
st.caption(
    "The live coach stores each repetition's statistics (least angle, peak at the "
    "turn, timing), not the angle on every video frame: each rep is drawn from its "
    "start through its peak to its end, and red lines mark faults. A set whose movement "
    "was kept replays frame by frame under *Replay a set*."
)

st.subheader("Faults on the timeline")
timeline = charts.fault_timeline_chart(fault_rows)
if timeline is None:
    st.caption("No form faults in this session.")
else:
    st.altair_chart(timeline, width="stretch")
