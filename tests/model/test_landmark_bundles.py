"""The lite landmark model of the npm package @mediapipe/pose, bundled with the wheel's
detector (coach/vision/model_bundle.py), is a working PoseLandmarker model: the browser
loads the same file (coach_ui/routes.py)."""

from __future__ import annotations

import pytest

from coach.core.errors import ModelError
from coach.vision.estimator import PoseEstimator
from coach.vision.model_bundle import landmark_bundle_path
from coach.vision.video import read_frames
from coach_ui.web_package import WebPackageMissingError, landmark_model_file
from tests.conftest import SAMPLE_VIDEOS

pytestmark = pytest.mark.model


def _model(variant: str):
    try:
        return landmark_model_file(variant)
    except WebPackageMissingError as exc:
        pytest.skip(f"the web packages are not installed (`make web`): {exc}")


def test_the_lite_bundle_finds_the_person(tmp_path, monkeypatch):
    monkeypatch.setenv("FORM_COACH_CACHE", str(tmp_path))
    path = landmark_bundle_path("lite", _model("lite"))
    assert path.parent == tmp_path and "lite" in path.name
    assert landmark_bundle_path("lite", _model("lite")) == path  # built once, then reused
    with PoseEstimator(path) as lite:
        frame = next(iter(read_frames(SAMPLE_VIDEOS / "squat_bodyweight_front.mp4")))
        assert len(lite.detect(frame.rgb, 0.0)) == 1


def test_an_unknown_variant_or_a_missing_file_names_it(tmp_path):
    with pytest.raises(ModelError, match=r"'medium'.*lite, full, heavy"):
        landmark_bundle_path("medium", tmp_path / "x.tflite")
    with pytest.raises(ModelError, match=r"lite pose landmark model .*x.tflite"):
        landmark_bundle_path("lite", tmp_path / "x.tflite")
