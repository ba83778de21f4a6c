"""Helpers for the pages that analyse a video or show an exercise (coach_ui/views/analyse.py,
home.py, library.py): sample clips, per-session files, tables, charts, the blocks of the
page that show an analysis, and an exercise described for the library.

The pages stay wiring only. The table and chart builders are plain Python, testable without
a browser; `analyse_with_progress`, `show_result` and `dosage_text` render with Streamlit.
coach/ never imports this module (coach/ has no Streamlit dependency).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import weakref
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from coach.core.errors import CoachError
from coach.engine.results import sided_counts
from coach.exercise.schema import ExerciseDef, angle_name
from coach.runtime.analysis import AnalysisResult, analyze_video
from coach.vision.video import VIDEO_SUFFIXES

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
# The freely licensed demo clips a source checkout ships (not part of the wheel); an
# installed app finds them where FORM_COACH_SAMPLES points.
SAMPLES_ENV = "FORM_COACH_SAMPLES"
SAMPLE_DIR = Path(os.environ.get(SAMPLES_ENV) or ROOT / "sample_videos")
DEFAULT_SAMPLE = "squat_half_front_cdc.mp4"
# What the uploader accepts (the browser filters on these; PyAV reads them all).
UPLOAD_TYPES = ["mp4", "mov", "webm", "avi", "mkv", "gif"]


# ---- choosing a video and an exercise ---------------------------------------------------
def list_samples(folder: Path | None = None) -> list[Path]:
    """The video clips in `folder` (default SAMPLE_DIR), by name; none when it is missing or
    empty."""
    folder = SAMPLE_DIR if folder is None else folder
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES),
        key=lambda p: p.name,
    )


def default_sample_index(samples: list[Path]) -> int:
    names = [p.name for p in samples]
    return names.index(DEFAULT_SAMPLE) if DEFAULT_SAMPLE in names else 0


def guess_exercise(file_name: str, exercise_ids: list[str]) -> str | None:
    """The exercise a clip shows, from its name's leading words (`squat_front.mp4` ->
    `squat`, `pushup_wall.mp4` -> `push_up`); the first id when no prefix matches."""
    if not exercise_ids:
        return None
    words = [w for w in re.split(r"[_\-\s.]+", Path(file_name).stem.lower()) if w]
    by_squashed = {i.replace("_", ""): i for i in exercise_ids}
    for n in range(len(words), 0, -1):  # longest prefix first: bicep_curl before bicep
        underscored, squashed = "_".join(words[:n]), "".join(words[:n])
        if underscored in exercise_ids:
            return underscored
        if squashed in by_squashed:
            return by_squashed[squashed]
    return exercise_ids[0]


def sample_credits(folder: Path | None = None) -> dict[str, str]:
    """Clip name -> its credit and licence line, from the folder's ATTRIBUTION.md."""
    path = (SAMPLE_DIR if folder is None else folder) / "ATTRIBUTION.md"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    credits: dict[str, str] = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        name, _, body = section.partition("\n")
        fields = dict(re.findall(r"^- (Credit|Licence): (.+)$", body, flags=re.MULTILINE))
        if "Credit" in fields:
            licence = fields.get("Licence")
            line = fields["Credit"]
            credits[name.strip()] = f"{line} (licence: {licence})" if licence else line
    return credits


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- per-session files ------------------------------------------------------------------
WORKDIR_PREFIX = "form-coach-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to clean up
    return True


def remove_leftover_workdirs(folder: Path | None = None) -> list[Path]:
    """Delete the session folders a server that is no longer running left in `folder`
    (default: the temporary folder), as a server starting after a crash or a kill finds
    them; another running server's folders stay. Returns the folders deleted."""
    folder = Path(tempfile.gettempdir()) if folder is None else folder
    removed = []
    for path in folder.glob(f"{WORKDIR_PREFIX}*"):
        owner = path.name.removeprefix(WORKDIR_PREFIX).partition("-")[0]
        if path.is_dir() and owner.isdigit() and not _pid_alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class SessionWorkdir:
    """A private temporary folder for one user session, for the files an analysis needs
    while it runs (the upload, the annotated video); both are deleted when it is done.

    Kept in `st.session_state`; the folder is deleted by `close` (sign-out, expiry), when
    the session's state is dropped or, at the latest, when the server exits. Its name
    holds the server's process id, so a server started after a crash deletes what the
    dead one left (`remove_leftover_workdirs`).
    """

    def __init__(self) -> None:
        prefix = f"{WORKDIR_PREFIX}{os.getpid()}-"
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    @contextmanager
    def analysed(self, upload: Path) -> Iterator[Path]:
        """The upload `upload`, in this folder, while it is analysed: deleted when the block
        ends, whatever happened (the patient's video stays on the server no longer than
        its analysis)."""
        try:
            yield upload
        finally:
            upload.unlink(missing_ok=True)

    def close(self) -> None:
        """Delete the folder and everything in it now (once; later calls do nothing)."""
        self._cleanup()

    def annotated_path(self, digest: str, exercise_id: str, mirrored: bool) -> Path:
        flag = "mirrored" if mirrored else "plain"
        return self.path / f"annotated-{digest[:16]}-{exercise_id}-{flag}.mp4"


# ---- running the analysis ---------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """An analysis, or the plain-language reason there is none."""

    result: AnalysisResult | None = None
    error: str | None = None
    video: bytes | None = None  # the annotated video (its file is deleted once read)


def analyse_with_progress(
    video: Path,
    exercise: ExerciseDef,
    *,
    annotated: Path,
    mirrored: bool,
    display_name: str,
) -> Outcome:
    """Run the coach over a video with a Streamlit progress bar; errors become messages.
    The annotated video comes back in the outcome and its file is deleted."""
    bar = st.progress(0.0, text="Analysing the video: this takes about as long as the clip…")
    shown = -1

    def progress(done: int, total: int) -> None:
        nonlocal shown
        percent = min(100, int(100 * done / max(total, 1)))
        if percent != shown:  # one update a percent, not one a frame
            shown = percent
            bar.progress(percent / 100, text=f"Analysing the video: {percent}%")

    try:
        result = analyze_video(
            video, exercise, annotated_path=annotated, mirrored=mirrored, progress=progress
        )
    except CoachError as exc:
        # The message names our temporary file; the patient knows the file by its own name.
        message = str(exc).replace(str(video), display_name)
        return Outcome(error=f"This video could not be analysed: {message}")
    except Exception:
        log.exception("analysis of %s failed", video)
        return Outcome(
            error="Something went wrong while analysing this video. Please try another "
            "video; if it keeps happening, tell whoever set up Form Coach."
        )
    finally:
        bar.empty()
        video_bytes = annotated.read_bytes() if annotated.is_file() else None
        annotated.unlink(missing_ok=True)
    return Outcome(result=result, video=video_bytes)


# ---- showing the result -----------------------------------------------------------------
def rom_angle(exercise: ExerciseDef, view: str | None) -> str | None:
    """The angle whose range of motion the rep table shows: the rep driver when it is an
    angle, else an angle that drives reps in another view, else the first angle."""
    if exercise.reps is not None:
        drivers = [exercise.reps.signal_for(view).driver, exercise.reps.driver]
        drivers += [signal.driver for signal in exercise.reps.by_view.values()]
        for name in drivers:
            if name in exercise.angles:
                return name
    return next(iter(exercise.angles), None)


def chart_measure(exercise: ExerciseDef, view: str | None) -> tuple[str, float | None]:
    """The measure to plot over time and the value it should reach (None: no target)."""
    if exercise.reps is not None:
        signal = exercise.reps.signal_for(view)
        return signal.driver, signal.target
    assert exercise.hold is not None
    return exercise.hold.conditions[0].measure, None


def measure_label(exercise: ExerciseDef, name: str) -> str:
    """The label for a chart axis: angles in degrees, ratios without a unit."""
    return (
        f"{angle_name(exercise, name)} (°)"
        if name in exercise.angles
        else angle_name(exercise, name)
    )


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None or value != value else round(float(value), digits)


def rep_table(result: AnalysisResult, exercise: ExerciseDef) -> pd.DataFrame:
    """One row per rep: when, how long, how far the main angle (`rom_angle`) moved, and
    what to fix."""
    angle = rom_angle(exercise, result.view)
    rows = []
    for rep in result.reps:
        stats = rep.angles.get(angle) if angle else None
        rows.append(
            {
                "Rep": rep.index,
                "Side": rep.side,
                "Start (s)": round(rep.start_s, 1),
                "End (s)": round(rep.end_s, 1),
                "Duration (s)": round(rep.duration_s, 1),
                "Partial": rep.partial,
                "Least (°)": _round(stats.min_deg) if stats else None,
                "Most (°)": _round(stats.max_deg) if stats else None,
                "Range (°)": _round(stats.rom_deg) if stats else None,
                "Form tips": "; ".join(dict.fromkeys(f.cue for f in rep.faults)) or "Good rep",
            }
        )
    return pd.DataFrame(rows, columns=REP_COLUMNS)


REP_COLUMNS = [
    "Rep",
    "Side",
    "Start (s)",
    "End (s)",
    "Duration (s)",
    "Partial",
    "Least (°)",
    "Most (°)",
    "Range (°)",
    "Form tips",
]
DECIMAL_COLUMNS = [c for c in REP_COLUMNS if c.endswith(("(s)", "(°)"))]


def reps_by_side(result: AnalysisResult) -> dict[str, int]:
    """Counts for the left and right side, empty unless they add up to the total."""
    return sided_counts(Counter(rep.side for rep in result.reps))


def measure_chart(result: AnalysisResult, exercise: ExerciseDef) -> alt.LayerChart | None:
    """The driving measure over time, the target as a dashed line, each rep shaded."""
    name, target = chart_measure(exercise, result.view)
    values = result.series.get(name)
    if not values or not result.t_s:
        return None
    label = measure_label(exercise, name)
    # Fixed field names: labels hold characters (°, /, :) that Vega-Lite field names must not.
    data = pd.DataFrame({"t": result.t_s, "value": values})
    line = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("t:Q", title="Time (s)"),
            y=alt.Y("value:Q", title=label),
            tooltip=[
                alt.Tooltip("t:Q", title="Time (s)", format=".1f"),
                alt.Tooltip("value:Q", title=label, format=".2f"),
            ],
        )
    )
    layers: list[alt.Chart] = []
    if result.reps:
        spans = pd.DataFrame(
            {
                "start": [rep.start_s for rep in result.reps],
                "end": [rep.end_s for rep in result.reps],
                "Rep": [
                    f"Rep {rep.index}" + (" (partial)" if rep.partial else "")
                    for rep in result.reps
                ],
            }
        )
        layers.append(
            alt.Chart(spans)
            .mark_rect(opacity=0.15, color="#2e7d32")
            .encode(
                x="start:Q",
                x2="end:Q",
                tooltip=[
                    alt.Tooltip("Rep:N"),
                    alt.Tooltip("start:Q", title="Start (s)", format=".1f"),
                    alt.Tooltip("end:Q", title="End (s)", format=".1f"),
                ],
            )
        )
    layers.append(line)
    if target is not None:
        rule = pd.DataFrame({"target": [target], "text": [f"target {target:g}"]})
        layers.append(
            alt.Chart(rule).mark_rule(strokeDash=[6, 4], color="#c62828").encode(y="target:Q")
        )
        layers.append(
            alt.Chart(rule)
            .mark_text(align="left", dx=4, dy=-6, color="#c62828")
            .encode(y="target:Q", text="text:N", x=alt.value(0))
        )
    title = label.removesuffix(" (°)")
    return alt.layer(*layers).properties(title=f"{title} over time", height=280)


# ---- rendering (Streamlit) ----------------------------------------------------------------
def dosage_text(exercise: ExerciseDef) -> str:
    """The exercise's usual dose in words ("3 sets of 10 repetitions, ..."), without a
    heading: the caller says "Usual dose"."""
    dose = exercise.dosage
    if dose.reps:
        amount = f" of {dose.reps} repetitions"
    elif dose.hold_s:
        amount = f" of a {dose.hold_s:g} second hold"
    else:
        amount = ""
    text = f"{dose.sets} sets{amount}, {dose.rest_s:g} s rest between sets"
    return text + (f", tempo {dose.tempo} s (down-pause-up)." if dose.tempo else ".")


def show_result(result: AnalysisResult, exercise: ExerciseDef, video: bytes | None) -> None:
    """The counts, the annotated `video` (if any), the rep table and the chart."""
    st.subheader("What the coach saw")
    if exercise.mode == "hold":
        left, right = st.columns(2)
        left.metric("Time held correctly (s)", f"{result.hold_s:.1f}")
        right.metric("Longest hold (s)", f"{result.longest_hold_s:.1f}")
    else:
        sides = reps_by_side(result)
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

    if video:
        st.video(video, format="video/mp4")
        st.caption("Your video with the body points the coach tracked and its tips drawn on.")

    if exercise.mode == "reps":
        if result.reps:
            st.markdown("**Each repetition**")
            st.dataframe(
                rep_table(result, exercise),
                hide_index=True,
                column_config={
                    c: st.column_config.NumberColumn(format="%.1f") for c in DECIMAL_COLUMNS
                },
            )
            angle = rom_angle(exercise, result.view)
            if angle:
                st.caption(
                    f"Least, most and range: your {angle_name(exercise, angle).lower()} in "
                    "each repetition, in degrees."
                )
        else:
            st.info(
                "No repetitions were counted. Check that your whole body is in view and that "
                "the exercise chosen above is the one in the video."
            )
    chart = measure_chart(result, exercise)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
        st.caption(
            "How the main joint angle changed over the video. Shaded bands are the counted "
            "repetitions; the dashed line is the target to reach in each one."
            if exercise.mode == "reps"
            else "How your body position changed over the video."
        )


def exercise_markdown(exercise: ExerciseDef) -> str:
    """One exercise as a patient and a physio read it: purpose, how to, dose, tips."""
    views = " or ".join(exercise.views)
    lines = []
    if exercise.purpose:
        lines.append(f"*Why:* {exercise.purpose}")
    if exercise.conditions:
        lines.append(f"*Often given for:* {', '.join(exercise.conditions)}")
    lines.append(f"*Camera:* {views} view")
    lines += ["", "**How to do it**", *(f"1. {step}" for step in exercise.instructions)]
    lines += ["", f"**Usual dose:** {dosage_text(exercise)}"]
    if exercise.reps is not None:
        driver = exercise.reps.driver
        target = exercise.reps.target
        aim = f", aiming for {target:g}" if target is not None else ""
        lines.append(f"**Counted on:** {measure_label(exercise, driver).lower()}{aim}")
    for name, angle in exercise.angles.items():
        if angle.normal_range:
            low, high = angle.normal_range
            label = measure_label(exercise, name)
            lines.append(f"- {label}: normal adult range {low:g}-{high:g} deg")
    if exercise.rules:
        lines += ["", "**Tips the coach gives**"]
        lines += [f"- {rule.cue} ({rule.severity})" for rule in exercise.rules]
    return "\n".join(lines)
