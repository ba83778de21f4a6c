"""A set's poses kept as it happens, for the store: the patient's pose on each frame.

The live coach adds the tracker's pose of every frame (`FrameOutcome.tracked`, before
smoothing, so a replay smooths it once as live did) and takes the set's `PoseRecording`
when the set ends: the set's frames, after the `LEAD_IN_S` seconds before it began. The
lead-in is what a replay needs to see the patient settle in the start position, as the
live engine had before the set began; without it a replay misses the set's first rep.
The recording's meta names the exercise and the prescription the set was counted on, so
a replay counts on the same range.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict, dataclass, field

from coach.core.pose import Pose
from coach.engine.thresholds import Prescription
from coach.vision.recording import PoseRecording

MAX_SET_FRAMES = 30 * 60 * 10  # ten minutes at 30 frames a second; later frames are not kept
LEAD_IN_S = 3.0


def recording_meta(exercise_id: str, prescription: Prescription | None) -> dict[str, str]:
    """A set recording's meta: the exercise and the prescription it was counted on."""
    given = None if prescription is None else asdict(prescription)
    return {"exercise": exercise_id, "prescription": json.dumps(given)}


def meta_prescription(meta: dict[str, str]) -> Prescription | None:
    """The prescription `recording_meta` wrote (None: the definition's thresholds, or a
    recording without one)."""
    given = json.loads(meta.get("prescription", "null"))
    return None if given is None else Prescription(**given)


@dataclass
class SetCapture:
    """The frames of the set in progress (one stream's; not thread-safe on its own)."""

    frames: list[tuple[float, list[Pose]]] = field(default_factory=list)
    lead_in: deque[tuple[float, list[Pose]]] = field(default_factory=deque)
    frame_wh: tuple[int, int] = (0, 0)

    def add(self, t_s: float, tracked: Pose, frame_wh: tuple[int, int], *, in_set: bool) -> None:
        """One frame's patient (an empty pose when nobody was the patient); `in_set`:
        the frame belongs to a set (otherwise it may become the next set's lead-in)."""
        if not in_set:
            self.lead_in.append((t_s, [tracked]))
            while self.lead_in[0][0] < t_s - LEAD_IN_S:
                self.lead_in.popleft()
            return
        if not self.frames:
            self.frames.extend(self.lead_in)
            self.lead_in.clear()
        if len(self.frames) < MAX_SET_FRAMES:
            self.frames.append((t_s, [tracked]))
            self.frame_wh = frame_wh

    def take(self, meta: dict[str, str]) -> PoseRecording | None:
        """The set's recording (None when it had no frames), and a fresh start."""
        frames, self.frames = self.frames, []
        self.lead_in.clear()
        return PoseRecording.from_frames(frames, self.frame_wh, meta) if frames else None
