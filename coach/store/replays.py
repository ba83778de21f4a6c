"""Each set's landmarks, kept with the session so the set can be replayed and re-scored.

Only the patient's pose (33 landmarks a frame, packed by `coach.store.landmarks`) is kept:
no image, no video, nobody else in view. A patient who turned `keep_landmarks` off gets
none kept; turning it off also deletes what was kept before.
"""

from __future__ import annotations

from sqlalchemy import func, select

from coach.store.landmarks import pack, unpack
from coach.store.people import PeopleStore
from coach.store.records import LandmarkSet, StoreError, check_id
from coach.store.schema import patients, sessions, set_landmarks
from coach.vision.recording import PoseRecording


class ReplayStore(PeopleStore):
    """The landmarks of each set, and the patient's switch for keeping them."""

    def keeps_landmarks(self, patient_id: int) -> bool:
        """Whether this patient's sets' landmarks are kept (on unless they turned it off).
        Raises StoreError for an unknown patient."""
        with self._reading() as connection:
            keep = connection.execute(
                select(patients.c.keep_landmarks).where(
                    patients.c.id == check_id(patient_id, "patient")
                )
            ).scalar_one_or_none()
        if keep is None:
            raise StoreError(f"no patient {patient_id} in {self.shown_url}")
        return bool(keep)

    def set_keep_landmarks(self, patient_id: int, keep: bool) -> int:
        """Turn keeping landmarks on or off for the patient. Off also deletes every set's
        landmarks kept so far; returns how many sets' landmarks were deleted."""
        patient_id = check_id(patient_id, "patient")
        with self._writing("changing whether landmarks are kept") as connection:
            done = connection.execute(
                patients.update().where(patients.c.id == patient_id).values(keep_landmarks=keep)
            )
            if done.rowcount == 0:
                raise StoreError(f"no patient {patient_id} in {self.shown_url}")
            if keep:
                return 0
            theirs = select(sessions.c.id).where(sessions.c.patient_id == patient_id)
            deleted = connection.execute(
                set_landmarks.delete().where(set_landmarks.c.session_id.in_(theirs))
            )
            return int(deleted.rowcount)

    def save_set_recording(self, session_id: int, set_index: int, recording: PoseRecording) -> bool:
        """Keep one set's landmarks (replacing any kept for that set before, so a retried
        save is harmless). Returns False, keeping nothing, when the session's patient
        turned keeping landmarks off or the set has no frames."""
        session_id = check_id(session_id, "session")
        if len(recording) == 0:
            return False
        data = pack(recording)
        duration = float(recording.t_s[-1] - recording.t_s[0])
        with self._writing("saving a set's landmarks") as connection:
            keep = connection.execute(
                select(patients.c.keep_landmarks)
                .join(sessions, sessions.c.patient_id == patients.c.id)
                .where(sessions.c.id == session_id)
            ).scalar_one_or_none()
            if keep is None:
                raise StoreError(f"no session {session_id} in {self.shown_url}")
            if not keep:
                return False
            connection.execute(
                set_landmarks.delete().where(
                    set_landmarks.c.session_id == session_id,
                    set_landmarks.c.set_index == set_index,
                )
            )
            connection.execute(
                set_landmarks.insert().values(
                    session_id=session_id,
                    set_index=set_index,
                    frames=len(recording),
                    duration_s=round(duration, 3),
                    data=data,
                    recorded_at=self._clock(),
                )
            )
        return True

    def landmark_sets(self, session_id: int) -> list[LandmarkSet]:
        """The session's sets that have landmarks kept, in set order (sizes, no data)."""
        query = (
            select(
                set_landmarks.c.set_index,
                set_landmarks.c.frames,
                set_landmarks.c.duration_s,
                func.length(set_landmarks.c.data),
            )
            .where(set_landmarks.c.session_id == check_id(session_id, "session"))
            .order_by(set_landmarks.c.set_index)
        )
        with self._reading() as connection:
            return [
                LandmarkSet(session_id, row[0], row[1], row[2], int(row[3]))
                for row in connection.execute(query)
            ]

    def set_recording(self, session_id: int, set_index: int) -> PoseRecording:
        """One set's landmarks as a recording of the patient (one person at most a frame).
        Raises StoreError when none are kept for that set."""
        with self._reading() as connection:
            data = connection.execute(
                select(set_landmarks.c.data).where(
                    set_landmarks.c.session_id == check_id(session_id, "session"),
                    set_landmarks.c.set_index == set_index,
                )
            ).scalar_one_or_none()
        if data is None:
            raise StoreError(f"no landmarks kept for set {set_index} of session {session_id}")
        return unpack(bytes(data))
