"""Model-in-the-loop golden tests: the real BlazePose model on real frames.

Slower than the rest (the model runs), so only a few: the bundle builds offline, a
picture with nobody in it gives no pose, landmarks match those recorded in the fixtures,
and whole clips count what a person counted.
"""

from __future__ import annotations

import json
import os
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from coach.core.errors import ModelError
from coach.runtime.analysis import analyze_video
from coach.vision.estimator import PoseEstimator
from coach.vision.model_bundle import default_bundle_path
from coach.vision.recording import PoseRecording
from coach.vision.video import read_frames
from tests.conftest import POSE_FIXTURES, SAMPLE_VIDEOS, shared_clip

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def estimator():
    with PoseEstimator() as pose_estimator:
        yield pose_estimator


def test_bundle_is_built_from_the_installed_wheel(tmp_path, monkeypatch):
    """A fresh cache folder: the bundle is built offline from the wheel's model files."""
    monkeypatch.setenv("FORM_COACH_CACHE", str(tmp_path))
    path = default_bundle_path()
    assert path.parent == tmp_path and path.stat().st_size > 5_000_000
    with zipfile.ZipFile(path) as bundle:
        assert sorted(bundle.namelist()) == [
            "pose_detector.tflite",
            "pose_landmarks_detector.tflite",
        ]
    with PoseEstimator(path) as built:
        frame = next(iter(read_frames(SAMPLE_VIDEOS / "squat_bodyweight_front.mp4")))
        assert len(built.detect(frame.rgb, 0.0)) == 1


def test_no_person_image_gives_no_pose():
    """A textured empty scene (MediaPipe's own test uses a burger photo)."""
    rng = np.random.default_rng(7)
    x = np.linspace(0, 255, 640)
    background = np.stack([np.tile(x, (480, 1))] * 3, axis=-1)
    noise = rng.normal(0, 20, size=(480, 640, 3))
    frame = np.clip(background + noise, 0, 255).astype(np.uint8)
    with PoseEstimator() as fresh:
        assert all(fresh.detect(frame, t / 10) == [] for t in range(3))


def test_landmarks_match_the_recorded_fixture(estimator):
    """The first second of a shipped clip gives the landmarks recorded in the fixture."""
    recording = PoseRecording.load(POSE_FIXTURES / "squat_bodyweight_front.npz")
    clip = SAMPLE_VIDEOS / "squat_bodyweight_front.mp4"
    with PoseEstimator() as fresh:
        for frame in read_frames(clip):
            if frame.index >= 25:
                break
            poses = fresh.detect(frame.rgb, frame.t_s)
            assert len(poses) == recording.people[frame.index] == 1
            expected = recording.image_xyz[frame.index, 0, :, :2]
            # float16 storage: about 0.0005 of the frame; allow 0.003 (3 px at 1000 px).
            assert np.abs(poses[0].image_xyz[:, :2] - expected).max() < 3e-3


def test_pose_has_33_landmarks_world_in_metres(estimator):
    frame = next(iter(read_frames(SAMPLE_VIDEOS / "squat_bodyweight_front.mp4")))
    pose = estimator.detect(frame.rgb, 0.0)[0]
    assert pose.image_xyz.shape == (33, 3) and pose.world_xyz.shape == (33, 3)
    # A standing adult: shoulders to ankles is well over a metre in world coordinates.
    height_m = pose.world_xyz[27:29, 1].mean() - pose.world_xyz[11:13, 1].mean()
    assert 1.0 < height_m < 1.8


def test_the_estimator_leaves_the_process_stderr_alone(monkeypatch):
    """Built and run in a long-running server, the estimator never redirects file
    descriptor 2 (the whole process's: other sessions' errors would go with it)."""
    redirected = []
    dup2 = os.dup2

    def watched(fd: int, fd2: int, inheritable: bool = True) -> int:
        if fd2 == 2:
            redirected.append(fd)
        return dup2(fd, fd2, inheritable)

    frame = next(iter(read_frames(SAMPLE_VIDEOS / "squat_bodyweight_front.mp4")))
    monkeypatch.setattr(os, "dup2", watched)
    with PoseEstimator(crowd_check_s=0.0) as fresh:
        people = [len(fresh.detect(frame.rgb, t / 30)) for t in range(3)]
    monkeypatch.undo()
    assert people == [1, 1, 1] and redirected == []


GOLDEN = [
    # (clip, exercise, acceptable reps) from the clip's hand count (sample_videos manifest)
    (SAMPLE_VIDEOS / "squat_half_front_cdc.mp4", "squat", (2, 2)),
    (SAMPLE_VIDEOS / "squat_bodyweight_front.mp4", "squat", (3, 4)),
]


@pytest.mark.parametrize(("clip", "exercise_id", "expected"), GOLDEN, ids=lambda v: str(v)[-30:])
def test_whole_clip_counts_like_a_person(library, tmp_path, clip, exercise_id, expected):
    annotated = tmp_path / "annotated.mp4"
    result = analyze_video(clip, library.get(exercise_id), annotated_path=annotated)
    low, high = expected
    assert low <= result.rep_count <= high
    assert annotated.stat().st_size > 10_000
    json.dumps(result.to_json(), allow_nan=False)  # the CLI's --json must not emit NaN


def test_shared_side_squat_clip_counts_eight(library):
    clip = shared_clip("squat_side_studio.mp4")
    result = analyze_video(clip, library.get("squat"))
    assert result.rep_count == 8
    assert result.view == "side"


def test_shrinking_the_frame_before_the_model_keeps_the_landmarks():
    """`max_side_px`: a 960x540 clip shrunk to 480 px gives landmarks within 1% of the
    frame of the full-size ones, normalised to the same frame, with the frame's own size."""
    clip = SAMPLE_VIDEOS / "squat_bodyweight_front.mp4"
    with PoseEstimator() as full, PoseEstimator(max_side_px=480) as shrunk:
        for frame in read_frames(clip):
            if frame.index >= 15:
                break
            big, small = full.detect(frame.rgb, frame.t_s), shrunk.detect(frame.rgb, frame.t_s)
            assert len(big) == len(small) == 1
            assert small[0].frame_wh == big[0].frame_wh == (960, 540)
            assert np.abs(small[0].image_xyz[:, :2] - big[0].image_xyz[:, :2]).max() < 0.01


def test_the_crowd_check_on_its_thread_does_not_change_the_poses():
    """The crowd look runs beside the next frames' tracking; its result is always taken a
    fixed number of frames later, so two runs return the same people per frame."""
    clip = SAMPLE_VIDEOS / "squat_bodyweight_front.mp4"
    frames = [f for f in read_frames(clip) if f.index < 30]
    counts = []
    for _ in range(2):
        with PoseEstimator(crowd_check_s=0.2) as estimator:
            counts.append([len(estimator.detect(f.rgb, f.t_s)) for f in frames])
    assert counts[0] == counts[1]
    assert set(counts[0]) == {1}


def test_reading_the_results_on_another_thread_gives_the_same_poses():
    """`infer` on this thread and `poses_of` on another, as `coach analyze` splits them,
    give exactly what `detect` gives, crowd looks included."""
    clip = SAMPLE_VIDEOS / "squat_bodyweight_front.mp4"
    frames = [f for f in read_frames(clip) if f.index < 30]
    with PoseEstimator(crowd_check_s=0.2) as estimator:
        together = [estimator.detect(f.rgb, f.t_s) for f in frames]
    with PoseEstimator(crowd_check_s=0.2) as estimator, ThreadPoolExecutor(1) as reader:
        inferences = [estimator.infer(f.rgb, f.t_s) for f in frames]
        apart = list(reader.map(estimator.poses_of, inferences))
    assert [len(p) for p in apart] == [len(p) for p in together]
    for split, joined in zip(apart, together, strict=True):
        for a, b in zip(split, joined, strict=True):
            np.testing.assert_array_equal(a.image_xyz, b.image_xyz)
            np.testing.assert_array_equal(a.world_xyz, b.world_xyz)


def test_a_model_that_will_not_load_leaves_no_crowd_thread_behind(tmp_path):
    """A bad model file: the error names it, and no crowd-check thread is left running."""

    def crowd_threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name.startswith("crowd-check")}

    bad = tmp_path / "pose.task"
    bad.write_bytes(b"not a model")
    before = crowd_threads()  # other tests' estimators may still be open
    with pytest.raises(ModelError, match=r"pose\.task"):
        PoseEstimator(bad)
    assert crowd_threads() <= before
