#!/usr/bin/env python3
"""Measure Form Coach's speed and memory side by side in one run (`make bench`).

Prints one JSON object and, with --write, a Markdown table (docs/benchmarks.md):

- pose_ms_per_frame: the bare MediaPipe landmarker (one person, VIDEO mode) on decoded
  frames of a shared clip; pipeline_ms_per_frame: the whole coach (`CoachSession`: pose
  with the crowd check, tracker, smoother, engine, rules, cues) on the same frames, one
  frame after another on one thread as the live coach runs it (`coach analyze` runs the
  coach on another thread, beside the model: that shows in offline_fps);
  overhead_ratio = pipeline / pose (target <= 1.05);
- analysis_frames_per_s: the engine alone (`ExerciseEngine.run`) on the recorded landmark
  sequences of tests/fixtures/poses (target >= 20,000), with the bulk replay including
  tracker and smoother (`CoachSession.run`) and the frame-by-frame replay beside it;
- offline_fps: `coach analyze` (annotated video written) on a 30 s clip, and
  pose_only_fps: decoding + the bare landmarker on the same clip; their ratio
  (target >= 0.95);
- thread placement: `coach analyze` keeps the model's threads on one core and the rest on
  the others (`coach.runtime.cores`), so every model figure above is measured the same way, and
  pose_only_fps_unpinned (decoding + the bare landmarker with the kernel placing every
  thread) shows what that placement is worth (pinning_gain);
- placement and priority end to end: `coach analyze` four ways in each round, in turn
  (`ANALYZE_WAYS`): as it runs (placed, its workers at a lower priority: offline_fps),
  not placed (`--no-pinning`), its workers at the model's priority (`coach.runtime.threads`), and
  neither; analyze_pinning_gain, analyze_priority_gain and analyze_both_gain are the first
  over each of the others (what each is worth to a user waiting for an analysis), and
  the last two keys of `ANALYZE_GAINS` what each is worth with the other off;
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
figures.
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

from coach.runtime.cores import CorePlacement
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
# `coach analyze` four ways, the child job's name -> (threads placed, workers give way to
# the model at a lower priority); the first is `coach analyze` as it runs.
ANALYZE_WAYS = {
    "analyze": (True, True),
    "analyze_unpinned": (False, True),
    "analyze_equal_priority": (True, False),
    "analyze_neither": (False, False),
}
# What placement, the lower priority and both are worth, each with the other on as it runs,
# then each with the other off: key in the JSON -> (the way with it, the way without).
ANALYZE_GAINS = {
    "analyze_pinning_gain": ("analyze", "analyze_unpinned"),
    "analyze_priority_gain": ("analyze", "analyze_equal_priority"),
    "analyze_both_gain": ("analyze", "analyze_neither"),
    "analyze_pinning_gain_equal_priority": ("analyze_equal_priority", "analyze_neither"),
    "analyze_priority_gain_unpinned": ("analyze_unpinned", "analyze_neither"),
}
TARGETS = {
    "overhead_ratio": ("<=", 1.05),
    "analysis_frames_per_s": (">=", 20_000.0),
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


def pose_ms(
    frames: list[tuple[float, np.ndarray]], max_side: int | None, placement: CorePlacement
) -> float:
    """Bare landmarker (with the same shrinking the coach would do) per frame, its threads
    on the model's core as `coach analyze` places them."""
    with placement.on_model_core():
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


def pipeline_ms(
    frames: list[tuple[float, np.ndarray]], max_side: int | None, placement: CorePlacement
) -> float:
    """The whole coach on the same frames with `coach analyze`'s settings and thread
    placement, but one frame after another on one thread, as the live coach runs it (and
    without drawing)."""
    from coach.vision.estimator import PoseEstimator

    with (
        placement.on_model_core(),
        PoseEstimator(max_side_px=max_side, placement=placement) as estimator,
    ):
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
    placed = None
    if kind.startswith("analyze"):
        from coach.runtime import threads
        from coach.runtime.analysis import analyze_video

        pin_cores, give_way = ANALYZE_WAYS[kind.removesuffix("+tracemalloc")]
        if not give_way:
            threads.WORKER_NICENESS = 0  # the workers keep the model's priority
        model_cores: set[int] = set()

        def progress(done: int, total: int) -> None:  # on the model's thread
            if done == 1 and hasattr(os, "sched_getaffinity"):
                model_cores.update(os.sched_getaffinity(0))

        with tempfile.TemporaryDirectory() as folder:
            result = analyze_video(
                video,
                exercise,
                annotated_path=Path(folder) / "out.mp4",
                max_side_px=max_side,
                pin_cores=pin_cores,
                progress=progress,
            )
        count = result.frames
        # Placed unless another analysis on the machine held the claim (`coach.runtime.cores`).
        placed = len(model_cores) == 1
    elif kind.startswith("pose_only"):
        pinned = not kind.startswith("pose_only_unpinned")
        count = decode_and_pose(video, max_side, pinned)
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
    if placed is not None:
        figures["placed"] = placed
    if track:
        figures["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return figures


def decode_and_pose(video: Path, max_side: int | None, pinned: bool) -> int:
    """Decoding and the bare landmarker, nothing else: the frames done. Decoded and shrunk
    on a worker thread, and (`pinned`) with the threads placed, exactly as `coach analyze`
    does it."""
    import mediapipe as mp

    from coach.runtime.analysis import working_frames
    from coach.runtime.threads import prefetch

    placement = CorePlacement.split() if pinned else CorePlacement.unpinned()
    count = 0
    with placement.on_model_core():
        landmarker = bare_landmarker()
        for frame in prefetch(working_frames(video, max_side), maxsize=8, placement=placement):
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


def rotated(items: list[str], by: int) -> list[str]:
    by %= len(items)
    return items[by:] + items[:by]


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
    placement = CorePlacement.split()
    figures["model_cores"] = sorted(placement.model_cores)
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
                pose.append(pose_ms(frames, max_side, placement))
                pipeline.append(pipeline_ms(frames, max_side, placement))
            figures[f"pose_ms_per_frame{tag}"] = statistics.median(pose)
            figures[f"pipeline_ms_per_frame{tag}"] = statistics.median(pipeline)
            figures.update(ratio_figures("overhead_ratio", tag, pipeline, pose))
            log(f"{name}: offline analysis (four ways) and pose only")
            pose_only, unpinned = [], []
            ways: dict[str, list[dict]] = {way: [] for way in ANALYZE_WAYS}
            for round_ in range(args.runs):
                unpinned.append(run_child("pose_only_unpinned", clip, max_side))
                pose_only.append(run_child("pose_only", clip, max_side))
                for way in rotated(list(ANALYZE_WAYS), round_):  # each first in turn
                    ways[way].append(run_child(way, clip, max_side))
            offline = ways["analyze"]
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
            figures[f"pose_only_fps_unpinned{tag}"] = median_of(unpinned, "fps")
            figures[f"pinning_gain{tag}"] = statistics.median(
                a["fps"] / b["fps"] for a, b in zip(pose_only, unpinned, strict=True)
            )
            figures[f"analyze_peak_rss_mb{tag}"] = median_of(offline, "peak_rss_mb")
            for way in ANALYZE_WAYS:
                if way != "analyze":  # that one is offline_fps
                    fps_key = way.replace("analyze", "analyze_fps", 1)
                    figures[f"{fps_key}{tag}"] = median_of(ways[way], "fps")
            for key, (with_it, without) in ANALYZE_GAINS.items():
                figures.update(
                    ratio_figures(
                        key,
                        tag,
                        [r["fps"] for r in ways[with_it]],
                        [r["fps"] for r in ways[without]],
                    )
                )
            # [placed, asked to be]: another analysis on the machine may hold the claim.
            asked = [run for way, (pin, _) in ANALYZE_WAYS.items() if pin for run in ways[way]]
            figures[f"analyze_placed_runs{tag}"] = [sum(r["placed"] for r in asked), len(asked)]
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


# Where the time goes: measured once by hand on this 2-core machine (thread CPU time per
# frame of `coach analyze`), not by this script.
WHERE_THE_TIME_GOES = """## Where the time goes (measured by hand, not by this script)

Per frame of `coach analyze` on the 30 s clip, idle machine, thread CPU time:

- The pose model: about 26 ms of wall time per frame, run by MediaPipe's own threads; the
  thread that calls it does nothing else (about 1 ms of its own CPU a frame: MediaPipe's
  Python wrapper and ours).
- Beside it, on worker threads that lower their own priority (`coach/runtime/threads.py`):
  decoding (FFmpeg's threads, 1-3 ms), shrinking a 720p frame to 640 px (0.6 ms), the
  coach itself (tracker, smoother, engine, rules, cues: 0.7 ms), drawing (1.1 ms), the
  RGB to yuv420p conversion and libx264 `veryfast` (`subme=1`) encoding of the annotated
  video (about 4 ms, mostly on x264's threads); and, at normal priority since the model's thread
  waits for its result, the crowd check (a detector and two landmark passes, about 55 ms
  once a second: under 2 ms a frame).
- In all, about 37 ms of CPU for a 28.5 ms frame: 1.3 of the 2 cores. The other core is
  not wholly free for it, though: the model may run a little slower while x264 encodes
  beside it, but by less than the spread between runs. MediaPipe's own time over the 900
  frames, medians of three runs each way: 23.3 s writing the annotated video against
  22.5 s without (by hand, under cProfile), then with `scripts/where_time_goes.py writer`
  26.3 against 26.0 s, and 30.9 against 34.6 s in a slow spell. The crowd check costs
  the per-frame pipeline about 1%, within the spread of a single comparison: pipeline ms
  a frame at 720p with and without it, 26.9 against 27.3 by hand, 32.0 against 30.7 in
  a slow spell (`where_time_goes.py crowd --size own`); in the slowest spell, medians of
  five interleaved rounds of 240 frames, the pipeline took 1.024 against 1.013 times the
  bare model at 720p and 1.055 against 1.041 at 640x480.
- The two cores are virtual (a hypervisor) and shared: one run can differ from the next by
  several per cent, and a slow spell can last minutes or hours. Each figure is therefore
  the median of five runs, pose and pipeline interleaved. Most of the jitter is quicker
  than a run: alternating the two in one-second blocks instead of whole 16 s runs
  narrowed the spread a little at most (six pairs at 720p in a slow spell, twice: sd
  0.027 against 0.030, ratios 1.004-1.082 against 1.004-1.078; then 0.032 against 0.044,
  1.008-1.093 against 0.939-1.06; `where_time_goes.py blocks --size own --runs 6`), so
  the bench keeps whole runs.
- What moved the figures (from overhead 1.05/1.06 and offline/pose-only 0.90/0.84 at
  640x480/720p): the model's thread stopped doing anything but the model (the coach moved
  to the drawing thread), the workers give way to it, frames are shrunk once while
  decoding (the model and the annotated video both use the 640 px frame), the coach's
  measures became one vectorised computation (0.53 -> 0.35 ms a frame in replay), the
  crowd check runs once a second instead of twice, and the annotated video is encoded with
  the quickest sub-pixel search (`subme=1`): a fifth less encoding CPU (3.8 against 4.6
  ms a frame, `where_time_goes.py encoder`) for files 4% larger at the same PSNR (within
  0.6 dB). End to end at 640x480, eleven interleaved rounds of pose only, `veryfast` and
  `subme=1`: offline / pose only 0.975 against 0.965 (medians), higher in 8 of the 11
  rounds; the spread between rounds (0.85 to 1.18) is wider than the gain.
- Tried and dropped: a cheaper x264 preset (`superfast`: 14% less encoding CPU for files
  2.3 times larger); one x264 thread and single-threaded decoding (8% less encoding CPU in
  isolation, no difference end to end: offline / pose-only 0.986 against 0.983, five
  runs, with a temporary patch not kept);
  a shorter GIL switch interval (more time lost waiting for the GIL); building the crowd
  check's landmarker on its own thread (MediaPipe builds landmarkers one at a time: 0.37 s
  one after the other, 0.38 s on two threads, `where_time_goes.py build`).
- Thread placement (`coach/runtime/cores.py`, in every figure from the run of 05:12 on 28
  November): MediaPipe passes each frame between several threads of its own, one at a
  time; kept on one core, with everything else on the other, the bare model ran much
  faster (most likely because a hand-over to a core gone idle waits for it to wake, which
  is slow on a VM; not proven). Interleaved by hand in one spell: decoding + the bare
  model 1.13 times as fast placed (five rounds of the 30 s 720p clip, 0.99-1.22 per
  round), `coach analyze` 1.16 times (0.97-1.35); per frame at 640x480 the bare model
  took 27.0 against 34.9 ms (four rounds). Placed, `coach analyze` against placed pose
  only was 0.989 (0.915-1.10) in those five rounds. The per-frame overhead, though, was
  1.091 placed against 1.021 not (four rounds, 1.034-1.171 against 0.947-1.058), and
  then 1.049 with the crowd check and 1.055 without it (three rounds): within the spread,
  not the crowd check. Two placed analyses side by side took 1.13 times as long as two
  left alone (three rounds, 1.08-1.30), one placed and one not as long as neither (0.99),
  so only one analysis on the machine is placed at a time. The live session is not placed.
- A quicker host (from 28 November, 12:00; AMD EPYC): the bare model takes 10.5 ms a
  frame at 640x480, against 25-46 ms before, but the coach's own work did not get quicker
  with it. Each step timed between model calls, one frame after another
  (`where_time_goes.py steps --frames 600`, 640x480, placed): reading MediaPipe's result
  into poses 0.16 ms, the tracker 0.05, the smoother 0.07, the view 0.04, the measures
  0.14, the rep counters, rules and cues 0.09: 0.55 ms, 5% of the model's 10.7. The same
  code is four to six times quicker warm (the engine step over recorded poses, with no
  model between, 0.11 ms a frame). `where_time_goes.py cold --frames 300`, medians, two
  runs: reading one result into poses took 138-148 us straight after the model, then
  21-24 us run again on the same result; without the model, 125-126 us after 10 ms of
  summing a 32 MB array and 161-168 us after 10 ms asleep, against 20-36 us after
  nothing, a 10 ms Python loop or 10 ms of summing a 128 KB array. So the first Python
  after the model runs with caches the model swept (or that went cold while the core
  slept); any 10 ms that sweeps them does it. By hand (scratch scripts), reading the
  previous frame's result first took the 156 us and the new one then 26 us (the cost
  follows the code, not the data), and nothing tried made it cheaper one frame after
  another: two rewrites of the reading with fewer numpy calls (0.15-0.16 ms either way),
  calling the model from a thread on the other core (1.061 times the bare model against
  1.063), freezing or switching off the garbage collector (five young-generation
  collections in 480 frames, 0.6 ms in all). So on this host the per-frame overhead,
  measured one frame after another as the live coach runs, was 1.058-1.079 at 640x480
  and 1.053-1.070 at 720p in three bench runs, over its target. `coach analyze` runs the
  coach beside the model on the other core, and since 28 November it also reads the
  model's results there (`PoseEstimator.infer` on the model's thread, `poses_of` on the
  coach's): against pose only, 0.998 against 0.977 before (five interleaved rounds at
  640x480, fresh processes, higher in all five; 720p four rounds, 1.015 times as fast,
  0.994-1.052).
- Fewer numpy calls in the frame step (29 November): each call into numpy on a small array
  costs several microseconds with cold caches, so the steps that read a handful of numbers
  now do it on plain floats, with the bulk replay's arithmetic operation for operation
  (tests hold the two to identical results): `Pose` checks its shapes by attribute and is
  built from the model's lists in one conversion per array, the tracker and the view step
  read their dozen numbers with `ndarray.item`, one frame's measures are computed row by
  row (one numpy call, the arccos, for all rows), scalar NaN checks use `math.isnan`.
  `where_time_goes.py steps --frames 600`, two runs each: reading the result 0.16-0.19 ->
  0.09 ms, tracker 0.051 -> 0.035, smoother 0.078 -> 0.092 (the cold misses move to
  whatever runs first), view 0.040 -> 0.030, measures 0.15 -> 0.067, rep counters, rules
  and cues 0.094 -> 0.078: 0.576 -> 0.39 ms a frame. By hand (scratch script, five
  interleaved rounds of 480 frames, 640x480): the whole pipeline 1.085 times the bare
  model before, 1.041-1.046 after; at 720p 1.053-1.076 after. The bench runs of 02:26-02:41
  and 02:49-03:04 on 29 November are the first with it (next point).
- The landmarks read from the model's graph, and two filter operations fewer (29
  November): MediaPipe's `detect_for_video` builds one Python object per landmark from
  its protobuf messages, 0.12 ms a frame (`_build_landmarker_result` timed inside the bare
  landmarker, scratch script), more than the coach's own work on the frame; the estimator
  sent the graph the same packets and read its serialized landmark lists into one array
  with a few numpy calls, through MediaPipe's private names (removed again on 7 December:
  next point). Paired frame by frame with the public API on two landmarkers (scratch
  script, four rounds of 480 frames at 640x480): 0.14 ms a frame saved. The frame went to
  the graph as one image packet (one copy of the pixels instead of two), and the One Euro
  filter computes its output as
  value - change / (x + 1), two array operations fewer. `where_time_goes.py steps
  --frames 600` after all three, two runs: reading the poses 0.054 ms, tracker 0.031,
  smoother 0.072-0.073 (no change measurable from the filter), view 0.028, measures
  0.073-0.074, counters, rules and cues 0.069-0.071: 0.33 ms a frame of our Python after
  the model (whose time then included reading the landmark lists).
- MediaPipe's public API only (7 December, issue 18): the graph reading above went, as it
  used private names that any release may change; the estimator reads
  `detect_for_video`'s `PoseLandmarkerResult` again (its per-landmark objects built on the
  model's thread, inside MediaPipe's call; turned into poses on the coach thread offline)
  and hands the frame over as an `mp.Image`. Every figure below dated before 7 December
  was measured with the graph reading. After it, the bench's per-frame overhead in six
  interleaved rounds of 240 frames (a scratch driver of the bench's own functions, on a
  machine shared with other work, the bare model at 19-21 ms a frame): 1.014
  (0.969-1.040) at 640x480, 1.013 (1.003-1.034) at 720p.
- Are thread placement and the workers' lower priority worth keeping (7 December, issue
  18: each must be worth 10% to a user)? `coach analyze` four ways, in turn in each of six
  rounds (the same scratch driver, the bench's children on a 20 s clip, every placed run
  placed), frames/s as it runs over the way without: placement 1.089 (0.988-1.143,
  higher in 5 of 6) at 640x480 and 1.049 (0.702-1.163) at 720p; the lower priority 1.006
  (0.971-1.028) and 1.014 (0.666-1.081); both 1.071 and 1.032; placement with the workers
  at the model's priority 1.067 (1.024-1.122, 6 of 6) and 1.053; the lower priority
  without placement 0.990 and 0.996. Indicative only (the machine was shared; the 720p
  rounds had a slow spell): the bench now measures these in every run
  (`analyze_*_gain`).
- Where it stands: while the landmarks were read from the graph (above), every target
  was met in each of three bench runs in a row (29 November, below); until then they
  were met in some runs and missed in others. Overhead ratio
  (640x480 / 720p): 1.018-1.02 / 1.044 on a quick machine (the bare model at 25-27 ms a
  frame) before `subme=1`, 1.039 / 1.023 on a quick machine with it (27-28 ms), 1.012 /
  1.069 in a slow spell (34-39 ms) and 1.089 / 1.046 in a slower one (42-46 ms). Offline /
  pose only: 0.937-0.947 / 0.958-0.982 on a quick machine before `subme=1`; with it 0.954
  / 0.934 on a quick machine (and 0.955 at 720p in a run of that size alone just after,
  overhead 1.036), 1.007 / 1.022 in the slow spell and 0.942 / 0.916 in the slower one.
  With placement, against an equally placed (quicker) baseline, in a slow spell (30-34
  ms a frame): overhead 1.109 / 1.043, offline / pose only 0.934 / 0.949. On the quicker
  host (10-11 ms a frame), 28 November: 12:37-13:00, overhead 1.058 / 1.070, offline /
  pose only 0.946 / 0.945; 13:09-13:23, with the model's results read on the coach
  thread, overhead 1.073 / 1.053, offline / pose only 0.957 / 0.949 (by hand just after,
  four rounds in the bench's order: 0.967-1.026, median 0.98); 13:36-13:50, overhead
  1.079 / 1.068, offline / pose only 0.959 / 0.958, both offline targets met (the runs
  spanning 0.926-1.028 / 0.951-0.985); until then the overhead was over its target in
  every run on that host (the cold caches above). 29 November, with the frame step on
  plain floats: 02:26-02:41 (just after the accuracy tables), overhead 1.056
  (1.043-1.064) / 1.035 (1.011-1.082), offline / pose only 0.982 / 0.971; 02:49-03:04,
  overhead 1.055 (1.02-1.107) / 1.053 (0.951-1.082), offline / pose only 0.974 / 0.97.
  With the landmarks read from the graph: 04:09-04:31 (`make bench`, just after the
  accuracy tables), overhead 1.027 (0.981-1.058) / 1.047 (1.019-1.076), 1.031 at 720p
  kept full size, offline / pose only 0.985 / 0.953: every target met; 04:35-04:48 (this
  script alone, idle start, with one frame's visibility check mapped in C as well),
  overhead 1.043 (0.998-1.067) / 1.026 (1.018-1.061), 1.016 at 720p kept full size,
  offline / pose only 1.004 / 0.962: every target met again; 04:56-05:09 (this script
  alone, idle start), overhead 1.023 (0.987-1.043) / 1.036 (1.024-1.075), 1.038 at full
  size, offline / pose only 0.988 / 0.993: every target met. Single runs still cross
  1.05 (the ranges), the medians of five did not in these three. The
  offline targets sit inside the machine's run-to-run spread; the 720p offline ratio is
  the one missed most often (in two of the four runs with `subme=1` before placement).
  What the
  gap is made of, measured by hand on a 30 s 720p clip in the quick spell (scratch
  scripts): the model's thread spent 25.0 of `coach analyze`'s 26.1 s in `detect` (27.7 ms
  a frame), 0.05 ms a frame waiting for a decoded frame and 0.03 ms handing it on, so the
  stages never hold the model up; the rest is start-up. Fixed costs, about 1%: on a 1 s
  clip `coach analyze` took 2.16 s against 1.85 s for pose only (medians of five, fresh
  processes), 0.16 s of it building the crowd check's landmarker (both pay about 1 s for
  `import mediapipe`, whose legacy `solutions` package loads matplotlib). Per frame, about
  2%: `detect` at 27.7 ms against the bare model's 27.2, of which our Python is 0.06 ms
  (reading its result into poses); the rest is the model itself running a little slower beside the
  crowd check's look and the encoder. The bare model is single-threaded (process CPU /
  wall 1.0) and a busy pure-Python process on the other core did not slow it (27.0 against
  26.7-27.1 ms a frame), so what slows it is more likely memory traffic (x264, the crowd
  look) than a lack of cores; not proven. The crowd check's share, end to end: `coach
  analyze` on that clip without it (one landmarker, `crowd_check_s=None`) ran 1.017 times
  as fast (medians of four interleaved rounds, 36.3 against 35.7 frames/s); it stays on,
  since it is what keeps the coach on the patient when someone walks through.
"""


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
        "# Benchmarks",
        "",
        "Written by `make bench` (scripts/bench.py). Clip: "
        f"`{f['clip']}` ({f['exercise']}), the median of {f['runs']} runs per figure, on "
        f"{f['cpus']} CPU cores shared with other work (load average {f['load_average_at_start']} "
        f"at the start, {f['load_average_at_end']} at the end): read the figures as "
        "ratios measured side by side more than as absolute times.",
        *(["", f["note"]] if f.get("note") else []),
        "",
        "## Pose model and pipeline",
        "",
        "| figure | 640x480 | 1280x720 (shrunk to 640 px while decoding, the default) | "
        "1280x720 at full size (`--max-side 0`) | target (first two columns) |",
        "| --- | --- | --- | --- | --- |",
        row("bare landmarker, ms per frame", "pose_ms_per_frame"),
        row("whole coach pipeline, ms per frame", "pipeline_ms_per_frame"),
        row("overhead ratio pipeline / pose", "overhead_ratio", "", "<= 1.05"),
        row("`coach analyze` (annotated video), frames/s", "offline_fps"),
        row("decode + bare landmarker, frames/s", "pose_only_fps"),
        row("ratio offline / pose only", "offline_to_pose_only", "", ">= 0.95"),
        row("decode + bare landmarker, threads not placed, frames/s", "pose_only_fps_unpinned"),
        row("what the placement is worth: pose only / not placed", "pinning_gain"),
        row(
            "`coach analyze`, threads not placed (`--no-pinning`), frames/s", "analyze_fps_unpinned"
        ),
        row(
            "`coach analyze`, workers at the model's priority, frames/s",
            "analyze_fps_equal_priority",
        ),
        row("`coach analyze`, neither placed nor lowered, frames/s", "analyze_fps_neither"),
        row(
            "what the placement is worth to `coach analyze`: placed / not placed",
            "analyze_pinning_gain",
        ),
        row("what the workers' lower priority is worth: lowered / not", "analyze_priority_gain"),
        row("what both are worth: `coach analyze` / neither", "analyze_both_gain"),
        row(
            "placement with the workers at the model's priority: placed / neither",
            "analyze_pinning_gain_equal_priority",
        ),
        row(
            "lower priority without placement: lowered / neither", "analyze_priority_gain_unpinned"
        ),
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
        "## Counting without the model",
        "",
        "| figure | frames/s | target |",
        "| --- | --- | --- |",
        f"| engine alone, bulk (`ExerciseEngine.run`) | {f['analysis_frames_per_s']:,.0f} | "
        ">= 20,000 |",
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
        "## Targets",
        "",
        "| target | met |",
        "| --- | --- |",
        *(f"| {name} | {'yes' if ok else '**no**'} |" for name, ok in met.items()),
        "",
        WHERE_THE_TIME_GOES,
        "## The JSON",
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
        "## Accuracy before and after shrinking the frame",
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
        args.write.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
