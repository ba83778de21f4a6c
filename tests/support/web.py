"""A web folder holding the browser's tasks-vision package but not @mediapipe/pose (the
lite and heavy models): the state of a checkout whose `make web` predates the lite model."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach_ui import web_package


def tasks_vision_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `folder` the app's web folder ($FORM_COACH_WEB_DIR) with the installed
    tasks-vision package linked in and nothing else. Skips the test when tasks-vision is
    not installed here (`make web`)."""
    try:
        installed = web_package.tasks_vision_dir()
    except web_package.WebPackageMissingError as exc:
        pytest.skip(f"needs the browser's pose package: {exc}")
    (folder / "node_modules" / "@mediapipe").mkdir(parents=True)
    (folder / "node_modules" / "@mediapipe" / "tasks-vision").symlink_to(installed)
    monkeypatch.setenv(web_package.WEB_DIR_ENV, str(folder))
