"""The per-frame trace of an analysis, as CSV: what the counter saw, frame by frame.

A physio writing a definition needs to see the signal the engine counted on: the value of
every measure (angles and ratios) on the judged side, and of each measure taken per side
on the left and on the right; the view, the phase, whether the start position was met
(and if not, the check that failed) and counting had armed, and where reps and faults
were counted. `coach analyze --trace` and `coach replay --trace` both write it through
`TraceWriter`, from the engine's `FrameResult`s, so a replay and an analysis give the same
columns. docs/exercises.md describes every column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from coach.core.errors import CoachError
from coach.engine.results import FrameResult, PositionCheck, Rep
from coach.exercise.schema import ExerciseDef, is_sided_measure

# The columns before the measures, in order.
FIXED_COLUMNS = (
    "t_s",
    "status",
    "view",
    "driver",
    "start_at",
    "turn_at",
    "target",
    "phase",
    "start_position_met",
    "start_position_failing",
    "armed",
    "reps",
    "rep_event",
    "rep_faults",
    "fault_events",
    "active_faults",
    "hold_s",
    "holding",
    "guidance",
    "cue",
)


def _number(value: float, digits: int) -> str:
    """A finite number rounded for reading; empty for NaN (the measure was not seen)."""
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def rep_event(rep: Rep | None) -> str:
    """How a counted rep reads in the trace: '3 left partial', '' for none."""
    if rep is None:
        return ""
    return " ".join([str(rep.index), rep.side, *(["partial"] if rep.partial else [])])


def _thresholds(result: FrameResult) -> tuple[str, str, str]:
    """The start, turn and target thresholds in force (a prescription moves them) of the
    frame's driver (with several drivers, the one counted on)."""
    limits = result.driver_thresholds
    if limits is None:
        return "", "", ""
    target = math.nan if limits.target is None else limits.target
    return _number(limits.start, 3), _number(limits.turn, 3), _number(target, 3)


def _flag(value: bool | None) -> str:
    return "" if value is None else str(int(value))


def position_check(check: PositionCheck | None) -> str:
    """The start-position check a frame failed: 'trunk_lean=34.2 (below 20)'."""
    if check is None:
        return ""
    bounds = [
        f"{word} {bound:g}"
        for word, bound in (("above", check.above), ("below", check.below))
        if bound is not None
    ]
    return f"{check.measure}={_number(check.value, 1) or 'unseen'} ({' and '.join(bounds)})"


def measure_columns(exercise: ExerciseDef) -> list[str]:
    """The trace's measure columns: each measure on the judged side, then 'NAME.left' and
    'NAME.right' for each measure taken per side."""
    sided = [name for name in exercise.measures if is_sided_measure(exercise, name)]
    return [*exercise.measures, *(f"{name}.{side}" for name in sided for side in ("left", "right"))]


def _measure_value(result: FrameResult, column: str) -> float:
    name, _, side = column.partition(".")
    values = result.measures_by_side.get(side, {}) if side else result.measures
    return values.get(name, math.nan)


def rep_faults(rep: Rep | None) -> str:
    """The faults of a counted rep (those seen during it and those judged at its end)."""
    return "" if rep is None else ";".join(f.rule_id for f in rep.faults)


def trace_row(result: FrameResult, measures: list[str]) -> list[str]:
    """One frame's row: the fixed columns, then each measure column (`measure_columns`;
    empty when unseen)."""
    return [
        _number(result.t_s, 3),
        result.status.value,
        result.view or "",
        result.driver or "",
        *_thresholds(result),
        result.phase or "",
        _flag(result.start_position_met),
        position_check(result.start_position_failing),
        _flag(result.armed if result.start_position_met is not None else None),
        str(result.reps),
        rep_event(result.new_rep),
        rep_faults(result.new_rep),
        ";".join(f.rule_id for f in result.new_faults),
        ";".join(result.active_faults),
        _number(result.hold_s, 2),
        str(int(result.holding)),
        result.guidance or "",
        result.cue.text if result.cue is not None else "",
        *(_number(_measure_value(result, column), 3) for column in measures),
    ]


class TraceWriter:
    """Writes the trace of one analysis, one row per frame as the frames are judged (so a
    long video's trace never sits in memory). Use it as a context manager or `close()` it.
    Raises CoachError naming the file when it cannot be written."""

    def __init__(self, path: str | Path, exercise: ExerciseDef) -> None:
        self.path = Path(path)
        self.measures = measure_columns(exercise)
        self.rows = 0
        try:
            self._file: IO[str] = self.path.open("w", newline="", encoding="utf-8")
        except OSError as exc:
            raise CoachError(f"{self.path}: cannot write the trace: {exc.strerror}") from None
        self._csv = csv.writer(self._file)
        self._csv.writerow([*FIXED_COLUMNS, *self.measures])

    def write(self, result: FrameResult) -> None:
        """The row of one frame."""
        self._csv.writerow(trace_row(result, self.measures))
        self.rows += 1

    def finish(self, last_reps: Sequence[Rep]) -> None:
        """A last row for each rep counted when the recording ended (`ExerciseEngine.finish`):
        status 'end', at the rep's end, the rep in `rep_event`."""
        for last_rep in last_reps:
            row = ["" for _ in (*FIXED_COLUMNS, *self.measures)]
            row[0], row[1] = _number(last_rep.end_s, 3), "end"
            row[FIXED_COLUMNS.index("reps")] = str(last_rep.index)
            row[FIXED_COLUMNS.index("rep_event")] = rep_event(last_rep)
            row[FIXED_COLUMNS.index("rep_faults")] = rep_faults(last_rep)
            self._csv.writerow(row)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> TraceWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
