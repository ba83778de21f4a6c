"""Each set's landmarks kept with the session: packed within the stated error, small
enough (bytes per minute of exercise), kept only while the patient allows it, read only by
those who may read the session, gone with the session. SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest

from coach.auth.access import AccessDeniedError, Principal
from coach.engine.thresholds import Prescription
from coach.reports import review
from coach.store import StoreError
from coach.store.landmarks import (
    IMAGE_STEP,
    VISIBILITY_LEVELS,
    WORLD_STEP_M,
    max_error,
    pack,
    unpack,
)
from coach.vision.recording import PoseRecording
from tests.support.landmark_sets import minute_of_exercise, patient_set, with_gaps

# A minute of exercise at 30 frames a second, packed, stays under this (docs/benchmarks.md
# has the measured sizes).
BYTES_PER_MINUTE_BOUND = 350 * 1024


@pytest.mark.parametrize("name", ["squat_side_studio", "lunge_front_outdoor", "pushup_wall_side"])
def test_packing_keeps_every_value_within_the_stated_error(name):
    original = with_gaps(patient_set(name))
    data = pack(original)
    back = unpack(data)
    seen = original.people > 0
    assert np.array_equal(back.people > 0, seen) and back.frame_wh == original.frame_wh
    assert back.meta == original.meta
    bound = max_error(data)
    # The stated bound: half the finest step, unless a channel's range needed wider steps.
    assert bound.image == pytest.approx(IMAGE_STEP.max() / 2)
    assert bound.world_m == pytest.approx(WORLD_STEP_M.max() / 2)
    image_error = np.abs(back.image_xyz[seen, 0] - original.image_xyz[seen, 0])
    world_error = np.abs(back.world_xyz[seen, 0] - original.world_xyz[seen, 0])
    assert np.all(image_error <= IMAGE_STEP / 2 + 1e-12), "x and y to 1e-4, z to 5e-3 of the frame"
    assert np.all(world_error <= WORLD_STEP_M / 2 + 1e-12), "0.25 mm"
    assert np.abs(back.visibility[seen, 0] - original.visibility[seen, 0]).max() <= (
        0.5 / VISIBILITY_LEVELS + 1e-9
    )
    assert np.abs(back.t_s - original.t_s).max() <= 0.0005 + 1e-9
    assert np.isnan(back.image_xyz[~seen]).all(), "nobody stays nobody"


def test_a_channel_wider_than_the_int16_range_gets_wider_steps_not_clipped():
    original = patient_set("squat_side_studio")
    image = original.image_xyz.copy()
    image[5, 0, 0, 0] = 12.0  # a wild landmark far off the frame: 12 frame widths
    wild = PoseRecording(
        original.t_s,
        original.frame_wh,
        image,
        original.world_xyz,
        original.visibility,
        original.people,
        original.meta,
    )
    data = pack(wild)
    back = unpack(data)
    assert back.image_xyz[5, 0, 0, 0] == pytest.approx(12.0, abs=max_error(data).image)
    assert max_error(data).image > IMAGE_STEP[0] / 2


@pytest.mark.parametrize(
    "name", ["squat_front_counter20", "squat_side_studio", "lunge_front_outdoor"]
)
def test_a_minute_of_exercise_at_30_fps_packs_under_the_bound(name):
    minute = minute_of_exercise(name)
    assert len(minute) == 1800 and minute.t_s[-1] == pytest.approx(60 - 1 / 30)
    size = len(pack(minute))
    raw = minute.image_xyz[:, 0].nbytes + minute.world_xyz[:, 0].nbytes
    assert size < BYTES_PER_MINUTE_BOUND, f"{size / 1024:.0f} KiB a minute"
    assert size < raw / 5, "far smaller than the float64 arrays"


def test_damaged_data_is_a_store_error_naming_it():
    with pytest.raises(StoreError, match="damaged"):
        unpack(b"not an npz")


# ---- the store --------------------------------------------------------------------------------
def test_a_set_is_kept_listed_read_back_and_replaced_on_a_retry(store):
    patient = store.add_patient("Pat")
    session = store.start_session("squat", patient_id=patient)
    first = patient_set("squat_side_studio")
    assert store.keeps_landmarks(patient)
    assert store.save_set_recording(session, 1, first)
    assert store.save_set_recording(session, 1, first), "a retried save replaces the set"
    assert store.save_set_recording(session, 2, patient_set("squat_side_studio"))
    listed = store.landmark_sets(session)
    assert [(s.set_index, s.frames) for s in listed] == [(1, len(first)), (2, len(first))]
    assert listed[0].size_bytes == len(pack(first))
    assert listed[0].duration_s == pytest.approx(first.t_s[-1] - first.t_s[0], abs=1e-3)
    back = store.set_recording(session, 1)
    assert len(back) == len(first) and back.meta == first.meta
    assert np.nanmax(np.abs(back.world_xyz - first.world_xyz)) <= WORLD_STEP_M.max() / 2 + 1e-12
    with pytest.raises(StoreError, match="no landmarks kept for set 3"):
        store.set_recording(session, 3)
    store.discard_session(session)
    assert store.landmark_sets(session) == []


def test_a_patient_who_turns_keeping_off_gets_none_kept_and_the_old_ones_deleted(store):
    patient = store.add_patient("Pat")
    other = store.add_patient("Other")
    mine = store.start_session("squat", patient_id=patient)
    theirs = store.start_session("squat", patient_id=other)
    for session in (mine, theirs):
        store.save_set_recording(session, 1, patient_set("squat_side_studio"))
    assert store.set_keep_landmarks(patient, False) == 1
    assert not store.keeps_landmarks(patient) and store.keeps_landmarks(other)
    assert store.landmark_sets(mine) == [] and len(store.landmark_sets(theirs)) == 1
    assert not store.save_set_recording(mine, 2, patient_set("squat_side_studio"))
    assert store.landmark_sets(mine) == []
    store.set_keep_landmarks(patient, True)
    assert store.save_set_recording(mine, 2, patient_set("squat_side_studio"))
    with pytest.raises(StoreError, match="no patient"):
        store.set_keep_landmarks(9999, False)


# ---- who may read them ---------------------------------------------------------------------------
@pytest.fixture
def clinic(store):
    """Ann's patient with a kept set, and Bob with a patient of his own."""
    ann, bob = store.add_clinician("Ann"), store.add_clinician("Bob")
    anns = store.add_patient("Ann's patient", clinician_id=ann)
    bobs = store.add_patient("Bob's patient", clinician_id=bob)
    session = store.start_session("squat", patient_id=anns)
    store.save_set_recording(session, 1, patient_set("squat_side_studio"))
    return {"ann": ann, "bob": bob, "anns": anns, "bobs": bobs, "session": session}


def test_the_patient_and_their_clinician_can_read_the_set_and_nobody_else(store, clinic):
    session = clinic["session"]
    allowed = [
        Principal("clinician", "Ann", clinician_id=clinic["ann"]),
        Principal("patient", "P", patient_id=clinic["anns"]),
        Principal.home(),
    ]
    refused = [
        Principal("clinician", "Bob", clinician_id=clinic["bob"]),
        Principal("patient", "Q", patient_id=clinic["bobs"]),
    ]
    for principal in allowed:
        assert len(review.set_recording(store, principal, session, 1)) > 0
        assert [s.set_index for s in review.landmark_sets(store, principal, session)] == [1]
    for principal in refused:
        for read in (
            lambda p: review.set_recording(store, p, session, 1),
            lambda p: review.landmark_sets(store, p, session),
            lambda p: review.replay_set(store, p, None, session, 1),  # type: ignore[arg-type]
        ):
            with pytest.raises(AccessDeniedError, match=f"no session {session} that you can see"):
                read(principal)


def test_a_replay_counts_the_stored_set_and_a_rescore_changes_nothing_stored(
    store, clinic, library
):
    ann = Principal("clinician", "Ann", clinician_id=clinic["ann"])
    squat = library.get("squat")
    session = clinic["session"]
    before = store.set_recording(session, 1)
    replay = review.replay_set(store, ann, squat, session, 1)
    assert replay.prescription is None and replay.result.rep_count > 0
    assert replay.measure(squat) == squat.reps.driver
    assert len(replay.result.series[squat.reps.driver]) == len(before)
    deeper = Prescription(squat.reps.driver, counts_from=150.0)  # deeper than anyone goes
    rescored = review.replay_set(store, ann, squat, session, 1, prescription=deeper)
    assert rescored.prescription == deeper
    assert rescored.result.rep_count < replay.result.rep_count
    after = store.set_recording(session, 1)
    assert after.meta == before.meta and np.array_equal(after.t_s, before.t_s)
