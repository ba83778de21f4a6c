"""Where the browser's pose model code is: the npm package @mediapipe/tasks-vision, pinned in
web/package.json and web/package-lock.json and installed by `make web` (`npm ci`), so the app
serves it and nothing is fetched at run time.

The lite and heavy BlazePose landmark models come the same way, from the npm package
@mediapipe/pose (MediaPipe's legacy web solution, Apache-2.0, whose full model is
byte-identical to the mediapipe wheel's): the app builds them into task bundles with the
wheel's detector (coach/vision/model_bundle.py) for the browser's speed-picked model.

The package lives beside the project's code (web/node_modules), not inside the Python
package: a wheel install has no copy unless $FORM_COACH_WEB_DIR names a folder where
`npm ci` was run. When it is missing, the live pages say so and use the server path.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from coach.core.errors import CoachError

WEB_DIR_ENV = "FORM_COACH_WEB_DIR"
PACKAGE = "@mediapipe/tasks-vision"
VERSION = "1.1.0"
# The files the browser loads, by their path inside the package: the ES module and the
# WebAssembly runtime with and without SIMD (FilesetResolver picks one by what the browser
# supports). Nothing else in the package is served.
SERVED_FILES = {
    "vision_bundle.mjs": "text/javascript",
    "wasm/vision_wasm_internal.js": "text/javascript",
    "wasm/vision_wasm_internal.wasm": "application/wasm",
    "wasm/vision_wasm_nosimd_internal.js": "text/javascript",
    "wasm/vision_wasm_nosimd_internal.wasm": "application/wasm",
}


POSE_PACKAGE = "@mediapipe/pose"
POSE_VERSION = "0.5.1675469404"
# The landmark models @mediapipe/pose carries, by variant (the full one is the wheel's own).
LANDMARK_MODEL_FILES = {
    "lite": "pose_landmark_lite.tflite",
    "heavy": "pose_landmark_heavy.tflite",
}


class WebPackageMissingError(CoachError):
    """The browser's pose package is not installed (or is the wrong version)."""


def web_dir() -> Path:
    """The folder holding package.json and node_modules: $FORM_COACH_WEB_DIR, else the
    checkout's web/ folder beside coach_ui/."""
    value = os.environ.get(WEB_DIR_ENV, "").strip()
    return Path(value) if value else Path(__file__).resolve().parents[1] / "web"


def _installed(package: str, version: str, files: list[str]) -> Path:
    """The folder of npm `package` in web/node_modules, checked to be `version` with every
    one of `files` present. Raises WebPackageMissingError naming the folder and the fix."""
    folder = web_dir() / "node_modules" / package
    manifest = folder / "package.json"
    fix = (
        f"run `make web` in the checkout (npm ci in {web_dir()}), or set {WEB_DIR_ENV} "
        "to a folder where it was run"
    )
    try:
        found = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except (OSError, json.JSONDecodeError) as exc:
        raise WebPackageMissingError(
            f"{package} is not installed ({manifest}: {exc.__class__.__name__}): {fix}"
        ) from exc
    if found != version:
        raise WebPackageMissingError(
            f"{manifest}: version {found!r}, the app needs {version}: {fix}"
        )
    missing = [name for name in files if not (folder / name).is_file()]
    if missing:
        raise WebPackageMissingError(f"{folder} lacks {', '.join(missing)}: {fix}")
    return folder


def tasks_vision_dir() -> Path:
    """The installed @mediapipe/tasks-vision folder, checked to be the pinned version with
    every served file present.

    Raises WebPackageMissingError naming the folder and the fix when it is not.
    """
    return _installed(PACKAGE, VERSION, list(SERVED_FILES))


def landmark_model_file(variant: str) -> Path:
    """The `variant` ("lite" or "heavy") BlazePose landmark model from the installed
    @mediapipe/pose package (looked up by variant, never joined from a request).

    Returns the `.tflite` path; raises KeyError for another variant and
    WebPackageMissingError naming the folder and the fix when the package is missing or
    is not the pinned version.
    """
    name = LANDMARK_MODEL_FILES[variant]
    return _installed(POSE_PACKAGE, POSE_VERSION, [name]) / name
