"""The app as `form-coach` starts it serves Form Coach's own routes beside Streamlit's."""

from __future__ import annotations

import urllib.request

import pytest

from coach.vision.model_bundle import default_bundle_path
from coach_ui.routes import POSE_MODEL_PATH


def test_the_started_app_serves_the_pose_model(server):
    url, _log = server
    with urllib.request.urlopen(f"{url}{POSE_MODEL_PATH}", timeout=60) as response:
        assert response.status == 200
        assert response.read() == default_bundle_path().read_bytes()


def test_the_started_app_serves_the_browser_s_pose_model_code(server):
    from coach_ui.routes import TASKS_VISION_PATH
    from coach_ui.web_package import WebPackageMissingError, tasks_vision_dir

    try:
        folder = tasks_vision_dir()
    except WebPackageMissingError as exc:
        pytest.skip(f"the web package is not installed here ({exc})")
    url, _log = server
    address = f"{url}{TASKS_VISION_PATH}/wasm/vision_wasm_internal.wasm"
    with urllib.request.urlopen(address, timeout=60) as response:
        assert response.headers["content-type"] == "application/wasm"
        assert response.read() == (folder / "wasm" / "vision_wasm_internal.wasm").read_bytes()
