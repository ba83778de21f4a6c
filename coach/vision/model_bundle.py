"""Build a MediaPipe Tasks pose bundle from the model files inside the mediapipe wheel.

mediapipe 0.10.21 ships the BlazePose *full* detector and landmark models as raw
`.tflite` files. The Tasks `PoseLandmarker` accepts them only with image-input metadata
and zipped as a task bundle, so we write that metadata with mediapipe's own writer and
zip the pair once into a cache folder. See docs/mediapipe.md.

The wheel has no *lite* or *heavy* landmark model; a caller that has one (the browser's
pose camera takes the lite model from the npm package @mediapipe/pose, installed by
`make web`) builds its bundle the same way, with the wheel's detector, by
`landmark_bundle_path`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

from coach.core.errors import ModelError

BUNDLE_NAME_TEMPLATE = "pose_landmarker_full_mp{version}.task"
# A bundle built around a landmark model from outside the wheel: its variant and the first
# hex digits of the model file's SHA-256 are in the name, so a changed file is rebuilt.
LANDMARK_BUNDLE_TEMPLATE = "pose_landmarker_{variant}_mp{version}_{digest}.task"
LANDMARK_VARIANTS = ("lite", "full", "heavy")
CACHE_ENV = "FORM_COACH_CACHE"

# (bundle member name, input normalisation mean, std, output tensor count)
_DETECTOR = ("pose_detector.tflite", 127.5, 127.5, 2)
_LANDMARKER = ("pose_landmarks_detector.tflite", 0.0, 255.0, 5)
_DETECTOR_IN_WHEEL = "modules/pose_detection/pose_detection.tflite"
_FULL_IN_WHEEL = "modules/pose_landmark/pose_landmark_full.tflite"


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


def _mediapipe() -> tuple[str, Path]:
    """The installed mediapipe's version and package folder."""
    try:
        import mediapipe
    except ImportError as exc:  # pragma: no cover - the package depends on it
        raise ModelError("mediapipe is not installed; run `make run` to set up .venv") from exc
    return mediapipe.__version__, Path(mediapipe.__file__).parent


def _wheel_file(relative: str) -> Path:
    version, package_root = _mediapipe()
    source = package_root / relative
    if not source.is_file():
        raise ModelError(
            f"{source} is missing: this mediapipe ({version}) ships no pose "
            "model. Install mediapipe==0.10.21 (`make run` does) or pass --model with an "
            "official pose_landmarker_*.task file."
        )
    return source


def _build(target: Path, detector: Path, landmarker: Path) -> Path:
    """Zip the detector and the landmark model, each with its image metadata, into
    `target` (written beside it and renamed, so two processes never see half a bundle).

    Returns `target`; raises ModelError naming the folder and the setting when it cannot
    be written."""
    members: dict[str, bytes] = {}
    for source, (member, mean, std, outputs) in ((detector, _DETECTOR), (landmarker, _LANDMARKER)):
        members[member] = _with_image_metadata(
            source.read_bytes(), member.removesuffix(".tflite"), mean, std, outputs
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
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


def default_bundle_path() -> Path:
    """The task bundle built from the installed mediapipe (the full landmark model),
    building it on first use.

    Returns its path in the cache folder; raises ModelError when the wheel has no pose
    model or the cache folder cannot be written."""
    version, _root = _mediapipe()
    target = cache_dir() / BUNDLE_NAME_TEMPLATE.format(version=version)
    if target.is_file():
        return target
    return _build(target, _wheel_file(_DETECTOR_IN_WHEEL), _wheel_file(_FULL_IN_WHEEL))


def landmark_bundle_path(variant: str, landmark_model: Path) -> Path:
    """A task bundle of the wheel's pose detector with `landmark_model` (a BlazePose
    landmark `.tflite` of the given variant, "lite", "full" or "heavy"), built the way
    the wheel's own is, on first use.

    Returns its path in the cache folder; raises ModelError when the variant is unknown,
    the file is missing, or the bundle cannot be written."""
    if variant not in LANDMARK_VARIANTS:
        raise ModelError(
            f"unknown pose landmark model {variant!r}: use one of {', '.join(LANDMARK_VARIANTS)}"
        )
    try:
        data = landmark_model.read_bytes()
    except OSError as exc:
        raise ModelError(
            f"cannot read the {variant} pose landmark model {landmark_model}: {exc.strerror}"
        ) from exc
    version, _root = _mediapipe()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = cache_dir() / LANDMARK_BUNDLE_TEMPLATE.format(
        variant=variant, version=version, digest=digest
    )
    if target.is_file():
        return target
    return _build(target, _wheel_file(_DETECTOR_IN_WHEEL), landmark_model)


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
