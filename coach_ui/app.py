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


def page(name: str, title: str, icon: str) -> st.Page:
    return st.Page(PAGES / name, title=title, icon=f":material/{icon}:")


def first_page(name: str, title: str, icon: str) -> list[st.Page]:
    """The user's first page, served at `/`, and again at its own address (`/patients`,
    `/today`), hidden from the menu: someone who types or bookmarks its name got
    Streamlit's "Page not found" before the main page. (Streamlit tells pages apart by
    their `url_path` even for the default page, which it serves at `/` whatever its
    `url_path`: the default gets one of its own so the two are not taken for one.)"""
    return [
        st.Page(
            PAGES / name, title=title, icon=f":material/{icon}:", url_path="start", default=True
        ),
        st.Page(PAGES / name, title=title, url_path=Path(name).stem, visibility="hidden"),
    ]


def coach_pages(*, first: str | None) -> list:
    """The patient's pages; `first` names the one served at `/` (None: another group's)."""
    pages = [
        ("home.py", "Start here", "home"),
        ("today.py", "Today", "checklist"),
        ("live.py", "Live coach", "videocam"),
        ("assessment.py", "Assessment", "straighten"),
        ("analyse.py", "Analyse a video", "movie"),
        ("library.py", "Exercise library", "menu_book"),
        ("posture.py", "Posture check", "chair"),
        ("learn.py", "Learn about pain", "school"),
        ("goals.py", "My goals", "flag"),
    ]
    return [
        made
        for name, title, icon in pages
        for made in (first_page(name, title, icon) if name == first else [page(name, title, icon)])
    ]


def physio_pages(*, first: bool = False, telehealth: bool = False) -> list:
    """The physio's pages; `telehealth`: with Live sessions, for a clinic server that
    patients reach from home (a home install has no one watching from elsewhere)."""
    patients = ("patients.py", "Patients", "groups")
    return [
        *(first_page(*patients) if first else [page(*patients)]),
        page("progress.py", "Patient progress", "monitoring"),
        page("session.py", "Session", "timeline"),
        page("plan_editor.py", "Plan editor", "edit_note"),
        *([page("live_sessions.py", "Live sessions", "sensors")] if telehealth else []),
    ]


def sign_in_at_every_address() -> list:
    """Signed out (clinic mode): the sign-in form, at its own address and at every page's
    (`/session`, `/today`, ...), so a bookmark or a typed link is not lost: the form sends
    the browser back to it once signed in (coach_ui/signin.py). No page itself runs."""
    login = st.Page(PAGES / "login.py", title="Sign in", icon=":material/login:", default=True)
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
        "Exercise": coach_pages(first="home.py"),
        PHYSIO_GROUP: physio_pages(),
    }
else:
    principal = auth.current_principal()  # None once a login expires
    if principal is None:
        pages = {"": sign_in_at_every_address()}
    elif principal.kind == "patient":
        pages = {
            "Exercise": coach_pages(first="today.py"),
            "Progress": [
                page("progress.py", "My progress", "monitoring"),
                page("session.py", "Session", "timeline"),
            ],
        }
    else:
        pages = {
            "Physio": physio_pages(first=True, telehealth=True),
            "Exercise": coach_pages(first=None),
        }
    auth.sign_out_button()
signed_out = mode == "clinic" and principal is None
st.navigation(pages, position="hidden" if signed_out else "sidebar").run()
