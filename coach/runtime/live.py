"""The live coach for one browser session: webcam frames in, annotated frames out.

`LiveCoach.process_frames` runs on streamlit-webrtc's worker thread. It handles only the
newest of the frames that queued up while the previous one was processed (older ones are
dropped, so lag never builds up), runs pose -> engine -> guided session -> drawing, hands
each counted rep to a recorder at once (so a closed tab loses at most the current rep),
keeps what the recorder refused (a locked database, a full disk) in memory, in order, and
tries again every few seconds of session time and when the patient finishes
(`save_pending`): the patient is told only about what is finally lost. It publishes a
`LiveSnapshot` under a lock for the page to read on its own thread.
`FrameLoop` is the webrtc plumbing and the pose model's lifetime, shared with the
assessment page's session and the live posture check. Nothing here touches Streamlit.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import cv2
import numpy as np

from coach.core.errors import CoachError
from coach.core.pose import Pose
from coach.engine.results import Cue, FrameResult, Rep
from coach.engine.thresholds import Prescription
from coach.exercise.schema import ExerciseDef, angle_name, measure_unit
from coach.runtime.guided import EventKind, GuidedEvent, GuidedSession, GuidedState, SetPlan, Stage
from coach.runtime.session import CoachSession, FrameOutcome
from coach.runtime.set_capture import SetCapture, recording_meta
from coach.runtime.stream import Gauge, SetProgress, StreamState, finite_or_none
from coach.runtime.telehealth import TargetChange, Telecast, WatchStatus
from coach.vision.draw import annotate
from coach.vision.estimator import PoseEstimator
from coach.vision.recording import PoseRecording
from coach.vision.video import WORKING_MAX_SIDE_PX, yuv420_frame

STAGES = ("decode", "pose", "engine", "draw", "encode")
RETRY_EVERY_S = 2.0  # session time between tries to save what the recorder refused

Seen = TypeVar("Seen")  # what a frame loop makes of one frame's poses, for drawing


def shown_cue(result: FrameResult | None, guided: GuidedState | None) -> Cue | None:
    """The engine's cue to show now, or None. None while resting and once the plan is
    done: the movements then count for nothing, so a "Slow down" under "All sets done.
    Well done!" would judge what is not judged (the guided message says what to do)."""
    if guided is not None and guided.stage in (Stage.RESTING, Stage.DONE):
        return None
    return result.cue if result is not None else None


def set_line(guided: GuidedState, plan: SetPlan) -> str:
    """Where the patient is in the plan, in words: "Set 1 of 3: 4 of 10 repetitions", for
    a hold "Set 1 of 3: held 12 of 30 seconds" (the hold under way's target, the next
    one's between sets), "1 of 3 sets done" while resting after set 1 (not "0 of 10"
    of a set not started), "3 of 3 sets done" at the end (not "0 of 3" under a full bar).
    The one text of it: the live panel shows it, and the landmark stream's state carries
    it (`SetProgress.text`) to the device camera and to a watching physiotherapist."""
    if guided.stage is Stage.DONE:
        return f"{plan.sets} of {plan.sets} sets done"
    if guided.stage is Stage.RESTING:
        return f"{min(guided.set_index, plan.sets)} of {plan.sets} sets done"
    line = f"Set {min(guided.set_index, plan.sets)} of {plan.sets}"
    if plan.reps is not None:
        return f"{line}: {guided.reps_in_set} of {plan.reps} repetitions"
    hold_s = guided.target_hold_s
    if hold_s is None:  # a plan of holds always has one (GuidedSession.target_hold_s)
        return line
    # Whole seconds held, never rounded up: "30 of 30" only once the hold is done.
    return f"{line}: held {math.floor(guided.held_in_set_s)} of {hold_s:g} seconds"


def spoken_cue(
    result: FrameResult | None, guided: GuidedState | None
) -> tuple[str | None, str | None]:
    """(text, id) of what the voice should say now; a new id means a new utterance (None,
    None: nothing to say). Resting and the end of the plan are said once per set; otherwise
    the engine's current cue."""
    if guided is not None and guided.stage in (Stage.RESTING, Stage.DONE):
        return guided.message.split(":")[0], f"stage-{guided.stage.value}-{guided.set_index}"
    cue = shown_cue(result, guided)
    if cue is None:
        return None, None
    return cue.text, f"{cue.t_s:.3f}-{cue.text}"


def spoken_message(watch: WatchStatus | None) -> tuple[str, str] | None:
    """(text, id) of the physiotherapist's last message in a shared session; a new id
    means a new message, to show and say once (None: no message, or not shared).
    Both live paths take it from here: the landmark stream's state (`message`) and the
    server path's page voice (coach_ui.coaching.to_speak)."""
    if watch is None or watch.message is None:
        return None
    return watch.message, f"message-{watch.message_id}"


class SessionRecorder(Protocol):
    """Where a live session's sets and reps go as they happen (the store, in the app)."""

    def set_started(self, set_index: int) -> None: ...
    def rep(self, set_index: int, rep: Rep) -> None: ...
    def set_finished(self, set_index: int, reps: int, held_s: float) -> None: ...
    def set_landmarks(self, set_index: int, recording: PoseRecording) -> None:
        """The patient's pose on each frame of a finished set (`FrameOutcome.tracked`)."""


@dataclass(frozen=True)
class LiveSnapshot:
    """The latest state of a live session, copied out for the page."""

    result: FrameResult | None
    guided: GuidedState | None
    reps: tuple[Rep, ...]
    frames: int
    dropped: int
    fps: float
    timings_ms: dict[str, float]  # median time per stage over the recent frames
    latency_ms: float  # median time from a frame entering the callback to leaving it
    error: str | None
    watch: WatchStatus | None = None  # None: the session is not shared


@dataclass
class _Stats:
    window: int = 300
    timings: deque[dict[str, float]] = field(default_factory=deque)
    done_at: deque[float] = field(default_factory=deque)  # wall clock, for fps only
    frames: int = 0
    dropped: int = 0

    def add(self, timing: dict[str, float]) -> None:
        self.frames += 1
        self.timings.append(timing)
        self.done_at.append(time.perf_counter())
        while len(self.timings) > self.window:
            self.timings.popleft()
        while self.done_at and self.done_at[0] < self.done_at[-1] - 5.0:
            self.done_at.popleft()

    def medians(self) -> dict[str, float]:
        if not self.timings:
            return {}
        keys = self.timings[0].keys()
        return {k: float(np.median([t[k] for t in self.timings])) for k in keys}

    def fps(self) -> float:
        if len(self.done_at) < 2:
            return 0.0
        return (len(self.done_at) - 1) / max(1e-6, self.done_at[-1] - self.done_at[0])


class FrameLoop(Generic[Seen]):
    """The webrtc side of a live page: newest frame only, frame time kept monotonic across
    stream restarts, the pose model (made on the worker thread on the first frame, released
    by `close`), yuv420p output, timings. Subclasses say what they make of a frame's poses
    (`process_poses`) and how that is drawn (`draw`); results go to the page through
    `self._lock`."""

    def __init__(
        self,
        *,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        stats_path: Path | None = None,
    ) -> None:
        # A 720p or 1080p webcam's frames are shrunk for the model (not for the display).
        self._estimator_factory = estimator_factory or (
            lambda: PoseEstimator(max_side_px=WORKING_MAX_SIDE_PX)
        )
        self._estimator: PoseEstimator | None = None
        # Held while the model runs and while `close` takes it away: MediaPipe closed under
        # a running detect makes that frame fail ("Task runner is currently not running").
        self._model_lock = threading.Lock()
        self._lock = threading.Lock()
        self._stats = _Stats()
        self._stats_path = stats_path  # one JSON line per frame, for benchmarks
        self._t_offset_s = 0.0  # keeps frame time running on when a stream restarts at 0
        self._last_t_s: float | None = None

    def process_poses(self, poses: list[Pose], t_s: float, frame_wh: tuple[int, int]) -> Seen:
        """What one frame's poses (camera image, not mirrored) become; worker thread."""
        raise NotImplementedError

    def draw(self, rgb: np.ndarray, seen: Seen) -> np.ndarray:
        """The frame to show the patient, drawn from what `process_poses` made of it."""
        raise NotImplementedError

    def stream_state(self, seen: Seen) -> StreamState:
        """What a browser that runs the pose model itself shows and speaks after a frame,
        from what `process_poses` made of it (coach.runtime.stream); same thread."""
        raise NotImplementedError

    def process_rgb(self, rgb: np.ndarray, t_s: float) -> tuple[np.ndarray, dict[str, float]]:
        """One RGB frame through pose, `process_poses` and `draw`: the annotated frame and
        the stage timings (ms) out."""
        t_s = self.session_time(t_s)
        with self._model_lock:
            estimator = self._pose_estimator()
            t0 = time.perf_counter()
            poses = estimator.detect(rgb, t_s)
            t1 = time.perf_counter()
        seen = self.process_poses(poses, t_s, (rgb.shape[1], rgb.shape[0]))
        t2 = time.perf_counter()
        shown = self.draw(rgb, seen)
        t3 = time.perf_counter()
        timing = {"pose": 1000 * (t1 - t0), "engine": 1000 * (t2 - t1), "draw": 1000 * (t3 - t2)}
        return shown, timing

    def _pose_estimator(self) -> PoseEstimator:
        """The pose model, made on the worker thread on the first frame (and again on the
        first frame after `close`, when the patient restarts the camera): the model is
        slow to load and belongs to the thread that runs it."""
        estimator = self._estimator
        if estimator is None:
            estimator = self._estimator = self._estimator_factory()
        return estimator

    def close(self) -> None:
        """Release the pose model when the stream ends (called on aiortc's thread); what
        the session counted stays, and a new model is made if the camera starts again.
        Also called by a page on its own thread: a frame in the model is let finish first."""
        with self._model_lock:
            estimator, self._estimator = self._estimator, None
        if estimator is not None:
            estimator.close()

    def session_time(self, t_s: float) -> float:
        """Frame time made monotonic across stream restarts (a new stream starts near 0):
        the time a frame is processed at, whether its pixels or its landmarks came in."""
        if self._last_t_s is not None and t_s + self._t_offset_s <= self._last_t_s:
            self._t_offset_s = self._last_t_s - t_s + 1 / 30
        self._last_t_s = t_s + self._t_offset_s
        return self._last_t_s

    def process_frames(self, frames: list) -> list:
        """streamlit-webrtc's queued-frames callback body: only the newest frame is used."""

        newest = frames[-1]
        started = time.perf_counter()
        rgb = newest.to_ndarray(format="rgb24")
        decoded = time.perf_counter()
        if newest.time is None:  # a frame with no timestamp cannot be placed in time
            with self._lock:
                self._stats.dropped += len(frames)
            return [newest]
        annotated, timing = self.process_rgb(rgb, float(newest.time))
        encoding = time.perf_counter()
        out = yuv420_frame(annotated)
        done = time.perf_counter()
        timing["decode"] = 1000 * (decoded - started)
        timing["encode"] = 1000 * (done - encoding)
        timing["total"] = 1000 * (done - started)
        with self._lock:
            self._stats.dropped += len(frames) - 1
            self._stats.add(timing)
        if self._stats_path is not None:
            self._write_stats(timing, len(frames) - 1, rgb.shape)
        return [out]

    def _write_stats(self, timing: dict[str, float], dropped: int, shape: tuple) -> None:
        line = {
            "wall_s": time.time(),
            "dropped": dropped,
            "height": shape[0],
            "width": shape[1],
            **{k: round(v, 3) for k, v in timing.items()},
        }
        with self._stats_path.open("a") as sink:  # type: ignore[union-attr]
            sink.write(json.dumps(line) + "\n")


class LiveCoach(FrameLoop[FrameOutcome]):
    """Everything stateful for one patient's live session; never shared between sessions."""

    def __init__(
        self,
        exercise: ExerciseDef,
        plan: SetPlan,
        *,
        recorder: SessionRecorder | None = None,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        mirror_display: bool = True,
        stats_path: Path | None = None,
        prescription: Prescription | None = None,
    ) -> None:
        """`prescription`: the patient's target and "counts from" depth (the plan's, or
        an assessed range), None for the definition's thresholds."""
        super().__init__(estimator_factory=estimator_factory, stats_path=stats_path)
        self.exercise = exercise
        self.plan = plan
        self.recorder = recorder
        self.mirror_display = mirror_display
        # The pose model is the frame loop's; the session gets poses, not frames.
        self._session = CoachSession(exercise, pause_when_crowded=True, prescription=prescription)
        self._guided = GuidedSession(plan, exercise)
        self._guided_lock = threading.Lock()  # the worker's frames and the page's `finish`
        self._reps: list[Rep] = []
        self._result: FrameResult | None = None
        self._guided_state: GuidedState | None = None
        self._error: str | None = None
        # Recorder calls not saved yet, oldest first (is it a rep?, the call); the lock
        # keeps the worker's retries and the page's last try from running together.
        self._pending: deque[tuple[bool, Callable[[SessionRecorder], None]]] = deque()
        self._saving = threading.Lock()
        self._last_try_s = 0.0
        self._said: str | None = None  # the id of the cue the stream last said
        self._set_capture = SetCapture()  # the set in progress's poses (under _guided_lock)
        self._telecast: Telecast | None = None  # set while the session is shared (`share`)

    # ---- worker thread -----------------------------------------------------------------
    def process_poses(
        self, poses: list[Pose], t_s: float, frame_wh: tuple[int, int]
    ) -> FrameOutcome:
        """One frame's poses through the engine and the guided session; reps and set
        events go to the recorder as they happen. When the session is shared, the
        watcher's target changes are applied first and the frame is published after."""
        telecast = self._telecast
        if telecast is not None:
            for change in telecast.controls():
                self._apply_target(change)
        outcome = self._session.process_poses(poses, t_s, frame_wh)
        if self._pending and t_s - self._last_try_s >= RETRY_EVERY_S:
            self._last_try_s = t_s
            self._save()
        result = outcome.result
        with self._guided_lock:
            # Reps outside a set (positioning, rest, after the plan) are not the set's reps.
            counting = self._guided.stage is Stage.EXERCISING
            event = self._guided.update(result) if self._guided.stage is not Stage.DONE else None
            in_set = counting or self._guided.stage is Stage.EXERCISING
            self._set_capture.add(t_s, outcome.tracked, frame_wh, in_set=in_set)
            if counting and result.new_rep is not None:
                self._record_rep(result.new_rep)
            if event is not None:
                self._record_event(event)
            with self._lock:
                self._result, self._guided_state = result, self._guided.state
        if telecast is not None:
            telecast.publish(t_s, outcome.patient, frame_wh, self._shown_state(outcome))
        return outcome

    # ---- telehealth ----------------------------------------------------------------------
    def share(self, telecast: Telecast) -> None:
        """Publish every frame (throttled) through `telecast` and take its watcher's
        target changes; a telecast shared before is stopped first."""
        previous, self._telecast = self._telecast, telecast
        if previous is not None and previous is not telecast:
            previous.stop()

    def stop_sharing(self) -> None:
        """Stop publishing at once: the end message goes out and watchers close."""
        telecast, self._telecast = self._telecast, None
        if telecast is not None:
            telecast.stop()

    @property
    def shared(self) -> bool:
        return self._telecast is not None

    def _apply_target(self, change: TargetChange) -> None:
        """This session's new target from the next rep: the reps of each set (a rep
        exercise only) and the range-of-motion target on the prescription's measure (the
        driver's when there is no prescription); a hold exercise's seconds per hold from
        the next hold (the guided session keeps the one under way)."""
        plan = self.plan
        if change.reps is not None and plan.reps is not None:
            plan = replace(plan, reps=change.reps)
        if change.hold_s is not None and plan.hold_s is not None:
            plan = replace(plan, hold_s=change.hold_s)
        if plan is not self.plan:
            with self._guided_lock:
                self.plan = self._guided.plan = plan
        if change.rom_target_deg is not None and self.exercise.reps is not None:
            engine = self._session.engine
            current = engine.prescription
            measure = current.measure if current is not None else engine.thresholds(None).driver
            counts_from = current.counts_from if current is not None else None
            engine.change_prescription(
                Prescription(measure, target=change.rom_target_deg, counts_from=counts_from)
            )

    def stream_state(self, outcome: FrameOutcome) -> StreamState:
        """The live panel's read-out after this frame: the guided session's message, the
        session's reps, the driving measure against its thresholds, the cue, the set, and
        a cue to say when it is new (`spoken_cue`); while shared, the watcher's last
        message (`message`, with a number that changes with each new one)."""
        state = self._shown_state(outcome)
        with self._lock:
            guided = self._guided_state
        text, cue_id = spoken_cue(outcome.result, guided)
        state["say"] = text if cue_id is not None and cue_id != self._said else None
        self._said = cue_id if cue_id is not None else self._said
        telecast = self._telecast
        message = spoken_message(telecast.status() if telecast is not None else None)
        if message is not None:
            state["message"] = {"id": message[1], "text": message[0]}
        return state

    def _shown_state(self, outcome: FrameOutcome) -> StreamState:
        """The read-out after this frame without what is said (`stream_state` adds it):
        what the patient's page and a watcher show."""
        result = outcome.result
        with self._lock:
            guided, count = self._guided_state, len(self._reps)
        gauge = None
        if result.driver is not None:
            force = result.driver_thresholds
            gauge = Gauge(
                label=angle_name(self.exercise, result.driver),
                unit=measure_unit(self.exercise, result.driver),
                value=finite_or_none(result.measures.get(result.driver)),
                start=force.start if force is not None else None,
                turn=force.turn if force is not None else None,
                target=force.target if force is not None else None,
            )
        progress = None
        if guided is not None:
            progress = SetProgress(
                index=min(guided.set_index, self.plan.sets),
                of=self.plan.sets,
                reps=guided.reps_in_set,
                target_reps=self.plan.reps,
                held_s=round(guided.held_in_set_s, 1),
                target_hold_s=guided.target_hold_s,
                stage=guided.stage.value,
                progress=guided.progress,
                text=set_line(guided, self.plan),
            )
        cue = shown_cue(result, guided)
        return StreamState(
            headline=guided.message if guided is not None else "",
            count=None if self.exercise.mode == "hold" else count,
            phase=result.phase,
            gauge=gauge,
            cue=cue.text if cue is not None else None,
            guidance=result.guidance,
            set=progress,
            say=None,
            faults=[fault.rule_id for fault in result.new_faults],
            details=[],
        )

    def finish(self) -> None:
        """The patient pressed Finish (page thread): the set in progress is saved with the
        reps and seconds it holds so far, and nothing after this is counted."""
        with self._guided_lock:
            event = self._guided.stop()
            if event is not None:
                self._record_event(event)

    def draw(self, rgb: np.ndarray, outcome: FrameOutcome) -> np.ndarray:
        """The patient's skeleton, cues and set progress over the (mirrored) frame."""
        patient = outcome.patient
        if self.mirror_display:  # a mirror-like view; counting used the camera's own image
            rgb = cv2.flip(rgb, 1)
            patient = patient.mirrored()
        state = self._guided.state
        with self._lock:
            reps = tuple(self._reps)
        shown = replace(outcome.result, cue=shown_cue(outcome.result, state))  # as the panel
        return annotate(
            rgb,
            patient,
            shown,
            self.exercise,
            progress=state.progress if state is not None else None,
            reps=reps,
            held_s=state.held_total_s if state is not None else 0.0,
        )

    def _record_rep(self, rep: Rep) -> None:
        # Numbered within the session's sets: the engine's own number also counts the
        # movements made while positioning or resting, which would leave gaps.
        with self._lock:
            rep = replace(rep, index=len(self._reps) + 1)
            self._reps.append(rep)
        set_index = self._guided.set_index  # now: a retry may come in a later set
        self._call_recorder(lambda r: r.rep(set_index, rep), is_rep=True)

    def _record_event(self, event: GuidedEvent) -> None:
        if event.kind is EventKind.SET_STARTED:
            self._call_recorder(lambda r: r.set_started(event.set_index))
            return
        self._call_recorder(lambda r: r.set_finished(event.set_index, event.reps, event.held_s))
        recording = self._set_capture.take(recording_meta(self.exercise.id, self.prescription))
        if recording is not None:
            self._call_recorder(lambda r: r.set_landmarks(event.set_index, recording))

    def _call_recorder(
        self, call: Callable[[SessionRecorder], None], *, is_rep: bool = False
    ) -> None:
        if self.recorder is None:
            return
        with self._saving:
            self._pending.append((is_rep, call))
        self._save()

    def _save(self) -> str | None:
        """Hand the pending calls to the recorder, oldest first, stopping at the first it
        refuses (kept, with the rest, for the next try). Returns why it refused, or None
        when everything is saved."""
        assert self.recorder is not None
        with self._saving:
            while self._pending:
                try:
                    self._pending[0][1](self.recorder)
                except CoachError as exc:  # keep coaching; tried again later
                    return str(exc)
                self._pending.popleft()
        return None

    # ---- page thread -------------------------------------------------------------------
    def save_pending(self) -> int:
        """The last try to save what the recorder refused, when the patient finishes.
        Returns how many reps are finally lost (0: everything is saved); if any are, the
        snapshot's `error` says so and why."""
        if self.recorder is None or not self._pending:
            return 0
        reason = self._save()
        if reason is None:
            return 0
        with self._saving:
            lost = sum(is_rep for is_rep, _ in self._pending)
        with self._lock:
            self._error = f"{lost} repetitions could not be saved: {reason}"
        return lost

    def unsaved(self) -> int:
        """How many recorder calls wait to be saved (the page need not say so yet)."""
        with self._saving:
            return len(self._pending)

    @property
    def prescription(self) -> Prescription | None:
        """The range this patient is counted on (None: the definition's)."""
        return self._session.engine.prescription

    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            medians = self._stats.medians()
            return LiveSnapshot(
                result=self._result,
                guided=self._guided_state,
                reps=tuple(self._reps),
                frames=self._stats.frames,
                dropped=self._stats.dropped,
                fps=self._stats.fps(),
                timings_ms={k: v for k, v in medians.items() if k in STAGES},
                latency_ms=medians.get("total", 0.0),
                error=self._error,
                watch=self._telecast.status() if self._telecast is not None else None,
            )
