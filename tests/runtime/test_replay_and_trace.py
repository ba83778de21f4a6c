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
from coach.runtime.trace import FIXED_COLUMNS, measure_columns
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
    assert list(rows[0]) == [*FIXED_COLUMNS, *measure_columns(exercise)]
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


def _column(rows, name):
    return np.array([float(row[name]) if row[name] else math.nan for row in rows])


@pytest.mark.parametrize(("name", "exercise_id"), CASES)
def test_the_trace_shows_each_side_of_a_sided_measure(library, tmp_path, name, exercise_id):
    """Side by side, the judged value is one side's, or the mean of both for an exercise
    counted on both sides together."""
    exercise = library.get(exercise_id)
    trace = tmp_path / "trace.csv"
    replay_recording(POSE_FIXTURES / f"{name}.npz", exercise, trace_path=trace)
    with trace.open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["status"] != "end"]
    sided = [c.removesuffix(".left") for c in measure_columns(exercise) if c.endswith(".left")]
    assert sided, "every case has a measure taken per side"
    for measure in sided:
        judged = _column(rows, measure)
        left, right = _column(rows, f"{measure}.left"), _column(rows, f"{measure}.right")
        assert np.isfinite(left).any() or np.isfinite(right).any()
        if exercise.side in ("both", "alternating"):  # one counter on both sides together
            mean = np.where(
                np.isnan(left), right, np.where(np.isnan(right), left, (left + right) / 2)
            )
            seen = np.isfinite(judged)
            np.testing.assert_allclose(judged[seen], mean[seen], atol=2e-3)
        else:
            seen = np.isfinite(judged)
            on_a_side = np.isclose(judged, left, atol=1e-3) | np.isclose(judged, right, atol=1e-3)
            assert on_a_side[seen].all()


def test_the_trace_says_when_the_start_position_fails_and_counting_arms(library, tmp_path):
    """The push-up clip opens on a title card: no person, then the start position is met
    and counting arms before the first rep."""
    exercise = library.get("push_up")
    trace = tmp_path / "trace.csv"
    result = replay_recording(POSE_FIXTURES / "pushup_incline_side.npz", exercise, trace_path=trace)
    with trace.open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["status"] != "end"]
    armed = [row["t_s"] for row in rows if row["armed"] == "1"]
    assert armed and float(armed[0]) < result.reps[0].turn_s
    met = {row["start_position_met"] for row in rows}
    assert met <= {"", "0", "1"} and "1" in met
    failing = [row["start_position_failing"] for row in rows if row["start_position_met"] == "0"]
    assert all("=" in f and ("above" in f or "below" in f) for f in failing)


@pytest.mark.parametrize(("counts_from", "turn_at"), [(None, "60.000"), (80.0, "80.000")])
def test_the_trace_shows_the_thresholds_in_force(library, tmp_path, counts_from, turn_at):
    from coach.engine.thresholds import Prescription

    exercise = library.get("squat")
    assert exercise.reps is not None and exercise.reps.turn.above == 60
    prescription = None if counts_from is None else Prescription("knee_flexion", counts_from=80.0)
    trace = tmp_path / "trace.csv"
    replay_recording(
        POSE_FIXTURES / "squat_side_studio.npz",
        exercise,
        trace_path=trace,
        prescription=prescription,
    )
    with trace.open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["driver"]]
    assert rows and {row["turn_at"] for row in rows} == {turn_at}
    assert {row["start_at"] for row in rows} == {"35.000"}
