"""The Session page's review: a set replayed as a moving skeleton beside its angle, the
set re-scored under another prescription (the record unchanged unless saved to the plan),
and the clinician's comments, which the patient then sees on Today."""

from __future__ import annotations

import json

from coach.runtime.analysis import replay_poses
from tests.support.landmark_sets import patient_set
from tests.support.pages import everything_shown, page
from tests.support.store_data import seed_patient


def session_with_a_kept_set(store, library) -> tuple[int, int, int]:
    """A squat session of the plan's squat item whose set 1 has its landmarks kept, with
    the reps the coach counts in them. Returns (patient, session, plan item)."""
    seeded = seed_patient(store, library, days=1)
    recording = patient_set("squat_side_studio")
    counted = replay_poses(recording, library.get("squat"), source="fixture")
    session = store.start_session(
        "squat", patient_id=seeded.patient_id, plan_item_id=seeded.squat_item
    )
    store.start_set(session, 1)
    for rep in counted.reps:
        store.add_rep(session, 1, rep)
    store.finish_set(session, 1, reps_done=counted.rep_count, held_s=0.0)
    assert store.save_set_recording(session, 1, recording)
    return seeded.patient_id, session, seeded.squat_item


def replay_data(at) -> list[dict]:
    """The data of each skeleton replay component on the page."""
    found = []
    for element in at.get("component_instance"):
        args = json.loads(element.proto.json_args)
        if "replay" in args:
            found.append(json.loads(args["replay"]))
    return found


def test_the_session_page_replays_a_kept_set_beside_its_angle(store, library):
    patient, session, _ = session_with_a_kept_set(store, library)
    at = page("session.py", query={"patient": patient, "session": session})
    (data,) = replay_data(at)
    recording = store.set_recording(session, 1)
    assert len(data["t"]) == len(data["xy"]) == len(data["angle"]["values"]) == len(recording)
    assert data["t"][0] == 0 and data["wh"] == list(recording.frame_wh)
    assert len(data["xy"][0]) == 66, "33 landmarks, x and y"
    reps = store.reps(session)
    assert [r["label"] for r in data["reps"]] == [f"Set 1, rep {r.rep_index}" for r in reps]
    assert data["angle"]["target"] == library.get("squat").reps.target
    peaks = [v for v in data["angle"]["values"] if v is not None]
    assert max(peaks) > 90, "the squats' knee flexion, frame by frame"
    assert data["faults"], "the stored faults at their time"
    assert any("no video is kept" in c.value for c in at.caption)


def test_a_rescore_shows_the_reps_under_the_new_prescription_and_changes_nothing(store, library):
    patient, session, item = session_with_a_kept_set(store, library)
    before = store.get_plan_item(item)
    at = page("session.py", query={"patient": patient, "session": session})
    target, counts_from = at.number_input[0], at.number_input[1]
    target.set_value(140.0)
    counts_from.set_value(130.0)  # deeper than any squat in the clip
    next(b for b in at.button if b.label == "Re-score").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    counted = len(store.reps(session))
    assert metrics["Repetitions as counted"] == str(counted)
    assert int(metrics["Repetitions under the new prescription"]) < counted
    assert len(replay_data(at)) == 2, "the set, and the set re-scored"
    assert len(store.reps(session)) == counted and store.get_plan_item(item) == before
    next(b for b in at.button if b.label == "Save this prescription to the plan").click().run()
    saved = store.get_plan_item(item)
    assert (saved.rom_angle, saved.rom_target_deg, saved.counts_from_deg) == (
        "knee_flexion",
        140.0,
        130.0,
    )
    assert len(store.reps(session)) == counted, "the session's record is unchanged"


def test_a_rescore_under_another_definition_counts_as_it_and_saves_nothing(store, library):
    """The squat set re-scored as a lunge (another definition of the library): the reps as
    the lunge counts them, then under the range asked for; the plan item and the session's
    reps unchanged, and no saving to the plan (it is for the squat)."""
    patient, session, item = session_with_a_kept_set(store, library)
    before, counted = store.get_plan_item(item), len(store.reps(session))
    at = page("session.py", query={"patient": patient, "session": session})
    definition = next(s for s in at.selectbox if s.label == "Exercise definition")
    assert definition.value == "squat"
    definition.set_value("lunge").run()
    assert not at.exception, [e.value for e in at.exception]
    target = next(n for n in at.number_input if n.label.startswith("Target on"))
    assert target.value == library.get("lunge").reps.target  # the lunge's own target
    next(b for b in at.button if b.label == "Re-score").click().run()
    assert not at.exception, [e.value for e in at.exception]
    as_lunge = replay_poses(store.set_recording(session, 1), library.get("lunge"), source="test")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Repetitions as a lunge"] == str(as_lunge.rep_count)
    assert "Repetitions under the new prescription" in metrics
    assert not any(b.label == "Save this prescription to the plan" for b in at.button)
    assert len(replay_data(at)) == 2, "the set, and the set re-scored as a lunge"
    assert len(store.reps(session)) == counted and store.get_plan_item(item) == before


def test_a_session_without_kept_landmarks_says_why(store, library):
    seeded = seed_patient(store, library, days=1)
    at = page("session.py", query={"patient": seeded.patient_id, "session": seeded.session_ids[0]})
    assert replay_data(at) == []
    assert any("No movement was kept" in c.value for c in at.caption)


def test_a_comment_on_a_rep_shows_literally_on_the_session_page_and_on_today(store, library):
    patient, session, _ = session_with_a_kept_set(store, library)
    at = page("session.py", query={"patient": patient, "session": session})
    (rep,) = [r for r in store.reps(session) if r.rep_index == 2]
    form_about = next(s for s in at.selectbox if s.label == "About")
    form_about.set_value(rep.id)
    at.text_area[0].input("Knees **out** on this one :red[now]")
    next(b for b in at.button if b.label == "Add comment").click().run()
    (comment,) = store.comments(session)
    assert comment.rep_id == rep.id and comment.body == "Knees **out** on this one :red[now]"
    assert "Knees **out** on this one :red[now]" in [t.value for t in at.text]
    today = page("today.py", query={"patient": patient})
    shown = everything_shown(today) + "\n".join(t.value for t in today.text)
    assert "Knees **out** on this one :red[now]" in shown
    assert "set 1, rep 2" in shown
    next(b for b in today.button if b.label == "Mark as read").click().run()
    assert store.patient_comments(patient, unseen_only=True) == []
    assert "Knees **out**" not in "\n".join(t.value for t in today.text)


def test_the_patient_turns_keeping_their_movement_off_on_today(store, library):
    patient, session, _ = session_with_a_kept_set(store, library)
    today = page("today.py", query={"patient": patient})
    switch = next(t for t in today.toggle if t.label == "Keep my movement for my physiotherapist")
    assert switch.value is True
    switch.set_value(False).run()
    assert not store.keeps_landmarks(patient) and store.landmark_sets(session) == []
    assert any("no longer kept" in s.value for s in today.success)


def test_in_clinic_mode_the_own_clinician_comments_the_patient_reads_another_sees_nothing(
    clinic, store
):
    from coach.auth.access import Principal

    ana = clinic["ana"]
    session = ana.session_ids[-1]
    store.save_set_recording(session, 1, patient_set("squat_side_studio"))
    ann = Principal("clinician", "Ann Physio", clinician_id=clinic["ann"])
    at = page("session.py", login=ann, query={"patient": ana.patient_id, "session": session})
    assert len(replay_data(at)) == 1
    at.text_area[0].input("Lovely control.")
    next(b for b in at.button if b.label == "Add comment").click().run()
    me = Principal("patient", "Ana Patient", patient_id=ana.patient_id)
    today = page("today.py", login=me)
    assert "Lovely control." in [t.value for t in today.text]
    bob = Principal("clinician", "Bob Physio", clinician_id=clinic["bob"])
    refused = page("session.py", login=bob, query={"session": session})
    assert replay_data(refused) == [] and "Lovely control." not in [t.value for t in refused.text]
    assert any(f"no session {session} that you can see" in e.value for e in refused.error)


def test_the_live_coachs_store_recorder_keeps_each_set_unless_the_patient_said_no(store, library):
    """The live coach with the app's recorder: each finished set's landmarks land in the
    store, with the range it was counted on; a patient who turned keeping off gets none."""
    from coach.engine.thresholds import Prescription
    from coach.runtime.guided import SetPlan
    from coach.runtime.live import LiveCoach
    from coach.runtime.set_capture import meta_prescription
    from coach_ui.coaching import StoreRecorder
    from tests.support.live import RecordedEstimator, play

    squat = library.get("squat")
    prescription = Prescription("knee_flexion", target=80.0)
    kept: dict[bool, list] = {}
    for keep in (True, False):
        patient = store.add_patient(f"Keeps {keep}")
        store.set_keep_landmarks(patient, keep)
        session = store.start_session("squat", patient_id=patient)
        estimator = RecordedEstimator("squat_side_studio")
        coach = LiveCoach(
            squat,
            SetPlan(sets=2, reps=3, rest_s=0.5),
            recorder=StoreRecorder(store, session),
            estimator_factory=lambda e=estimator: e,
            prescription=prescription,
        )
        play(coach, estimator.recording)
        assert coach.unsaved() == 0 and len(store.reps(session)) == 6
        kept[keep] = store.landmark_sets(session)
        if keep:
            assert meta_prescription(store.set_recording(session, 1).meta) == prescription
    assert [s.set_index for s in kept[True]] == [1, 2] and kept[False] == []


def test_a_rescore_offers_the_physios_own_definitions_and_counts_as_one(
    store, library, monkeypatch
):
    """The definitions of $FORM_COACH_EXERCISES (the folder the README names, which the
    `coach` command and the app load) are offered beside the shipped ones, and a set
    re-scored under one of them counts as it does in `coach replay`."""
    from coach.exercise.loader import EXTRA_EXERCISES_ENV, ExerciseLibrary
    from coach_ui import resources
    from tests.conftest import ROOT

    monkeypatch.setenv(EXTRA_EXERCISES_ENV, str(ROOT / "docs" / "examples" / "exercises"))
    resources.load_library.clear()  # one library per server process: read it again
    try:
        patient, session, _ = session_with_a_kept_set(store, library)
        at = page("session.py", query={"patient": patient, "session": session})
        definition = next(s for s in at.selectbox if s.label == "Exercise definition")
        own = ExerciseLibrary.from_environment()
        extra = {i for i in own.ids() if i not in library and own.get(i).reps is not None}
        assert extra, "the example folder holds definitions that count repetitions"
        assert {own.get(i).name for i in extra} <= set(definition.options), definition.options
        definition.set_value("upright_row").run()
        assert not at.exception, [e.value for e in at.exception]
        next(b for b in at.button if b.label == "Re-score").click().run()
        assert not at.exception, [e.value for e in at.exception]
        recording = store.set_recording(session, 1)
        as_row = replay_poses(recording, own.get("upright_row"), source="test")
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Repetitions as a upright row"] == str(as_row.rep_count), metrics
    finally:
        resources.load_library.clear()
