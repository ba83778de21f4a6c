"""Telehealth's live half in the pages: the patient's sharing switch and "watching" notice
on the Live coach, and the clinician's Live sessions page (the list, the watch, a message,
a target change, notes), with the refusals for anyone but the patient's own clinician."""

from __future__ import annotations

import json
import logging

from coach.auth.access import Principal
from coach.runtime.telehealth import (
    END_MESSAGE,
    Say,
    TargetChange,
    control_topic,
    decode_control,
    presence_message,
    state_topic,
)
from coach_ui import camera
from coach_ui.rooms import room_bus
from tests.support.pages import everything_shown, page

SHARE = "Share this session with my physiotherapist"


def ana(clinic) -> Principal:
    return Principal("patient", "Ana Patient", patient_id=clinic["ana"].patient_id)


def ann(clinic) -> Principal:
    return Principal("clinician", "Ann Physio", clinician_id=clinic["ann"])


def started(clinic):
    """Ana's Live coach page holding a started session (the camera not yet on)."""
    first = page("live.py", login=ana(clinic))
    next(b for b in first.button if b.label == "Start session").click().run()
    live = first.session_state["live_session"]
    # A second AppTest holding the session (AppTest keeps the set-up widgets after a rerun).
    return page("live.py", login=ana(clinic), state={"live_session": live}), live


def toggle(at, label: str):
    return next(t for t in at.toggle if t.label == label)


def test_sharing_is_off_until_the_patient_turns_it_on_then_listed_for_her_clinician(
    clinic, store, webrtc_renders
):
    at, live = started(clinic)
    assert toggle(at, SHARE).value is False and not live.coach.shared
    assert store.shared_live_sessions(clinician_id=clinic["ann"]) == []
    toggle(at, SHARE).set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert live.coach.shared and store.is_shared_live(live.session_id)
    listing = page("live_sessions.py", login=ann(clinic))
    assert any(b.label.startswith("Watch Ana Patient") for b in listing.button)
    others = page(
        "live_sessions.py", login=Principal("clinician", "Bob", clinician_id=clinic["bob"])
    )
    assert not any(b.label.startswith("Watch") for b in others.button)


def test_turning_sharing_off_stops_the_stream_at_once(clinic, store, webrtc_renders):
    at, live = started(clinic)
    toggle(at, SHARE).set_value(True).run()
    watcher = room_bus().subscribe(state_topic(live.session_id))
    toggle(at, SHARE).set_value(False).run()
    assert watcher.poll() == [END_MESSAGE]
    assert not live.coach.shared and not store.is_shared_live(live.session_id)
    room_bus().unsubscribe(watcher)


def test_the_page_says_the_physiotherapist_is_watching_while_heartbeats_come(
    clinic, webrtc_renders
):
    at, live = started(clinic)
    toggle(at, SHARE).set_value(True).run()
    assert "Your physiotherapist is watching" not in everything_shown(at)
    room_bus().publish(control_topic(live.session_id), presence_message(room_bus()))
    room_bus().publish(control_topic(live.session_id), '{"type":"say","text":"Knees out"}')
    live.coach.process_poses([], 0.0, (640, 480))  # the frame loop polls between frames
    at.run()
    shown = everything_shown(at)
    assert "Your physiotherapist is watching" in shown
    assert "From your physiotherapist: Knees out" in shown


def test_the_watcher_is_shown_before_any_frame_comes(clinic, webrtc_renders):
    """Before the patient presses Start (no frame loop runs), the page still reads the
    watcher's heartbeat."""
    at, live = started(clinic)
    toggle(at, SHARE).set_value(True).run()
    room_bus().publish(control_topic(live.session_id), presence_message(room_bus()))
    at.run()
    assert live.coach.snapshot().frames == 0
    assert "Your physiotherapist is watching" in everything_shown(at)


def spoken(at) -> list[dict]:
    """What the server path's voice (the speaker component) is given to say."""
    args = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    (voice,) = [a for a in args if "utterances" in a]
    return voice["utterances"]


def test_on_the_server_path_the_message_is_spoken_once_per_message(clinic, webrtc_renders):
    at, live = started(clinic)
    toggle(at, camera.ON_DEVICE_LABEL).set_value(False).run()  # the server path
    toggle(at, SHARE).set_value(True).run()
    assert spoken(at) == []
    room_bus().publish(control_topic(live.session_id), '{"type":"say","text":"Knees out"}')
    at.run()
    assert spoken(at) == [{"id": "message-1", "text": "Knees out"}]
    at.run()  # the same message keeps its id: the component says it once
    assert spoken(at) == [{"id": "message-1", "text": "Knees out"}]
    room_bus().publish(control_topic(live.session_id), '{"type":"say","text":"Knees out"}')
    at.run()  # said again: a new message
    assert spoken(at) == [{"id": "message-2", "text": "Knees out"}]


def test_a_telehealth_plan_shares_the_session_from_the_start(clinic, store, webrtc_renders):
    plan = store.current_plan(clinic["ana"].patient_id)
    store.update_plan(plan.id, telehealth=True)
    _, live = started(clinic)
    assert live.coach.shared and store.is_shared_live(live.session_id)


def shared_session(clinic, store) -> int:
    session = store.start_session(
        "squat", patient_id=clinic["ana"].patient_id, pain_before=2, planned_sets=2, planned_reps=10
    )
    store.set_live_sharing(session, True)
    return session


def test_the_clinician_watches_sends_a_message_changes_the_target_and_saves_notes(clinic, store):
    session = shared_session(clinic, store)
    control = room_bus().subscribe(control_topic(session))
    at = page("live_sessions.py", login=ann(clinic), query={"watch": session})
    assert "Ana Patient" in everything_shown(at)
    (watch,) = at.get("component_instance")  # the watch component, with its token
    assert len(json.loads(watch.proto.json_args)["token"]) >= 40
    next(t for t in at.text_input if t.label.startswith("Message")).input("Slower down")
    next(b for b in at.button if b.label == "Send").click().run()
    assert not at.exception, [e.value for e in at.exception]
    reps = next(n for n in at.number_input if n.label.startswith("Target repetitions"))
    reps.set_value(6)
    next(b for b in at.button if b.label == "Change this session's target").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sent = [decode_control(m) for m in control.poll()]
    assert Say("Slower down") in sent and TargetChange(reps=6) in sent
    (change,) = store.target_changes(session)
    assert (change.target_reps, change.author, change.clinician_id) == (
        6,
        "Ann Physio",
        clinic["ann"],
    )
    next(t for t in at.text_area if t.label == "Notes on this session").input("Good control")
    next(b for b in at.button if b.label == "Save the notes").click().run()
    assert [c.body for c in store.comments(session)] == ["Good control"]
    room_bus().unsubscribe(control)


def test_for_a_hold_the_clinician_changes_the_hold_time(clinic, store):
    session = store.start_session(
        "plank", patient_id=clinic["ana"].patient_id, planned_sets=2, planned_hold_s=30
    )
    store.set_live_sharing(session, True)
    control = room_bus().subscribe(control_topic(session))
    at = page("live_sessions.py", login=ann(clinic), query={"watch": session})
    labels = [n.label for n in at.number_input]
    assert not any(label.startswith(("Target repetitions", "Range")) for label in labels)
    hold = next(n for n in at.number_input if n.label.startswith("Target hold time"))
    assert hold.value == 30
    hold.set_value(20.0)
    next(b for b in at.button if b.label == "Change this session's target").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [decode_control(m) for m in control.poll()] == [TargetChange(hold_s=20.0)]
    (change,) = store.target_changes(session)
    assert (change.target_hold_s, change.author) == (20.0, "Ann Physio")
    assert "20 s hold by Ann Physio" in everything_shown(at)
    hold = next(n for n in at.number_input if n.label.startswith("Target hold time"))
    assert hold.value == 20  # what the session now holds to
    room_bus().unsubscribe(control)


def test_another_clinician_is_refused_as_for_an_unseen_session_and_it_is_logged(
    clinic, store, caplog
):
    session = shared_session(clinic, store)
    caplog.set_level(logging.WARNING, logger="coach_ui.live_sessions")
    bob = Principal("clinician", "Bob Physio", clinician_id=clinic["bob"])
    at = page("live_sessions.py", login=bob, query={"watch": session})
    assert [e.value for e in at.error] == [f"no session {session} that you can see"]
    assert not at.get("component_instance")
    assert any(f"watching session {session}" in r.getMessage() for r in caplog.records)
    missing = page("live_sessions.py", login=bob, query={"watch": 99999})
    assert [e.value for e in missing.error] == ["no session 99999 that you can see"]


def test_a_patient_or_a_signed_out_visitor_cannot_open_the_page(clinic, store):
    session = shared_session(clinic, store)
    as_patient = page("live_sessions.py", login=ana(clinic), query={"watch": session})
    assert [e.value for e in as_patient.error] == ["This page is for your physiotherapist."]
    signed_out = page("live_sessions.py", query={"watch": session})
    assert not signed_out.get("component_instance") and "Ana Patient" not in everything_shown(
        signed_out
    )


def test_a_session_no_longer_shared_is_not_watched(clinic, store):
    session = shared_session(clinic, store)
    store.set_live_sharing(session, False)
    at = page("live_sessions.py", login=ann(clinic), query={"watch": session})
    assert any("not sharing" in w.value for w in at.warning)
    assert not at.get("component_instance")


def test_the_plan_editor_sets_a_plan_to_telehealth(clinic, store):
    from coach_ui.state import PATIENT_KEY

    patient = clinic["ana"].patient_id
    at = page("plan_editor.py", login=ann(clinic), state={PATIENT_KEY: patient})
    box = next(c for c in at.checkbox if c.label.startswith("Telehealth sessions"))
    assert box.value is False
    box.check()
    next(b for b in at.button if b.label == "Save the plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.current_plan(patient).telehealth


def test_finishing_a_shared_session_ends_the_stream_and_the_sharing(clinic, store, webrtc_renders):
    at, live = started(clinic)
    toggle(at, SHARE).set_value(True).run()
    watcher = room_bus().subscribe(state_topic(live.session_id))
    assert live.stop_counting() == 0
    assert watcher.poll() == [END_MESSAGE] and not store.is_shared_live(live.session_id)
    room_bus().unsubscribe(watcher)


def test_another_clinicians_session_in_the_address_is_refused_and_logged(clinic, store, caplog):
    session = shared_session(clinic, store)
    caplog.set_level(logging.WARNING, logger="coach_ui.pickers")
    bob = Principal("clinician", "Bob Physio", clinician_id=clinic["bob"])
    at = page("live_sessions.py", login=bob, query={"session": session})
    assert [e.value for e in at.error] == [f"no session {session} that you can see"]
    assert any("refused clinician 'Bob Physio'" in r.getMessage() for r in caplog.records)


def test_a_home_install_offers_no_sharing(store, webrtc_renders):
    """Home mode is one person at home, with the physio beside them when they visit: no one
    can watch from elsewhere, so the switch is not offered (nor the Live sessions page:
    tests/e2e/test_browser_deep_links.py reads the menu)."""
    first = page("live.py")
    next(b for b in first.button if b.label == "Start session").click().run()
    at = page("live.py", state={"live_session": first.session_state["live_session"]})
    assert any(b.label == "Finish and see my summary" for b in at.button)
    assert not any(t.label == SHARE for t in at.toggle)
