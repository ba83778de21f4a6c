"""`replay_recording` (what `coach replay` runs) and the per-frame trace it and
`coach analyze --trace` write: the same result as the other ways of running a recording,
and a trace row for every frame that agrees with the result."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from coach.runtime.analysis import replay_recording
from coach.runtime.session import CoachSession
from coach.runtime.trace import FIXED_COLUMNS
from coach.vision.recording import PoseRecording
from tests.conftest import POSE_FIXTURES

# (recording, exercise): counted reps, a side-by-side exercise, a hold.
CASES = [
    ("squat_side_studio", "squat"),
    ("curl_side_single_arm", "bicep_curl"),
    ("lunge_front_outdoor", "lunge"),
    ("pushup_side_studio", "push_up"),
    ("plank_hold_istock", "plank"),
]


def _rep_times(reps):
    return [(r.index, r.side, r.start_s, r.turn_s, r.end_s, r.partial) for r in reps]


@pytest.mark.parametrize(("name", "exercise_id"), CASES)
def test_replay_gives_what_the_bulk_run_gives(library, name, exercise_id):
    path = POSE_FIXTURES / f"{name}.npz"
    result = replay_recording(path, library.get(exercise_id))
    session = CoachSession(library.get(exercise_id))
    run = session.run(PoseRecording.load(path))
    assert _rep_times(result.reps) == _rep_times(session.engine.reps)
    assert result.hold_s == pytest.approx(session.engine.hold_s)
    assert result.frames == len(run.t_s)
    for measure, values in result.series.items():
        np.testing.assert_allclose(values, run.series[measure], equal_nan=True)


@pytest.mark.parametrize(("name", "exercise_id"), CASES)
def test_the_trace_has_a_row_per_frame_that_agrees_with_the_result(
    library, tmp_path, name, exercise_id
):
    exercise = library.get(exercise_id)
    trace = tmp_path / "trace.csv"
    result = replay_recording(POSE_FIXTURES / f"{name}.npz", exercise, trace_path=trace)
    with trace.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == [*FIXED_COLUMNS, *exercise.measures]
    frames = [row for row in rows if row["status"] != "end"]
    assert len(frames) == result.frames
    assert len(rows) - len(frames) <= 1  # a rep counted as the recording ended
    for measure in exercise.measures:
        column = [float(row[measure]) if row[measure] else math.nan for row in frames]
        np.testing.assert_allclose(column, result.series[measure], atol=6e-4, equal_nan=True)
    events = [row["rep_event"] for row in rows if row["rep_event"]]
    assert [e.split()[0] for e in events] == [str(rep.index) for rep in result.reps]
    assert [e.split()[1] for e in events] == [rep.side for rep in result.reps]
    rep_rows = [row for row in rows if row["rep_event"]]
    assert [row["rep_faults"].split(";") if row["rep_faults"] else [] for row in rep_rows] == [
        [f.rule_id for f in rep.faults] for rep in result.reps
    ]
    rule_ids = {rule.id for rule in exercise.rules}
    assert {f for row in rows for f in row["fault_events"].split(";") if f} <= rule_ids
    if exercise.reps is None:
        assert float(frames[-1]["hold_s"]) == pytest.approx(result.hold_s, abs=0.01)
        assert result.hold_s > 0
    else:
        drivers = {exercise.reps.driver, *(s.driver for s in exercise.reps.by_view.values())}
        assert {row["driver"] for row in frames} <= drivers | {""}
        assert result.reps, "a case that counts nothing would not test the rep columns"
