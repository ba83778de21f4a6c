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
