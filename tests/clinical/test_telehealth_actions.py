"""The watching physiotherapist's actions (coach.clinical.telehealth): only the patient's
own clinician, only while the session is shared; a target change is recorded as theirs
before it is sent. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from coach.auth.access import AccessDeniedError, Principal
from coach.clinical.telehealth import NotSharedError, change_target, send_message
from coach.runtime.room_bus import InProcessRoomBus
from coach.runtime.telehealth import ControlError, Say, TargetChange, control_topic, decode_control


@pytest.fixture
def clinic(store):
    ann, bob = store.add_clinician("Ann"), store.add_clinician("Bob")
    patient = store.add_patient("Pat", clinician_id=ann)
    session = store.start_session("squat", patient_id=patient, planned_sets=1, planned_reps=10)
    store.set_live_sharing(session, True)
    return {
        "ann": Principal("clinician", "Ann", clinician_id=ann),
        "bob": Principal("clinician", "Bob", clinician_id=bob),
        "pat": Principal("patient", "Pat", patient_id=patient),
        "session": session,
    }


def test_the_patients_clinician_sends_and_changes_the_target(store, clinic):
    bus = InProcessRoomBus()
    control = bus.subscribe(control_topic(clinic["session"]))
    send_message(store, bus, clinic["ann"], clinic["session"], "Knees out")
    change_target(store, bus, clinic["ann"], clinic["session"], reps=6, rom_target_deg=95.0)
    assert [decode_control(m) for m in control.poll()] == [
        Say("Knees out"),
        TargetChange(6, 95.0),
    ]
    (change,) = store.target_changes(clinic["session"])
    assert (change.author, change.target_reps, change.rom_target_deg) == ("Ann", 6, 95.0)


@pytest.mark.parametrize("who", ["bob", "pat"])
def test_anyone_else_is_refused_and_nothing_is_sent_or_kept(store, clinic, who):
    bus = InProcessRoomBus()
    control = bus.subscribe(control_topic(clinic["session"]))
    refusal = f"no session {clinic['session']} that you can see"
    with pytest.raises(AccessDeniedError, match=refusal):
        send_message(store, bus, clinic[who], clinic["session"], "Hello")
    with pytest.raises(AccessDeniedError, match=refusal):
        change_target(store, bus, clinic[who], clinic["session"], reps=6)
    with pytest.raises(AccessDeniedError, match="no session 999 that you can see"):
        send_message(store, bus, clinic[who], 999, "Hello")
    assert control.poll() == [] and store.target_changes(clinic["session"]) == []


def test_nothing_goes_to_a_session_no_longer_shared_or_out_of_bounds(store, clinic):
    bus = InProcessRoomBus()
    control = bus.subscribe(control_topic(clinic["session"]))
    with pytest.raises(ControlError):
        change_target(store, bus, clinic["ann"], clinic["session"])
    with pytest.raises(ControlError):
        send_message(store, bus, clinic["ann"], clinic["session"], "x" * 201)
    store.set_live_sharing(clinic["session"], False)
    with pytest.raises(NotSharedError):
        send_message(store, bus, clinic["ann"], clinic["session"], "Hello")
    assert control.poll() == [] and store.target_changes(clinic["session"]) == []


def test_a_hold_time_change_is_recorded_as_the_clinicians_and_sent(store, clinic):
    bus = InProcessRoomBus()
    control = bus.subscribe(control_topic(clinic["session"]))
    change_target(store, bus, clinic["ann"], clinic["session"], hold_s=20.0)
    assert [decode_control(m) for m in control.poll()] == [TargetChange(hold_s=20.0)]
    (change,) = store.target_changes(clinic["session"])
    assert (change.author, change.target_hold_s, change.target_reps) == ("Ann", 20.0, None)
    with pytest.raises(ControlError, match="hold time"):
        change_target(store, bus, clinic["ann"], clinic["session"], hold_s=1.0)
    assert control.poll() == [] and len(store.target_changes(clinic["session"])) == 1
