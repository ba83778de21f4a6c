"""The app as `form-coach` starts it serves Form Coach's own routes beside Streamlit's."""

from __future__ import annotations

import urllib.request

from coach.vision.model_bundle import default_bundle_path
from coach_ui.routes import POSE_MODEL_PATH


def test_the_started_app_serves_the_pose_model(server):
    url, _log = server
    with urllib.request.urlopen(f"{url}{POSE_MODEL_PATH}", timeout=60) as response:
        assert response.status == 200
        assert response.read() == default_bundle_path().read_bytes()
