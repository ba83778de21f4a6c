#!/usr/bin/env python3
"""What the pose model reads in standard positions, per camera view, from the shared clips.

A definition's thresholds must be set on what the camera and the model report, not on
textbook angles: a straight knee rarely reads 0. This script runs the pose model on every
clip of ../shared/videos and ../shared/sample-footage (or the folders given) at the size
`coach analyze` uses, then reads a fixed set of joint angles through the coach (tracker,
smoother, engine: `replay_recording`, so the angles are the ones a definition would get):

- in the rest position of each counted exercise (frames outside every hand-marked rep,
  named by the shipped definition's start phase, e.g. "squat: standing"), and at the far
  end of each rep (the frame where the definition's driver is furthest: "squat: bottom");
- over the whole of a hold clip ("plank: held") and a clip of standing still.

Per position and detected view it prints (or writes into docs/exercises.md between its
markers, with --write) the median and the 10th-90th percentile of each angle. The clips
are read at run time and never copied; only the table is kept. With --poses DIR it reads
recordings made by `coach record` (named after each clip) instead of running the model.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coach.exercise.loader import ExerciseLibrary, parse_definition
from coach.exercise.schema import ExerciseDef
from coach.runtime.analysis import AnalysisResult, record_poses, replay_recording
from scripts.accuracy import manifest_clips
from scripts.update_docs import with_table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = [ROOT.parent / "shared" / "videos", ROOT.parent / "shared" / "sample-footage"]
DOC = ROOT / "docs" / "exercises.md"
START, END = "<!-- standard-readings:start -->", "<!-- standard-readings:end -->"
# Frames this close to a hand-marked rep (whose times are rough) are not "at rest".
REST_MARGIN_S = 0.5

# The angles read, as a definition declares them (the shipped definitions' conventions).
ANGLES: dict[str, dict] = {
    "knee_flexion": {"type": "flexion", "points": ["hip", "knee", "ankle"], "plane": "sagittal"},
    "hip_flexion": {"type": "flexion", "points": ["shoulder", "hip", "knee"], "plane": "sagittal"},
    "elbow_flexion": {
        "type": "flexion",
        "points": ["shoulder", "elbow", "wrist"],
        "plane": "sagittal",
    },
    "shoulder_flexion": {
        "type": "included",
        "points": ["hip", "shoulder", "elbow"],
        "plane": "sagittal",
    },
    "shoulder_abduction": {
        "type": "included",
        "points": ["hip", "shoulder", "elbow"],
        "plane": "frontal",
    },
    "trunk_from_vertical": {
        "type": "segment_vertical",
        "points": ["mid_hip", "mid_shoulder"],
        "plane": "sagittal",
    },
}
HEADINGS = {
    "knee_flexion": "knee flexion",
    "hip_flexion": "hip flexion",
    "elbow_flexion": "elbow flexion",
    "shoulder_flexion": "shoulder flexion",
    "shoulder_abduction": "shoulder abduction",
    "trunk_from_vertical": "trunk from vertical",
}


def readings_definition() -> ExerciseDef:
    """A definition that measures `ANGLES` on both sides together (the mean of the sides
    the model sees). Its counting is never used; it only has to be valid."""
    data = {
        "id": "standard_readings",
        "name": "Standard readings",
        "instructions": ["-"],
        "views": ["side", "front", "back"],
        "mode": "reps",
        "angles": ANGLES,
        "reps": {
            "driver": "knee_flexion",
            "start": {"name": "a", "below": 40},
            "turn": {"name": "b", "above": 60},
        },
    }
    return parse_definition(data, "scripts/standard_readings.py")


@dataclass
class Position:
    """Frames of one standard position seen in one view, over every clip that shows it."""

    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    clips: set[str] = field(default_factory=set)
    frames: int = 0


def _windows(t_s: np.ndarray, rep_times: list[list[float]]) -> np.ndarray:
    """(frames,) True inside a hand-marked rep, widened by `REST_MARGIN_S`."""
    inside = np.zeros(len(t_s), dtype=bool)
    for start, end in rep_times:
        inside |= (t_s >= start - REST_MARGIN_S) & (t_s <= end + REST_MARGIN_S)
    return inside


def position_frames(
    clip: dict, exercise: ExerciseDef | None, driver: np.ndarray, t_s: np.ndarray
) -> dict[str, np.ndarray]:
    """The frames of each standard position a clip shows, by position name: its rest
    position and the far end of each rep (counted exercises with marked rep times), the
    whole clip (holds and standing still). Empty for a clip that fits none."""
    if clip.get("kind") == "negative":
        return {"standing still": np.ones(len(t_s), dtype=bool)}
    if exercise is None:
        return {}
    if clip.get("kind") == "hold":
        return {f"{exercise.id}: held": np.ones(len(t_s), dtype=bool)}
    reps = exercise.reps
    rep_times = clip.get("rep_times") or []
    if reps is None or not rep_times:
        return {}
    rest = ~_windows(t_s, rep_times) & np.isfinite(driver)
    turn = np.zeros(len(t_s), dtype=bool)
    for start, end in rep_times:
        inside = np.flatnonzero((t_s >= start) & (t_s <= end) & np.isfinite(driver))
        if inside.size:
            pick = np.argmax if reps.rising else np.argmin
            turn[inside[pick(driver[inside])]] = True
    return {f"{exercise.id}: {reps.start.name}": rest, f"{exercise.id}: {reps.turn.name}": turn}


def add_clip(
    positions: dict[tuple[str, str], Position],
    clip: dict,
    exercise: ExerciseDef | None,
    at_rest: AnalysisResult,
    of_exercise: AnalysisResult | None,
) -> None:
    """Add a clip's frames to the positions it shows (by each frame's detected view)."""
    t_s, views = np.asarray(at_rest.t_s), at_rest.frame_views
    driver = (
        np.asarray(of_exercise.series[exercise.reps.driver])
        if of_exercise is not None and exercise is not None and exercise.reps is not None
        else np.full(len(t_s), np.nan)
    )
    for name, frames in position_frames(clip, exercise, driver, t_s).items():
        for view in sorted({v for v, f in zip(views, frames, strict=True) if f and v}):
            chosen = frames & np.array([v == view for v in views])
            position = positions[(name, view)]
            position.clips.add(clip["file"])
            position.frames += int(chosen.sum())
            for angle in ANGLES:
                values = np.asarray(at_rest.series[angle])[chosen]
                position.values[angle] += values[np.isfinite(values)].tolist()


def table(positions: dict[tuple[str, str], Position]) -> str:
    """The Markdown table: median (10th-90th percentile) of each angle, degrees."""
    head = ["position", "view", "frames (clips)", *(HEADINGS[a] for a in ANGLES)]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for (name, view), position in sorted(positions.items()):
        cells = []
        for angle in ANGLES:
            values = np.asarray(position.values[angle])
            if values.size < max(3, position.frames // 3):
                cells.append("-")
                continue
            low, mid, high = np.percentile(values, [10, 50, 90])
            cells.append(f"{mid:.0f} ({low:.0f}-{high:.0f})")
        if all(cell == "-" for cell in cells):
            continue  # too few frames where the model saw the joints
        counts = f"{position.frames} ({len(position.clips)})"
        rows.append("| " + " | ".join([name, view, counts, *cells]) + " |")
    return "\n".join(rows)


def recording_of(video: Path, poses: Path | None, scratch: Path) -> Path:
    """The clip's poses: a recording from `poses` named after it, else the model's."""
    if poses is not None:
        return poses / f"{video.stem}.npz"
    path = scratch / f"{video.stem}.npz"
    record_poses(video, quiet_model_start=True).save(path)
    return path


def run(folders: list[Path], poses: Path | None) -> dict[tuple[str, str], Position]:
    library = ExerciseLibrary()
    readings = readings_definition()
    positions: dict[tuple[str, str], Position] = defaultdict(Position)
    with tempfile.TemporaryDirectory() as scratch:
        for folder, clip in manifest_clips(folders):
            exercise_id = clip.get("exercise_id")
            exercise = library.get(exercise_id) if exercise_id in library else None
            if exercise is None and clip.get("kind") != "negative":
                continue
            recording = recording_of(folder / clip["file"], poses, Path(scratch))
            if not recording.is_file():
                print(f"skipping {clip['file']}: no {recording}", file=sys.stderr)
                continue
            print(f"{clip['file']} ...", file=sys.stderr)
            at_rest = replay_recording(recording, readings)
            of_exercise = replay_recording(recording, exercise) if exercise else None
            add_clip(positions, clip, exercise, at_rest, of_exercise)
    return positions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--poses", type=Path, help="recordings made by `coach record`")
    parser.add_argument("--write", action="store_true", help=f"write the table into {DOC}")
    args = parser.parse_args()
    rendered = table(run(args.folders, args.poses))
    print(rendered)
    if args.write:
        text = DOC.read_text()
        if START not in text or END not in text:
            raise SystemExit(f"{DOC}: the markers {START} and {END} are missing")
        DOC.write_text(with_table(text, rendered, START, END))
    return 0


if __name__ == "__main__":
    sys.exit(main())
