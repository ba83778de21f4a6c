"""The exercise engine: one patient's poses in, a `FrameResult` per frame out.

It ties together the view, the measures, the rep counter(s) or hold timer, the form
rules and the cue coach for one exercise definition. It never draws and never reads a
clock: it runs on the poses' own time, so the same code serves a live webcam, a recorded
video and a synthetic test sequence.

There is one path. A batch of frames (`EngineFrames`: a whole recording for `run`, one
pose for `update`) gets its views and every measure at once, vectorised; then one step
function takes each frame through the rep counters or hold timers, the form rules and
the finished reps.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from coach.core import landmarks
from coach.core.landmarks import Side
from coach.core.pose import Pose
from coach.engine.climb import came_down, point_heights
from coach.engine.counter import CounterState, MissedRep, RepCounter, RepCycle
from coach.engine.cues import CueCoach
from coach.engine.drivers import DriverChoice
from coach.engine.hold import HoldTimer
from coach.engine.measures import MeasureComputer, SidedValue, on_side
from coach.engine.results import (
    AngleStats,
    Cue,
    CueKind,
    EngineRun,
    Fault,
    FrameResult,
    PositionCheck,
    Rep,
    RepSide,
    Status,
)
from coach.engine.rules import FrameRuleTracker, meets, rep_faults, steady_series, steady_value
from coach.engine.short_cycles import (
    SHORT_CYCLE_FLOOR,
    SHORT_CYCLE_GAP_S,
    Cycle,
    ShortCycle,
    ShortCycleTracker,
)
from coach.engine.thresholds import (
    Prescription,
    Thresholds,
    library_thresholds,
    thresholds_in_force,
)
from coach.engine.track import RepTrack, ShortMovements
from coach.engine.view import DetectedView, ViewEstimator, counts_in, yaw_and_facing
from coach.exercise.schema import (
    REP_MEASURES,
    DriversDef,
    ExerciseDef,
    SignalDef,
    Threshold,
    is_sided_measure,
)

NO_PERSON_CUE = "Step into view of the camera"
CROWDED_CUE = "Only one person in view, please"
PARTIAL_RULE_ID = "partial_range"
DEFAULT_PARTIAL_CUE = "Try to go a little further, if it feels comfortable"
# 'turn' rules judge the median over the frames this close to the turn (0.15 s either
# side): a few frames at webcam rates, short enough for the driver to stay near its extreme
# even in a brisk rep, so the fault is judged at the phase where it shows, not on one frame.
# Whole-rep rules (a rep's max or min) judge each frame's median over the same window.
TURN_WINDOW_S = 0.3
# A full rep at a range the physio prescribed: the patient's range, not the library's.
YOUR_RANGE_CUE = "That's your range: good rep"
# Two movements in a row that stopped short of where a rep counts (`short_cycles`).
SHORT_CYCLE_CUE = "Go a little further for it to count"

_VIEW_ADVICE = {
    "side": "Turn side-on to the camera",
    "front": "Face the camera",
    "back": "Turn your back to the camera",
    "oblique": "Turn half-way between facing the camera and side-on",
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


def failing_check(
    values: dict[str, float], conditions: Sequence[Threshold]
) -> PositionCheck | None:
    """The first start-position condition the frame's measures do not meet (None: all are
    met, or there are none)."""
    for condition in conditions:
        value = values.get(condition.measure, np.nan)
        if not meets(value, condition):
            return PositionCheck(condition.measure, value, condition.above, condition.below)
    return None


def _trunk_elevation(exercise: ExerciseDef, check: PositionCheck) -> float | None:
    """The trunk's angle above the floor (0 lying, 90 upright) when the check is on the
    hip-to-shoulder line measured against the horizontal or the vertical; else None."""
    angle = exercise.angles.get(check.measure)
    if angle is None or sorted(angle.points) != ["mid_hip", "mid_shoulder"]:
        return None
    if angle.type == "segment_horizontal":
        return abs(check.value)
    if angle.type == "segment_vertical":
        return 90.0 - abs(check.value)
    return None


def position_advice(exercise: ExerciseDef, check: PositionCheck) -> str:
    """The definition's start-position cue with what looks wrong, in the patient's words:
    "Lie on your back, ...: you seem to be standing" when the trunk check fails; otherwise
    the measure that is off, its value and where it should be."""
    cue = exercise.position_cue
    if math.isnan(check.value):
        return cue
    elevation = _trunk_elevation(exercise, check)
    if elevation is not None:
        if elevation >= 60:
            posture = "standing or sitting up"
        elif elevation <= 30:
            posture = "lying down"
        else:
            posture = "leaning or bent over"
        return f"{cue}: you seem to be {posture}"
    measure = exercise.angles.get(check.measure) or exercise.ratios.get(check.measure)
    label = measure.label if measure and measure.label else check.measure.replace("_", " ")
    unit = " degrees" if check.measure in exercise.angles else ""
    bound = f"below {check.below:g}" if check.below is not None else f"above {check.above:g}"
    return f"{cue} ({label.lower()} is {check.value:.{0 if unit else 2}f}{unit}, should be {bound})"


def _same_movement(a: Cycle, b: Cycle) -> bool:
    """Two sides' movements overlapping for half the shorter one are one movement."""
    overlap = min(a.end_s, b.end_s) - max(a.start_s, b.start_s)
    shorter = min(a.end_s - a.start_s, b.end_s - b.start_s)
    return shorter > 0 and overlap / shorter >= 0.5


def _leading_side(value: SidedValue) -> RepSide:
    """The side with the larger value (the leg in front, the arm up); 'both' if unseen."""
    left, right = value.left, value.right
    if math.isnan(left) and math.isnan(right):
        return "both"
    if math.isnan(right) or (not math.isnan(left) and left > right):
        return "left"
    return "right"


@dataclass(frozen=True)
class _Batch:
    """Frames ready for the step: their views, and every measure of every frame."""

    t_s: list[float]
    views: list[DetectedView | None]
    measured: list[bool]  # the patient is in view (and the frame not paused for a crowd)
    crowded: list[bool]
    rows: np.ndarray  # (N, rows): `MeasureComputer.compute_rows`, NaN where not measured
    sides: dict[str, np.ndarray]  # (N, measures) on the left, right, center (`sides`)
    on: dict[Side | None, np.ndarray]  # (N, measures) on each side the engine reads
    values: dict[Side | None, list[dict[str, float]]]  # the same, frame by frame
    heights: list[float]  # the definition's `reps.climbs` point up the image (NaN: none)


class _Step(NamedTuple):
    """What one frame's step gave: its status, the side whose measures it shows (`shows`
    False: none), and what the cue coach and a `FrameResult` need."""

    status: Status
    shows: bool
    side: Side | None = None
    guidance: str | None = None
    candidates: Sequence[Cue] = ()
    failing: Sequence[str] = ()
    new_rep: Rep | None = None
    new_faults: Sequence[Fault] = ()
    position_met: bool | None = None  # rep exercises: the shown side meets the start position
    position_failing: PositionCheck | None = None
    armed: bool = False


class ExerciseEngine:
    """Counts reps or times a hold for one exercise, for one patient, in frame time."""

    def __init__(
        self,
        exercise: ExerciseDef,
        *,
        pause_when_crowded: bool = False,
        cue_coach: CueCoach | None = None,
        recorded: bool = False,
        prescription: Prescription | None = None,
    ) -> None:
        self.exercise = exercise
        self.prescription = prescription
        self._next_prescription: Prescription | None = None  # `change_prescription`'s
        # The thresholds in force for each of the definition's sets of drivers, keyed by
        # the set's identity (views sharing a set share a counter): (what the counter runs
        # on, the numbers of each of its `signals`).
        self._in_force: dict[int, tuple[DriversDef, tuple[Thresholds, ...]]] = {}
        self._library_of: dict[int, DriversDef] = {}  # id of a signal in force -> library's
        self.short_cycles: list[ShortCycle] = []
        # Movements past the turn that did not count, with why (`MissedRep`).
        self.missed: list[MissedRep] = []
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
        self._tracks = []
        # The start position's conditions that hold through a rep, however far it has
        # gone (`throughout`: a crunch's face up and knees bent, not a deadlift's upright
        # trunk). A recording opening out of them is not in the middle of a rep.
        self._posture = [c for c in exercise.start_position if c.throughout]
        if exercise.reps is not None:
            signal = self._signals(None)
            self._tracks = [
                RepTrack(
                    side,
                    self._new_counter(signal),
                    FrameRuleTracker(list(exercise.rules)),
                    ShortMovements(self._short_tracker(signal)),
                )
                for side in sides
            ]
        hold_sides: tuple[Side | None, ...] = (
            landmarks.SIDES
            if mode in ("auto", "alternating")
            else (mode,)
            if mode in ("left", "right")
            else (None,)
        )
        hold = exercise.hold
        self._holds = {
            side: HoldTimer(hold.enter_s, hold.exit_s, hold.still_deg)
            for side in hold_sides
            if hold is not None
        }
        # The hold's condition measures, in degrees (a ratio as radians): the timer asks
        # that they be still.
        self._still = [
            (c.measure, 1.0 if c.measure in exercise.angles else math.degrees(1.0))
            for c in (hold.conditions if hold else [])
        ]
        self._hold_rules = FrameRuleTracker(list(exercise.rules))
        self._was_holding = False
        self._focus: RepTrack | None = self._tracks[0] if self._tracks else None
        reps_def = exercise.reps
        self._phase_names = (
            {}
            if reps_def is None
            else {
                CounterState.READY: reps_def.start.name,
                CounterState.OUTBOUND: f"going to {reps_def.turn.name}",
                CounterState.RETURNING: f"back to {reps_def.start.name}",
            }
        )
        watched = [exercise.reps.driver] if exercise.reps else []
        if exercise.hold:
            watched += [c.measure for c in exercise.hold.conditions]
        self._sided_names = [n for n in exercise.measures if is_sided_measure(exercise, n)]
        self._visibility_advice = _advice_for_missing(self._measures.required_landmarks(watched))
        # The sides whose measures the step reads: the tracks', the hold timers', and both
        # together when no hold timer is holding.
        self._sides: set[Side | None] = {t.side for t in self._tracks} | set(self._holds)
        if self._holds:
            self._sides.add(None)
        # (t_s, the frame's `compute_rows` values) of the measured frames over the last
        # max_rep_s and a margin: the frames a finished rep is judged on.
        self._history: deque[tuple[float, np.ndarray]] = deque()
        self._heights: deque[float] = deque()  # the `reps.climbs` point's, frame by frame

    def _new_counter(self, signals: DriversDef) -> DriverChoice:
        """Counters on a view's signals in force (`_signals`); each driver whose numbers a
        plan moved also gets the library's, for the counter's evidence rule."""
        reps = self.exercise.reps
        assert reps is not None
        library, forces = self._library_of[id(signals)], self._force_of_all(signals)
        libraries = [
            own if force.prescribed else None
            for own, force in zip(library.signals, forces, strict=True)
        ]
        return DriverChoice(reps, signals, start_mid_movement=self._recorded, libraries=libraries)

    def _short_tracker(self, signal: SignalDef) -> ShortCycleTracker:
        """Movements short of the turn: clear ones move at least `SHORT_CYCLE_FLOOR` of the
        definition's min_range or of the hysteresis band, whichever is more, and, where a
        plan set the thresholds, leave the plan's start zone (`ShortCycleTracker.leaves`)."""
        assert self.exercise.reps is not None
        force = self._force_of(signal)
        floor = SHORT_CYCLE_FLOOR * max(force.min_range, abs(force.turn - force.start))
        reps = self.exercise.reps
        leaves = force.start if force.prescribed else None
        return ShortCycleTracker(force.rising, floor, reps.min_rep_s, reps.max_rep_s, leaves)

    def _force_of_all(self, signals: DriversDef) -> tuple[Thresholds, ...]:
        """The thresholds in force of each of a view's signals (`_signals`)."""
        return next(forces for in_force, forces in self._in_force.values() if in_force is signals)

    def _force_of(self, counted: SignalDef) -> Thresholds:
        """The thresholds in force of one signal a counter runs on (`_signals`)."""
        for signals, forces in self._in_force.values():
            for signal, force in zip(signals.signals, forces, strict=True):
                if signal is counted:
                    return force
        raise KeyError(f"{counted.driver} is not a signal in force")

    def _signals(self, view: DetectedView | None) -> DriversDef:
        """The signals the counter runs on in this view: the definition's drivers, each
        with the thresholds in force for this patient. The prescription moves the driver
        whose measure it names; the view's other drivers keep the library's thresholds (a
        prescription naming none of them leaves every driver the library's, with a note)."""
        assert self.exercise.reps is not None
        library = self.exercise.reps.signal_for(view)
        if id(library) not in self._in_force:
            forces = tuple(
                thresholds_in_force(signal, self._prescription_for(library, signal))
                for signal in library.signals
            )
            others = [
                force.as_signal(signal)
                for signal, force in zip(library.other_drivers, forces[1:], strict=True)
            ]
            in_force = forces[0].as_signal(library).model_copy(update={"other_drivers": others})
            self._in_force[id(library)] = (in_force, forces)
            self._library_of[id(in_force)] = library
        return self._in_force[id(library)][0]

    def _prescription_for(self, signals: DriversDef, signal: SignalDef) -> Prescription | None:
        """The prescription one of a view's drivers follows: the patient's, on the driver
        it names; none (the library's thresholds) on the view's other drivers; the
        patient's on every driver when it names none of them (`thresholds_in_force` then
        keeps the library's, with a note)."""
        prescription = self.prescription
        if prescription is None or prescription.measure == signal.driver:
            return prescription
        named = any(other.driver == prescription.measure for other in signals.signals)
        return None if named else prescription

    def _now(self, counter: RepCounter) -> Thresholds:
        """The thresholds `counter` counts on now: those in force for this patient
        (`_force_of`), scaled to their own rest as the counter scaled them for the rep in
        progress or the next (`RepCounter.signal_now`: the one computation of it), with a
        note saying so."""
        force = self._force_of(counter.signal_def)
        now = counter.signal_now
        if now is counter.signal_def:
            return force
        scaled = library_thresholds(now)
        note = (
            f"scaled to the patient's own rest ({counter.own_rest:.3g}; the definition's "
            f"numbers are written for {counter.signal_def.rest:g})"
        )
        return replace(
            force,
            start=scaled.start,
            turn=scaled.turn,
            target=scaled.target,
            notes=(*force.notes, note),
        )

    def _first_now(self, view: DetectedView | None) -> Thresholds:
        """The view's first driver's thresholds counted on now (`_now`) on the focused
        track; the view's in force (`thresholds`) when no track counts in it."""
        focus = self._focus
        if focus is None or focus.counter.signals is not self._signals(view):
            return self.thresholds(view)
        return self._now(focus.counter.counters[0])

    def thresholds(self, view: DetectedView | None) -> Thresholds:
        """The (first) driver's thresholds in force in this view (the definition's, moved
        by the prescription). Raises ValueError for an exercise without reps."""
        if self.exercise.reps is None:
            raise ValueError(f"{self.exercise.id} is a hold: it has no rep thresholds")
        return self._force_of(self._signals(view))

    def change_prescription(self, prescription: Prescription) -> None:
        """Count on `prescription` from the next rep (the physiotherapist changed this
        session's target while watching): applied on the first frame no rep is under way,
        so the rep in progress is judged as it began. A hold has no rep thresholds: its
        prescription changes only what is reported."""
        self._next_prescription = prescription

    def _apply_next_prescription(self) -> None:
        if self._next_prescription is None or any(t.counter.in_rep for t in self._tracks):
            return
        self.prescription, self._next_prescription = self._next_prescription, None
        self._in_force.clear()  # each view's thresholds are worked out again, then the
        # counters restart on them (`_reps_step`: the signal they run on changed)

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
        """One frame: a batch of one through the same step as `run`, and the cue to show."""
        batch = self._prepare(EngineFrames.of_pose(pose, people))
        return self._frame_result(batch, self._step(batch, 0), people)

    def run(self, frames: EngineFrames) -> EngineRun:
        """A whole recording at once, with the results `update` gives frame by frame (no
        cues are chosen: nobody watches a bulk replay)."""
        batch = self._prepare(frames)
        steps = [self._step(batch, i) for i in range(len(batch.t_s))]
        series = self._shown(batch, steps)
        statuses = [step.status for step in steps]
        return EngineRun(
            frames.t_s,
            statuses,
            batch.views,
            frames.people.tolist(),
            series,
            start_position_met=[step.position_met for step in steps],
            armed=[step.armed for step in steps],
        )

    def finish(self) -> list[Rep]:
        """End of the recording: count a last rep that was already back at the start, and
        any rep still waiting to be handed on (a first rep its next one confirmed on the
        last frames: `RepEvidence`). Returns the reps counted now, in order."""
        counted: list[Rep] = []
        for track in self._tracks:
            while (cycle := track.counter.finish()) is not None:
                rep = self._finish_rep(track, cycle, self._view.current)
                if rep is not None:
                    counted.append(rep)
            self._keep_missed(track.counter.missed())
        return counted

    def _prepare(self, frames: EngineFrames) -> _Batch:
        """The views, frame after frame, then every measure of the frames seen in each view
        at once."""
        t_list = frames.t_s.tolist()
        crowded = (frames.people > 1) & self.pause_when_crowded
        measured = frames.present & ~crowded
        yaws, facing = (a.tolist() for a in yaw_and_facing(frames.world_xyz))
        views = [
            self._view.step(t_s, yaw, faces) if present else self._view.step(t_s)
            for t_s, present, yaw, faces in zip(
                t_list, frames.present.tolist(), yaws, facing, strict=True
            )
        ]
        measured_list = measured.tolist()
        rows = self._rows_by_view(frames, views, measured_list)
        if self.exercise.side == "both":
            # The near limb's value where the far one is hidden behind the body, not a mean
            # that flips as the guessed far limb comes and goes from view
            # (`MeasureComputer.near_side_only`): 'auto' counts each side apart and
            # 'alternating' needs both sides' mean.
            side_on = [m and v == "side" for m, v in zip(measured_list, views, strict=True)]
            if side_on and all(side_on):  # every frame (a live frame side-on): no mask
                rows = self._measures.near_side_only(rows, frames.visibility, "side")
            elif any(side_on):
                mask = np.array(side_on, dtype=bool)
                rows[mask] = self._measures.near_side_only(
                    rows[mask], frames.visibility[mask], "side"
                )
        sides = self._measures.sides(rows)
        on = {side: on_side(sides, side) for side in self._sides}
        climbs = self.exercise.reps.climbs if self.exercise.reps else None
        heights = np.full(len(t_list), np.nan)
        if climbs is not None:
            found = point_heights(
                climbs, frames.image_px, frames.visibility, self.exercise.min_visibility
            )
            heights = np.where(measured, found, np.nan)
        names = self._measures.names
        values = {
            side: [dict(zip(names, row, strict=True)) for row in matrix.tolist()]
            for side, matrix in on.items()
        }
        return _Batch(
            t_list,
            views,
            measured_list,
            crowded.tolist(),
            rows,
            sides,
            on,
            values,
            heights.tolist(),
        )

    def _rows_by_view(
        self, frames: EngineFrames, views: list[DetectedView | None], measured: list[bool]
    ) -> np.ndarray:
        """(N, rows) every measure of the measured frames, each in its own view (NaN on the
        frames not measured). The frames of one view are measured together; when that is
        all of them (a live frame, a recording in one view) no mask is needed."""
        if views and all(measured) and views.count(views[0]) == len(views):
            return self._measures.compute_rows(
                frames.image_px, frames.world_xyz, frames.visibility, views[0]
            )
        rows = np.full((len(views), self._measures.row_count), np.nan)
        for view in set(views):
            seen = np.array([m and v == view for m, v in zip(measured, views, strict=True)])
            if seen.any():
                rows[seen] = self._measures.compute_rows(
                    frames.image_px[seen], frames.world_xyz[seen], frames.visibility[seen], view
                )
        return rows

    def _step(self, batch: _Batch, i: int) -> _Step:
        if batch.measured[i]:
            if self._holds:
                return self._hold_step(batch, i)
            if not counts_in(self.exercise.views, batch.views[i]):
                return self._uncounted_view_step(batch.t_s[i])
            return self._reps_step(batch, i)
        self._pause(batch.t_s[i])
        armed = self._armed
        if batch.crowded[i]:
            return _Step(Status.GETTING_READY, False, guidance=CROWDED_CUE, armed=armed)
        return _Step(Status.NO_PERSON, False, guidance=NO_PERSON_CUE, armed=armed)

    def _uncounted_view_step(self, t_s: float) -> _Step:
        """A view the exercise does not count in (`counts_in`): the counters see nothing
        (a rep in progress is dropped after a second) and the patient is told how to turn."""
        self._pause(t_s)
        focus = self._focus or self._tracks[0]
        advice = _VIEW_ADVICE[self.exercise.views[0]]
        return _Step(Status.GETTING_READY, True, focus.side, advice, armed=self._armed)

    def _pause(self, t_s: float) -> None:
        for track in self._tracks:
            track.counter.update({}, t_s)
        for timer in self._holds.values():
            timer.update(False, t_s)

    def _reps_step(self, batch: _Batch, i: int) -> _Step:
        t_s, view = batch.t_s[i], batch.views[i]
        self._remember(t_s, batch.rows[i], batch.heights[i])
        self._apply_next_prescription()
        signal = self._signals(view)
        candidates: list[Cue] = []
        new_faults: list[Fault] = []
        new_rep: Rep | None = None
        failing: list[str] = []
        any_visible = False
        position: dict[Side | None, PositionCheck | None] = {}
        for track in self._tracks:
            values = batch.values[track.side][i]
            if track.counter.signals is not signal:  # the view changed what we count on
                track.restart(self._new_counter(signal), self._short_tracker(signal))
            position[track.side] = failing_check(values, self.exercise.start_position)
            in_posture = failing_check(values, self._posture) is None
            step = track.step(
                values, t_s, view, position[track.side] is None, self._history, in_posture
            )
            any_visible |= step.seen
            if step.short is not None:
                self._keep_short(step.short)
            self._keep_missed(track.counter.missed())
            if step.short_repeated:
                candidates.append(Cue(SHORT_CYCLE_CUE, CueKind.FAULT, "minor", t_s))
            failing += step.failing
            new_faults += step.fired
            candidates += [self._fault_cue(f) for f in step.fired]
            if track.counter.in_rep:
                self._focus = track
            if step.cycle is not None:
                rep = self._finish_rep(track, step.cycle, view)
                if rep is not None:
                    new_rep = rep
                    candidates.append(self._rep_cue(rep, track))
        self.faults += new_faults
        focus = self._focus or self._tracks[0]
        check = position[focus.side]
        status, guidance = self._reps_status(any_visible, check)
        return _Step(
            status,
            True,
            focus.side,
            guidance,
            candidates,
            failing,
            new_rep,
            new_faults,
            position_met=check is None,
            position_failing=check,
            armed=self._armed,
        )

    def _remember(self, t_s: float, row: np.ndarray, height: float) -> None:
        """Keep a measured frame in the history finished reps are judged on (`height`:
        the `reps.climbs` point's, NaN without one)."""
        assert self.exercise.reps is not None
        history = self._history
        history.append((t_s, row))
        self._heights.append(height)
        # A rep the counter's evidence rule hands on late ended up to a gap and another
        # rep before the one that confirmed it.
        kept_s = 2 * self.exercise.reps.max_rep_s + SHORT_CYCLE_GAP_S + 2
        while history[0][0] < t_s - kept_s:
            history.popleft()
            self._heights.popleft()

    @property
    def _armed(self) -> bool:
        """True when any rep counter is armed."""
        return any(t.counter.state is not CounterState.UNARMED for t in self._tracks)

    def _reps_status(
        self, any_visible: bool, check: PositionCheck | None
    ) -> tuple[Status, str | None]:
        """The frame's status, and the guidance to show (None: none), from whether any
        driver is seen and the focused track's start-position check."""
        if not any_visible:
            return Status.NOT_VISIBLE, self._visibility_advice
        if not self._armed:
            return Status.GETTING_READY, self._getting_ready_advice(check)
        return Status.ACTIVE, None

    def _keep_missed(self, missed: list[MissedRep]) -> None:
        """Keep the movements past the turn that did not count, for the movement report;
        both sides moving together are one movement."""
        for miss in missed:
            if not any(_same_movement(miss.cycle, o.cycle) for o in self.missed[-2:]):
                self.missed.append(miss)

    def _keep_short(self, short: ShortCycle) -> None:
        """Keep a movement short of the turn for the movement report; both arms of a
        two-arm raise (tracks of each side) moving together are one movement."""
        if not any(_same_movement(short, other) for other in self.short_cycles[-2:]):
            self.short_cycles.append(short)

    def _hold_step(self, batch: _Batch, i: int) -> _Step:
        assert self.exercise.hold is not None
        t_s, view = batch.t_s[i], batch.views[i]
        conditions = self.exercise.hold.conditions
        visible = False
        held_side: Side | None = None
        for side, timer in self._holds.items():
            values = batch.values[side][i]
            visible |= any(not math.isnan(values[c.measure]) for c in conditions)
            correct = all(meets(values[c.measure], c) for c in conditions)
            timer.update(correct, t_s, [values[name] * scale for name, scale in self._still])
            if timer.holding:
                held_side = side
        holding = self.holding
        candidates: list[Cue] = []
        failing: list[str] = []
        new_faults: list[Fault] = []
        guidance = None
        status = Status.ACTIVE
        if holding:
            values = batch.values[held_side][i]
            failing, new_faults = self._hold_rules.update(values, t_s, view)
            candidates += [self._fault_cue(f) for f in new_faults]
            self.faults += new_faults
        elif self._was_holding:
            candidates.append(Cue(self.exercise.hold.break_cue, CueKind.FAULT, "major", t_s))
        elif not visible:
            status, guidance = Status.NOT_VISIBLE, self._visibility_advice
        else:
            status, guidance = Status.GETTING_READY, self._getting_ready_advice()
        self._was_holding = self._was_holding or holding
        return _Step(status, True, held_side, guidance, candidates, failing, None, new_faults)

    def _shown(self, batch: _Batch, steps: list[_Step]) -> dict[str, np.ndarray]:
        """Each measure of each frame on the side its step shows (NaN where none)."""
        shown = np.full((len(steps), len(self._measures.names)), np.nan)
        for side in {step.side for step in steps if step.shows}:
            frames = np.array([step.shows and step.side == side for step in steps], dtype=bool)
            shown[frames] = batch.on[side][frames]
        return self._columns(shown)

    def _values_on(self, row: np.ndarray, side: Side | None) -> dict[str, float]:
        """One frame's (rows,) values -> each measure's value on `side`."""
        return {
            name: float(v)
            for name, v in self._columns(on_side(self._measures.sides(row), side)).items()
        }

    def _columns(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """(..., measures) -> each measure's (...) values by name."""
        return {name: matrix[..., j] for j, name in enumerate(self._measures.names)}

    # ---- helpers ----------------------------------------------------------------------
    def _getting_ready_advice(self, failing: PositionCheck | None = None) -> str:
        """What to change to start: the view first, then the start position, saying
        what looks wrong (`position_advice`)."""
        view = self._view.current
        if view is not None and view not in self.exercise.views and view != "oblique":
            return _VIEW_ADVICE[self.exercise.views[0]]
        if view == "oblique" and self.exercise.views == ["side"]:
            return _VIEW_ADVICE["side"]
        if failing is None:
            return self.exercise.position_cue
        return position_advice(self.exercise, failing)

    def _steady_rows(self, cycle: RepCycle) -> np.ndarray:
        """The rep's frames, each its median over `TURN_WINDOW_S` (`steady_series`), for the
        whole-rep rules. The window reaches past the rep's ends into the frames seen before
        and after it, so a rep whose extreme is at its start or end (a bridge's top) is
        judged there over a whole window, not half of one."""
        half = TURN_WINDOW_S / 2
        around = [e for e in self._history if cycle.start_s - half <= e[0] <= cycle.end_s + half]
        times = np.array([t_s for t_s, _ in around])
        steady = steady_series(times, np.array([row for _, row in around]), TURN_WINDOW_S)
        return steady[(times >= cycle.start_s) & (times <= cycle.end_s)]

    def _finish_rep(
        self, track: RepTrack, cycle: RepCycle, view: DetectedView | None
    ) -> Rep | None:
        assert self.exercise.reps is not None
        reps_def = self.exercise.reps
        if self._stepped_down(cycle):
            self._keep_missed([MissedRep(cycle, "came_down")])
            return None
        window = [entry for entry in self._history if cycle.start_s <= entry[0] <= cycle.end_s]
        times = np.array([t_s for t_s, _ in window])
        rows = np.array([row for _, row in window])
        sides = self._measures.sides(rows)
        series = self._columns(on_side(sides, track.side))
        steady = self._measures.sides(self._steady_rows(cycle))
        judged_series = self._columns(on_side(steady, track.side))
        sided_series = {side: self._columns(on_side(steady, side)) for side in landmarks.SIDES}
        turn_index = int(np.argmin(np.abs(times - cycle.turn_s)))
        at_turn = {name: float(s[turn_index]) for name, s in series.items()}
        sided_at_turn = self._measures.sided_values(rows[turn_index])
        near_turn = steady_value(rows[np.abs(times - cycle.turn_s) <= TURN_WINDOW_S / 2])
        judged_at_turn = self._values_on(near_turn, track.side)
        start_rows = track.start.rows
        start = {} if start_rows is None else self._values_on(start_rows, track.side)
        stats: dict[str, AngleStats] = {}
        ratios: dict[str, AngleStats] = {}
        for name in self.exercise.measures:
            finite = series[name][np.isfinite(series[name])]
            if finite.size:
                found = AngleStats(float(finite.min()), float(finite.max()), at_turn[name])
                (stats if name in self.exercise.angles else ratios)[name] = found
        timing = {
            "rep_duration_s": cycle.duration_s,
            "down_s": cycle.turn_s - cycle.start_s,
            "up_s": cycle.end_s - cycle.turn_s,
        }
        during = track.faults_during(cycle)
        # A rep the recording began in the middle of: its start, so its timing and whole-rep
        # statistics, were never seen; judge only what was (the turn).
        # A rep short of the library's turn (a plan counting from less) is not judged on
        # the rules that describe the posture at full range (`at_full_range`).
        full_range = self._reached_library_turn(track, cycle, view)
        rules = [
            rule
            for rule in self.exercise.rules
            if (cycle.seen_from_start or (rule.when == "turn" and rule.measure not in REP_MEASURES))
            and (full_range or not rule.at_full_range)
        ]
        at_end = rep_faults(
            rules,
            judged_series,
            judged_at_turn,
            timing,
            cycle.turn_s,
            view,
            sided_at_turn=self._measures.sided_values(near_turn),
            sided_series=sided_series,
            start=start,
        )
        counted_on = cycle.signal or track.counter.signal_def
        partial = not counted_on.reached_target(cycle.extreme)
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
            ratios=ratios,
        )
        self.reps.append(rep)
        return rep

    def _stepped_down(self, cycle: RepCycle) -> bool:
        """True when the definition says a rep climbs back up (`reps.climbs`) and this
        movement's return brought the point lower instead (stepping off the step)."""
        assert self.exercise.reps is not None
        if self.exercise.reps.climbs is None:
            return False
        times = np.array([t_s for t_s, _ in self._history])
        heights = np.array(self._heights)
        return came_down(times, heights, cycle.turn_s, cycle.end_s, TURN_WINDOW_S)

    def _reached_library_turn(
        self, track: RepTrack, cycle: RepCycle, view: DetectedView | None
    ) -> bool:
        """True when the rep's driver went past the definition's own turn threshold (the
        library's, whatever the patient's plan moved it to)."""
        assert self.exercise.reps is not None
        counted = track.counter.signal_def.driver
        library = self.exercise.reps.signal_for(view)
        signal = next(s for s in library.signals if s.driver == counted)
        force = library_thresholds(signal)
        return force.reached(cycle.extreme, force.turn)

    def _merge_with_other_side(self, track: RepTrack, cycle: RepCycle) -> bool:
        """In 'auto' mode both sides moving together is one bilateral rep, not two. The
        rep spans both sides' movements and turns midway between their turns: when both
        sides finish on one frame, the side the model names first would otherwise set the
        times, and a mirrored video (the model's left and right swapped) would move them."""
        for i in range(len(self.reps) - 1, -1, -1):
            other = self.reps[i]
            if other.side == track.label or other.side == "both":
                continue
            overlap = min(other.end_s, cycle.end_s) - max(other.start_s, cycle.start_s)
            shorter = min(other.duration_s, cycle.duration_s)
            if shorter > 0 and overlap / shorter >= 0.5:
                self.reps[i] = Rep(
                    other.index,
                    "both",
                    min(other.start_s, cycle.start_s),
                    (other.turn_s + cycle.turn_s) / 2,
                    max(other.end_s, cycle.end_s),
                    other.angles,
                    other.partial,
                    other.faults,
                    other.ratios,
                )
                return True
            if other.end_s < cycle.start_s:
                break
        return False

    def _fault_cue(self, fault: Fault) -> Cue:
        return Cue(fault.cue, CueKind.FAULT, fault.severity, fault.t_s)

    def _rep_cue(self, rep: Rep, track: RepTrack) -> Cue:
        if rep.faults:
            worst = max(rep.faults, key=lambda f: ("info", "minor", "major").index(f.severity))
            return self._fault_cue(worst)
        if self._force_of(track.counter.signal_def).prescribed:
            return Cue(YOUR_RANGE_CUE, CueKind.PRAISE, "info", rep.end_s)
        return Cue(self.exercise.good_rep_cue, CueKind.PRAISE, "info", rep.end_s)

    def _frame_result(self, batch: _Batch, step: _Step, people: int) -> FrameResult:
        """One frame's `FrameResult`, with the cue to show now."""
        t_s = batch.t_s[0]
        candidates = list(step.candidates)
        if step.guidance is not None:
            candidates.insert(0, Cue(step.guidance, CueKind.GUIDANCE, "major", t_s))
        cue = self._cues.update(candidates, t_s)
        shown = self._shown(batch, [step]) if step.shows else {}
        names = self._measures.names
        by_side: dict[str, dict[str, float]] = {}
        for side in landmarks.SIDES:
            values = dict(zip(names, batch.sides[side][0].tolist(), strict=True))
            by_side[side] = {name: values[name] for name in self._sided_names}
        phase = None
        if self._focus is not None:
            phase = self._phase_names.get(self._focus.counter.state)
        return FrameResult(
            t_s=t_s,
            status=step.status,
            view=batch.views[0],
            people=people,
            measures={name: float(values[0]) for name, values in shown.items()},
            measures_by_side=by_side,
            driver=self._focus.counter.signal_def.driver if self._focus is not None else None,
            phase=phase,
            reps=self.rep_count,
            reps_by_side=self.reps_by_side,
            hold_s=self.hold_s,
            holding=self.holding,
            hold_by_side=self.hold_by_side,
            guidance=step.guidance,
            cue=cue,
            active_faults=tuple(dict.fromkeys(step.failing)),
            new_rep=step.new_rep,
            new_faults=tuple(step.new_faults),
            start_position_met=step.position_met,
            start_position_failing=step.position_failing,
            armed=step.armed,
            thresholds=self._first_now(batch.views[0]) if self._tracks else None,
            driver_thresholds=(
                self._now(self._focus.counter.lead) if self._focus is not None else None
            ),
        )


@dataclass(frozen=True)
class EngineFrames:
    """Frames of one patient, as arrays (N frames): a whole recording for
    `ExerciseEngine.run`, one frame (`of_pose`) for `update`."""

    t_s: np.ndarray  # (N,)
    present: np.ndarray  # (N,) bool: the patient is in view
    people: np.ndarray  # (N,) people in view
    image_px: np.ndarray  # (N, 33, 2)
    world_xyz: np.ndarray  # (N, 33, 3)
    visibility: np.ndarray  # (N, 33)

    @classmethod
    def of_pose(cls, pose: Pose, people: int = 1) -> EngineFrames:
        """One frame: one patient's pose (empty: not in view), and how many people are."""
        if pose.is_empty:
            nowhere = np.full((1, landmarks.NUM_LANDMARKS, 3), np.nan)
            image, world, visibility = nowhere[..., :2], nowhere, np.zeros(nowhere.shape[:2])
        else:
            image, world = pose.image_px[None], pose.world_xyz[None]
            visibility = pose.visibility[None]
        present = np.array([not pose.is_empty])
        return cls(np.array([pose.t_s]), present, np.array([people]), image, world, visibility)
