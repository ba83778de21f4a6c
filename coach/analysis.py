"""Offline analysis of a recorded video with the same pipeline as the live coach.

Decoding, pose estimation and writing the annotated video run in three threads joined
by small bounded queues, so a slow step never makes the others wait longer than it must,
and memory stays flat however long the video is.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from coach.draw import annotate
from coach.engine.results import FrameResult, Rep, Status
from coach.errors import CoachError
from coach.estimator import PoseEstimator
from coach.exercise.schema import ExerciseDef
from coach.pipeline import CoachSession
from coach.pose import Pose
from coach.video import H264Writer, probe, read_frames

ProgressCallback = Callable[[int, int], None]  # (frames done, frames expected)
T = TypeVar("T")
_DONE = object()


@dataclass
class AnalysisResult:
    """What a video showed: reps with their range of motion and faults, holds, warnings."""

    exercise: str
    video: str
    frames: int
    fps: float
    duration_s: float
    frames_with_pose: int
    reps: list[Rep]
    hold_s: float
    longest_hold_s: float
    views: dict[str, int]
    warnings: list[str]
    annotated: str | None = None
    hold_by_side: dict[str, float] = field(default_factory=dict)
    # Per frame, for charts: time and each measure on the judged side (NaN when unseen).
    t_s: list[float] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    @property
    def view(self) -> str | None:
        """The view seen in most frames."""
        return max(self.views, key=lambda v: self.views[v]) if self.views else None

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "video": self.video,
            "frames": self.frames,
            "fps": round(self.fps, 3),
            "duration_s": round(self.duration_s, 3),
            "frames_with_pose": self.frames_with_pose,
            "view": self.view,
            "reps": self.rep_count,
            "reps_by_side": dict(Counter(rep.side for rep in self.reps)),
            "repetitions": [rep_to_json(rep) for rep in self.reps],
            "hold_s": round(self.hold_s, 2),
            "longest_hold_s": round(self.longest_hold_s, 2),
            "hold_by_side": {side: round(held, 2) for side, held in self.hold_by_side.items()},
            "warnings": self.warnings,
            "annotated": self.annotated,
        }


def _rounded(value: float, digits: int = 1) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def rep_to_json(rep: Rep) -> dict[str, Any]:
    return {
        "index": rep.index,
        "side": rep.side,
        "start_s": round(rep.start_s, 3),
        "end_s": round(rep.end_s, 3),
        "duration_s": round(rep.duration_s, 3),
        "down_s": round(rep.down_s, 3),
        "up_s": round(rep.up_s, 3),
        "partial": rep.partial,
        "range_of_motion": {
            name: {
                "min_deg": _rounded(stats.min_deg),
                "max_deg": _rounded(stats.max_deg),
                "rom_deg": _rounded(stats.rom_deg),
                "at_turn_deg": _rounded(stats.at_turn_deg),
            }
            for name, stats in rep.angles.items()
        },
        "faults": [
            {"rule": f.rule_id, "cue": f.cue, "severity": f.severity, "t_s": round(f.t_s, 3)}
            for f in rep.faults
        ],
    }


def _prefetch(items: Iterable[T], maxsize: int) -> Iterator[T]:
    """Iterate `items` on a worker thread, `maxsize` ahead; its exceptions re-raise here."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            buffer.put(exc)

    worker = threading.Thread(target=work, name="decode", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


class _BackgroundWriter:
    """Draws and encodes annotated frames on a worker thread, so neither waits for the
    pose model (everything drawn is immutable: the frame, the pose, the result); errors
    surface on `write` or `close()`."""

    def __init__(self, writer: H264Writer, exercise: ExerciseDef, maxsize: int = 8) -> None:
        self._writer = writer
        self._exercise = exercise
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="encode", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None:
                rgb, patient, result = item
                try:
                    self._writer.write(annotate(rgb, patient, result, self._exercise))
                except CoachError as exc:
                    self._error = exc

    def write(self, rgb: np.ndarray, patient: Pose, result: FrameResult) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((rgb, patient, result))

    def close(self) -> None:
        self._queue.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._writer.close()


def _warnings(
    exercise: ExerciseDef, frames: int, with_pose: int, crowded: int, views: Counter,
    statuses: Counter,
) -> list[str]:  # fmt: skip
    warnings = []
    if frames and with_pose == 0:
        warnings.append(
            "nobody was detected in the video: the whole body should be in view, well lit"
        )
    elif frames and with_pose < 0.5 * frames:
        warnings.append(
            f"a person was detected in only {100 * with_pose / frames:.0f}% of frames: "
            "keep the whole body in view"
        )
    if frames and crowded > 0.1 * frames:
        warnings.append(
            f"two people were in view in {100 * crowded / frames:.0f}% of frames: the coach "
            "followed the person seen first"
        )
    if with_pose and statuses[Status.NOT_VISIBLE] > 0.3 * with_pose:
        warnings.append(
            "the body parts this exercise is judged on were out of view or hidden in "
            f"{100 * statuses[Status.NOT_VISIBLE] / with_pose:.0f}% of frames"
        )
    if views:
        main_view = views.most_common(1)[0][0]
        if main_view not in exercise.views and main_view != "oblique":
            wanted = " or ".join(exercise.views)
            warnings.append(
                f"the camera saw the person from the {main_view}; {exercise.name} is best "
                f"judged from the {wanted}"
            )
    return warnings


def analyze_video(
    path: str | Path,
    exercise: ExerciseDef,
    *,
    model: str | Path | None = None,
    annotated_path: str | Path | None = None,
    mirrored: bool = False,
    progress: ProgressCallback | None = None,
    max_side_px: int | None = None,
) -> AnalysisResult:
    """Run the full coach pipeline over a video file (`max_side_px`: shrink larger frames
    before the pose model; see `coach.estimator.downscaled`)."""
    path = Path(path)
    info = probe(path)
    writer = None
    views: Counter = Counter()
    statuses: Counter = Counter()
    with_pose = crowded = frames = 0
    t_series: list[float] = []
    series: dict[str, list[float]] = {name: [] for name in exercise.measures}
    with PoseEstimator(model, max_side_px=max_side_px) as estimator:
        session = CoachSession(exercise, estimator=estimator, mirrored=mirrored, recorded=True)
        try:
            for frame in _prefetch(read_frames(path), maxsize=8):
                outcome = session.process_frame(frame.rgb, frame.t_s)
                result: FrameResult = outcome.result
                frames += 1
                with_pose += not outcome.patient.is_empty
                crowded += result.people > 1
                statuses[result.status] += 1
                if result.view is not None and not outcome.patient.is_empty:
                    views[result.view] += 1
                t_series.append(frame.t_s)
                for name in series:
                    series[name].append(float(result.measures.get(name, np.nan)))
                if annotated_path is not None:
                    if writer is None:
                        height, width = frame.rgb.shape[:2]
                        writer = _BackgroundWriter(
                            H264Writer(annotated_path, info.fps, (width, height)), exercise
                        )
                    writer.write(frame.rgb, outcome.patient, result)
                if progress is not None:
                    progress(frames, max(info.frames, frames))
        finally:
            if writer is not None:
                writer.close()
        session.engine.finish()
    engine = session.engine
    duration = max(info.duration_s, t_series[-1] if t_series else 0.0)
    return AnalysisResult(
        exercise=exercise.id,
        video=str(path),
        frames=frames,
        fps=info.fps,
        duration_s=duration,
        frames_with_pose=with_pose,
        reps=list(engine.reps),
        hold_s=engine.hold_s,
        longest_hold_s=engine.longest_hold_s,
        hold_by_side=engine.hold_by_side,
        views=dict(views),
        warnings=_warnings(exercise, frames, with_pose, crowded, views, statuses),
        annotated=str(annotated_path) if annotated_path is not None else None,
        t_s=t_series,
        series=series,
    )
