"""The authoring loop on the command line: `coach replay`, `--exercise FILE`, extra
definition folders, `coach validate` listing every problem, and quiet pipes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from coach.cli import EXIT_BAD_INPUT, main
from coach.exercise.loader import DEFAULT_EXERCISES_DIR, EXTRA_EXERCISES_ENV
from coach.runtime.analysis import AnalysisResult
from coach.runtime.trace import FIXED_COLUMNS
from tests.conftest import POSE_FIXTURES, ROOT, SAMPLE_VIDEOS

SQUAT_POSES = POSE_FIXTURES / "squat_side_studio.npz"
# The keys of `coach analyze --json`: a replay prints the same object.
ANALYSIS_KEYS = set(AnalysisResult("x", "x.mp4", 0, 0.0, 0.0, 0, [], 0.0, 0.0, {}, []).to_json())


def replay_json(capsys, *args: str) -> dict:
    assert main(["replay", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_replay_prints_the_analysis_json(capsys):
    result = replay_json(capsys, str(SQUAT_POSES), "--exercise", "squat")
    assert set(result) == ANALYSIS_KEYS
    assert result["reps"] == 8 and result["view"] == "side"  # the clip's hand count


def test_replay_takes_a_definition_file(tmp_path, capsys):
    """A copy of the shipped squat with a turn no rep reaches counts nothing: the file is
    what is counted on, not the library's squat."""
    text = (DEFAULT_EXERCISES_DIR / "squat.toml").read_text()
    old = 'turn = { name = "bottom", above = 60 }'
    assert old in text
    own = tmp_path / "squat.toml"
    own.write_text(
        text.replace(old, 'turn = { name = "bottom", above = 150 }').replace(
            "target = 90", "target = 160"
        )
    )
    assert replay_json(capsys, str(SQUAT_POSES), "--exercise", str(own))["reps"] == 0
    assert replay_json(capsys, str(SQUAT_POSES), "--exercise", "squat")["reps"] == 8


def test_replay_writes_the_trace(tmp_path, capsys):
    trace = tmp_path / "trace.csv"
    assert main(["replay", str(SQUAT_POSES), "--exercise", "squat", "--trace", str(trace)]) == 0
    lines = trace.read_text().splitlines()
    assert lines[0].startswith("t_s,status,view,driver,start_at,turn_at,target,phase")
    assert "knee_flexion" in lines[0].split(",")
    assert len(lines) == 1 + 347  # the header and the recording's frames
    assert "8 reps" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.npz", "no such file"),
        (lambda tmp: _write(tmp / "notes.npz", b"not numpy"), "not a pose recording"),
    ],
    ids=["missing", "not-a-recording"],
)
def test_replay_bad_input_gives_one_line(tmp_path, capsys, make, message):
    assert main(["replay", str(make(tmp_path)), "--exercise", "squat"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _own_definition(folder, exercise_id="my_squat"):
    text = (DEFAULT_EXERCISES_DIR / "squat.toml").read_text()
    assert 'id = "squat"' in text
    path = folder / f"{exercise_id}.toml"
    path.write_text(text.replace('id = "squat"', f'id = "{exercise_id}"'))
    return path


def _run(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "coach.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_an_extra_folder_adds_exercises_to_the_command(tmp_path):
    _own_definition(tmp_path)
    done = _run("exercises", env_extra={EXTRA_EXERCISES_ENV: str(tmp_path)})
    ids = [line.split()[0] for line in done.stdout.splitlines()]
    assert done.returncode == 0, done.stderr
    assert "my_squat" in ids and "squat" in ids and len(ids) == 31
    done = _run(
        "replay",
        str(SQUAT_POSES),
        "--exercise",
        "my_squat",
        "--json",
        env_extra={EXTRA_EXERCISES_ENV: str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reps"] == 8


def test_an_extra_definition_clashing_with_a_shipped_one_is_refused(tmp_path):
    _own_definition(tmp_path, "squat")
    done = _run("exercises", env_extra={EXTRA_EXERCISES_ENV: str(tmp_path)})
    assert done.returncode == EXIT_BAD_INPUT
    assert str(tmp_path / "squat.toml") in done.stderr
    assert str(DEFAULT_EXERCISES_DIR / "squat.toml") in done.stderr


def test_validate_lists_every_problem_of_every_file(tmp_path, capsys):
    text = (DEFAULT_EXERCISES_DIR / "squat.toml").read_text()
    assert "target = 90" in text and 'points = ["hip", "knee", "ankle"]' in text
    broken = text.replace("target = 90", "target = 40").replace(
        'points = ["hip", "knee", "ankle"]', 'points = ["hip", "Lknee", "ankle"]'
    )
    (tmp_path / "squat_v2.toml").write_text(broken)
    (tmp_path / "squat.toml").write_text(text.replace("target = 90", "target = 40"))
    files = [str(tmp_path / "squat_v2.toml"), str(tmp_path / "squat.toml")]
    assert main(["validate", *files]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "squat_v2.toml: 3 problems" in err
    assert "id: 'squat' must match the file name" in err
    assert "Lknee" in err
    assert err.count("target (40) must be at least turn.above") == 2


def test_exercises_into_a_closed_pipe_exits_quietly():
    """`coach exercises --markdown | head`: the reader goes away; no traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "coach.cli", "exercises", "--markdown"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before anything is read: every write meets a closed pipe
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert err == ""


@pytest.mark.model
def test_replaying_a_recorded_clip_gives_what_analyze_gives(tmp_path):
    """`coach record` then `coach replay` is `coach analyze` without the model: the same
    JSON (but for the file it names) and the same trace."""
    clip = SAMPLE_VIDEOS / "squat_half_front_cdc.mp4"
    poses = tmp_path / "poses.npz"
    recorded = _run("record", str(clip), str(poses), env_extra={})
    assert recorded.returncode == 0, recorded.stderr
    runs = {}
    for command, source in (("analyze", clip), ("replay", poses)):
        trace = tmp_path / f"{command}.csv"
        done = _run(
            command,
            str(source),
            "--exercise",
            "squat",
            "--json",
            "--trace",
            str(trace),
            *(["--no-progress"] if command == "analyze" else []),
            env_extra={},
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result.pop("video") == str(source)
        runs[command] = (result, trace.read_text())
    analyzed, replayed = runs["analyze"][0], runs["replay"][0]
    assert analyzed["reps"] > 0
    for key in ("frames", "reps", "view", "hold_s", "warnings"):
        assert replayed[key] == analyzed[key], key
    # The same reps at the same times; their ranges to a fraction of a degree (float16).
    for mine, theirs in zip(replayed["repetitions"], analyzed["repetitions"], strict=True):
        assert {k: v for k, v in mine.items() if k != "range_of_motion"} == {
            k: v for k, v in theirs.items() if k != "range_of_motion"
        }
        for measure, stats in mine["range_of_motion"].items():
            for stat, value in stats.items():
                assert value == pytest.approx(theirs["range_of_motion"][measure][stat], abs=0.5)
    # A recording keeps coordinates as float16 (`PoseRecording.save`): measures agree to a
    # fraction of a degree, everything else exactly.
    traces = (runs["analyze"][1], runs["replay"][1])
    analyzed_rows, replayed_rows = (list(csv.reader(io.StringIO(t))) for t in traces)
    assert replayed_rows[0] == analyzed_rows[0] and len(replayed_rows) == len(analyzed_rows)
    measures_from = len(FIXED_COLUMNS)
    for mine, theirs in zip(replayed_rows[1:], analyzed_rows[1:], strict=True):
        assert mine[:measures_from] == theirs[:measures_from]
        for a, b in zip(mine[measures_from:], theirs[measures_from:], strict=True):
            assert (a == b == "") or abs(float(a) - float(b)) < 0.5, (mine[0], a, b)
