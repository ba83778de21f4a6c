#!/usr/bin/env python3
"""The hand measurements behind "Where the time goes" in docs/benchmarks.md, rerunnable.

- writer: MediaPipe's own time (the tracking landmarker's calls) over the clip in `coach
  analyze`, with and without the annotated video, alternately: what x264 beside the model
  costs the model.
- crowd: the whole pipeline per frame with and without the crowd check, interleaved with
  the bare landmarker (the bench's `pose_ms` / `pipeline_ms` on the same frames).
- build: building the two landmarkers one after the other, and on two threads at once.
- blocks: the overhead ratio as the bench measures it (a whole 16 s run of the bare
  landmarker, then one of the pipeline) against the two alternating in one-second blocks:
  does finer interleaving narrow the spread between runs?
- encoder: the annotated video's encoder settings against plain `veryfast`, alternately:
  CPU a frame (colour conversion included), file size and PSNR against the frames fed in.
- steps: each step of the coach timed between model calls, one frame after another as the
  live coach runs it (ms a frame): what the overhead ratio is made of.
- cold: reading one model result into poses (microseconds) straight after the model, then
  twice more on the same result, and, without the model, after 10 ms of each of: nothing,
  a Python loop, summing a 128 KB array, summing a 32 MB array, sleeping. How much of the
  coach's cost is its code running with the caches the model (or anything else) swept.

Each prints one JSON object of medians. Run on an idle machine; the shared clips live in
../shared/videos.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # the bench's clip making, landmarker and timing helpers


def model_seconds(clip: Path, annotated: bool) -> float:
    """Seconds spent inside the main landmarker's calls during one `analyze_video`."""
    from coach.exercise.loader import ExerciseLibrary
    from coach.runtime.analysis import analyze_video
    from coach.vision.estimator import PoseEstimator

    spent = [0.0]
    run = PoseEstimator._run

    def timed(self, which, *args, **kwargs):
        start = time.perf_counter()
        try:
            return run(self, which, *args, **kwargs)
        finally:
            if which == "main":
                spent[0] += time.perf_counter() - start

    PoseEstimator._run = timed
    try:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "out.mp4" if annotated else None
            analyze_video(clip, ExerciseLibrary().get(bench.EXERCISE), annotated_path=out)
    finally:
        PoseEstimator._run = run
    return spent[0]


def writer(clip: Path, runs: int) -> dict:
    with_video, without = [], []
    for _ in range(runs):
        with_video.append(model_seconds(clip, annotated=True))
        without.append(model_seconds(clip, annotated=False))
    return {
        "model_s_with_video": statistics.median(with_video),
        "model_s_without_video": statistics.median(without),
    }


def crowd(clip: Path, runs: int, frames: int) -> dict:
    from coach.vision.estimator import PoseEstimator

    decoded = bench.load_frames(clip, frames)

    def pipeline(**options) -> float:
        with PoseEstimator(max_side_px=bench.WORKING_MAX_SIDE_PX, **options) as estimator:
            session = bench.coach_session(estimator)
            start = time.perf_counter()
            for t_s, rgb in decoded:
                session.process_frame(rgb, t_s)
            return 1000 * (time.perf_counter() - start) / len(decoded)

    results: dict[str, list[float]] = {"pose_ms": [], "with_crowd_ms": [], "without_ms": []}
    for _ in range(runs):  # interleaved, so a busy spell hits all three alike
        results["pose_ms"].append(bench.pose_ms(decoded, bench.WORKING_MAX_SIDE_PX))
        results["with_crowd_ms"].append(pipeline())
        results["without_ms"].append(pipeline(num_poses=1, crowd_check_s=None))
    return {key: statistics.median(values) for key, values in results.items()}


def blocked_overhead(decoded: list, block: int) -> float:
    """Pipeline / bare landmarker with the two alternating every `block` frames (the first
    of each pair alternating too), both running through all the frames in order."""
    from coach.vision.estimator import PoseEstimator

    max_side = bench.WORKING_MAX_SIDE_PX
    landmarker = bench.bare_landmarker()
    spent = {"bare": 0.0, "pipeline": 0.0}
    try:
        with PoseEstimator(max_side_px=max_side) as estimator:
            session = bench.coach_session(estimator)

            def bare(chunk: list) -> None:
                bench.detect_bare(landmarker, chunk, max_side)

            def pipeline(chunk: list) -> None:
                for t_s, rgb in chunk:
                    session.process_frame(rgb, t_s)

            for k in range(0, len(decoded), block):
                chunk = decoded[k : k + block]
                order = [("bare", bare), ("pipeline", pipeline)]
                for name, work in order[:: 1 if (k // block) % 2 == 0 else -1]:
                    start = time.perf_counter()
                    work(chunk)
                    spent[name] += time.perf_counter() - start
    finally:
        landmarker.close()
    return spent["pipeline"] / spent["bare"]


def blocks(clip: Path, runs: int, frames: int, block: int = 30) -> dict:
    decoded = bench.load_frames(clip, frames)
    max_side = bench.WORKING_MAX_SIDE_PX
    whole, blocked = [], []
    for _ in range(runs):  # interleaved, so a busy spell hits both ways alike
        pose = bench.pose_ms(decoded, max_side)
        whole.append(bench.pipeline_ms(decoded, max_side) / pose)
        blocked.append(blocked_overhead(decoded, block))
    figures = {}
    for name, ratios in (("whole_runs", whole), ("blocks", blocked)):
        figures[f"{name}_median"] = statistics.median(ratios)
        figures[f"{name}_min"], figures[f"{name}_max"] = min(ratios), max(ratios)
        figures[f"{name}_sd"] = statistics.stdev(ratios) if runs > 1 else 0.0
    return figures


def steps(clip: Path, frames: int) -> dict:
    """Each step of `CoachSession.process_frame`, timed between model calls (ms a frame):
    the engine's batch of one (view and measures), then its step and the cue."""
    from coach.engine.engine import EngineFrames
    from coach.vision.estimator import PoseEstimator

    decoded = bench.load_frames(clip, frames)
    names = ("model", "read_poses", "tracker", "smoother", "view_measures", "reps_rules_cues")
    spent = dict.fromkeys(names, 0.0)
    with PoseEstimator(max_side_px=bench.WORKING_MAX_SIDE_PX) as estimator:
        session = bench.coach_session(estimator)
        engine = session.engine
        for t_s, rgb in decoded:
            frame_wh = (rgb.shape[1], rgb.shape[0])
            marks = [time.perf_counter()]
            inference = estimator.infer(rgb, t_s)
            marks.append(time.perf_counter())
            poses = estimator.poses_of(inference)
            marks.append(time.perf_counter())
            patient = session.tracker.select(poses, t_s, frame_wh)
            marks.append(time.perf_counter())
            smoothed = session.smoother.update(patient)
            marks.append(time.perf_counter())
            people = sum(not p.is_empty for p in poses)
            batch = engine._prepare(EngineFrames.of_pose(smoothed, people))
            marks.append(time.perf_counter())
            engine._frame_result(batch, engine._step(batch, 0), people)
            marks.append(time.perf_counter())
            for name, (begin, end) in zip(names, itertools.pairwise(marks), strict=True):
                spent[name] += end - begin
    figures = {f"{name}_ms": 1000 * seconds / len(decoded) for name, seconds in spent.items()}
    figures["coach_ms"] = sum(v for k, v in figures.items() if k != "model_ms")
    return figures


def cold(clip: Path, frames: int) -> dict:
    """Microseconds to read one result into poses, after the model and after other work."""
    import mediapipe as mp
    import numpy as np

    from coach.vision.estimator import poses_from_result

    decoded = bench.load_frames(clip, frames)
    landmarker = bench.bare_landmarker()
    large, small = np.ones(4 * 2**20), np.ones(2**14)  # 32 MB and 128 KB of float64

    def for_10_ms(work) -> None:
        end = time.perf_counter() + 0.01
        while time.perf_counter() < end:
            work()

    def read(result) -> float:
        start = time.perf_counter()
        poses_from_result(result, 0.0, (640, 480))
        return 1e6 * (time.perf_counter() - start)

    spent: dict[str, list[float]] = {}
    try:
        result = None
        for t_s, rgb in decoded:
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            result = landmarker.detect_for_video(image, round(t_s * 1000) + 1)
            for label in ("after_model_us", "again_us", "third_time_us"):
                spent.setdefault(label, []).append(read(result))
        befores = {
            "after_nothing_us": lambda: None,
            "after_python_loop_us": lambda: for_10_ms(lambda: None),
            "after_sum_128kb_us": lambda: for_10_ms(small.sum),
            "after_sum_32mb_us": lambda: for_10_ms(large.sum),
            "after_sleep_us": lambda: time.sleep(0.01),
        }
        for label, before in befores.items():
            for _ in range(len(decoded)):
                before()
                spent.setdefault(label, []).append(read(result))
    finally:
        landmarker.close()
    return {label: statistics.median(values) for label, values in spent.items()}


def build(runs: int) -> dict:
    from coach.vision.estimator import PoseEstimator

    def landmarker(num_poses: int) -> None:
        PoseEstimator(num_poses=num_poses, crowd_check_s=None).close()

    landmarker(1)  # MediaPipe's one-off start-up is not what is compared
    serial, threaded = [], []
    for _ in range(runs):
        start = time.perf_counter()
        landmarker(1)
        landmarker(2)
        serial.append(time.perf_counter() - start)
        start = time.perf_counter()
        other = threading.Thread(target=landmarker, args=(2,))
        other.start()
        landmarker(1)
        other.join()
        threaded.append(time.perf_counter() - start)
    return {"serial_s": statistics.median(serial), "two_threads_s": statistics.median(threaded)}


def encoder(clip: Path, runs: int, frames: int) -> dict:
    import resource

    import numpy as np

    from coach.vision.video import ENCODER_OPTIONS, H264Writer, read_frames

    def cpu_s() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)  # x264's threads included
        return usage.ru_utime + usage.ru_stime

    rgb = [frame.rgb for _, frame in zip(range(frames), read_frames(clip), strict=False)]
    size = (rgb[0].shape[1], rgb[0].shape[0])
    # Plain veryfast is how the bench makes its clips.
    settings = {"ours": ENCODER_OPTIONS, "veryfast": bench.CLIP_ENCODER_OPTIONS}
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        cpu_ms: dict[str, list[float]] = {name: [] for name in settings}
        for _ in range(runs):
            for name, options in settings.items():
                start = cpu_s()
                with H264Writer(Path(folder) / f"{name}.mp4", 30.0, size, options) as out:
                    for frame in rgb:
                        out.write(frame)
                cpu_ms[name].append(1000 * (cpu_s() - start) / len(rgb))
        for name in settings:
            path = Path(folder) / f"{name}.mp4"
            decoded = [frame.rgb for frame in read_frames(path)]
            mse = np.mean(
                [
                    np.mean((a.astype(np.float32) - b) ** 2)
                    for a, b in zip(rgb, decoded, strict=False)
                ]
            )
            figures[f"{name}_cpu_ms_per_frame"] = statistics.median(cpu_ms[name])
            figures[f"{name}_kb"] = path.stat().st_size / 1024
            figures[f"{name}_psnr_db"] = float(10 * np.log10(255**2 / mse))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", choices=("writer", "crowd", "build", "encoder", "blocks", "steps", "cold")
    )
    parser.add_argument("--clip", type=Path, default=bench.DEFAULT_CLIP)
    parser.add_argument("--size", default="640x480", help="WxH, or 'own' for the clip's size")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--frames",
        type=int,
        default=480,
        help="frames for `crowd`, `encoder`, `blocks`, `steps` and `cold`",
    )
    args = parser.parse_args()
    if args.what == "build":
        figures = build(args.runs)
    else:
        if not args.clip.is_file():
            raise SystemExit(f"{args.clip}: no such clip (the shared clips live in ../shared)")
        size = None if args.size == "own" else tuple(int(n) for n in args.size.split("x"))
        with tempfile.TemporaryDirectory() as folder:
            clip = bench.make_clip(args.clip, 30.0, size, Path(folder) / "clip.mp4")
            if args.what == "writer":
                figures = writer(clip, args.runs)
            elif args.what == "crowd":
                figures = crowd(clip, args.runs, args.frames)
            elif args.what == "blocks":
                figures = blocks(clip, args.runs, args.frames)
            elif args.what == "steps":
                figures = steps(clip, args.frames)
            elif args.what == "cold":
                figures = cold(clip, args.frames)
            else:
                figures = encoder(clip, args.runs, args.frames)
    print(
        json.dumps(
            {"what": args.what, "runs": args.runs, **{k: round(v, 3) for k, v in figures.items()}}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
