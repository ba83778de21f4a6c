"""Telehealth's rooms in the app: the one room bus of this app process, and the watch
tokens that attach a clinician's watch socket (coach_ui/watch_socket.py) to the Live
sessions page that opened it.

`room_bus()` is the only place the app gets its bus: the patient's frame loop publishes to
it (coach.runtime.telehealth.Telecast), the watch socket and the Live sessions page use
it. It follows the store (`room_bus_for` on the store's URL): in-process for SQLite (a
home install is one app server), over PostgreSQL LISTEN/NOTIFY when the store is
PostgreSQL, so app processes sharing that database share rooms (docs/rooms.md).

A watch token is the landmark stream's token machinery (coach_ui/live_stream.py: single
use, 60 s, only its SHA-256 kept, bound to this Streamlit session's `StreamOwner`) on a
registry of its own, bound to a `Watch`: the session watched and who watches, kept in the
page's session state (the registry holds it weakly: leaving the page ends the watch).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import streamlit as st

from coach.auth.access import Principal
from coach.runtime.room_bus import RoomBus, room_bus_for
from coach.store import default_database_url
from coach_ui.live_stream import StreamRegistry, session_owner

WATCH_KEY = "live_watch"


@functools.cache
def room_bus() -> RoomBus:
    """This app process's room bus, made on first use and kept for the process (the
    rooms of every session ride on it; none holds another's messages): the one for the
    store's database (`FORM_COACH_DATABASE_URL`, else the SQLite file)."""
    return room_bus_for(default_database_url())


@dataclass(eq=False)
class Watch:
    """One clinician's watch of one shared session, owned by their page's session state."""

    session_id: int
    patient_id: int
    principal: Principal


WATCHES: StreamRegistry[Watch] = StreamRegistry()  # the app's watch tokens


def watch_token(watch: Watch) -> str:
    """A single-use token (valid 60 s) that attaches one WebSocket on `WATCH_PATH` to
    `watch`, for this Streamlit session. The page must keep `watch` (in its session
    state) for as long as the watch should last."""
    return WATCHES.issue(watch, patient_id=watch.patient_id, owner=session_owner())


def end_watch(watch: Watch) -> None:
    """End the socket watching through `watch` (the clinician left the session)."""
    WATCHES.end_streams(watch)


def current_watch() -> Watch | None:
    """The watch this browser session holds, if any."""
    watch = st.session_state.get(WATCH_KEY)
    return watch if isinstance(watch, Watch) else None
