#!/usr/bin/env python3
"""Measure Form Coach's speed and memory side by side in one run (`make bench`).

Prints one JSON object and, with --write, a Markdown table (docs/benchmarks.md):

- pose_ms_per_frame: the bare MediaPipe landmarker (one person, VIDEO mode) on decoded
  frames of a shared clip; pipeline_ms_per_frame: the whole coach (`CoachSession`: pose
  with the crowd check, tracker, smoother, engine, rules, cues) on the same frames, one
  frame after another on one thread as the live coach runs it (`coach analyze` runs the
  coach on another thread, beside the model: that shows in offline_fps);
  overhead_ratio = pipeline / pose (target <= 1.10);
- analysis_frames_per_s: the engine alone (`ExerciseEngine.run`) on the recorded landmark
  sequences of tests/fixtures/poses (target >= 10,000), with the bulk replay including
  tracker and smoother (`CoachSession.run`) and the frame-by-frame replay beside it;
- offline_fps: `coach analyze` (annotated video written) on a 30 s clip, and
  pose_only_fps: decoding + the bare landmarker on the same clip; their ratio
  (target >= 0.95);
- peak memory (resident set size, and Python's own allocations by tracemalloc) of
  `coach analyze` and of one live session (`LiveCoach` fed the clip's frames);
- each of these at 640x480 (the clip scaled and letterboxed), at the clip's own 1280x720
  as `coach analyze` runs it by default (shrunk to 640 px while decoding, before the model
  and the annotated video), and at 1280x720 kept at full size (`--max-side 0`).

Every figure is the median of --runs runs (5 by default: on this shared 2-core VM one run
can differ from the next by several per cent, more than the effects measured here).
Memory and offline figures come from fresh child processes (this script with --child),
timed inside the child from opening the video to the result, so interpreter start-up is
not counted. The machine is shared and has 2 cores: the load average is recorded with the
figures. With --write, the generated tables replace only their own part of the file (between
`GENERATED_START` and `GENERATED_END`): the hand-written history around them stays.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from coach.vision.video import WORKING_MAX_SIDE_PX

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "videos" / "squat_front_counter20.mp4"
FIXTURES = ROOT / "tests" / "fixtures" / "poses"
EXERCISE = "squat"
# The benchmark clips' own encoding, fixed so that the input stays the same when the
# annotated video's settings (coach.vision.video.ENCODER_OPTIONS) change.
CLIP_ENCODER_OPTIONS = {"crf": "23", "preset": "veryfast"}
# (name, frame size fed to the coach or None for the clip's own, max side before the model)
CONFIGS: tuple[tuple[str, tuple[int, int] | None, int | None], ...] = (
    ("640x480", (640, 480), WORKING_MAX_SIDE_PX),
    ("1280x720", None, WORKING_MAX_SIDE_PX),
    ("1280x720_full", None, None),
)
# The configurations the targets hold for: what `coach analyze` does by default.
TARGET_CONFIGS = ("640x480", "1280x720")
TARGETS = {
    "overhead_ratio": ("<=", 1.10),
    "analysis_frames_per_s": (">=", 10_000.0),
    "offline_to_pose_only": (">=", 0.95),
}


# ---- inputs --------------------------------------------------------------------------------


def letterboxed(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The frame scaled to fit `size` (w, h) and padded with black, as a webcam would be."""
    import cv2

    width, height = size
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    inner = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
    small = cv2.resize(rgb, inner, interpolation=cv2.INTER_AREA)
    out = np.zeros((height, width, 3), np.uint8)
    top, left = (height - inner[1]) // 2, (width - inner[0]) // 2
    out[top : top + inner[1], left : left + inner[0]] = small
    return out


def make_clip(source: Path, seconds: float, size: tuple[int, int] | None, target: Path) -> Path:
    """The first `seconds` of `source` (at `size`, letterboxed) as an H.264 mp4."""
    from coach.vision.video import H264Writer, probe, read_frames

    info = probe(source)
    writer = None
    for frame in read_frames(source):
        if frame.t_s >= seconds:
            break
        rgb = frame.rgb if size is None else letterboxed(frame.rgb, size)
        if writer is None:
            writer = H264Writer(
                target, info.fps, (rgb.shape[1], rgb.shape[0]), CLIP_ENCODER_OPTIONS
            )
        writer.write(rgb)
    assert writer is not None, f"{source} has no frames"
    writer.close()
    return target


def load_frames(clip: Path, count: int) -> list[tuple[float, np.ndarray]]:
    from coach.vision.video import read_frames

    frames = []
    for frame in read_frames(clip):
        frames.append((frame.t_s, frame.rgb))
        if len(frames) >= count:
            break
    return frames


# ---- per-frame figures, in this process ----------------------------------------------------


def bare_landmarker():  # -> vision.PoseLandmarker
    """MediaPipe's landmarker as the estimator builds it, one person, warmed up."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from coach.vision.model_bundle import resolve_model_path

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(resolve_model_path(None))),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
    )
    landmarker = vision.PoseLandmarker.create_from_options(options)
    landmarker.detect_for_video(
        mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), np.uint8)), 0
    )
    return landmarker


def detect_bare(landmarker, frames: list[tuple[float, np.ndarray]], max_side: int | None) -> None:
    """The bare landmarker on each frame, shrunk as the coach would shrink it."""
    import mediapipe as mp

    from coach.vision.estimator import downscaled

    for t_s, rgb in frames:
        pixels = np.ascontiguousarray(downscaled(rgb, max_side))
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=pixels)
        landmarker.detect_for_video(image, round(t_s * 1000) + 1)


def pose_ms(frames: list[tuple[float, np.ndarray]], max_side: int | None) -> float:
    """Bare landmarker (with the same shrinking the coach would do) per frame."""
    landmarker = bare_landmarker()
    try:
        start = time.perf_counter()
        detect_bare(landmarker, frames, max_side)
        return 1000 * (time.perf_counter() - start) / len(frames)
    finally:
        landmarker.close()


def coach_session(estimator):  # -> CoachSession
    """The bench exercise's coach on this estimator, as `coach analyze` runs it."""
    from coach.exercise.loader import ExerciseLibrary
    from coach.runtime.session import CoachSession

    return CoachSession(ExerciseLibrary().get(EXERCISE), estimator=estimator, recorded=True)


def pipeline_ms(frames: list[tuple[float, np.ndarray]], max_side: int | None) -> float:
    """The whole coach on the same frames with `coach analyze`'s settings, but one frame
    after another on one thread, as the live coach runs it (and without drawing)."""
    from coach.vision.estimator import PoseEstimator

    with PoseEstimator(max_side_px=max_side) as estimator:
        session = coach_session(estimator)
        start = time.perf_counter()
        for t_s, rgb in frames:
            session.process_frame(rgb, t_s)
        return 1000 * (time.perf_counter() - start) / len(frames)


def analysis_rates(runs: int) -> dict[str, float]:
    """Frames per second of the engine alone, the bulk replay and the frame step, on the
    recorded fixtures (each with its own exercise)."""
    from coach.engine.engine import EngineFrames, ExerciseEngine
    from coach.exercise.loader import ExerciseLibrary
    from coach.runtime.session import CoachSession
    from coach.vision.recording import PoseRecording

    library = ExerciseLibrary()
    clips = json.loads((FIXTURES / "expected.json").read_text())["clips"]
    recordings = [
        (library.get(clip["exercise"]), PoseRecording.load(FIXTURES / f"{name}.npz"))
        for name, clip in sorted(clips.items())
        if clip.get("exercise") in library
    ]
    frames = sum(len(r) for _, r in recordings)
    # The engine's own input: the first person of each frame (the recordings hold the
    # model's output, the patient first), in pixels.
    inputs = []
    for exercise, recording in recordings:
        width, height = recording.frame_wh
        present = recording.people > 0
        inputs.append(
            (
                exercise,
                EngineFrames(
                    t_s=recording.t_s,
                    present=present,
                    people=recording.people.astype(int),
                    image_px=recording.image_xyz[:, 0, :, :2] * np.array([width, height], float),
                    world_xyz=recording.world_xyz[:, 0],
                    visibility=np.where(present[:, None], recording.visibility[:, 0], 0.0),
                ),
            )
        )

    def engine() -> None:
        for exercise, engine_frames in inputs:
            ExerciseEngine(exercise, recorded=True).run(engine_frames)

    def bulk() -> None:
        for exercise, recording in recordings:
            CoachSession(exercise).run(recording)

    def stepped() -> None:
        for exercise, recording in recordings:
            CoachSession(exercise).replay(recording)

    cpu_start = time.process_time()
    engine()
    cpu_s = time.process_time() - cpu_start
    return {
        "analysis_frames_per_s": frames / median_time(engine, runs),
        "analysis_frames_per_cpu_s": frames / cpu_s,
        "bulk_replay_frames_per_s": frames / median_time(bulk, runs),
        "frame_step_replay_frames_per_s": frames / median_time(stepped, max(1, runs // 2)),
        "analysis_fixture_frames": frames,
        "analysis_fixtures": len(recordings),
    }


def median_time(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---- child processes: offline analysis, pose only, live session ----------------------------


def child(kind: str, video: Path, max_side: int | None, frames: int) -> dict[str, float]:
    """One measured job in this fresh process; prints its figures as JSON."""
    from coach.exercise.loader import ExerciseLibrary

    exercise = ExerciseLibrary().get(EXERCISE)
    track = kind.endswith("+tracemalloc")
    if track:
        tracemalloc.start()
    start = time.perf_counter()
    count = 0
    if kind.startswith("analyze"):
        from coach.runtime.analysis import analyze_video

        with tempfile.TemporaryDirectory() as folder:
            result = analyze_video(
                video, exercise, annotated_path=Path(folder) / "out.mp4", max_side_px=max_side
            )
        count = result.frames
    elif kind.startswith("pose_only"):
        count = decode_and_pose(video, max_side)
    elif kind.startswith("live"):
        count = live_session(exercise, video, max_side, frames)
    else:
        raise SystemExit(f"unknown child job {kind}")
    seconds = time.perf_counter() - start
    figures = {
        "seconds": seconds,
        "frames": count,
        "fps": count / seconds,
        "peak_rss_mb": peak_rss_mb(),
    }
    if track:
        figures["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return figures


def decode_and_pose(video: Path, max_side: int | None) -> int:
    """Decoding and the bare landmarker, nothing else: the frames done. Decoded and shrunk
    on a worker thread, exactly as `coach analyze` does it."""
    import mediapipe as mp

    from coach.runtime.analysis import working_frames
    from coach.runtime.threads import prefetch

    count = 0
    landmarker = bare_landmarker()
    for frame in prefetch(working_frames(video, max_side), maxsize=8):
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.rgb)
        landmarker.detect_for_video(image, round(frame.t_s * 1000) + 1)
        count += 1
    landmarker.close()
    return count


def live_session(exercise, video: Path, max_side: int | None, frames: int) -> int:
    """A live session fed the clip's frames (looped) as WebRTC would hand them over, one
    after another with nothing dropped (so its frames/s is the session's own speed)."""
    from fractions import Fraction

    import av

    from coach.runtime.guided import SetPlan
    from coach.runtime.live import LiveCoach
    from coach.vision.estimator import PoseEstimator
    from coach.vision.video import read_frames

    coach = LiveCoach(
        exercise,
        SetPlan.from_dosage(exercise),
        estimator_factory=lambda: PoseEstimator(max_side_px=max_side),
    )

    def looped() -> Iterator[np.ndarray]:  # decoded as needed: memory is the session's own
        while True:
            for decoded in read_frames(video):
                yield decoded.rgb

    for i, rgb in zip(range(frames), looped(), strict=False):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts, frame.time_base = i, Fraction(1, 30)
        coach.process_frames([frame])
    coach.close()
    return frames


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec; getrusage's
    ru_maxrss would carry over the parent's peak, as the child is spawned from it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, video: Path, max_side: int | None, frames: int = 0) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--video",
        str(video),
        "--frames",
        str(frames),
    ]
    if max_side:
        command += ["--max-side", str(max_side)]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise SystemExit(f"bench child {kind} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(results: list[dict], key: str) -> float:
    return float(statistics.median(r[key] for r in results))


# ---- the whole run -------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> dict:
    figures: dict = {
        "clip": args.clip.name,
        "exercise": EXERCISE,
        "runs": args.runs,
        "frames_per_frame_figure": args.frames,
        "offline_clip_s": args.seconds,
        "cpus": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    log("analysis on recorded landmarks")
    figures.update(analysis_rates(args.runs))
    with tempfile.TemporaryDirectory() as folder:
        for name, size, max_side in CONFIGS:
            if args.configs and name not in args.configs:
                continue
            tag = _tag(name)
            clip = Path(folder) / f"{name.split('_')[0]}.mp4"
            if not clip.exists():
                log(f"{name}: making the {args.seconds:.0f} s clip")
                make_clip(args.clip, args.seconds, size, clip)
            frames = load_frames(clip, args.frames)
            log(f"{name}: pose and pipeline per frame")
            pose, pipeline = [], []
            for _ in range(args.runs):  # interleaved, so a busy spell hits both alike
                pose.append(pose_ms(frames, max_side))
                pipeline.append(pipeline_ms(frames, max_side))
            figures[f"pose_ms_per_frame{tag}"] = statistics.median(pose)
            figures[f"pipeline_ms_per_frame{tag}"] = statistics.median(pipeline)
            figures.update(ratio_figures("overhead_ratio", tag, pipeline, pose))
            log(f"{name}: offline analysis and pose only")
            pose_only, offline = [], []
            for round_ in range(args.runs):  # each goes first in turn
                if round_ % 2:
                    offline.append(run_child("analyze", clip, max_side))
                pose_only.append(run_child("pose_only", clip, max_side))
                if not round_ % 2:
                    offline.append(run_child("analyze", clip, max_side))
            figures[f"offline_fps{tag}"] = median_of(offline, "fps")
            figures[f"pose_only_fps{tag}"] = median_of(pose_only, "fps")
            figures.update(
                ratio_figures(
                    "offline_to_pose_only",
                    tag,
                    [run["fps"] for run in offline],
                    [run["fps"] for run in pose_only],
                )
            )
            figures[f"analyze_peak_rss_mb{tag}"] = median_of(offline, "peak_rss_mb")
            log(f"{name}: memory (tracemalloc) and a live session")
            traced = run_child("analyze+tracemalloc", clip, max_side)
            figures[f"analyze_python_peak_mb{tag}"] = traced["python_peak_mb"]
            # Frames/s and resident memory without tracemalloc, which slows Python down.
            live = run_child("live", clip, max_side, args.live_frames)
            figures[f"live_peak_rss_mb{tag}"] = live["peak_rss_mb"]
            figures[f"live_fps{tag}"] = live["fps"]
            traced = run_child("live+tracemalloc", clip, max_side, args.live_frames)
            figures[f"live_python_peak_mb{tag}"] = traced["python_peak_mb"]
    figures["load_average_at_end"] = round(os.getloadavg()[0], 2)
    figures["targets_met"] = targets_met(figures)
    return {k: _rounded(v) for k, v in figures.items()}


def ratio_figures(
    key: str, tag: str, numerators: list[float], denominators: list[float]
) -> dict[str, float | list[float]]:
    """The median of the run-by-run ratios, and their lowest and highest (`{key}_range`):
    how far one run can stray, to read a median near its target by."""
    ratios = [a / b for a, b in zip(numerators, denominators, strict=True)]
    return {
        f"{key}{tag}": statistics.median(ratios),
        f"{key}_range{tag}": [min(ratios), max(ratios)],
    }


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def targets_met(figures: dict) -> dict[str, bool]:
    """Each target against the figures measured (configurations not run are left out)."""
    return {
        "analysis_frames_per_s": _meets(
            figures["analysis_frames_per_s"], *TARGETS["analysis_frames_per_s"]
        ),
    } | {
        f"{name}{_tag(config)}": _meets(figures[f"{name}{_tag(config)}"], *TARGETS[name])
        for name in ("overhead_ratio", "offline_to_pose_only")
        for config in TARGET_CONFIGS
        if f"{name}{_tag(config)}" in figures
    }


def _tag(config: str) -> str:
    """The suffix of a configuration's keys in the JSON ('' for 640x480)."""
    return "" if config == "640x480" else f"_{config}"


def _meets(value: float, op: str, bound: float) -> bool:
    return value <= bound if op == "<=" else value >= bound


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


GENERATED_START = "<!-- generated by scripts/bench.py --write: start -->"
GENERATED_END = "<!-- generated by scripts/bench.py --write: end -->"


def with_generated(document: str, generated: str) -> str:
    """`document` with its generated part (between the markers) replaced by `generated`,
    the hand-written text around it kept; appended when the document has no markers yet.

    Raises ValueError when the document has one marker without the other."""
    block = f"{GENERATED_START}\n{generated.rstrip()}\n{GENERATED_END}\n"
    has_start, has_end = GENERATED_START in document, GENERATED_END in document
    if has_start != has_end:
        raise ValueError(
            f"the document has {'only the start' if has_start else 'only the end'} marker of "
            "the generated tables; put back the other one or remove both"
        )
    if not has_start:
        return document.rstrip() + ("\n\n" if document.strip() else "") + block
    before, rest = document.split(GENERATED_START, 1)
    after = rest.split(GENERATED_END, 1)[1]
    return before + block + after.removeprefix("\n")


def markdown(figures: dict) -> str:
    """docs/benchmarks.md: the figures as tables, with the targets."""
    f = figures

    def row(label: str, key: str, unit: str = "", target: str = "") -> str:
        cells = []
        for name, _, _ in CONFIGS:
            value = f.get(f"{key}{_tag(name)}")
            spread = f.get(f"{key}_range{_tag(name)}")  # runs before 13:36 on 28 November have none
            cell = "" if value is None else f"{value:g}{unit}"
            if value is not None and spread is not None:
                cell += f" ({spread[0]:g}-{spread[1]:g})"
            cells.append(cell)
        return f"| {label} | " + " | ".join(cells) + f" | {target} |"

    met = f["targets_met"]
    lines = [
        "## The latest run",
        "",
        "Written by `make bench` (scripts/bench.py). Clip: "
        f"`{f['clip']}` ({f['exercise']}), the median of {f['runs']} runs per figure, on "
        f"{f['cpus']} CPU cores shared with other work (load average {f['load_average_at_start']} "
        f"at the start, {f['load_average_at_end']} at the end): read the figures as "
        "ratios measured side by side more than as absolute times.",
        *(["", f["note"]] if f.get("note") else []),
        "",
        "### Pose model and pipeline",
        "",
        "| figure | 640x480 | 1280x720 (shrunk to 640 px while decoding, the default) | "
        "1280x720 at full size (`--max-side 0`) | target (first two columns) |",
        "| --- | --- | --- | --- | --- |",
        row("bare landmarker, ms per frame", "pose_ms_per_frame"),
        row("whole coach pipeline, ms per frame", "pipeline_ms_per_frame"),
        row("overhead ratio pipeline / pose", "overhead_ratio", "", "<= 1.10"),
        row("`coach analyze` (annotated video), frames/s", "offline_fps"),
        row("decode + bare landmarker, frames/s", "pose_only_fps"),
        row("ratio offline / pose only", "offline_to_pose_only", "", ">= 0.95"),
        row("`coach analyze` peak resident memory, MB", "analyze_peak_rss_mb"),
        row("`coach analyze` peak Python allocations, MB", "analyze_python_peak_mb"),
        row("live session peak resident memory, MB", "live_peak_rss_mb"),
        row("live session peak Python allocations, MB", "live_python_peak_mb"),
        row("live session frames/s (one after another)", "live_fps"),
        "",
        f"Per-frame figures: the first {f['frames_per_frame_figure']} frames; offline figures: "
        f"the first {f['offline_clip_s']:g} s of the clip. 640x480 is the clip scaled and "
        "letterboxed as a webcam image. A ratio is the median of the runs' own ratios, with "
        "the lowest and highest of them in brackets.",
        "",
        "### Counting without the model",
        "",
        "| figure | frames/s | target |",
        "| --- | --- | --- |",
        f"| engine alone, bulk (`ExerciseEngine.run`) | {f['analysis_frames_per_s']:,.0f} | "
        ">= 10,000 |",
        f"| engine alone, bulk, per second of CPU time (one run) | "
        f"{f['analysis_frames_per_cpu_s']:,.0f} | |",
        f"| tracker + smoother + engine, bulk (`CoachSession.run`) | "
        f"{f['bulk_replay_frames_per_s']:,.0f} | |",
        f"| tracker + smoother + engine, frame by frame (`CoachSession.replay`) | "
        f"{f['frame_step_replay_frames_per_s']:,.0f} | |",
        "",
        f"On the {f['analysis_fixture_frames']} frames of the {f['analysis_fixtures']} recorded "
        "fixtures in tests/fixtures/poses. The bulk and frame-by-frame paths give identical "
        "results (tests/engine/test_bulk_run.py).",
        "",
        "### Targets",
        "",
        "| target | met |",
        "| --- | --- |",
        *(f"| {name} | {'yes' if ok else '**no**'} |" for name, ok in met.items()),
        "",
        "### The JSON",
        "",
        "```json",
        json.dumps(figures, indent=1),
        "```",
    ]
    return "\n".join(lines) + "\n"


def accuracy_rows(table: Path) -> dict[tuple[str, str, str, str], tuple[str, str, str]]:
    """(clip, source, exercise, kind) -> (expected, counted, within) from accuracy.py's
    table (two folders hold a clip of the same name)."""
    rows = {}
    for line in table.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 7 and cells[0] not in ("clip", "---"):
            rows[(cells[0], cells[1], cells[2], cells[3])] = (cells[4], cells[5], cells[6])
    return rows


def accuracy_section(full: Path, shrunk: Path, max_side: int) -> str:
    """Counts at the clips' own size beside counts with frames shrunk before the model."""
    before, after = accuracy_rows(full), accuracy_rows(shrunk)
    lines = [
        "### Accuracy before and after shrinking the frame",
        "",
        f"`scripts/accuracy.py` at the clips' own size (`--max-side 0`) and with "
        f"`--max-side {max_side}` (frames larger than {max_side} px shrunk before the model, "
        "as `coach analyze` and `make accuracy` do by default), both run by `make bench`.",
        "",
        f"| clip | source | exercise | kind | expected | counted, own size | "
        f"counted, {max_side} px | both within |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    same = 0
    for key, (expected, counted, within) in before.items():
        other = after.get(key)
        counted_after = other[1] if other else "not run"
        both = within == "yes" and other is not None and other[2] == "yes"
        same += other is not None and other[1] == counted
        lines.append(
            f"| {' | '.join(key)} | {expected} | {counted} | "
            f"{counted_after} | {'yes' if both else '**no**'} |"
        )
    within_after = sum(r[2] == "yes" for r in after.values())
    lines += [
        "",
        f"Same count in {same} of {len(before)} runs; within the acceptable range: "
        f"{sum(r[2] == 'yes' for r in before.values())}/{len(before)} at the own size, "
        f"{within_after}/{len(after)} shrunk.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--frames",
        type=int,
        default=480,
        help="frames for per-frame figures (16 s: long enough to average out the VM's spells)",
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="offline clip length")
    parser.add_argument("--live-frames", type=int, default=600)
    parser.add_argument("--write", type=Path, help="write the Markdown table here")
    parser.add_argument(
        "--accuracy",
        nargs=2,
        type=Path,
        metavar=("FULL.md", "SHRUNK.md"),
        help="accuracy.py tables at the own size and with --max-side 640, to compare",
    )
    parser.add_argument(
        "--from-json", type=Path, help="write the tables from a saved JSON object, no measuring"
    )
    parser.add_argument(
        "--configs",
        nargs="+",
        choices=[name for name, _, _ in CONFIGS],
        help="measure only these configurations (default: all)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--video", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--max-side", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.video, args.max_side, args.frames)))
        return 0
    if args.from_json:
        figures = json.loads(args.from_json.read_text())
    elif not args.clip.is_file():
        raise SystemExit(f"{args.clip}: no such clip (the shared clips live in ../shared)")
    else:
        figures = measure(args)
    print(json.dumps(figures))
    if args.write:
        text = markdown(figures)
        if args.accuracy:
            text += "\n" + accuracy_section(*args.accuracy, max_side=640)
        document = args.write.read_text() if args.write.exists() else "# Benchmarks\n"
        args.write.write_text(with_generated(document, text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
