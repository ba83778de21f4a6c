"""Helpers of the landmark stream's tests: a recorder that says whose record it writes,
a recording's frames as the browser sends them, and reading a refusal off a socket."""

from __future__ import annotations

from coach.runtime.stream import frame_message
from coach.vision.recording import PoseRecording
from tests.conftest import POSE_FIXTURES


class PatientRecorder:
    """A recorder writing into `patient_id`'s record (what the store's says), keeping calls."""

    def __init__(self, patient_id: int | None) -> None:
        self.patient = patient_id
        self.events: list[tuple] = []

    def patient_id(self) -> int | None:
        return self.patient

    def set_started(self, set_index: int) -> None:
        self.events.append(("set_started", set_index))

    def rep(self, set_index: int, rep) -> None:
        self.events.append(("rep", set_index, rep.index))

    def set_finished(self, set_index: int, reps: int, held_s: float) -> None:
        self.events.append(("set_finished", set_index, reps))

    def set_landmarks(self, set_index: int, recording: PoseRecording) -> None:
        self.events.append(("set_landmarks", set_index, len(recording.t_s)))


def recording(name: str) -> PoseRecording:
    return PoseRecording.load(POSE_FIXTURES / f"{name}.npz")


def frames(rec: PoseRecording) -> list[str]:
    """The recording's frames as the browser sends them (times in milliseconds)."""
    return [
        frame_message(1000.0 * float(t), rec.frame_wh, poses)
        for t, poses in zip(rec.t_s, rec.frames(), strict=True)
    ]


def refusal(socket) -> tuple[str, int]:
    """(reason, close code) of a refused connection: its error message, then its close."""
    error = socket.receive_json()
    assert error["type"] == "error", error
    closing = socket.receive()
    assert closing["type"] == "websocket.close", closing
    return error["reason"], closing["code"]
