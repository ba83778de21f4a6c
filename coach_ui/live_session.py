"""One patient's session on the Live coach page, and how it ends when the patient never
presses Finish or Discard.

A tab closed, a browser gone, a sign-out or the server stopping all leave a session under
way. Its reps are already saved as they are counted; what is left is to end the record as
a physio would want it (coach.store.sessions.SessionStore.end_unfinished_session): kept and
marked "ended without finishing" when something was done, removed when nothing was. That
happens when the page's state is forgotten (`close`: sign-out, another user in the tab),
when Streamlit drops the browser session's state (a weakref finalizer on the object held in
`st.session_state`), or at the latest when the server exits; the sessions of a server that
was killed are ended by the next one (`coach_ui.resources.end_leftover_sessions`).
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field

from coach.core.errors import CoachError
from coach.runtime.live import LiveCoach
from coach.runtime.telehealth import Telecast
from coach.store import Store
from coach_ui.live_stream import end_streams
from coach_ui.rooms import room_bus

log = logging.getLogger("coach_ui.live")


def end_unfinished(store: Store, session_id: int) -> None:
    """End `session_id` if it is still under way (kept with its reps, or removed when
    nothing was done), logging what happened; a database error is logged, not raised
    (this runs when a session's state is dropped, where nobody can be told)."""
    try:
        outcome = store.end_unfinished_session(session_id)
    except CoachError as exc:
        log.error("session %d was left unfinished and could not be ended: %s", session_id, exc)
        return
    if outcome != "open":
        log.info("session %d was left without Finish: %s", session_id, outcome)


@dataclass(eq=False)
class LiveSession:
    """The coach and its session row in the store; ended as unfinished if it is dropped
    before the patient finishes or discards it."""

    coach: LiveCoach
    session_id: int
    exercise_id: str
    store: Store
    finished: bool = False
    _end: weakref.finalize = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The finalizer holds the store and the id, never this object, and talks only to
        # the store: it may run on whichever thread collects the object.
        self._end = weakref.finalize(self, end_unfinished, self.store, self.session_id)

    def stop_counting(self) -> int:
        """Nothing more is counted: sharing stops (watchers close), the browser's
        landmark stream ends (no frame may count into the set being closed), the set under
        way is saved with what it holds and what the recorder refused is tried once more.
        Returns how many reps are finally lost (0: everything is saved)."""
        if self.coach.shared:
            self.coach.stop_sharing()
            try:  # the store agrees, for every app process's list of who exercises now
                self.store.set_live_sharing(self.session_id, False)
            except CoachError as exc:  # logged: this may run where nobody can be told
                log.error("session %d: sharing could not be ended: %s", self.session_id, exc)
        end_streams(self.coach)
        self.coach.finish()
        return self.coach.save_pending()

    def share(self, shared: bool, *, pain: int | None = None) -> None:
        """Share the session live with the patient's physiotherapist (`pain`: what the
        patient entered, shown to the watcher), or stop at once: the store says so first
        (any app process lists it), then the frames go out, or the end message does.
        Raises CoachError when the store cannot be written (nothing changed then)."""
        self.store.set_live_sharing(self.session_id, shared)
        if shared and not self.coach.shared:
            self.coach.share(Telecast(room_bus(), self.session_id, pain=pain))
        elif not shared:
            self.coach.stop_sharing()

    def close(self) -> None:
        """The page's state is forgotten (sign-out, another user): counting stops
        (`stop_counting`), the session is ended as unfinished unless it was finished or
        discarded, and the pose model released."""
        self.stop_counting()
        self._end()
        self.coach.close()
