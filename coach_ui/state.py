"""What a browser session keeps between runs of the pages, and the day it is.

The `st.session_state` keys the helpers, the pages and the tests share are named once
here, so they always agree. `today()` is the date on this computer's clock.
"""

from __future__ import annotations

from datetime import date, datetime

LOGIN_KEY = "form_coach_login"  # the signed-in user (coach.auth.access.Login), clinic mode
EXPIRED_KEY = "form_coach_login_expired"  # set when a login expired: the form says so
PATIENT_KEY = "form_coach_patient"  # the patient last chosen, kept across pages
SESSION_KEY = "form_coach_session"  # the session last chosen on the Session page
LIVE_ITEM_KEY = "form_coach_live_item"  # a plan item the Today page sends to Live coach
EXPORTS_KEY = "form_coach_exports"  # the prepared downloads, with what they were made for
FLASH_KEY = "form_coach_flash"  # a message kept for the next run (coach_ui.flash)
OWNER_KEY = "form_coach_owner"  # whose state this is (coach_ui.auth.claim_session_state)
REPLAYS_KEY = "form_coach_replays"  # the Session page's last set replays (session_review)


def today() -> date:
    """The date on this computer's clock, in its time zone."""
    return datetime.now().astimezone().date()
