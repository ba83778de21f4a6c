"""Offline analysis of a recorded video with the same pipeline as the live coach.

Three threads joined by small bounded queues: decoding (`coach.runtime.threads`); the pose
model, which does nothing else; and the coach (reading the model's results into poses,
tracker, smoother, engine) with the drawing and writing of the annotated video. The model
is the slowest step and the others overlap it; the queues keep memory flat however long
the video is.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from coach.core.errors import CoachError
from coach.core.pose import Pose
from coach.engine.engine import ExerciseEngine
from coach.engine.results import FrameResult, Rep, Status
from coach.engine.thresholds import Prescription
from coach.engine.view import counts_in
from coach.exercise.schema import ExerciseDef
from coach.runtime.movement import MovementLog
from coach.runtime.session import CoachSession
from coach.runtime.threads import prefetch
from coach.runtime.trace import TraceWriter
from coach.vision.draw import annotate
from coach.vision.estimator import Inference, PoseEstimator, downscaled
from coach.vision.recording import PoseRecording
from coach.vision.video import (
    MIN_SIDE_PX,
    WORKING_MAX_SIDE_PX,
    H264Writer,
    VideoFrame,
    check_output_name,
    probe,
    read_frames,
)

ProgressCallback = Callable[[int, int], None]  # (frames done, frames expected)
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
    frame_views: list[str | None] = field(default_factory=list)  # per frame, None unseen
    # Per driving measure: the range seen, the thresholds in force, the start position,
    # when counting armed, the movements that stopped short (`coach.runtime.movement`).
    movement: list[dict[str, Any]] = field(default_factory=list)

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
            "movement": self.movement,
            "annotated": self.annotated,
        }


def _rounded(value: float, digits: int = 1) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def rep_to_json(rep: Rep) -> dict[str, Any]:
    return {
        "index": rep.index,
        "side": rep.side,
        "start_s": round(rep.start_s, 3),
        "turn_s": round(rep.turn_s, 3),  # the deepest point: the driving signal at its extreme
        "end_s": round(rep.end_s, 3),
        "duration_s": round(rep.duration_s, 3),
        "down_s": round(rep.down_s, 3),
        "up_s": round(rep.up_s, 3),
        "partial": rep.partial,
        # Angles in degrees, then ratio measures (no unit) under the same keys.
        "range_of_motion": {
            name: {
                "min_deg": _rounded(stats.min_deg, digits),
                "max_deg": _rounded(stats.max_deg, digits),
                "rom_deg": _rounded(stats.rom_deg, digits),
                "at_turn_deg": _rounded(stats.at_turn_deg, digits),
            }
            for measures, digits in ((rep.angles, 1), (rep.ratios, 3))
            for name, stats in measures.items()
        },
        "faults": [
            {"rule": f.rule_id, "cue": f.cue, "severity": f.severity, "t_s": round(f.t_s, 3)}
            for f in rep.faults
        ],
    }


@dataclass
class _Tally:
    """What the coach stage counts over the frames, for the result."""

    frames: int = 0
    with_pose: int = 0
    crowded: int = 0
    views: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    t_s: list[float] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)
    frame_views: list[str | None] = field(default_factory=list)
    trace: TraceWriter | None = None  # `--trace`: each frame's row, written as it comes
    movement: MovementLog | None = None  # the driving measures' story (`movement` key)

    def add(self, t_s: float, patient: Pose, result: FrameResult) -> None:
        if self.trace is not None:
            self.trace.write(result)
        if self.movement is not None:
            self.movement.add(result)
        self.frames += 1
        self.with_pose += not patient.is_empty
        self.crowded += result.people > 1
        self.statuses[result.status] += 1
        if result.view is not None and not patient.is_empty:
            self.views[result.view] += 1
        self.t_s.append(t_s)
        self.frame_views.append(None if patient.is_empty else result.view)
        for name, values in self.series.items():
            values.append(float(result.measures.get(name, np.nan)))


class _CoachStage:
    """Reads each frame's model result into poses (`PoseEstimator.poses_of`), runs the
    coach on them, tallies the results and draws and writes the annotated video, on a
    worker thread beside the pose model. Errors surface on `put` or `close()`."""

    def __init__(
        self,
        session: CoachSession,
        read_poses: Callable[[Inference], list[Pose]],
        writer: Callable[[np.ndarray], H264Writer] | None,
        maxsize: int = 8,
        trace: TraceWriter | None = None,
    ) -> None:
        self.session = session
        self._read_poses = read_poses
        self.tally = _new_tally(session.exercise, trace)
        self._make_writer = writer
        self._writer: H264Writer | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="coach", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            if self._error is None:
                try:
                    self._step(*item)
                except Exception as exc:  # noqa: BLE001 - re-raised on the model's thread
                    self._error = exc

    def _step(self, frame: VideoFrame, inference: Inference) -> None:
        height, width = frame.rgb.shape[:2]
        poses = self._read_poses(inference)
        outcome = self.session.process_poses(poses, frame.t_s, (width, height))
        self.tally.add(frame.t_s, outcome.patient, outcome.result)
        if self._make_writer is not None:
            if self._writer is None:
                self._writer = self._make_writer(frame.rgb)
            drawn = annotate(frame.rgb, outcome.patient, outcome.result, self.session.exercise)
            self._writer.write(drawn)

    def put(self, frame: VideoFrame, inference: Inference) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((frame, inference))

    def close(self) -> _Tally:
        """Wait for the frames handed over, finish the video; the tally of all frames."""
        self._queue.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._writer is not None:
            self._writer.close()
        return self.tally

    def abandon(self) -> None:
        """Stop after an error elsewhere: drop the frames not yet done, close the file."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(_DONE)
        self._thread.join()
        if self._writer is not None:
            # The error that stopped the analysis is the one to report, not this one.
            with contextlib.suppress(CoachError):
                self._writer.close()


def _new_tally(exercise: ExerciseDef, trace: TraceWriter | None) -> _Tally:
    return _Tally(
        series={name: [] for name in exercise.measures},
        trace=trace,
        movement=MovementLog(exercise),
    )


def _new_trace(path: str | Path | None, exercise: ExerciseDef) -> TraceWriter | None:
    return TraceWriter(path, exercise) if path is not None else None


def _result(
    exercise: ExerciseDef,
    source: Path,
    tally: _Tally,
    engine: ExerciseEngine,
    fps: float,
    duration_s: float,
    annotated: str | Path | None = None,
) -> AnalysisResult:
    """The result of an analysis or a replay, from its tally of the frames and its engine
    (finished)."""
    movement = tally.movement or MovementLog(exercise)
    return AnalysisResult(
        exercise=exercise.id,
        video=str(source),
        frames=tally.frames,
        fps=fps,
        duration_s=max(duration_s, tally.t_s[-1] if tally.t_s else 0.0),
        frames_with_pose=tally.with_pose,
        reps=list(engine.reps),
        hold_s=engine.hold_s,
        longest_hold_s=engine.longest_hold_s,
        hold_by_side=engine.hold_by_side,
        views=dict(tally.views),
        warnings=_warnings(exercise, tally) + movement.warnings(engine),
        annotated=str(annotated) if annotated is not None else None,
        t_s=tally.t_s,
        series=tally.series,
        frame_views=tally.frame_views,
        movement=movement.movement(engine),
    )


def _warnings(exercise: ExerciseDef, tally: _Tally) -> list[str]:
    frames, with_pose, crowded = tally.frames, tally.with_pose, tally.crowded
    views, statuses = tally.views, tally.statuses
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
        wanted = " or ".join(exercise.views)
        if exercise.reps is not None and not counts_in(exercise.views, main_view):
            warnings.append(
                f"the camera saw the person from the {main_view}; {exercise.name} is counted "
                f"only from the {wanted} (or at an angle between): no rep was counted while "
                f"seen from the {main_view}. Film again from the {exercise.views[0]}"
            )
        elif main_view not in exercise.views and main_view != "oblique":
            warnings.append(
                f"the camera saw the person from the {main_view}; {exercise.name} is best "
                f"judged from the {wanted}"
            )
    return warnings


def working_frames(path: Path, max_side_px: int | None) -> Iterator[VideoFrame]:
    """The video's frames shrunk so their longer side is at most `max_side_px` (None: as
    they are); landmarks are normalised to the frame, so nothing downstream changes."""
    for frame in read_frames(path):
        if max_side_px is not None:
            frame = replace(frame, rgb=downscaled(frame.rgb, max_side_px))
        yield frame


def record_poses(
    path: str | Path,
    *,
    model: str | Path | None = None,
    max_side_px: int | None = WORKING_MAX_SIDE_PX,
    quiet_model_start: bool = False,
) -> PoseRecording:
    """What the pose model sees in a video, frame by frame, at the size `analyze_video`
    gives it (`max_side_px`), for `coach record`: replaying it (`replay_recording`) runs
    the coach on the poses an analysis of the clip would. Raises VideoError or ModelError."""
    path = Path(path)
    frames: list[tuple[float, list[Pose]]] = []
    size = (0, 0)
    with PoseEstimator(model, quiet_start=quiet_model_start) as estimator:
        for frame in working_frames(path, max_side_px):
            size = (frame.rgb.shape[1], frame.rgb.shape[0])
            frames.append((frame.t_s, estimator.detect(frame.rgb, frame.t_s)))
        meta = {"source": path.name, "model": str(estimator.model_path.name)}
    return PoseRecording.from_frames(frames, size, meta)


def analyze_video(
    path: str | Path,
    exercise: ExerciseDef,
    *,
    model: str | Path | None = None,
    annotated_path: str | Path | None = None,
    mirrored: bool = False,
    progress: ProgressCallback | None = None,
    max_side_px: int | None = WORKING_MAX_SIDE_PX,
    quiet_model_start: bool = False,
    trace_path: str | Path | None = None,
    prescription: Prescription | None = None,
) -> AnalysisResult:
    """Run the full coach pipeline over a video file. Frames are shrunk to `max_side_px`
    (None: the video's own size) for the model and the annotated video alike. `trace_path`:
    a CSV of every frame (`coach.runtime.trace`). `quiet_model_start`: see
    `PoseEstimator`'s `quiet_start` (one-shot processes only). `prescription`: the
    patient's target and "counts from" depth (`coach.engine.thresholds`), None for the
    definition's thresholds."""
    path = Path(path)
    if max_side_px is not None and max_side_px < 4 * MIN_SIDE_PX:
        raise CoachError(
            f"the largest side to shrink frames to must be at least {4 * MIN_SIDE_PX} "
            f"pixels (or none, to keep the video's size), got {max_side_px}"
        )
    if annotated_path is not None:
        check_output_name(annotated_path)
    info = probe(path)

    def new_writer(rgb: np.ndarray) -> H264Writer:
        assert annotated_path is not None  # called only when an annotated video is asked for
        return H264Writer(annotated_path, info.fps, (rgb.shape[1], rgb.shape[0]))

    with (
        PoseEstimator(model, quiet_start=quiet_model_start) as estimator,
        contextlib.ExitStack() as closing,
    ):
        session = CoachSession(
            exercise, mirrored=mirrored, recorded=True, prescription=prescription
        )
        writer = new_writer if annotated_path is not None else None
        trace = _new_trace(trace_path, exercise)
        if trace is not None:
            closing.enter_context(trace)
        stage = _CoachStage(session, estimator.poses_of, writer, trace=trace)
        frames = 0
        try:
            decoded = working_frames(path, max_side_px)
            for frame in prefetch(decoded, maxsize=8):
                stage.put(frame, estimator.infer(frame.rgb, frame.t_s))
                frames += 1
                if progress is not None:
                    progress(frames, max(info.frames, frames))
        except BaseException:
            stage.abandon()
            raise
        tally = stage.close()
        last_reps = session.engine.finish()
        if trace is not None:
            trace.finish(last_reps)
    return _result(exercise, path, tally, session.engine, info.fps, info.duration_s, annotated_path)


def replay_recording(
    path: str | Path,
    exercise: ExerciseDef,
    *,
    mirrored: bool = False,
    trace_path: str | Path | None = None,
    prescription: Prescription | None = None,
) -> AnalysisResult:
    """Re-run a definition on the poses `coach record` saved (`.npz`), without the model:
    the same coach (tracker, smoother, engine) frame by frame, and the same result as
    `analyze_video` gives for the clip. Raises CoachError when the file is not a recording."""
    path = Path(path)
    return replay_poses(
        load_recording(path),
        exercise,
        source=str(path),
        mirrored=mirrored,
        trace_path=trace_path,
        prescription=prescription,
    )


def replay_poses(
    recording: PoseRecording,
    exercise: ExerciseDef,
    *,
    source: str,
    mirrored: bool = False,
    trace_path: str | Path | None = None,
    prescription: Prescription | None = None,
) -> AnalysisResult:
    """`replay_recording` of poses already loaded (a `coach record` file, or a set's
    landmarks from the store): the coach frame by frame, `source` naming them in the
    result. Its per-frame series are the measures a chart of the replay draws."""
    session = CoachSession(exercise, mirrored=mirrored, recorded=True, prescription=prescription)
    trace = _new_trace(trace_path, exercise)
    with contextlib.ExitStack() as closing:
        if trace is not None:
            closing.enter_context(trace)
        tally = _new_tally(exercise, trace)
        for outcome in session.outcomes(recording):
            tally.add(outcome.result.t_s, outcome.patient, outcome.result)
        last_reps = session.engine.finish()
        if trace is not None:
            trace.finish(last_reps)
    steps = np.diff(recording.t_s)
    fps = 1.0 / float(np.median(steps)) if steps.size and np.median(steps) > 0 else 0.0
    duration = float(recording.t_s[-1]) + (1.0 / fps if fps else 0.0) if len(recording) else 0.0
    return _result(exercise, Path(source), tally, session.engine, fps, duration)


def load_recording(path: Path) -> PoseRecording:
    """A `.npz` saved by `coach record`; CoachError naming the file and the fix otherwise."""
    if not path.is_file():
        raise CoachError(f"{path}: no such file")
    try:
        return PoseRecording.load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise CoachError(
            f"{path}: not a pose recording ({exc}); make one with `coach record VIDEO OUT.npz`"
        ) from None
