"""The routes served beside the Streamlit app (coach_ui/routes.py)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from coach.core.errors import ModelError
from coach.vision.model_bundle import default_bundle_path
from coach_ui import routes


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=routes.routes()))


def test_the_pose_model_is_the_bundle_the_server_runs(client):
    answer = client.get(routes.POSE_MODEL_PATH)
    assert answer.status_code == 200
    assert answer.content == default_bundle_path().read_bytes()
    assert answer.headers["content-type"] == "application/octet-stream"


def test_a_bundle_that_cannot_be_built_is_a_503_with_the_reason(client, monkeypatch):
    def broken() -> None:
        raise ModelError("cannot write the pose model bundle to /x: Read-only file system")

    monkeypatch.setattr(routes, "default_bundle_path", broken)
    answer = client.get(routes.POSE_MODEL_PATH)
    assert answer.status_code == 503
    assert "Read-only file system" in answer.text


def test_every_route_lives_under_the_prefix_away_from_streamlit_s_own():
    for route in routes.routes():
        assert isinstance(route, Route | WebSocketRoute)
        path = route.path
        assert path.startswith(routes.ROUTE_PREFIX + "/")
        assert not path.startswith(("/_stcore/", "/media/", "/component/", "/static/"))


def _web_package_or_skip() -> None:
    from coach_ui.web_package import WebPackageMissingError, landmark_model_file

    try:
        landmark_model_file("lite")
    except WebPackageMissingError as exc:
        pytest.skip(f"the web packages are not installed (`make web`): {exc}")


def test_the_lite_model_is_the_wheel_s_detector_with_the_npm_package_s_lite_landmarker(
    client, tmp_path, monkeypatch
):
    import zipfile

    from coach_ui.web_package import landmark_model_file

    _web_package_or_skip()
    monkeypatch.setenv("FORM_COACH_CACHE", str(tmp_path))
    answer = client.get(routes.POSE_MODEL_PATHS["lite"])
    assert answer.status_code == 200, answer.text
    (built,) = tmp_path.glob("pose_landmarker_lite_*.task")
    assert answer.content == built.read_bytes()
    full = default_bundle_path()
    with zipfile.ZipFile(built) as lite, zipfile.ZipFile(full) as wheel:
        assert lite.read("pose_detector.tflite") == wheel.read("pose_detector.tflite")
        landmarker = lite.read("pose_landmarks_detector.tflite")
        full_landmarker = wheel.read("pose_landmarks_detector.tflite")
    # The lite model (less than half the full one's weights), with its image metadata.
    assert len(landmarker) < len(full_landmarker) / 2
    assert abs(len(landmarker) - landmark_model_file("lite").stat().st_size) < 100_000


@pytest.mark.parametrize("name", ["medium.task", "lite.tflite", "..%2Ffull.task", "full"])
def test_any_other_model_name_is_a_404(client, name):
    answer = client.get(f"{routes.POSE_MODEL_DIR}/{name}")
    assert answer.status_code == 404


def test_without_the_web_packages_the_lite_model_is_a_503_naming_the_fix(
    client, tmp_path, monkeypatch
):
    monkeypatch.setenv("FORM_COACH_WEB_DIR", str(tmp_path))
    answer = client.get(routes.POSE_MODEL_PATHS["lite"])
    assert answer.status_code == 503
    assert "@mediapipe/pose" in answer.text and "make web" in answer.text
