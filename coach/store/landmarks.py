"""One set's landmarks, packed small for the database, and back.

What is packed is the patient's pose on each frame of a set (the pose the tracker chose,
before smoothing: what `CoachSession.replay` takes), as a `PoseRecording` of at most one
person per frame. The packing:

- times: the first frame's time in ms, then whole-millisecond steps (error <= 0.5 ms);
- image x, y, z and world x, y, z: each channel quantised to int16 codes on its own range
  over the set (`lo + q * step`), with a step of `IMAGE_STEP` (of the frame) or
  `WORLD_STEP_M`, or, for a channel whose range needs more than 65534 steps, its range
  over 65534: nothing is clipped and the error is at most half a step; then stored as
  frame-to-frame differences (modulo 2**16), which compress far better than positions;
- visibility: uint8 (error <= 1/510);
- frames with nobody: one flag each, no coordinates;
- all of it in a compressed `.npz` (zlib), loaded with `allow_pickle=False`.

`max_error` gives the bound of one packed set, per kind of value. The format is
documented for exports in docs/landmarks.md.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import numpy as np

from coach.core.landmarks import NUM_LANDMARKS
from coach.store.records import StoreError
from coach.vision.recording import PoseRecording

FORMAT = "form-coach-landmarks"
VERSION = 1
QUANT_STEPS = 65534  # int16 levels used: -32767 .. 32767
# The finest steps kept: under a pixel and a millimetre (docs/landmarks.md).
# Image x and y: of the frame's width or height (0.2 px on a 1000 px frame); image z, a
# relative depth no measure reads, is kept coarser.
IMAGE_STEP = np.array([2e-4, 2e-4, 1e-2])
WORLD_STEP_M = np.array([5e-4, 5e-4, 5e-4])  # 0.5 mm
VISIBILITY_LEVELS = 255


@dataclass(frozen=True)
class PackPrecision:
    """The largest error packing can make, per kind of value (in its own unit)."""

    image: float  # normalised image coordinates (x, y, z)
    world_m: float
    visibility: float
    t_s: float


def _quantise(values: np.ndarray, finest: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(M, 33, 3) floats -> int16 codes (M, 33, 3), and per channel lo (3,), step (3,)."""
    if len(values) == 0:
        return np.zeros(values.shape, np.int16), np.zeros(3), finest.copy()
    lo = values.min(axis=(0, 1))
    hi = values.max(axis=(0, 1))
    step = np.maximum((hi - lo) / QUANT_STEPS, finest)
    codes = np.rint((values - lo) / step) - QUANT_STEPS // 2
    return codes.astype(np.int16), lo, step


def _dequantise(codes: np.ndarray, lo: np.ndarray, step: np.ndarray) -> np.ndarray:
    return (codes.astype(np.float64) + QUANT_STEPS // 2) * step + lo


def _deltas(codes: np.ndarray) -> np.ndarray:
    """Frame-to-frame differences modulo 2**16, time last (each series contiguous)."""
    out = codes.copy()
    out[1:] = codes[1:] - codes[:-1]  # int16 arithmetic wraps: undone exactly by cumsum
    return np.ascontiguousarray(np.moveaxis(out, 0, -1))


def _undelta(deltas: np.ndarray) -> np.ndarray:
    return np.moveaxis(np.cumsum(deltas, axis=-1, dtype=np.int16), -1, 0)


def pack(recording: PoseRecording) -> bytes:
    """The patient's pose on each frame of `recording` (person 0; frames where it has nobody
    stay empty), packed. Raises ValueError for a recording of no frames."""
    if len(recording) == 0:
        raise ValueError("a set with no frames has no landmarks to keep")
    present = np.asarray(recording.people) > 0
    image = np.asarray(recording.image_xyz, dtype=np.float64)[present, 0]
    world = np.asarray(recording.world_xyz, dtype=np.float64)[present, 0]
    visibility = np.asarray(recording.visibility, dtype=np.float64)[present, 0]
    t_ms = np.rint(np.asarray(recording.t_s, dtype=np.float64) * 1000).astype(np.int64)
    steps = np.diff(t_ms, prepend=t_ms[0])
    if steps.min() < 0 or steps.max() > np.iinfo(np.int32).max:
        raise ValueError("frame times must not go backwards")
    image_q, image_lo, image_step = _quantise(image, IMAGE_STEP)
    world_q, world_lo, world_step = _quantise(world, WORLD_STEP_M)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "frame_wh": list(recording.frame_wh),
        "t0_ms": int(t_ms[0]),
        "meta": recording.meta,
    }
    out = io.BytesIO()
    np.savez_compressed(
        out,
        header=np.array(json.dumps(header)),
        dt_ms=steps.astype(np.int32),
        present=present.astype(np.uint8),
        image=_deltas(image_q),
        image_lo=image_lo,
        image_step=image_step,
        world=_deltas(world_q),
        world_lo=world_lo,
        world_step=world_step,
        visibility=np.ascontiguousarray(
            np.rint(np.clip(visibility, 0, 1) * VISIBILITY_LEVELS).astype(np.uint8).T
        ),
    )
    return out.getvalue()


def unpack(data: bytes) -> PoseRecording:
    """The recording `pack` made (one person at most per frame). Raises StoreError when
    `data` is not packed landmarks of a version this code reads."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            header = json.loads(str(npz["header"]))
            if header.get("format") != FORMAT or header.get("version") != VERSION:
                raise StoreError(
                    f"stored landmarks are {header.get('format')!r} version "
                    f"{header.get('version')!r}; this Form Coach reads {FORMAT!r} version "
                    f"{VERSION}: upgrade Form Coach"
                )
            present = npz["present"].astype(bool)
            image = _dequantise(_undelta(npz["image"]), npz["image_lo"], npz["image_step"])
            world = _dequantise(_undelta(npz["world"]), npz["world_lo"], npz["world_step"])
            seen = npz["visibility"].T.astype(np.float64) / VISIBILITY_LEVELS
            t_ms = header["t0_ms"] + np.cumsum(npz["dt_ms"].astype(np.int64))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise StoreError(f"stored landmarks cannot be read ({exc}): the row is damaged") from exc
    n = len(present)
    image_all = np.full((n, 1, NUM_LANDMARKS, 3), np.nan)
    world_all = np.full((n, 1, NUM_LANDMARKS, 3), np.nan)
    visibility_all = np.zeros((n, 1, NUM_LANDMARKS))
    image_all[present, 0], world_all[present, 0], visibility_all[present, 0] = image, world, seen
    width, height = header["frame_wh"]
    return PoseRecording(
        t_s=t_ms / 1000.0,
        frame_wh=(int(width), int(height)),
        image_xyz=image_all,
        world_xyz=world_all,
        visibility=visibility_all,
        people=present.astype(np.int8),
        meta={str(k): str(v) for k, v in header["meta"].items()},
    )


def max_error(data: bytes) -> PackPrecision:
    """The largest error packing made in `data`: half a quantisation step of its widest
    image and world channel, half a visibility level, half a millisecond."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        image, world = float(npz["image_step"].max()), float(npz["world_step"].max())
    return PackPrecision(image / 2, world / 2, 0.5 / VISIBILITY_LEVELS, 0.0005)
