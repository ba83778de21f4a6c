"""Reading the landmarker graph's serialized landmark lists into arrays.

The model-in-the-loop check that `PeopleReader.detect` equals `detect_for_video` on real
frames is in tests/model/test_pose_model.py; here the lists are made with protobuf.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from mediapipe.framework.formats import landmark_pb2

from coach.core.landmarks import NUM_LANDMARKS
from coach.vision import landmarker_output
from coach.vision.landmarker_output import IMAGE, VISIBILITY, WORLD, read_people
from tests.support.builders import serialized_list


def _rows(seed: int) -> np.ndarray:
    """33 landmarks of awkward values: negative, large, tiny, exact zeros, float32-exact."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(0, 3, size=(NUM_LANDMARKS, 4)) * 10.0 ** rng.integers(
        -6, 3, (NUM_LANDMARKS, 4)
    )
    rows[::7] = 0.0
    return rows.astype(np.float32).astype(np.float64)


def _by_protobuf(serialized: bytes, world: bool) -> np.ndarray:
    message = landmark_pb2.LandmarkList if world else landmark_pb2.NormalizedLandmarkList
    landmarks = message.FromString(serialized).landmark
    return np.array([[lm.x, lm.y, lm.z, lm.visibility] for lm in landmarks])


@pytest.mark.parametrize("people", [0, 1, 2, 3])
def test_every_person_read_as_protobuf_reads_them(people):
    images = [serialized_list(_rows(2 * k)) for k in range(people)]
    worlds = [serialized_list(_rows(2 * k + 1), world=True) for k in range(people)]
    read = read_people(images, worlds)
    assert read.shape == (people, 2, NUM_LANDMARKS, 4) and read.dtype == np.float64
    for k in range(people):
        assert np.array_equal(read[k, IMAGE], _by_protobuf(images[k], world=False))
        assert np.array_equal(read[k, WORLD], _by_protobuf(worlds[k], world=True))


def test_mediapipes_layout_is_read_without_protobuf(monkeypatch):
    """Every field set (as MediaPipe writes them): the fixed layout, no parsing."""

    def refused(serialized: bytes, world: bool) -> None:
        raise AssertionError("parsed by protobuf")

    monkeypatch.setattr(landmarker_output, "_parsed_list", refused)
    image, world = serialized_list(_rows(1)), serialized_list(_rows(2), world=True)
    assert np.array_equal(read_people([image], [world])[0, IMAGE], _rows(1))


def _reordered(rows: np.ndarray) -> bytes:
    """Valid wire format of the same landmarks with each one's fields written y first: the
    same length as MediaPipe's layout, other tag bytes."""
    out = b""
    for row in rows:
        order = (1, 0, 2, 3, 4)
        values = (*row, 1.0)
        body = b"".join(bytes([(k + 1) << 3 | 5]) + struct.pack("<f", values[k]) for k in order)
        out += bytes([0x0A, len(body)]) + body
    return out


@pytest.mark.parametrize(
    ("image", "expected_visibility"),
    [
        (serialized_list(_rows(3), leave_out=("visibility",)), 0.0),  # left out: 0
        (serialized_list(_rows(3), leave_out=("presence",)), _rows(3)[:, VISIBILITY]),
        (_reordered(_rows(3)), _rows(3)[:, VISIBILITY]),
    ],
    ids=["no visibility", "no presence", "fields reordered"],
)
def test_any_other_layout_is_parsed_by_protobuf(image, expected_visibility):
    world = serialized_list(_rows(4), world=True)
    (person,) = read_people([image], [world])
    assert np.array_equal(person[IMAGE, :, :3], _rows(3)[:, :3])
    assert np.array_equal(person[IMAGE, :, VISIBILITY], np.broadcast_to(expected_visibility, 33))
    assert np.array_equal(person[WORLD], _rows(4))


def test_a_list_of_other_than_33_landmarks_is_refused():
    short = serialized_list(_rows(5)[:32])
    with pytest.raises(TypeError, match="expected 33 landmarks per pose, got 32"):
        read_people([short], [short])


def test_a_person_without_world_landmarks_is_refused():
    image = serialized_list(_rows(6))
    with pytest.raises(TypeError, match="1 image and 0 world lists"):
        read_people([image], [])
