"""The `coach` command line: one clear line and a non-zero exit for each bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from coach.cli import EXIT_BAD_INPUT, main
from coach.exercise.loader import DEFAULT_EXERCISES_DIR
from tests.conftest import ROOT, SAMPLE_VIDEOS


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coach.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_exercises_lists_the_first_definitions(capsys):
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    for exercise_id in ("squat", "push_up", "bicep_curl", "plank"):
        assert exercise_id in out


def test_exercises_lines_up_its_columns_whatever_the_longest_name(capsys):
    assert main(["exercises"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 30
    views_at = {len(line) - len(line.split()[-1]) for line in lines}
    assert len(views_at) == 1, "the views column starts at one place on every line"


def test_validate_accepts_a_shipped_definition(capsys):
    assert main(["validate", str(DEFAULT_EXERCISES_DIR / "squat.toml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_rejects_a_broken_definition_naming_file_and_key(tmp_path, capsys):
    broken = tmp_path / "squat.toml"
    text = (DEFAULT_EXERCISES_DIR / "squat.toml").read_text()
    good, typo = 'points = ["hip", "knee", "ankle"]', 'points = ["hip", "Lknee", "ankle"]'
    broken.write_text(text.replace(good, typo))
    assert main(["validate", str(broken)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert str(broken) in err
    assert "angles.knee_flexion.points[1]" in err and "Lknee" in err


def test_schema_is_a_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object" and "angles" in schema["properties"]


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        # A path that does not exist.
        (lambda tmp: tmp / "missing.mp4", "no such file"),
        # A file with a video name that holds text.
        (lambda tmp: _write(tmp / "notes.mp4", b"not video frames"), "not a readable video"),
        # A file whose name is not a video at all.
        (lambda tmp: _write(tmp / "notes.txt", b"hello"), "not a video file name"),
        # A truncated mp4: the first 2 kB of a real clip.
        (lambda tmp: _truncated_clip(tmp), "video"),
    ],
    ids=["missing", "text-as-mp4", "not-a-video-name", "truncated-mp4"],
)
def test_analyze_bad_video_gives_one_line_and_non_zero_exit(tmp_path, capsys, make_input, message):
    path = make_input(tmp_path)
    assert main(["analyze", str(path), "--exercise", "squat", "--no-progress"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err
    assert len(err.splitlines()) == 1


def test_analyze_unknown_exercise_lists_the_known_ones(capsys):
    clip = SAMPLE_VIDEOS / "glute_bridge_side.mp4"
    assert main(["analyze", str(clip), "--exercise", "moonwalk"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "unknown exercise 'moonwalk'" in err and "squat" in err and "push_up" in err


def test_analyze_with_an_invalid_definitions_folder_names_the_file(tmp_path, capsys):
    (tmp_path / "squat.toml").write_text('id = "squat"\nname = "Squat"\n')
    clip = SAMPLE_VIDEOS / "glute_bridge_side.mp4"
    code = main(["--exercises-dir", str(tmp_path), "analyze", str(clip), "--exercise", "squat"])
    assert code == EXIT_BAD_INPUT
    assert "squat.toml" in capsys.readouterr().err


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _truncated_clip(tmp):
    path = tmp / "truncated.mp4"
    path.write_bytes((SAMPLE_VIDEOS / "glute_bridge_side.mp4").read_bytes()[:2048])
    return path


@pytest.mark.model
def test_video_with_nobody_warns_and_counts_zero(tmp_path):
    """An empty room: a warning and 0 reps, not a crash, and MediaPipe's start-up lines
    (written by its C++ code straight to file descriptor 2) kept off the command's stderr."""
    from coach.vision.video import H264Writer

    clip = tmp_path / "empty_room.mp4"
    rng = np.random.default_rng(0)
    background = rng.integers(90, 160, size=(240, 320, 3), dtype=np.uint8)
    with H264Writer(clip, 10.0, (320, 240)) as writer:
        for _ in range(20):
            writer.write(background)
    done = run_cli("analyze", str(clip), "--exercise", "squat", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["reps"] == 0 and result["frames_with_pose"] == 0
    assert any("nobody" in w for w in result["warnings"])
    assert done.stderr == ""


@pytest.mark.model
@pytest.mark.parametrize("suffix", [".gif", ".avi", ".mov"])
def test_analyze_reads_other_containers(tmp_path, suffix):
    """mp4 and webm are the shipped samples; gif, avi and mov are made from one with ffmpeg."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (make test installs it)")
    source = SAMPLE_VIDEOS / "squat_bodyweight_front.mp4"
    converted = tmp_path / f"clip{suffix}"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-t",
            "2",
            "-i",
            str(source),
            "-vf",
            "scale=320:-2",
            str(converted),
        ],
        check=True,
    )
    done = run_cli("analyze", str(converted), "--exercise", "squat", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["frames"] > 10 and result["frames_with_pose"] > 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), (b"not a zip", "not a MediaPipe task bundle")],
    ids=["missing-model", "not-a-task-file"],
)
def test_analyze_with_a_bad_model_file_says_what_to_pass(tmp_path, capsys, content, message):
    model = tmp_path / "pose.task"
    if content is not None:
        model.write_bytes(content)
    clip = SAMPLE_VIDEOS / "glute_bridge_side.mp4"
    code = main(["analyze", str(clip), "--exercise", "squat", "--model", str(model)])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert message in err and "pose_landmarker" in err


@pytest.mark.model
def test_analyze_accepts_a_task_file_given_with_model(tmp_path):
    from coach.vision.model_bundle import default_bundle_path

    model = tmp_path / "pose_landmarker_full.task"
    model.write_bytes(default_bundle_path().read_bytes())
    clip = SAMPLE_VIDEOS / "glute_bridge_side.mp4"
    done = run_cli("analyze", str(clip), "--exercise", "squat", "--json", "--model", str(model))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["frames_with_pose"] > 100


def test_analyze_refuses_a_target_for_a_hold(capsys):
    clip = SAMPLE_VIDEOS / "glute_bridge_side.mp4"
    code = main(["analyze", str(clip), "--exercise", "plank", "--target", "40"])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "plank is a timed hold" in err and "--target" in err


@pytest.mark.model
def test_analyze_with_a_patients_range_says_which_thresholds_were_in_force():
    """The sample's half squats, for a patient whose plan counts from 30 degrees with a
    target of 45: the JSON's movement block and the text say so."""
    clip = SAMPLE_VIDEOS / "squat_half_front_cdc.mp4"
    args = ("analyze", str(clip), "--exercise", "squat", "--target", "45", "--counts-from", "30")
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    (block,) = result["movement"]
    force = block["thresholds"]
    assert (block["measure"], force["turn"], force["target"], force["prescribed"]) == (
        "knee_flexion",
        30,
        45,
        True,
    )
    assert block["start_position"]["met"] and block["armed_s"] is not None
    assert result["reps"] >= 2  # at least the library's count: the bar is lower
    text = run_cli(*args, "--no-progress")
    assert f"counted on knee_flexion ({block['view']}, from the plan)" in text.stdout
    assert "counts from 30, full at 45" in text.stdout
