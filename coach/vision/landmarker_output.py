"""The pose landmarker's landmarks read from its graph straight into arrays.

`PoseLandmarker.detect_for_video` turns every landmark of every person into a Python
object, parsed from a protobuf message (MediaPipe's `_build_landmarker_result`): 0.12 ms a
frame on the bench's host, more than all of the coach's own work on the frame. The live
coach runs one frame after another, so that time is added to every frame.
`PeopleReader.detect` sends the landmarker's graph the same two packets
`detect_for_video` sends and reads the serialized landmark lists it returns with a few
numpy calls for all people at once.

Wire format: a landmark list is its landmarks, each a length-delimited message of float
fields (x, y, z, visibility, presence: field numbers 1-5, four bytes each). MediaPipe
0.10.21 sets all five on every landmark, so each landmark is the same 27 bytes, with the
same tag bytes in the same places; that layout is checked, and a list without it (a field
left out) is parsed by protobuf instead, giving the same numbers more slowly.

This reaches into MediaPipe's private API (`_process_video_data`, `_packet_getter`, the
stream names): mediapipe is pinned in pyproject.toml, and tests/model/test_pose_model.py
holds `PeopleReader.detect` equal to `detect_for_video` on real frames.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coach.core.landmarks import NUM_LANDMARKS

# The fields of one landmark as MediaPipe writes them: tag byte, then a little-endian float32.
_FIELDS = 5  # x, y, z, visibility, presence
_FIELD_BYTES = 1 + 4
_LANDMARK_BYTES = 2 + _FIELDS * _FIELD_BYTES  # its own tag (0x0a) and length (25), then fields
_LIST_BYTES = NUM_LANDMARKS * _LANDMARK_BYTES
_TAG_COLUMNS = np.array([0, 1] + [2 + _FIELD_BYTES * k for k in range(_FIELDS)])
# Field k + 1, wire type 5 (32-bit).
_TAGS = bytes([0x0A, _FIELDS * _FIELD_BYTES] + [(k + 1) << 3 | 5 for k in range(_FIELDS)])
# The bytes of x, y, z and visibility (presence is not used: the model's visibility is).
_VALUE_COLUMNS = np.array([2 + _FIELD_BYTES * k + 1 + b for k in range(4) for b in range(4)])

# Axis 1 of `read_people`'s array, and the visibility's place on its last axis (x y z visibility).
IMAGE, WORLD = 0, 1
VISIBILITY = 3


def read_people(image_lists: list[bytes], world_lists: list[bytes]) -> np.ndarray:
    """Serialized image and world landmark lists (one of each per person) -> a float64
    array (people, 2, 33, 4): image / world, landmark, x y z visibility."""
    if len(image_lists) != len(world_lists):
        raise TypeError(
            f"expected one world landmark list per person, got {len(image_lists)} image and "
            f"{len(world_lists)} world lists"
        )
    people = len(image_lists)
    raw = np.frombuffer(b"".join([*image_lists, *world_lists]), np.uint8)
    if raw.size == 2 * people * _LIST_BYTES:
        rows = raw.reshape(-1, _LANDMARK_BYTES)  # one landmark a row
        if np.take(rows, _TAG_COLUMNS, axis=1).tobytes() == _TAGS * len(rows):
            values = np.take(rows, _VALUE_COLUMNS, axis=1).view("<f4")  # (rows, 4), float32
            as_read = values.reshape(2, people, NUM_LANDMARKS, 4).astype(np.float64)
            return as_read.transpose(1, 0, 2, 3)
    parsed = [_parsed_list(serialized, world=False) for serialized in image_lists]
    parsed += [_parsed_list(serialized, world=True) for serialized in world_lists]
    as_parsed = np.array(parsed, dtype=np.float64).reshape(2, people, NUM_LANDMARKS, 4)
    return as_parsed.transpose(1, 0, 2, 3)


def _parsed_list(serialized: bytes, world: bool) -> list[tuple[float, float, float, float]]:
    """One landmark list parsed by protobuf (x, y, z, visibility of each landmark; a field
    left out reads 0, as in MediaPipe's own result)."""
    from mediapipe.framework.formats import landmark_pb2

    message = landmark_pb2.LandmarkList if world else landmark_pb2.NormalizedLandmarkList
    landmarks = message.FromString(serialized).landmark
    if len(landmarks) != NUM_LANDMARKS:
        raise TypeError(f"expected {NUM_LANDMARKS} landmarks per pose, got {len(landmarks)}")
    return [(lm.x, lm.y, lm.z, lm.visibility) for lm in landmarks]


def image_packet(pixels: np.ndarray) -> Any:
    """A contiguous RGB uint8 frame as the graph's image input (one copy, made now: the
    frame may be read on another thread later). `detect_for_video` takes an `mp.Image`
    and copies it once more into its packet."""
    import mediapipe as mp
    from mediapipe.python import packet_creator

    return packet_creator.create_image(pixels, image_format=mp.ImageFormat.SRGB)


class PeopleReader:
    """Runs one VIDEO-mode `PoseLandmarker` on a frame and returns `read_people`'s array:
    `detect_for_video` without its result objects. The landmarker stays the caller's."""

    def __init__(self, landmarker: Any) -> None:
        from mediapipe.python import packet_creator
        from mediapipe.tasks.python.vision import pose_landmarker

        self._landmarker = landmarker
        self._streams = (
            pose_landmarker._IMAGE_IN_STREAM_NAME,
            pose_landmarker._NORM_RECT_STREAM_NAME,
            pose_landmarker._NORM_LANDMARKS_STREAM_NAME,
            pose_landmarker._POSE_WORLD_LANDMARKS_STREAM_NAME,
        )
        # The whole frame, upright: what `detect_for_video` sends with every frame when no
        # image processing options are given (it does not depend on the image).
        whole_frame = landmarker.convert_to_normalized_rect(None, None, roi_allowed=False)
        self._whole_frame = packet_creator.create_proto(whole_frame.to_pb2())

    def detect(self, image: Any, timestamp_ms: int) -> np.ndarray:
        """(people, 2, 33, 4) for one `image_packet` at this time (strictly increasing)."""
        from mediapipe.python._framework_bindings import _packet_getter

        image_in, rect_in, landmarks_out, world_out = self._streams
        at_us = timestamp_ms * 1000
        outputs = self._landmarker._process_video_data(
            {image_in: image.at(at_us), rect_in: self._whole_frame.at(at_us)}
        )
        if outputs[landmarks_out].is_empty():
            return np.zeros((0, 2, NUM_LANDMARKS, 4))
        return read_people(
            _packet_getter._get_serialized_proto_list(outputs[landmarks_out]),
            _packet_getter._get_serialized_proto_list(outputs[world_out]),
        )
