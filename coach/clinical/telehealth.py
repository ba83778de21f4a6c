"""The physiotherapist's actions on a session they watch live: a short message to the
patient's page, and a change of this session's target (recorded as theirs in the store).
Each checks first that this user may watch the session (the patient's own clinician:
coach.auth.access.require_watcher) and that it is shared live now, then publishes on the
session's control room (coach.runtime.telehealth), which the patient's frame loop reads
between frames. Notes on the session are the session comments (coach.reports.review)."""

from __future__ import annotations

from coach.auth.access import Principal, require_watcher
from coach.core.errors import CoachError
from coach.runtime.room_bus import RoomBus
from coach.runtime.telehealth import TargetChange, control_topic, encode_control, say_message
from coach.store import Store


class NotSharedError(CoachError):
    """The session is not shared live now (the patient stopped, or it ended)."""


def check_watcher(store: Store, principal: Principal, session_id: int) -> int:
    """The session's patient id, once this user may watch it and it is shared live.
    Raises AccessDeniedError (the same words as for a session the user cannot see) or
    NotSharedError."""
    patient_id = require_watcher(store, principal, session_id)
    if not store.is_shared_live(session_id):
        raise NotSharedError(f"the patient is not sharing session {session_id} now")
    return patient_id


def send_message(
    store: Store, bus: RoomBus, principal: Principal, session_id: int, text: str
) -> None:
    """Send `text` to the patient's page (shown, and spoken when the page speaks). Raises
    AccessDeniedError, NotSharedError, or ControlError for empty or over-long text."""
    message = say_message(text)  # checked before anything else is asked
    check_watcher(store, principal, session_id)
    bus.publish(control_topic(session_id), message)


def change_target(
    store: Store,
    bus: RoomBus,
    principal: Principal,
    session_id: int,
    *,
    reps: int | None = None,
    rom_target_deg: float | None = None,
    hold_s: float | None = None,
) -> int:
    """Change this session's target reps per set and/or range-of-motion target from the
    patient's next rep, or a hold exercise's seconds per hold from the next hold:
    recorded in the store as this clinician's change, then sent. Returns the change's id.
    Raises AccessDeniedError, NotSharedError, ControlError or ValidationError for values
    out of range."""
    message = encode_control(TargetChange(reps, rom_target_deg, hold_s))
    check_watcher(store, principal, session_id)
    change_id = store.record_target_change(
        session_id,
        author=principal.name,
        clinician_id=principal.clinician_id,
        target_reps=reps,
        rom_target_deg=rom_target_deg,
        target_hold_s=hold_s,
    )
    bus.publish(control_topic(session_id), message)
    return change_id
