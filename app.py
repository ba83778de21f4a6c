"""Form Coach: the Streamlit entry page (`make run`).

Until the live webcam page exists, this page analyses a recorded video: a sample clip or the
patient's own. Wiring only; the helpers live in pages_lib.py and the coach in coach/.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import pages_lib as ui
from coach.analysis import AnalysisResult
from coach.errors import CoachError
from coach.exercise.loader import ExerciseLibrary
from coach.exercise.schema import ExerciseDef

SAMPLE, UPLOAD = "A sample clip", "My own video"


@st.cache_resource
def load_library() -> ExerciseLibrary:
    return ExerciseLibrary()


@st.cache_data(max_entries=64)
def sample_digest(path: str, mtime_ns: int, size: int) -> str:
    """Content hash of a sample clip, remembered while the file is unchanged."""
    return ui.file_digest(Path(path).read_bytes())


def dosage_text(exercise: ExerciseDef) -> str:
    dose = exercise.dosage
    if dose.reps:
        amount = f" of {dose.reps} repetitions"
    elif dose.hold_s:
        amount = f" of a {dose.hold_s:g} second hold"
    else:
        amount = ""
    text = f"Usual dose: {dose.sets} sets{amount}, {dose.rest_s:g} s rest between sets"
    return text + (f", tempo {dose.tempo} s (down-pause-up)." if dose.tempo else ".")


def show_result(result: AnalysisResult, exercise: ExerciseDef) -> None:
    st.subheader("What the coach saw")
    if exercise.mode == "hold":
        left, right = st.columns(2)
        left.metric("Time held correctly (s)", f"{result.hold_s:.1f}")
        right.metric("Longest hold (s)", f"{result.longest_hold_s:.1f}")
    else:
        sides = ui.reps_by_side(result)
        partial = sum(rep.partial for rep in result.reps)
        columns = st.columns(2 + len(sides))
        columns[0].metric("Reps", result.rep_count)
        columns[1].metric(
            "Partial reps", partial, help="Reps that did not reach the target range of motion"
        )
        for column, (side, count) in zip(columns[2:], sides.items(), strict=True):
            column.metric(f"{side.capitalize()} side", count)
    for warning in result.warnings:
        st.warning(warning[:1].upper() + warning[1:])

    if result.annotated and Path(result.annotated).is_file():
        st.video(Path(result.annotated).read_bytes(), format="video/mp4")
        st.caption("Your video with the body points the coach tracked and its tips drawn on.")

    if exercise.mode == "reps":
        if result.reps:
            st.markdown("**Each repetition**")
            st.dataframe(
                ui.rep_table(result, exercise), hide_index=True,
                column_config={
                    c: st.column_config.NumberColumn(format="%.1f") for c in ui.DECIMAL_COLUMNS
                },
            )  # fmt: skip
            angle = ui.rom_angle(exercise, result.view)
            if angle:
                st.caption(
                    f"Least, most and range: your {ui.angle_name(exercise, angle).lower()} in "
                    "each repetition, in degrees."
                )
        else:
            st.info(
                "No repetitions were counted. Check that your whole body is in view and that "
                "the exercise chosen above is the one in the video."
            )
    chart = ui.measure_chart(result, exercise)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
        st.caption(
            "How the main joint angle changed over the video. Shaded bands are the counted "
            "repetitions; the dashed line is the target to reach in each one."
            if exercise.mode == "reps"
            else "How your body position changed over the video."
        )


st.set_page_config(page_title="Form Coach")
st.title("Form Coach")
st.write(
    "Form Coach watches a video of you doing your home exercises, counts your repetitions "
    "and tells you how to improve your form."
)
st.info(
    "**First time here?** Keep the sample clip chosen below and press **Analyse**: after "
    "about half a minute you see what the coach found. Then try a video of yourself."
)

try:
    library = load_library()
except CoachError as exc:
    st.error(f"The exercise library could not be loaded: {exc}")
    st.stop()
state = st.session_state
if "workdir" not in state:
    state.workdir = ui.SessionWorkdir()  # this session's own folder for uploads and results
if "analyses" not in state:
    state.analyses = {}  # (content hash, exercise id, mirrored) -> ui.Outcome
ids = library.ids()
samples = ui.list_samples()
sample_names = [p.name for p in samples]
if state.get("exercise") not in ids:
    first_clip = sample_names[ui.default_sample_index(samples)] if samples else ""
    state.exercise = ui.guess_exercise(first_clip, ids)


def follow_sample() -> None:
    """A newly picked sample clip suggests its exercise (the patient can still change it)."""
    state.exercise = ui.guess_exercise(state.sample, ids)


# ---- 1. the video -----------------------------------------------------------------------
if samples:
    source = st.radio("Video", [SAMPLE, UPLOAD], horizontal=True)
else:
    source = UPLOAD
    st.warning(
        f"There are no sample clips in the {ui.SAMPLE_DIR.name} folder: upload a video of "
        "your own below."
    )
video: Path | None = None
digest = display_name = ""
if source == SAMPLE:
    name = st.selectbox(
        "Sample clip", sample_names, index=ui.default_sample_index(samples), key="sample",
        on_change=follow_sample,
    )  # fmt: skip
    video = samples[sample_names.index(name)]
    stat = video.stat()
    digest, display_name = sample_digest(str(video), stat.st_mtime_ns, stat.st_size), name
    credit = ui.sample_credits().get(name)
    if credit:
        st.caption(f"Clip: {credit}")
else:
    upload = st.file_uploader(
        "Your video", type=ui.UPLOAD_TYPES,
        help="Film from 2 to 3 metres away with your whole body, head to feet, in view.",
    )  # fmt: skip
    if upload is None:
        st.caption("Film yourself from head to feet, in good light, with the phone held still.")
    else:
        data = upload.getvalue()
        digest, display_name = ui.file_digest(data), upload.name
        video = state.workdir.upload_path(digest, upload.name)
        if not video.exists():
            video.write_bytes(data)

# ---- 2. the exercise --------------------------------------------------------------------
exercise_id = st.selectbox(
    "Exercise", ids, key="exercise", format_func=lambda i: library.get(i).name
)
exercise = library.get(exercise_id)
with st.expander(f"How to do the {exercise.name.lower()} and film it"):
    if exercise.summary:
        st.write(exercise.summary)
    st.markdown("\n".join(f"- {step}" for step in exercise.instructions))
    st.caption(dosage_text(exercise))
mirrored = st.checkbox(
    "Mirrored video", value=False, key="mirrored",
    help="Tick this if the video is mirrored, as a selfie camera often records it, so that "
    "left and right are reported the right way round.",
)  # fmt: skip

# ---- 3. analyse and show ----------------------------------------------------------------
clicked = st.button("Analyse", type="primary", disabled=video is None)
if video is not None:
    key = (digest, exercise.id, mirrored)
    outcome = state.analyses.get(key)
    if clicked and (outcome is None or outcome.error):
        outcome = ui.analyse_with_progress(
            video, exercise, mirrored=mirrored, display_name=display_name,
            annotated=state.workdir.annotated_path(digest, exercise.id, mirrored),
        )  # fmt: skip
        state.analyses[key] = outcome
    if outcome is None:
        st.caption("Press **Analyse** to count the repetitions and check your form.")
    elif outcome.error:
        st.error(outcome.error)
    else:
        show_result(outcome.result, exercise)
