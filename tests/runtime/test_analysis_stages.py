"""`analyze_video`'s threads without the model: working size, errors surface, nothing hangs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import coach.runtime.analysis as analysis
from coach.core.errors import VideoError
from coach.exercise.loader import ExerciseLibrary
from coach.vision.video import H264Writer, read_frames


class FakeEstimator:
    """Stands in for the pose model: nobody in any frame; remembers the frame sizes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.shapes: list[tuple[int, ...]] = []
        FakeEstimator.last = self

    def infer(self, rgb: np.ndarray, t_s: float) -> float:
        self.shapes.append(rgb.shape)
        return t_s

    def poses_of(self, inference: float) -> list:
        return []

    def __enter__(self) -> FakeEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def clip_720p(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    rng = np.random.default_rng(0)
    with H264Writer(path, 30.0, (1280, 720)) as writer:
        for _ in range(12):
            writer.write(rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8))
    return path


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    monkeypatch.setattr(analysis, "PoseEstimator", FakeEstimator)


@pytest.fixture
def squat():
    return ExerciseLibrary().get("squat")


@pytest.mark.parametrize(
    ("max_side_px", "model_sees", "video_is"),
    [(640, (360, 640, 3), (640, 360)), (None, (720, 1280, 3), (1280, 720))],
)
def test_frames_are_shrunk_once_for_the_model_and_the_annotated_video(
    clip_720p, tmp_path, squat, max_side_px, model_sees, video_is
):
    out = tmp_path / "annotated.mp4"
    result = analysis.analyze_video(clip_720p, squat, annotated_path=out, max_side_px=max_side_px)
    assert set(FakeEstimator.last.shapes) == {model_sees}
    assert result.frames == 12 and result.frames_with_pose == 0
    written = list(read_frames(out))
    assert len(written) == 12
    assert (written[0].rgb.shape[1], written[0].rgb.shape[0]) == video_is


def test_a_full_disk_while_writing_stops_the_analysis_with_its_error(
    clip_720p, tmp_path, squat, monkeypatch
):
    def full(self, rgb):
        raise VideoError(f"{self.path}: writing failed (No space left); is the disk full?")

    monkeypatch.setattr(H264Writer, "write", full)
    with pytest.raises(VideoError, match="is the disk full"):
        analysis.analyze_video(clip_720p, squat, annotated_path=tmp_path / "annotated.mp4")


def test_an_error_in_the_coach_stage_reaches_the_caller(clip_720p, squat, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(analysis.CoachSession, "process_poses", broken)
    with pytest.raises(RuntimeError, match="engine bug"):
        analysis.analyze_video(clip_720p, squat)


def test_a_corrupt_video_stops_with_a_video_error(tmp_path, squat):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2000))
    with pytest.raises(VideoError, match=r"bad\.mp4"):
        analysis.analyze_video(bad, squat, annotated_path=tmp_path / "annotated.mp4")


def test_each_rep_in_the_json_says_when_it_started_turned_and_ended():
    """The CLI's --json gives each rep's turn (its deepest point), so a rep can be checked
    against a hand-marked one (scripts/accuracy.py) without adding up durations."""
    from coach.engine.results import AngleStats, Rep

    rep = Rep(
        index=1,
        side="both",
        start_s=2.0,
        turn_s=3.25,
        end_s=4.5,
        partial=False,
        angles={"knee_flexion": AngleStats(min_deg=4.0, max_deg=96.0, at_turn_deg=95.5)},
    )
    out = analysis.rep_to_json(rep)
    assert (out["start_s"], out["turn_s"], out["end_s"]) == (2.0, 3.25, 4.5)
    assert (out["down_s"], out["up_s"]) == (1.25, 1.25)
    assert out["range_of_motion"]["knee_flexion"]["rom_deg"] == 92.0
