"""The live benchmark refuses to start, naming the fix, when the browser path cannot run."""

from __future__ import annotations

import pytest

from coach_ui import web_package
from scripts.bench_live import STEPS, check_web_package, step_times
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


def test_each_step_is_the_time_since_the_step_before():
    """Frames' step times as the component keeps them: each step's figure is the time from
    the previous step, and the spans a patient sees run from the capture."""
    steady = {step: 10.0 * i for i, step in enumerate(STEPS)}
    slow = dict(steady)  # the model 20 ms slower, so every later step 20 ms later
    slow.update({step: slow[step] + 20.0 for step in STEPS[STEPS.index("model_end") :]})
    times = step_times([steady] * 19 + [slow] * 2)  # the slow ones: the top 10%
    assert times["handed"] == {"median": 10.0, "p95": 10.0}
    assert times["model_end"] == {"median": 10.0, "p95": 30.0}
    assert times["result_in"] == {"median": 10.0, "p95": 10.0}
    assert times["capture_to_shown"] == {"median": 100.0, "p95": 120.0}
    assert times["capture_to_drawn"] == {"median": 70.0, "p95": 90.0}
    assert step_times([]) == {}
