"""The store: everything Form Coach keeps, behind one class.

Pages, exports and the CLI use only the methods of `Store`; no SQL lives outside this
package. `Store` is assembled from one part per kind of record, each in its own module:
`base` (connection, migrations, transactions), `people`, `plans`, `sessions`, `goals`,
`assessments`, `self_care` (flare-up plans, posture checks, lessons read), `logins`
(failed sign-ins, for the back-off on guessing), `login_sessions` (who a browser's
sign-in cookie signs in), `replays` (each set's landmarks, packed by `landmarks`),
`comments` (the clinician's), `live_sharing` (sessions shared live, target changes) and
`user_settings` (a user's own choices, across tabs).
The tables are in `coach.store.schema`, the records handed out and the checks on what is
taken in are in `coach.store.records`. All queries are SQLAlchemy Core with bound parameters.
No images and no video are stored: numbers derived from landmarks and, unless the
patient turns it off, the patient's landmarks of each set.
"""

from __future__ import annotations

from coach.store.assessments import AssessmentStore
from coach.store.base import DATA_DIR_ENV, DATABASE_URL_ENV, default_database_url
from coach.store.comments import CommentStore
from coach.store.goals import GoalStore
from coach.store.live_sharing import LiveSharingStore
from coach.store.login_sessions import LoginSessionStore
from coach.store.logins import LoginFailureStore
from coach.store.people import PeopleStore
from coach.store.plans import PlanStore
from coach.store.records import StoreError, ValidationError
from coach.store.replays import ReplayStore
from coach.store.schema import metadata
from coach.store.self_care import SelfCareStore
from coach.store.sessions import SessionStore, SessionSummary
from coach.store.user_settings import UserSettingStore

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "SessionSummary",
    "Store",
    "StoreError",
    "ValidationError",
    "default_database_url",
    "metadata",
]


class Store(
    LoginSessionStore,
    LiveSharingStore,
    SessionStore,
    ReplayStore,
    CommentStore,
    PeopleStore,
    PlanStore,
    GoalStore,
    AssessmentStore,
    SelfCareStore,
    LoginFailureStore,
    UserSettingStore,
):
    """Everything Form Coach keeps, in one database. Safe to use from several threads.

    `clock` gives the time for new rows (tests pass a fixed one).
    """
