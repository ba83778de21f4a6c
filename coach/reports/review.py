"""A clinician's review of a stored session: each set replayed from its kept landmarks,
re-scored under another prescription, and comments on the session or a rep.

Every function here checks first that the user may read the session (coach.auth.access),
as the exports do: another patient, or a clinician who is not theirs, gets the same
refusal as for a session that does not exist. Writing a comment also needs a clinician
(or the home user). Replays run the coach's replay path (`coach.runtime.analysis.
replay_poses`, what `coach replay` runs), never a copy of it; a re-score changes nothing
stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.auth.access import Principal, require_patient, require_session, require_staff
from coach.engine.thresholds import Prescription
from coach.exercise.schema import ExerciseDef
from coach.runtime.analysis import AnalysisResult, replay_poses
from coach.runtime.set_capture import meta_prescription
from coach.store import Store
from coach.store.records import LandmarkSet, SessionComment
from coach.vision.recording import PoseRecording


@dataclass(frozen=True)
class SetReplay:
    """One stored set replayed: its poses, the prescription it was counted on, and what
    the coach makes of them under that prescription (`result`: reps, per-frame measures)."""

    session_id: int
    set_index: int
    recording: PoseRecording
    prescription: Prescription | None
    result: AnalysisResult

    def measure(self, exercise: ExerciseDef) -> str | None:
        """The measure a chart of this set draws: the prescribed one, else the driver,
        else the exercise's first angle (None for an exercise with no angle)."""
        if self.prescription is not None:
            return self.prescription.measure
        if exercise.reps is not None:
            return exercise.reps.driver
        return next(iter(exercise.angles), None)


def landmark_sets(store: Store, principal: Principal, session_id: int) -> list[LandmarkSet]:
    """The session's sets with landmarks kept, after the access check."""
    require_session(store, principal, session_id)
    return store.landmark_sets(session_id)


def set_recording(
    store: Store, principal: Principal, session_id: int, set_index: int
) -> PoseRecording:
    """One set's kept landmarks, after the access check. Raises AccessDeniedError, or
    StoreError when none are kept for the set."""
    require_session(store, principal, session_id)
    return store.set_recording(session_id, set_index)


def replay_set(
    store: Store,
    principal: Principal,
    exercise: ExerciseDef,
    session_id: int,
    set_index: int,
    *,
    prescription: Prescription | None = None,
) -> SetReplay:
    """A stored set through the coach again: on the prescription it was counted on, or on
    `prescription` (a re-score: what the reps would have been under it). Nothing stored
    changes. Raises AccessDeniedError, or StoreError when no landmarks are kept."""
    recording = set_recording(store, principal, session_id, set_index)
    counted_on = prescription if prescription is not None else meta_prescription(recording.meta)
    result = replay_poses(
        recording, exercise, source=f"session {session_id} set {set_index}", prescription=counted_on
    )
    return SetReplay(session_id, set_index, recording, counted_on, result)


def add_comment(
    store: Store, principal: Principal, session_id: int, body: str, *, rep_id: int | None = None
) -> int:
    """A clinician's comment on a session or on its rep `rep_id`, signed with their name.
    Raises AccessDeniedError for a patient or a session this user cannot see."""
    require_staff(principal)
    require_session(store, principal, session_id)
    return store.add_comment(
        session_id,
        body,
        author=principal.name,
        clinician_id=principal.clinician_id,
        rep_id=rep_id,
    )


def session_comments(store: Store, principal: Principal, session_id: int) -> list[SessionComment]:
    """The session's comments, oldest first, after the access check."""
    require_session(store, principal, session_id)
    return store.comments(session_id)


def new_comments(store: Store, principal: Principal, patient_id: int) -> list[SessionComment]:
    """The comments the patient has not marked read yet, after the access check."""
    require_patient(store, principal, patient_id)
    return store.patient_comments(patient_id, unseen_only=True)
