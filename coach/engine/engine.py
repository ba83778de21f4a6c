"""The exercise engine: one patient's poses in, a `FrameResult` per frame out.

It ties together the view, the measures, the rep counter(s) or hold timer, the form
rules and the cue coach for one exercise definition. It never draws and never reads a
clock: `update(pose)` runs on the pose's own time, so the same code serves a live
webcam, a recorded video and a synthetic test sequence.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from coach import landmarks
from coach.engine.counter import CounterState, RepCounter, RepCycle
from coach.engine.cues import CueCoach
from coach.engine.hold import HoldTimer
from coach.engine.measures import MeasureComputer, SidedValue, on_side
from coach.engine.results import (
    AngleStats,
    Cue,
    CueKind,
    EngineRun,
    Fault,
    FrameResult,
    Rep,
    RepSide,
    Status,
)
from coach.engine.rules import FrameRuleTracker, meets, rep_faults
from coach.engine.view import DetectedView, ViewEstimator, yaw_and_facing
from coach.exercise.schema import REP_MEASURES, ExerciseDef, SignalDef, Threshold
from coach.landmarks import Side
from coach.pose import Pose

NO_PERSON_CUE = "Step into view of the camera"
CROWDED_CUE = "Only one person in view, please"
PARTIAL_RULE_ID = "partial_range"
DEFAULT_PARTIAL_CUE = "Try to go a little further, if it feels comfortable"

_VIEW_ADVICE = {
    "side": "Turn side-on to the camera",
    "front": "Face the camera",
    "back": "Turn your back to the camera",
}

# Body regions, the landmarks in them, and what to tell a patient when they are unseen.
_REGION_ADVICE: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"ankle", "heel", "foot_index"}), "Step back so your feet are visible"),
    (frozenset({"knee"}), "Step back so your legs are in view"),
    (frozenset({"wrist", "elbow", "pinky", "index", "thumb"}), "Keep your arms in view"),
    (frozenset({"shoulder", "hip"}), "Move so your whole body is in view"),
)


def _advice_for_missing(indices: set[int]) -> str:
    bases = {landmarks.LANDMARK_NAMES[i].split("_", 1)[-1] for i in indices}
    names = {landmarks.LANDMARK_NAMES[i] for i in indices}
    bases |= {n.removeprefix("left_").removeprefix("right_") for n in names}
    for region, advice in _REGION_ADVICE:
        if bases & region:
            return advice
    return "Move so your whole body is in view"


def _leading_side(value: SidedValue) -> RepSide:
    """The side with the larger value (the leg in front, the arm up); 'both' if unseen."""
    left, right = value.left, value.right
    if math.isnan(left) and math.isnan(right):
        return "both"
    if math.isnan(right) or (not math.isnan(left) and left > right):
        return "left"
    return "right"


@dataclass
class _Track:
    """One rep counter and its recent history: 'both' sides together, or one side."""

    side: Side | None
    counter: RepCounter
    rules: FrameRuleTracker
    # (t_s, values on this track's side, the per-side values) over the last max_rep_s.
    history: deque[tuple[float, dict[str, float], dict[str, SidedValue]]] = field(
        default_factory=deque
    )
    faults: deque[Fault] = field(default_factory=deque)

    @property
    def label(self) -> RepSide:
        return self.side or "both"


@dataclass(frozen=True)
class _RepWindow:
    """The frames of one finished rep: times, the track's measures, each side's measures,
    and the per-side values at a frame (by index), from the history or the bulk arrays."""

    times: np.ndarray
    series: dict[str, np.ndarray]
    sided_series: dict[str, dict[str, np.ndarray]]
    sided_at: Callable[[int], dict[str, SidedValue]]


class ExerciseEngine:
    """Counts reps or times a hold for one exercise, for one patient, in frame time."""

    def __init__(
        self,
        exercise: ExerciseDef,
        *,
        pause_when_crowded: bool = False,
        cue_coach: CueCoach | None = None,
        recorded: bool = False,
    ) -> None:
        self.exercise = exercise
        self.pause_when_crowded = pause_when_crowded
        self._recorded = recorded
        self._measures = MeasureComputer(exercise)
        self._view = ViewEstimator()
        self._cues = cue_coach or CueCoach()
        self.reps: list[Rep] = []
        self.faults: list[Fault] = []
        mode = exercise.side
        # 'auto': each side its own counter (a one-arm curl, either arm); 'alternating': one
        # counter on both sides together, each rep given to the side that led it (a lunge).
        sides: tuple[Side | None, ...]
        if mode == "auto":
            sides = landmarks.SIDES
        elif mode in ("left", "right"):
            sides = (mode,)
        else:
            sides = (None,)
        self._tracks = [
            _Track(side, self._new_counter(None), FrameRuleTracker(list(exercise.rules)))
            for side in sides
            if exercise.reps is not None
        ]
        hold_sides: tuple[Side | None, ...] = (
            landmarks.SIDES if mode in ("auto", "alternating") else
            (mode,) if mode in ("left", "right") else (None,)
        )  # fmt: skip
        self._holds = {
            side: HoldTimer(exercise.hold.enter_s, exercise.hold.exit_s)
            for side in hold_sides
            if exercise.hold is not None
        }
        self._hold_rules = FrameRuleTracker(list(exercise.rules))
        self._was_holding = False
        self._focus: _Track | None = self._tracks[0] if self._tracks else None
        reps_def = exercise.reps
        self._phase_names = {} if reps_def is None else {
            CounterState.READY: reps_def.start.name,
            CounterState.OUTBOUND: f"going to {reps_def.turn.name}",
            CounterState.RETURNING: f"back to {reps_def.start.name}",
        }  # fmt: skip
        watched = [exercise.reps.driver] if exercise.reps else []
        if exercise.hold:
            watched += [c.measure for c in exercise.hold.conditions]
        self._required = self._measures.required_landmarks(watched)
        self._bulk: _BulkSteps | None = None  # set by `run`: reps are cut from its arrays

    def _new_counter(self, signal: SignalDef | None) -> RepCounter:
        assert self.exercise.reps is not None
        return RepCounter(self.exercise.reps, signal, start_mid_movement=self._recorded)

    @property
    def recorded(self) -> bool:
        """True for a recorded video, which may begin in the middle of a rep; live, the
        first movement is the patient getting into position and is never counted."""
        return self._recorded

    @recorded.setter
    def recorded(self, value: bool) -> None:
        self._recorded = value
        for track in self._tracks:
            track.counter.start_mid_movement = value

    # ---- public read-only state -------------------------------------------------------
    @property
    def rep_count(self) -> int:
        return len(self.reps)

    @property
    def reps_by_side(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rep in self.reps:
            counts[rep.side] = counts.get(rep.side, 0) + 1
        return counts

    @property
    def hold_s(self) -> float:
        return sum(timer.held_s for timer in self._holds.values())

    @property
    def hold_by_side(self) -> dict[str, float]:
        return {side or "both": timer.held_s for side, timer in self._holds.items()}

    @property
    def longest_hold_s(self) -> float:
        return max((timer.longest_bout_s for timer in self._holds.values()), default=0.0)

    @property
    def holding(self) -> bool:
        return any(timer.holding for timer in self._holds.values())

    @property
    def view(self) -> DetectedView | None:
        return self._view.current

    # ---- the frame step -----------------------------------------------------------------
    def update(self, pose: Pose, people: int = 1) -> FrameResult:
        t_s = pose.t_s
        view = self._view.update(pose)
        crowded = people > 1 and self.pause_when_crowded
        if pose.is_empty or crowded:
            self._pause(t_s)
            text = CROWDED_CUE if crowded else NO_PERSON_CUE
            status = Status.GETTING_READY if crowded else Status.NO_PERSON
            return self._result(t_s, status, view, people, {}, text, [])
        measured = self._measures.compute(pose, view)
        if self._holds:
            return self._update_hold(t_s, view, people, measured)
        return self._update_reps(t_s, view, people, measured)

    def run(self, frames: EngineFrames) -> EngineRun:
        """The frame step over a whole recording at once, with the same results.

        Measures and the view's per-frame inputs are computed for all frames in one go;
        the state machines (view window, rep counters, hold timers, frame rules, finished
        reps) then step through the frames in a lean loop over plain numbers, sharing their
        code with `update`. Cues are not chosen: nobody watches a bulk replay.
        """
        t_list = frames.t_s.tolist()
        n = len(t_list)
        crowded = (frames.people > 1) & self.pause_when_crowded
        measured = frames.present & ~crowded
        views = self._run_views(frames)
        values = np.full((n, self._measures.row_count), np.nan)
        for view in set(views):
            rows = measured & np.array([v == view for v in views], dtype=bool)
            if rows.any():
                values[rows] = self._measures.compute_rows(
                    frames.image_px[rows], frames.world_xyz[rows], frames.visibility[rows], view
                )
        sides = self._measures.sides(values)
        columns = {
            name: {key: column[:, j] for key, column in sides.items()}
            for j, name in enumerate(self._measures.names)
        }
        step = self._bulk = _BulkSteps(self, frames.t_s, measured, views, columns)
        statuses: list[Status] = []
        judged_side: list[Side | bool | None] = []  # False: no measures shown on this frame
        measured_list, crowded_list = measured.tolist(), crowded.tolist()
        for i, t_s in enumerate(t_list):
            if not measured_list[i]:
                self._pause(t_s)
                statuses.append(Status.GETTING_READY if crowded_list[i] else Status.NO_PERSON)
                judged_side.append(False)
                continue
            status, side = step.hold(i) if self._holds else step.reps(i)
            statuses.append(status)
            judged_side.append(side)
        series = {name: np.full(n, np.nan) for name in self.exercise.measures}
        for side in set(judged_side):
            if side is False:
                continue
            rows = np.array([s == side for s in judged_side], dtype=bool)
            for name in series:
                series[name][rows] = on_side(columns[name], side)[rows]  # type: ignore[arg-type]
        people = frames.people.tolist()
        return EngineRun(frames.t_s, statuses, views, people, series)

    def _run_views(self, frames: EngineFrames) -> list[DetectedView | None]:
        yaws, facing = (a.tolist() for a in yaw_and_facing(frames.world_xyz))
        return [
            self._view.step(t_s, yaw, faces) if present else self._view.step(t_s)
            for t_s, present, yaw, faces in zip(
                frames.t_s.tolist(), frames.present.tolist(), yaws, facing, strict=True
            )
        ]

    def finish(self) -> Rep | None:
        """End of the recording: count a last rep that was already back at the start."""
        for track in self._tracks:
            cycle = track.counter.finish()
            if cycle is not None:
                return self._finish_rep(track, cycle, self._view.current)
        return None

    def _pause(self, t_s: float) -> None:
        for track in self._tracks:
            track.counter.update(np.nan, t_s)
        for timer in self._holds.values():
            timer.update(False, t_s)

    def _update_reps(
        self,
        t_s: float,
        view: DetectedView | None,
        people: int,
        measured: dict[str, SidedValue],
    ) -> FrameResult:
        assert self.exercise.reps is not None
        signal = self.exercise.reps.signal_for(view)
        candidates: list[Cue] = []
        new_faults: list[Fault] = []
        new_rep: Rep | None = None
        failing: list[str] = []
        any_visible = False
        for track in self._tracks:
            values = {name: v.on(track.side) for name, v in measured.items()}
            if track.counter.signal is not signal:  # the view changed what we count on
                track.counter = self._new_counter(signal)
            value = values[signal.driver]
            any_visible |= not math.isnan(value)
            in_position = all(
                meets(values.get(c.measure, np.nan), c) for c in self.exercise.start_position
            )
            track.history.append((t_s, values, measured))
            while track.history and track.history[0][0] < t_s - self.exercise.reps.max_rep_s - 2:
                track.history.popleft()
            cycle = track.counter.update(value, t_s, in_position)
            if track.counter.state is not CounterState.UNARMED and not math.isnan(value):
                track_failing, fired = track.rules.update(values, t_s, view)
                failing += track_failing
                track.faults.extend(fired)
                new_faults += fired
                candidates += [self._fault_cue(f) for f in fired]
            if track.counter.in_rep:
                self._focus = track
            if cycle is not None:
                rep = self._finish_rep(track, cycle, view)
                if rep is not None:
                    new_rep = rep
                    candidates.append(self._rep_cue(rep))
        if not any_visible:
            guidance = self._visibility_advice()
            status = Status.NOT_VISIBLE
        elif all(t.counter.state is CounterState.UNARMED for t in self._tracks):
            status = Status.GETTING_READY
            guidance = self._getting_ready_advice(measured)
        else:
            status, guidance = Status.ACTIVE, None
        self.faults += new_faults
        focus = self._focus or self._tracks[0]
        display = {name: v.on(focus.side) for name, v in measured.items()}
        return self._result(
            t_s, status, view, people, display, guidance, candidates,
            failing=failing, new_rep=new_rep, new_faults=new_faults,
        )  # fmt: skip

    def _update_hold(
        self,
        t_s: float,
        view: DetectedView | None,
        people: int,
        measured: dict[str, SidedValue],
    ) -> FrameResult:
        assert self.exercise.hold is not None
        conditions = self.exercise.hold.conditions
        visible = False
        held_side: Side | None = None
        for side, timer in self._holds.items():
            values = {name: v.on(side) for name, v in measured.items()}
            visible |= any(not math.isnan(values[c.measure]) for c in conditions)
            timer.update(all(meets(values[c.measure], c) for c in conditions), t_s)
            if timer.holding:
                held_side = side
        holding = self.holding
        values = {name: v.on(held_side) for name, v in measured.items()}
        candidates: list[Cue] = []
        failing: list[str] = []
        new_faults: list[Fault] = []
        guidance = None
        status = Status.ACTIVE
        if holding:
            failing, new_faults = self._hold_rules.update(values, t_s, view)
            candidates += [self._fault_cue(f) for f in new_faults]
            self.faults += new_faults
        elif self._was_holding:
            candidates.append(Cue(self.exercise.hold.break_cue, CueKind.FAULT, "major", t_s))
        elif not visible:
            status, guidance = Status.NOT_VISIBLE, self._visibility_advice()
        else:
            status, guidance = Status.GETTING_READY, self._getting_ready_advice(measured)
        self._was_holding = self._was_holding or holding
        return self._result(
            t_s, status, view, people, values, guidance, candidates,
            failing=failing, new_faults=new_faults,
        )  # fmt: skip

    # ---- helpers ----------------------------------------------------------------------
    def _visibility_advice(self) -> str:
        return _advice_for_missing(self._required)

    def _getting_ready_advice(self, measured: dict[str, SidedValue]) -> str:
        view = self._view.current
        if view is not None and view not in self.exercise.views and view != "oblique":
            return _VIEW_ADVICE[self.exercise.views[0]]
        if view == "oblique" and self.exercise.views == ["side"]:
            return _VIEW_ADVICE["side"]
        return self.exercise.position_cue

    def _history_window(self, track: _Track, cycle: RepCycle) -> _RepWindow:
        """The frames of one rep: from the track's recent history (the frame step), or from
        the arrays of a bulk `run`."""
        if self._bulk is not None:
            return self._bulk.window(track.side, cycle)
        window = [entry for entry in track.history if cycle.start_s <= entry[0] <= cycle.end_s]
        names = self.exercise.measures
        return _RepWindow(
            times=np.array([t for t, _, _ in window]),
            series={name: np.array([v[name] for _, v, _ in window]) for name in names},
            sided_series={
                side: {name: np.array([m[name].on(side) for _, _, m in window]) for name in names}
                for side in landmarks.SIDES
            },
            sided_at=lambda i: window[i][2],
        )

    def _finish_rep(
        self, track: _Track, cycle: RepCycle, view: DetectedView | None
    ) -> Rep | None:
        assert self.exercise.reps is not None
        reps_def = self.exercise.reps
        window = self._history_window(track, cycle)
        times, series, sided_series = window.times, window.series, window.sided_series
        turn_index = int(np.argmin(np.abs(times - cycle.turn_s)))
        at_turn = {name: float(s[turn_index]) for name, s in series.items()}
        sided_at_turn = window.sided_at(turn_index)
        stats = {}
        for name in self.exercise.angles:
            finite = series[name][np.isfinite(series[name])]
            if finite.size:
                stats[name] = AngleStats(float(finite.min()), float(finite.max()), at_turn[name])
        timing = {
            "rep_duration_s": cycle.duration_s,
            "down_s": cycle.turn_s - cycle.start_s,
            "up_s": cycle.end_s - cycle.turn_s,
        }
        during = [f for f in track.faults if cycle.start_s <= f.t_s <= cycle.end_s]
        track.faults.clear()
        # A rep the recording began in the middle of: its start, so its timing and whole-rep
        # statistics, were never seen; judge only what was (the turn).
        rules = [
            rule for rule in self.exercise.rules
            if cycle.seen_from_start or (rule.when == "turn" and rule.measure not in REP_MEASURES)
        ]  # fmt: skip
        at_end = rep_faults(
            rules, series, at_turn, timing, cycle.turn_s, view,
            sided_at_turn=sided_at_turn, sided_series=sided_series,
        )  # fmt: skip
        partial = not track.counter.signal_def.reached_target(cycle.extreme)
        if partial:
            cue = reps_def.partial_cue or DEFAULT_PARTIAL_CUE
            at_end.append(Fault(PARTIAL_RULE_ID, cue, "minor", cycle.turn_s, cycle.extreme))
        self.faults += at_end
        faults = during + at_end
        side: RepSide = track.label
        side_by = reps_def.side_by
        if self.exercise.side == "alternating" and side_by is not None:
            side = _leading_side(sided_at_turn[side_by])
        if self.exercise.side == "auto":
            merged = self._merge_with_other_side(track, cycle)
            if merged:
                return None
        rep = Rep(
            index=len(self.reps) + 1,
            side=side,
            start_s=cycle.start_s,
            turn_s=cycle.turn_s,
            end_s=cycle.end_s,
            angles=stats,
            partial=partial,
            faults=tuple(faults),
        )
        self.reps.append(rep)
        return rep

    def _merge_with_other_side(self, track: _Track, cycle: RepCycle) -> bool:
        """In 'auto' mode both sides moving together is one bilateral rep, not two."""
        for i in range(len(self.reps) - 1, -1, -1):
            other = self.reps[i]
            if other.side == track.label or other.side == "both":
                continue
            overlap = min(other.end_s, cycle.end_s) - max(other.start_s, cycle.start_s)
            shorter = min(other.duration_s, cycle.duration_s)
            if shorter > 0 and overlap / shorter >= 0.5:
                self.reps[i] = Rep(
                    other.index, "both", other.start_s, other.turn_s, other.end_s,
                    other.angles, other.partial, other.faults,
                )  # fmt: skip
                return True
            if other.end_s < cycle.start_s:
                break
        return False

    def _fault_cue(self, fault: Fault) -> Cue:
        return Cue(fault.cue, CueKind.FAULT, fault.severity, fault.t_s)

    def _rep_cue(self, rep: Rep) -> Cue:
        if rep.faults:
            worst = max(rep.faults, key=lambda f: ("info", "minor", "major").index(f.severity))
            return self._fault_cue(worst)
        return Cue(self.exercise.good_rep_cue, CueKind.PRAISE, "info", rep.end_s)

    def _result(
        self,
        t_s: float,
        status: Status,
        view: DetectedView | None,
        people: int,
        measures: dict[str, float],
        guidance: str | None,
        candidates: list[Cue],
        *,
        failing: list[str] | None = None,
        new_rep: Rep | None = None,
        new_faults: list[Fault] | None = None,
    ) -> FrameResult:
        if guidance is not None:
            candidates = [Cue(guidance, CueKind.GUIDANCE, "major", t_s), *candidates]
        cue = self._cues.update(candidates, t_s)
        phase = None
        if self._focus is not None:
            phase = self._phase_names.get(self._focus.counter.state)
        return FrameResult(
            t_s=t_s,
            status=status,
            view=view,
            people=people,
            measures=measures,
            driver=self._focus.counter.signal_def.driver if self._focus is not None else None,
            phase=phase,
            reps=self.rep_count,
            reps_by_side=self.reps_by_side,
            hold_s=self.hold_s,
            holding=self.holding,
            hold_by_side=self.hold_by_side,
            guidance=guidance,
            cue=cue,
            active_faults=tuple(dict.fromkeys(failing or [])),
            new_rep=new_rep,
            new_faults=tuple(new_faults or ()),
        )


@dataclass(frozen=True)
class EngineFrames:
    """A whole recording of one patient, as arrays (N frames): what `ExerciseEngine.run`
    takes instead of one `Pose` per frame."""

    t_s: np.ndarray  # (N,)
    present: np.ndarray  # (N,) bool: the patient is in view
    people: np.ndarray  # (N,) people in view
    image_px: np.ndarray  # (N, 33, 2)
    world_xyz: np.ndarray  # (N, 33, 3)
    visibility: np.ndarray  # (N, 33)


class _BulkSteps:
    """The per-frame step of `_update_reps` / `_update_hold` on precomputed columns."""

    def __init__(
        self,
        engine: ExerciseEngine,
        t_s: np.ndarray,
        measured: np.ndarray,
        views: list[DetectedView | None],
        columns: dict[str, dict[str, np.ndarray]],
    ) -> None:
        self.engine = engine
        exercise = engine.exercise
        self.t_s, self.views, self.columns = t_s.tolist(), views, columns
        self.names = exercise.measures
        self.measured_t = t_s[measured]
        self.measured_index = np.flatnonzero(measured)
        self.on: dict[Side | None, dict[str, np.ndarray]] = {}
        sides: set[Side | None] = {*landmarks.SIDES, None}
        for side in sides:
            self.on[side] = {name: on_side(columns[name], side) for name in self.names}
        self.on_lists = {
            side: {name: a.tolist() for name, a in arrays.items()}
            for side, arrays in self.on.items()
        }
        self.in_position = {
            side: _all_meet(self.on[side], exercise.start_position, len(t_s)).tolist()
            for side in sides
        }
        self.frame_rules = any(r.when == "always" for r in exercise.rules)
        if exercise.hold is not None:
            conditions = exercise.hold.conditions
            self.correct = {
                side: _all_meet(self.on[side], conditions, len(t_s)).tolist() for side in sides
            }
            self.visible = {
                side: np.any(
                    [~np.isnan(self.on[side][c.measure]) for c in conditions], axis=0
                ).tolist()
                for side in sides
            }

    def _values(self, side: Side | None, i: int) -> dict[str, float]:
        lists = self.on_lists[side]
        return {name: lists[name][i] for name in self.names}

    def window(self, side: Side | None, cycle: RepCycle) -> _RepWindow:
        lo = int(np.searchsorted(self.measured_t, cycle.start_s, side="left"))
        hi = int(np.searchsorted(self.measured_t, cycle.end_s, side="right"))
        index = self.measured_index[lo:hi]
        columns = self.columns

        def sided_at(k: int) -> dict[str, SidedValue]:
            i = int(index[k])
            return {
                name: SidedValue(float(c["left"][i]), float(c["right"][i]), float(c["center"][i]))
                for name, c in columns.items()
            }

        return _RepWindow(
            times=self.measured_t[lo:hi],
            series={name: self.on[side][name][index] for name in self.names},
            sided_series={
                s: {name: self.on[s][name][index] for name in self.names} for s in landmarks.SIDES
            },
            sided_at=sided_at,
        )

    def reps(self, i: int) -> tuple[Status, Side | None]:
        engine = self.engine
        assert engine.exercise.reps is not None
        t_s, view = self.t_s[i], self.views[i]
        signal = engine.exercise.reps.signal_for(view)
        new_faults: list[Fault] = []
        any_visible = False
        for track in engine._tracks:
            if track.counter.signal is not signal:
                track.counter = engine._new_counter(signal)
            value = self.on_lists[track.side][signal.driver][i]
            any_visible |= value == value
            cycle = track.counter.update(value, t_s, self.in_position[track.side][i])
            armed = track.counter.state is not CounterState.UNARMED
            if self.frame_rules and armed and value == value:
                _, fired = track.rules.update(self._values(track.side, i), t_s, view)
                track.faults.extend(fired)
                new_faults += fired
            if track.counter.in_rep:
                engine._focus = track
            if cycle is not None:
                engine._finish_rep(track, cycle, view)
        engine.faults += new_faults
        if not any_visible:
            status = Status.NOT_VISIBLE
        elif all(t.counter.state is CounterState.UNARMED for t in engine._tracks):
            status = Status.GETTING_READY
        else:
            status = Status.ACTIVE
        focus = engine._focus or engine._tracks[0]
        return status, focus.side

    def hold(self, i: int) -> tuple[Status, Side | None]:
        engine = self.engine
        t_s = self.t_s[i]
        visible = False
        held_side: Side | None = None
        for side, timer in engine._holds.items():
            visible |= self.visible[side][i]
            timer.update(self.correct[side][i], t_s)
            if timer.holding:
                held_side = side
        holding = engine.holding
        status = Status.ACTIVE
        if holding:
            values = self._values(held_side, i)
            _, new_faults = engine._hold_rules.update(values, t_s, self.views[i])
            engine.faults += new_faults
        elif not engine._was_holding:
            status = Status.NOT_VISIBLE if not visible else Status.GETTING_READY
        engine._was_holding = engine._was_holding or holding
        return status, held_side


def _all_meet(on: dict[str, np.ndarray], conditions: list[Threshold], n: int) -> np.ndarray:
    """`all(meets(value, c) for c in conditions)` for every frame (NaN never meets)."""
    ok = np.ones(n, dtype=bool)
    for condition in conditions:
        value = on.get(condition.measure, np.full(n, np.nan))
        if condition.above is not None:
            ok &= value > condition.above
        if condition.below is not None:
            ok &= value < condition.below
    return ok
