#!/usr/bin/env python3
"""Run `coach analyze` on every shared clip whose exercise is defined and score the counts.

Reads ../shared/videos/manifest.json and ../shared/sample-footage/manifest.json (or the
folders given), runs the real CLI on each clip (and each zero-rep probe), prints a
table and a summary, and writes them to a Markdown file with --write.

Where the manifest marks when each rep happened (`rep_times`), the counted reps are also
checked in time: the turn of every counted rep (its deepest point, start + way down) must
fall inside a hand-marked rep, a different one for each. A right count made of one
invented rep and one missed rep fails this check.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = [ROOT.parent / "shared" / "videos", ROOT.parent / "shared" / "sample-footage"]
# Hand-marked rep times are given to a tenth of a second, read off by eye.
MARKED_TIME_TOLERANCE_S = 0.25


def turns_in_marked_reps(
    turns_s: list[float],
    marked: list[tuple[float, float]],
    tolerance_s: float = MARKED_TIME_TOLERANCE_S,
) -> int:
    """How many rep turns fall inside a hand-marked rep (widened by `tolerance_s`), each
    marked rep taken by at most one turn: the earliest free one that holds it."""
    free = sorted(marked, key=lambda rep: rep[1])
    matched = 0
    for turn in sorted(turns_s):
        for rep in free:
            if rep[0] - tolerance_s <= turn <= rep[1] + tolerance_s:
                free.remove(rep)
                matched += 1
                break
    return matched


@dataclass
class Row:
    clip: str
    source: str
    exercise: str
    kind: str  # reps | hold | probe
    expected: tuple[int, int]
    true_reps: int
    counted: int
    hold_s: float | None
    expected_hold: tuple[float, float] | None
    seconds: float
    in_time: int | None = None  # counted reps whose turn falls in a distinct marked rep

    @property
    def out_of_time(self) -> int:
        """Counted reps whose turn falls in no hand-marked rep (0 without marked times)."""
        return 0 if self.in_time is None else self.counted - self.in_time

    @property
    def passed(self) -> bool:
        return self.within and self.out_of_time == 0

    @property
    def within(self) -> bool:
        low, high = self.expected
        return low <= self.counted <= high

    @property
    def abs_error(self) -> int:
        low, high = self.expected
        return max(0, low - self.counted, self.counted - high)

    @property
    def hold_error_s(self) -> float | None:
        if self.hold_s is None or self.expected_hold is None:
            return None
        low, high = self.expected_hold
        return max(0.0, low - self.hold_s, self.hold_s - high)


def defined_exercises() -> set[str]:
    out = subprocess.run(
        [sys.executable, "-m", "coach.cli", "exercises", "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return {e["id"] for e in json.loads(out.stdout)}


def analyze(video: Path, exercise: str, extra: list[str] | None = None) -> tuple[dict, float]:
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "coach.cli",
            "analyze",
            str(video),
            "--exercise",
            exercise,
            "--json",
            "--no-progress",
            *(extra or []),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise SystemExit(f"coach analyze failed on {video.name}: {out.stderr.strip()}")
    return json.loads(out.stdout), time.perf_counter() - start


def manifest_clips(folders: list[Path]) -> Iterator[tuple[Path, dict]]:
    """(folder, clip entry) of every clip in the folders' manifest.json files; a folder
    without one is skipped with a line on stderr."""
    for folder in folders:
        manifest = folder / "manifest.json"
        if not manifest.is_file():
            print(f"skipping {folder}: no manifest.json", file=sys.stderr)
            continue
        for clip in json.loads(manifest.read_text()):
            yield folder, clip


# (clip, exercise id) -> `coach analyze --json`'s object
Analyzer = Callable[[Path, str], dict]


def run(
    folders: list[Path], extra: list[str] | None = None, analyzer: Analyzer | None = None
) -> list[Row]:
    """Every defined clip and probe through `coach analyze` (with `extra` options), or
    through `analyzer` when given (scripts/robustness.py: the clip filmed differently),
    scored the same way."""
    known = defined_exercises()
    rows = []
    for folder, clip in manifest_clips(folders):
        jobs = []
        exercise, kind = clip.get("exercise_id"), clip.get("kind")
        if exercise in known:
            expected = tuple(clip["acceptable_reps"]) if kind == "reps" else (0, 0)
            hold = tuple(clip["hold_s"]) if kind == "hold" and "hold_s" in clip else None
            jobs.append((exercise, kind, expected, hold))
        for probe in clip.get("zero_rep_probes", []):
            if probe in known and probe != exercise:
                jobs.append((probe, "probe", (0, 0), None))
        for exercise_id, job_kind, expected, hold in jobs:
            if analyzer is None:
                result, seconds = analyze(folder / clip["file"], exercise_id, extra)
            else:
                start = time.perf_counter()
                result = analyzer(folder / clip["file"], exercise_id)
                seconds = time.perf_counter() - start
            true_reps = clip.get("true_reps", 0) if job_kind == "reps" else 0
            marked = clip.get("rep_times") if job_kind == "reps" else None
            turns = [rep["turn_s"] for rep in result["repetitions"]]
            row = Row(
                clip["file"],
                folder.name,
                exercise_id,
                job_kind,
                expected,
                true_reps,
                result["reps"],
                result["hold_s"] if job_kind == "hold" else None,
                hold,
                seconds,
                in_time=turns_in_marked_reps(turns, marked) if marked else None,
            )
            rows.append(row)
            mark = "ok " if row.passed else "OUT"
            print(
                f"{mark} {row.clip:40s} {row.exercise:12s} {row.kind:5s} "
                f"expected {row.expected} counted {row.counted}",
                file=sys.stderr,
            )
    return rows


def report(rows: list[Row]) -> str:
    lines = [
        "| clip | source | exercise | kind | expected | counted | within | in time | "
        "hold s (expected) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        expected = (
            f"{r.expected[0]}"
            if r.expected[0] == r.expected[1]
            else (f"{r.expected[0]}-{r.expected[1]}")
        )
        hold = ""
        if r.hold_s is not None and r.expected_hold is not None:
            hold = f"{r.hold_s:.1f} ({r.expected_hold[0]}-{r.expected_hold[1]})"
        in_time = "" if r.in_time is None else f"{r.in_time}/{r.counted}"
        lines.append(
            f"| {r.clip} | {r.source} | {r.exercise} | {r.kind} | {expected} | {r.counted} | "
            f"{'yes' if r.within else '**no**'} | {in_time} | {hold} |"
        )
    counted = [r for r in rows if r.kind == "reps"]
    zero = [r for r in rows if r.kind in ("probe", "hold")]
    holds = [r.hold_error_s for r in rows if r.hold_error_s is not None]
    timed = [r for r in rows if r.in_time is not None]
    within = sum(r.within for r in rows)
    lines += [
        "",
        f"- within the acceptable range: {within}/{len(rows)} "
        f"({100 * within / max(1, len(rows)):.0f}%)",
        f"- mean absolute error against the true count: "
        f"{sum(abs(r.counted - r.true_reps) for r in counted) / max(1, len(counted)):.2f} reps; "
        f"outside the acceptable range: "
        f"{sum(r.abs_error for r in counted) / max(1, len(counted)):.2f} reps "
        f"(over {len(counted)} counted clips)",
        f"- false reps on zero-rep probes and holds: {sum(r.counted for r in zero)} "
        f"over {len(zero)} runs",
        f"- counted reps whose turn falls in no hand-marked rep: "
        f"{sum(r.out_of_time for r in timed)} of {sum(r.counted for r in timed)} "
        f"(over {len(timed)} clips with marked rep times; in time: the turn inside a "
        f"different marked rep, give or take {MARKED_TIME_TOLERANCE_S:g} s)",
        "- hold-time error outside the expected range: "
        + (f"{max(holds):.2f} s (worst of {len(holds)})" if holds else "no hold clips"),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--write", type=Path, help="also write the table to this Markdown file")
    parser.add_argument(
        "--max-side",
        type=int,
        metavar="PX",
        help="passed to coach analyze (its default: 640 px; 0: the clips' own size)",
    )
    args = parser.parse_args()
    extra = ["--max-side", str(args.max_side)] if args.max_side is not None else None
    rows = run(args.folders, extra)
    table = report(rows)
    print(table)
    if args.write:
        header = (
            "# Counting accuracy on the shared clips\n\n"
            "Written by `make accuracy` (scripts/accuracy.py), which runs `coach analyze` on "
            "every clip of `../shared/videos` and `../shared/sample-footage` whose exercise "
            "is defined, and on each clip's zero-rep probes, at `coach analyze`'s default "
            "working size (frames shrunk to 640 px on their longer side before the model). "
            "Counts were made by eye without any pose model (see the manifests). *In time*: "
            "where the manifest marks when each rep happened, how many counted reps have "
            "their turn (the deepest point) inside a hand-marked rep, a different one each; "
            "a right count made of an invented rep and a missed one would show here.\n\n"
        )
        # A new folder (build/ in a fresh clone) is made, not a traceback after the run.
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(header + table + "\n")
    return 0 if all(r.passed for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
