"""The live benchmark refuses to start, naming the fix, when the browser path cannot run."""

from __future__ import annotations

import pytest

from coach_ui import web_package
from scripts.bench_live import check_web_package
from tests.support.web import tasks_vision_only


def test_without_the_web_package_the_browser_path_is_refused_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(web_package.WEB_DIR_ENV, str(tmp_path))
    with pytest.raises(SystemExit, match=r"browser path cannot be measured.*make web"):
        check_web_package(["full"])


def test_the_lite_model_needs_its_own_package(tmp_path, monkeypatch):
    """tasks-vision installed, @mediapipe/pose not: the full model alone may run, lite not
    (the run that waited a minute for a camera the page had replaced by the server's)."""
    tasks_vision_only(tmp_path, monkeypatch)
    check_web_package(["full"])
    with pytest.raises(SystemExit, match=r"@mediapipe/pose.*make web"):
        check_web_package(["full", "lite"])
