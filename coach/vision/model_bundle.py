"""Build a MediaPipe Tasks pose bundle from the model files inside the mediapipe wheel.

mediapipe 0.10.21 ships the BlazePose *full* detector and landmark models as raw
`.tflite` files. The Tasks `PoseLandmarker` accepts them only with image-input metadata
and zipped as a task bundle, so we write that metadata with mediapipe's own writer and
zip the pair once into a cache folder. See docs/mediapipe.md.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from coach.core.errors import ModelError

BUNDLE_NAME_TEMPLATE = "pose_landmarker_full_mp{version}.task"
CACHE_ENV = "FORM_COACH_CACHE"

# (wheel path, bundle member name, input normalisation mean, std, output tensor count)
_MODELS = (
    ("modules/pose_detection/pose_detection.tflite", "pose_detector.tflite", 127.5, 127.5, 2),
    (
        "modules/pose_landmark/pose_landmark_full.tflite",
        "pose_landmarks_detector.tflite",
        0.0,
        255.0,
        5,
    ),
)


def cache_dir() -> Path:
    """Where built artefacts live: $FORM_COACH_CACHE, else $XDG_CACHE_HOME/form-coach."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "form-coach"


def _with_image_metadata(model: bytes, name: str, mean: float, std: float, outputs: int) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(model_name=name, model_description=f"BlazePose {name}")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for index in range(outputs):
        writer.add_feature_output(name=f"output_{index}")
    populated = writer.populate()
    return populated[0] if isinstance(populated, tuple) else populated


def default_bundle_path() -> Path:
    """The task bundle built from the installed mediapipe, building it on first use."""
    try:
        import mediapipe
    except ImportError as exc:  # pragma: no cover - the package depends on it
        raise ModelError("mediapipe is not installed; run `make run` to set up .venv") from exc
    target = cache_dir() / BUNDLE_NAME_TEMPLATE.format(version=mediapipe.__version__)
    if target.is_file():
        return target
    package_root = Path(mediapipe.__file__).parent
    members: dict[str, bytes] = {}
    for relative, member, mean, std, outputs in _MODELS:
        source = package_root / relative
        if not source.is_file():
            raise ModelError(
                f"{source} is missing: this mediapipe ({mediapipe.__version__}) ships no pose "
                "model. Install mediapipe==0.10.21 (`make run` does) or pass --model with an "
                "official pose_landmarker_*.task file."
            )
        members[member] = _with_image_metadata(
            source.read_bytes(), member.removesuffix(".tflite"), mean, std, outputs
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so two processes never see half a bundle.
        with (
            tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp,
            zipfile.ZipFile(tmp, "w") as bundle,
        ):
            for member, data in members.items():
                bundle.writestr(member, data)
        Path(tmp.name).replace(target)
    except OSError as exc:
        raise ModelError(
            f"cannot write the pose model bundle to {target}: {exc.strerror}. "
            f"Set {CACHE_ENV} to a writable folder."
        ) from exc
    return target


def resolve_model_path(model: str | Path | None) -> Path:
    """The model to load: a user's `.task` file if given (checked), else the built bundle."""
    if model is None:
        return default_bundle_path()
    path = Path(model)
    if not path.is_file():
        raise ModelError(f"model file {path} does not exist; pass a pose_landmarker_*.task file")
    if not zipfile.is_zipfile(path):
        raise ModelError(
            f"{path} is not a MediaPipe task bundle (.task zip); pass a pose_landmarker_*.task"
        )
    return path
