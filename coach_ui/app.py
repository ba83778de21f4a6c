"""Form Coach: the Streamlit entry point (`make run`). It only sets up the page and routes.

Home mode (the default) opens every page without a login. Clinic mode
(FORM_COACH_MODE=clinic) shows only the sign-in page until someone signs in, then the pages
for a clinician or for a patient. Each page checks the user again itself (coach_ui/auth.py),
so a page reached by its address is no way around the login.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coach.auth.access import current_mode
from coach_ui import auth, resources
from coach_ui.resources import or_stop

PAGES = Path(__file__).parent / "views"
PHYSIO_GROUP = "For your physiotherapist"

st.set_page_config(page_title="Form Coach", layout="wide")


def page(name: str, title: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(PAGES / name, title=title, icon=f":material/{icon}:", default=default)


def coach_pages(*, default_home: bool) -> list:
    return [
        page("home.py", "Start here", "home", default=default_home),
        page("today.py", "Today", "checklist"),
        page("live.py", "Live coach", "videocam"),
        page("assessment.py", "Assessment", "straighten"),
        page("analyse.py", "Analyse a video", "movie"),
        page("library.py", "Exercise library", "menu_book"),
        page("posture.py", "Posture check", "chair"),
        page("learn.py", "Learn about pain", "school"),
        page("goals.py", "My goals", "flag"),
    ]


def physio_pages(*, default_patients: bool = False) -> list:
    return [
        page("patients.py", "Patients", "groups", default=default_patients),
        page("progress.py", "Patient progress", "monitoring"),
        page("session.py", "Session", "timeline"),
        page("plan_editor.py", "Plan editor", "edit_note"),
        page("live_sessions.py", "Live sessions", "sensors"),
    ]


def sign_in_at_every_address() -> list:
    """Signed out (clinic mode): the sign-in form, at its own address and at every page's
    (`/session`, `/today`, ...), so a bookmark or a typed link is not lost: the form sends
    the browser back to it once signed in (coach_ui/signin.py). No page itself runs."""
    login = page("login.py", "Sign in", "login", default=True)
    others = sorted(p.stem for p in PAGES.glob("*.py") if p.stem != "login")
    return [login] + [
        st.Page(PAGES / "login.py", title="Sign in", icon=":material/login:", url_path=stem)
        for stem in others
    ]


resources.remove_leftovers()
or_stop(resources.end_leftover_sessions)
mode = or_stop(current_mode)
if mode == "home":
    # One person at home is both patient and, when the physio visits, the physio's
    # screen: the physio's dense pages are kept apart, under their name.
    pages: dict[str, list] = {
        "Exercise": coach_pages(default_home=True),
        PHYSIO_GROUP: physio_pages(),
    }
else:
    principal = auth.current_principal()  # None once a login expires
    if principal is None:
        pages = {"": sign_in_at_every_address()}
    elif principal.kind == "patient":
        mine = coach_pages(default_home=False)
        mine[1] = page("today.py", "Today", "checklist", default=True)
        pages = {
            "Exercise": mine,
            "Progress": [
                page("progress.py", "My progress", "monitoring"),
                page("session.py", "Session", "timeline"),
            ],
        }
    else:
        pages = {
            "Physio": physio_pages(default_patients=True),
            "Exercise": coach_pages(default_home=False),
        }
    auth.sign_out_button()
signed_out = mode == "clinic" and principal is None
st.navigation(pages, position="hidden" if signed_out else "sidebar").run()
