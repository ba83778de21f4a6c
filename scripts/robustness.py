#!/usr/bin/env python3
"""Count every shared clip again as a patient's own camera might film it, and score it.

A patient films themselves "from wherever their laptop stands": the picture may be
mirrored, the camera tilted, the person low and off to one side, the frame rate or the
resolution lower than the clips the coach was developed on. For every clip that
scripts/accuracy.py scores (the same manifests, probes and scoring: `accuracy.run`), this
makes each variant with ffmpeg in a temporary folder outside the repository (the clips are
not ours to redistribute), records what the pose model sees in it at `coach analyze`'s
working size, and replays the coach on those poses: `coach replay` gives the result
`coach analyze` gives for the same clip, and the poses are kept under
build/robustness-poses, so a rerun (after a change to the engine or a definition) takes
seconds per variant instead of the model's minutes. `--no-cache` runs `coach analyze`
itself on each variant file instead.

`make robustness` writes docs/robustness.md: per clip the count of each variant against the
hand-counted range, and per variant the summary (within range, mean absolute error, false
reps on the zero-rep probes and the hold) beside the original.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts.accuracy import DEFAULT_FOLDERS, ROOT, Analyzer, Row, analyze, run

POSE_CACHE = ROOT / "build" / "robustness-poses"
# Below this the 15 frames/s variant keeps the clip's own rate (it never adds frames).
LOW_FPS = 15
TILT_DEGREES = 8


@dataclass(frozen=True)
class Variant:
    """One way of filming the clips: `filter(fps)` is the ffmpeg video filter for a clip at
    `fps` frames/s ("" for the clip as it is)."""

    name: str
    description: str
    filter: Callable[[float], str]

    def recipe(self, fps: float) -> str:
        """What the variant file is made from, for the pose cache's key."""
        vf = self.filter(fps)
        return f"{self.name}:{vf}" if vf else ""


def _tilted(_fps: float) -> str:
    angle = f"{TILT_DEGREES}*PI/180"
    # The output grows to hold the whole turned picture (no corner of the body cut off);
    # libx264's 4:2:0 needs an even size.
    return (
        f"rotate={angle}:ow=rotw({angle}):oh=roth({angle}):fillcolor=black,"
        "pad=ceil(iw/2)*2:ceil(ih/2)*2"
    )


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("original", "the clip as it is", lambda _fps: ""),
        Variant(
            "reencoded",
            "the control: re-encoded as every variant is (H.264, crf 18) and nothing else, "
            "so a change here is the encoding's and the model's, not the camera's",
            lambda _fps: "null",
        ),
        Variant("mirrored", "flipped left to right (ffmpeg hflip)", lambda _fps: "hflip"),
        Variant(
            "fps15",
            f"{LOW_FPS} frames/s (ffmpeg fps filter; a clip already at {LOW_FPS} frames/s "
            "or fewer keeps its own rate)",
            lambda fps: f"fps={LOW_FPS}" if fps > LOW_FPS else "null",
        ),
        Variant(
            "tilted",
            f"the camera turned {TILT_DEGREES} degrees (ffmpeg rotate, the frame enlarged "
            "so nothing is cropped)",
            _tilted,
        ),
        Variant(
            "low_off_centre",
            "the person low and off to the right: black added above (30% of the height) "
            "and to the left (50% of the width), as from a laptop set further away and to "
            "one side (ffmpeg pad: the body is never cropped)",
            lambda _fps: "pad=ceil(iw*1.5/2)*2:ceil(ih*1.3/2)*2:ow-iw:oh-ih",
        ),
        Variant(
            "half_size",
            "half the width and height (a 1280x720 clip becomes 640x360; ffmpeg scale)",
            lambda _fps: "scale=trunc(iw/4)*2:trunc(ih/4)*2",
        ),
    )
}


def render(variant: Variant, fps: float) -> Callable[[Path, Path], None]:
    """A function writing `variant` of a clip to an H.264 mp4 (no audio). Frames keep their
    own times (`-fps_mode passthrough`) except where the variant sets the rate."""

    def write(video: Path, out: Path) -> None:
        vf = variant.filter(fps)
        timing = ["-fps_mode", "cfr"] if vf.startswith("fps=") else ["-fps_mode", "passthrough"]
        command = [
            "ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(video), "-vf", vf,
            *timing, "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
            "-pix_fmt", "yuv420p", str(out),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(
                f"ffmpeg could not make the {variant.name} variant of {video}: "
                f"{done.stderr.strip()}"
            )

    return write


def analyzer(variant: Variant, cache: Path | None) -> Analyzer:
    """`coach analyze --json` of the variant of a clip: replayed on its cached poses
    (scripts/faults.py `cached_poses`) with a `cache`, else the real CLI on a variant file
    made afresh in a temporary folder."""
    from coach.exercise.loader import ExerciseLibrary
    from coach.runtime.analysis import replay_recording
    from coach.vision.video import probe
    from scripts.faults import cached_poses

    library = ExerciseLibrary()

    def result(video: Path, exercise: str) -> dict:
        fps = probe(video).fps
        as_it_is = not variant.filter(fps)
        if cache is not None:
            write = None if as_it_is else render(variant, fps)
            poses = cached_poses(video, cache, variant.recipe(fps), write)
            return replay_recording(poses, library.get(exercise)).to_json()
        if as_it_is:
            return analyze(video, exercise)[0]
        with tempfile.TemporaryDirectory(prefix="coach-variant-") as folder:
            made = Path(folder) / f"{video.stem}.mp4"
            render(variant, fps)(video, made)
            return analyze(made, exercise)[0]

    return result


@dataclass
class Summary:
    within: int
    runs: int
    mae: float
    counted_clips: int
    false_reps: int
    zero_runs: int
    out_of_time: int
    timed_reps: int
    hold_error_s: float | None  # the worst hold time outside its range (None: no hold)


def summarise(rows: list[Row]) -> Summary:
    """The accuracy run's measures of one variant (scripts/accuracy.py `report`)."""
    counted = [r for r in rows if r.kind == "reps"]
    zero = [r for r in rows if r.kind in ("probe", "hold")]
    timed = [r for r in rows if r.in_time is not None]
    holds = [r.hold_error_s for r in rows if r.hold_error_s is not None]
    return Summary(
        within=sum(r.within for r in rows),
        runs=len(rows),
        mae=sum(abs(r.counted - r.true_reps) for r in counted) / max(1, len(counted)),
        counted_clips=len(counted),
        false_reps=sum(r.counted for r in zero),
        zero_runs=len(zero),
        out_of_time=sum(r.out_of_time for r in timed),
        timed_reps=sum(r.counted for r in timed),
        hold_error_s=max(holds) if holds else None,
    )


def report(results: dict[str, list[Row]]) -> str:
    """Markdown: the summary per variant, then every clip's count per variant."""
    names = list(results)
    lines = [
        "| variant | within range | MAE (reps) | false reps (probes, hold) | reps out of time "
        "| hold time outside its range (s) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in names:
        s = summarise(results[name])
        lines.append(
            f"| {name} | {s.within}/{s.runs} ({100 * s.within / max(1, s.runs):.0f}%) | "
            f"{s.mae:.2f} | {s.false_reps} over {s.zero_runs} runs | "
            f"{s.out_of_time} of {s.timed_reps} | "
            f"{'' if s.hold_error_s is None else f'{s.hold_error_s:.2f}'} |"
        )
    lines += ["", "| clip | source | exercise | kind | expected | " + " | ".join(names) + " |"]
    lines.append("| --- " * (5 + len(names)) + "|")
    first = results[names[0]]
    for i, r in enumerate(first):
        low, high = r.expected
        expected = f"{low}" if low == high else f"{low}-{high}"
        cells = []
        for name in names:
            row = results[name][i]
            cell = str(row.counted) if row.passed else f"**{row.counted}**"
            if row.hold_s is not None:
                hold = f"{row.hold_s:.1f} s"
                cell += f" ({hold})" if not row.hold_error_s else f" (**{hold}**)"
            cells.append(cell)
        lines.append(
            f"| {r.clip} | {r.source} | {r.exercise} | {r.kind} | {expected} | "
            + " | ".join(cells)
            + " |"
        )
    lines += ["", "Variants:", ""]
    lines += [f"- *{name}*: {VARIANTS[name].description}" for name in names]
    return "\n".join(lines)


HEADER = """# Counting when the camera films differently

Written by `make robustness` (scripts/robustness.py). Every clip and zero-rep probe that
`make accuracy` scores (docs/accuracy.md), made again with ffmpeg as a patient's own camera
might film it, and counted by the same coach: the poses the model sees in each variant, at
`coach analyze`'s working size, replayed through `coach replay` (the same result as
`coach analyze`). Scored as docs/accuracy.md scores the original: *within range* counts
every run, holds and probes included; the *MAE* is against the true count of the counted
clips; *false reps* are reps counted on the zero-rep probes and the hold; *reps out of time*
are counted reps whose turn falls in no hand-marked rep (clips with marked times only). In
the clip table a count in bold is outside the hand-counted range or out of time; a hold
shows its timed seconds, in bold outside the hand-timed range.

"""


FINDINGS = "\n## Findings"


def kept_findings(page: Path) -> str:
    """The hand-written part of an existing page, from its `## Findings` heading on (why a
    variant broke a count, read from the traces), kept when the tables are written again;
    "" when there is none."""
    if not page.is_file():
        return ""
    text = page.read_text()
    at = text.find(FINDINGS)
    return "" if at < 0 else text[at:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=list(VARIANTS),
        default=list(VARIANTS),
        help="which variants, in this order (default: all)",
    )
    parser.add_argument("--write", type=Path, help="also write the tables to this Markdown file")
    parser.add_argument(
        "--cache",
        type=Path,
        default=POSE_CACHE,
        help=f"where the poses of each variant are kept (default {POSE_CACHE.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run `coach analyze` (the pose model) on every variant file instead",
    )
    args = parser.parse_args()
    cache = None if args.no_cache else args.cache
    results: dict[str, list[Row]] = {}
    for name in args.variants:
        print(f"-- {name}", file=sys.stderr)
        results[name] = run(args.folders, analyzer=analyzer(VARIANTS[name], cache))
    table = report(results)
    print(table)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(HEADER + table + "\n" + kept_findings(args.write))
    return 0 if all(r.passed for rows in results.values() for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
