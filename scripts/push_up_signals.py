#!/usr/bin/env python3
"""Per repetition, what the push-up's hip measures read on every side-on push-up clip.

Why: the hip rules (`hips_sag`, `hips_pike` in push_up.toml) must separate the reps labelled
bad from the good ones, and no threshold can where the signals overlap. This prints, for
each counted rep of every side-on push-up clip of the manifests (with its label where the
manifest labels the reps' form; the counting clips' are not labelled), the values a rule
could be judged on, at the bottom (the median within 0.15 s of the turn, as a `turn` rule),
at the top (the median over 0.3 s before the rep starts), their difference, the bottom
against the set's first top (`relative_to_start`), and the extreme over the rep:

- `hip_drop`: the hip's distance below the shoulder-knee line over its length (the rules'
  measure), in the image;
- `hip_deg`: the hip's extension from the straight shoulder-hip-knee line in degrees,
  positive when the hips sag, negative when they pike (the physio's hip angle), in the
  image and from the world (3D) landmarks.

The poses come from `make faults`' cache (build/fault-poses: the model runs once per clip).
`--write` puts the table in a Markdown file (docs/push-up-signals.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.faults import (  # noqa: E402
    DEFAULT_MANIFESTS,
    POSE_CACHE,
    cached_poses,
    labelled_reps,
    match_turns,
)

# The measures added to push_up.toml's for this report (the rules' own `hip_drop` is there).
HIP_DEG = {"type": "flexion_towards", "points": ["shoulder", "hip", "knee", "wrist"]}
EXTRA_ANGLES = {
    "hip_deg": {**HIP_DEG, "plane": "sagittal", "space": "auto"},
    "hip_deg_world": {**HIP_DEG, "plane": "sagittal", "space": "world"},
}
SIGNALS = ("hip_drop", "hip_deg", "hip_deg_world")
TURN_HALF_S = 0.15
TOP_S = 0.3


def push_up_clips(manifests: list[Path]) -> Iterator[tuple[Path, dict[float, str]]]:
    """Every side-on push-up clip of the manifests present here, with its labelled turns
    ('good' or 'bad: FAULTS'); a clip without labels gives none."""
    for manifest in manifests:
        if not manifest.is_file():
            print(f"{manifest}: absent, skipped", file=sys.stderr)
            continue
        labels = labelled_reps(manifest)
        for clip in json.loads(manifest.read_text()):
            video = manifest.parent / clip["file"]
            if clip.get("exercise_id") != "push_up" or clip.get("view") != "side":
                continue
            if not video.is_file():
                print(f"{video}: absent, skipped", file=sys.stderr)
                continue
            mine = {
                label.turn_s: label.form + (f": {', '.join(label.faults)}" if label.faults else "")
                for label in labels
                if label.clip == clip["file"]
            }
            yield video, mine


def definition():
    """push_up.toml with the report's extra measures."""
    import tomllib

    from coach.exercise.loader import parse_definition

    path = ROOT / "coach" / "exercise" / "definitions" / "push_up.toml"
    data = tomllib.loads(path.read_text())
    data["angles"].update(EXTRA_ANGLES)
    return parse_definition(data, str(path))


def rep_rows(video: Path, labels: dict[float, str], cache: Path) -> list[list[str]]:
    """One row per counted rep of a clip: its label and each signal's readings."""
    from coach.runtime.analysis import replay_recording

    with tempfile.TemporaryDirectory() as folder:
        trace = Path(folder) / "trace.csv"
        result = replay_recording(cached_poses(video, cache), definition(), trace_path=trace)
        with trace.open() as handle:
            frames = list(csv.DictReader(handle))
    t_s = np.array([float(f["t_s"]) for f in frames])
    series = {
        name: np.array([float(f[name]) if f[name] else np.nan for f in frames]) for name in SIGNALS
    }
    reps = result.to_json()["repetitions"]
    turns = [rep["turn_s"] for rep in reps]
    label_turns = sorted(labels)
    by_rep = {
        j: label_turns[k] for k, j in enumerate(match_turns(label_turns, turns)) if j is not None
    }

    def median(values: np.ndarray, where: np.ndarray) -> float:
        seen = values[where & np.isfinite(values)]
        return float(np.median(seen)) if seen.size else np.nan

    first_top = {}
    rows = []
    for j, rep in enumerate(reps):
        top = (t_s >= rep["start_s"] - TOP_S) & (t_s <= rep["start_s"])
        bottom = np.abs(t_s - rep["turn_s"]) <= TURN_HALF_S
        during = (t_s >= rep["start_s"]) & (t_s <= rep["end_s"])
        label = labels[by_rep[j]] if j in by_rep else "unlabelled" if not labels else "-"
        row = [video.name, f"{rep['turn_s']:.2f}", label]
        for name in SIGNALS:
            values = series[name]
            at_top, at_bottom = median(values, top), median(values, bottom)
            first_top.setdefault(name, at_top)
            low = values[during & np.isfinite(values)]
            digits = 3 if name == "hip_drop" else 1
            row += [
                f"{at_bottom:.{digits}f}",
                f"{at_bottom - at_top:+.{digits}f}",
                f"{at_bottom - first_top[name]:+.{digits}f}",
                f"{low.min():.{digits}f}" if low.size else "",
            ]
        rows.append(row)
    faults = [",".join(f["rule"] for f in rep.get("faults", [])) for rep in reps]
    return [[*row, flagged or "-"] for row, flagged in zip(rows, faults, strict=True)]


def table(rows: list[list[str]]) -> str:
    head = ["clip", "counted turn s", "label"]
    for name in SIGNALS:
        head += [f"{name} bottom", "- its top", "- set start", "min over rep"]
    head.append("flagged")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifests", nargs="*", type=Path, default=DEFAULT_MANIFESTS)
    parser.add_argument("--cache", type=Path, default=POSE_CACHE)
    parser.add_argument("--write", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    rows = [row for clip in push_up_clips(args.manifests) for row in rep_rows(*clip, args.cache)]
    text = table(rows)
    print(text)
    if args.write:
        header = (
            "# Push-up hip signals on real clips\n\n"
            "Written by `python -m scripts.push_up_signals --write docs/push-up-signals.md`: "
            "per counted rep of every side-on push-up clip, what the hip measures read (see "
            "the script's docstring). *bottom*: within 0.15 s of the turn; *- its top*: "
            "minus the median over 0.3 s before the rep starts; *- set start*: minus the "
            "first rep's top; *min over rep*: negative is hips above the line (pike). "
            "`hip_drop` is a share of the shoulder-knee length, `hip_deg` degrees of hip "
            "extension (positive: sagging).\n\n"
        )
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(header + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
