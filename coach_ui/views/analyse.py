"""Analyse a recorded video: a sample clip or the patient's own.

Wiring only; the helpers live in coach_ui/analysis.py and the coach in coach/.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import streamlit as st

from coach.core.errors import CoachError
from coach_ui import analysis, auth, resources, upload_control, uploads
from coach_ui.routes import UPLOAD_PATH

SAMPLE, UPLOAD = "A sample clip", "My own video"


@st.cache_data(max_entries=64)
def sample_digest(path: str, mtime_ns: int, size: int) -> str:
    """Content hash of a sample clip, remembered while the file is unchanged."""
    return analysis.file_digest(Path(path).read_bytes())


st.title("Analyse a video")
st.write(
    "Form Coach watches a video of you doing your home exercises, counts your repetitions "
    "and tells you how to improve your form."
)

try:
    library = resources.load_library()
except CoachError as exc:
    st.error(f"The exercise library could not be loaded: {exc}")
    st.stop()
principal = auth.current_principal()
if principal is None:
    st.stop()  # clinic mode, signed out: the app shows the sign-in form
state = st.session_state
if "workdir" not in state:
    state.workdir = analysis.SessionWorkdir()  # this session's own folder for uploads and results
if "analyses" not in state:
    state.analyses = {}  # (content hash, exercise id, mirrored) -> analysis.Outcome
ids = library.ids()
samples = analysis.list_samples()
sample_names = [p.name for p in samples]
if state.get("exercise") not in ids:
    first_clip = sample_names[analysis.default_sample_index(samples)] if samples else ""
    state.exercise = analysis.guess_exercise(first_clip, ids)


def follow_sample() -> None:
    """A newly picked sample clip suggests its exercise (the patient can still change it)."""
    state.exercise = analysis.guess_exercise(state.sample, ids)


# ---- 1. the video -----------------------------------------------------------------------
if samples:
    st.info(
        "**First time here?** Keep the sample clip chosen below and press **Analyse**: after "
        "about half a minute you see what the coach found. Then try a video of yourself."
    )
    source = st.radio("Video", [SAMPLE, UPLOAD], horizontal=True)
else:
    source = UPLOAD
    st.info("Upload a video of yourself doing the exercise, filmed so your whole body is in view.")
video: Path | None = None  # a sample clip
digest = display_name = ""
if source == SAMPLE:
    name = st.selectbox(
        "Sample clip",
        sample_names,
        index=analysis.default_sample_index(samples),
        key="sample",
        on_change=follow_sample,
    )
    video = samples[sample_names.index(name)]
    stat = video.stat()
    digest, display_name = sample_digest(str(video), stat.st_mtime_ns, stat.st_size), name
    credit = analysis.sample_credits().get(name)
    if credit:
        st.caption(f"Clip: {credit}")
else:
    inbox = resources.or_stop(uploads.app_inbox)
    sent = upload_control.video_upload(
        "video_upload",
        upload_path=UPLOAD_PATH,
        max_bytes=inbox.max_bytes,
        done_id=state.get("upload_done"),
    )
    upload: uploads.ReceivedUpload | None = state.get("upload")
    if (
        sent
        and sent.get("id")
        and sent["id"] not in (getattr(upload, "id", None), state.get("upload_done"))
    ):
        try:
            claimed = inbox.claim(sent["id"], uploads.uploader_of(principal), state.workdir.path)
        except uploads.UploadRefusedError as exc:
            st.error(str(exc))
        else:
            if upload is not None:
                upload.path.unlink(missing_ok=True)  # the video it replaces
            upload = state.upload = claimed
    if upload is None:
        st.caption("Film yourself from head to feet, in good light, with the phone held still.")
    else:
        digest, display_name = upload.digest, upload.name

# ---- 2. the exercise --------------------------------------------------------------------
exercise_id = st.selectbox(
    "Exercise", ids, key="exercise", format_func=lambda i: library.get(i).name
)
exercise = library.get(exercise_id)
with st.expander(f"How to do the {exercise.name.lower()} and film it"):
    if exercise.summary:
        st.write(exercise.summary)
    st.markdown("\n".join(f"- {step}" for step in exercise.instructions))
    st.caption(f"Usual dose: {analysis.dosage_text(exercise)}")
mirrored = st.checkbox(
    "Mirrored video",
    value=False,
    key="mirrored",
    help="Tick this if the video is mirrored, as a selfie camera often records it, so that "
    "left and right are reported the right way round.",
)

# ---- 3. analyse and show ----------------------------------------------------------------
clicked = st.button("Analyse", type="primary", disabled=not digest)
if digest:
    key = (digest, exercise.id, mirrored)
    outcome = state.analyses.get(key)
    upload = state.get("upload") if video is None else None
    gone = upload is not None and not upload.path.exists()  # analysed, then deleted
    if clicked and (outcome is None or outcome.error) and not gone:
        # The patient's video is on the server only until its analysis ends (deleted then,
        # whatever happens).
        on_disk: AbstractContextManager[Path] = (
            nullcontext(video) if upload is None else state.workdir.analysed(upload.path)
        )
        with on_disk as path:
            outcome = analysis.analyse_with_progress(
                path,
                exercise,
                mirrored=mirrored,
                display_name=display_name,
                annotated=state.workdir.annotated_path(digest, exercise.id, mirrored),
            )
        state.analyses[key] = outcome
        if upload is not None:  # deleted now: the upload control says so on the next run
            state.upload_done = upload.id
            st.rerun()
    if outcome is None and gone:
        st.info(
            "Your video was deleted from the server after its analysis. To analyse it as "
            "another exercise, upload it again."
        )
    elif outcome is None:
        st.caption("Press **Analyse** to count the repetitions and check your form.")
    elif outcome.error:
        st.error(outcome.error)
    else:
        analysis.show_result(outcome.result, exercise, outcome.video)
