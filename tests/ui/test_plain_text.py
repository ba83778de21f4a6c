"""What people type (names, goals, notes, plan titles, the flare-up plan) shows exactly as
typed, never as Markdown: an image in a goal name would make every viewer's browser fetch
its address (issue 21)."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from coach.auth.access import Login, Principal
from coach.clinical.flare_up import FIELDS
from coach.core.markdown import literal
from coach_ui.state import LOGIN_KEY
from tests.conftest import ROOT
from tests.support.pages import as_read, page

IMAGE = "Ana ![x](http://evil.example/x.png)"  # the name: it must contain a letter
# The raw Markdown of an image or a link; escaped text never holds it.
FETCH = "](http"
ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error")
ELEMENTS += ("success", "toast")
WIDGETS = ("slider", "select_slider", "button", "text_input", "text_area", "checkbox", "radio")
WIDGETS += ("selectbox", "expander", "metric", "number_input", "toggle", "date_input")


def markdown_rendered(at: AppTest) -> list[str]:
    """The Markdown source of every element the page renders as Markdown: text elements and
    the labels of widgets (which render images too)."""
    sources = [str(e.value) for kind in ELEMENTS for e in at.get(kind)]
    sources += [str(getattr(w, "label", "")) for kind in WIDGETS for w in at.get(kind)]
    return sources


@pytest.fixture
def hostile(clinic, store, library):
    """Ana's name, goal, plan title and item notes, session notes, flare-up plan and a
    comment on her session (and its author's name) all hold a Markdown image."""
    ana = clinic["ana"]
    store.update_patient(ana.patient_id, name=IMAGE)
    store.add_goal(ana.patient_id, f"Walk {IMAGE}")
    store.update_plan(ana.plan_id, title=f"Plan {IMAGE}", notes=f"Plan notes {IMAGE}")
    item = store.get_plan_item(ana.squat_item)
    store.update_plan_item(item.id, _spec_with_notes(library, f"Notes {IMAGE}"))
    store.finish_session(ana.session_ids[-1], notes=f"Session {IMAGE}", pain_after=2)
    store.save_flare_up_plan(ana.plan_id, **{field: f"Do {IMAGE}" for field, _, _ in FIELDS})
    store.add_comment(ana.session_ids[-1], f"Comment {IMAGE}", author=f"Dr {IMAGE}")
    return ana


def _spec_with_notes(library, notes: str):
    from coach.store.prescriptions import PlanItemSpec

    return PlanItemSpec.from_exercise(library.get("squat"), reps=5, sets=1, notes=notes)


def ann(clinic) -> Principal:
    return Principal("clinician", "Ann Physio", clinician_id=clinic["ann"])


def ana(clinic) -> Principal:
    return Principal("patient", IMAGE, patient_id=clinic["ana"].patient_id)


CASES = {
    "progress (physio)": ("progress.py", ann, "patient"),
    "progress (patient)": ("progress.py", ana, None),
    "today": ("today.py", ana, None),
    "plan editor": ("plan_editor.py", ann, "patient"),
    "session": ("session.py", ann, "session"),
    "learn (physio)": ("learn.py", ann, "patient"),
    "patients": ("patients.py", ann, None),
    "signed in": ("login.py", ana, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_user_text_is_never_rendered_as_markdown(hostile, clinic, case):
    name, who, query = CASES[case]
    address = {"patient": hostile.patient_id, "session": hostile.session_ids[-1], None: None}
    at = page(name, login=who(clinic), query={query: address[query]} if query else None)
    rendered = markdown_rendered(at)
    leaks = [text for text in rendered if FETCH in text]
    assert not leaks, leaks
    shown = rendered + [t.value for t in at.text] + [d.value.to_string() for d in at.dataframe]
    assert any("evil" in text for text in shown), "the text is shown, escaped"


def test_the_sidebar_names_the_user_as_plain_text(hostile, clinic):
    at = AppTest.from_file(str(ROOT / "coach_ui" / "app.py"), default_timeout=60)
    now = datetime.now(UTC)
    at.session_state[LOGIN_KEY] = Login(ana(clinic), now, now)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.sidebar.caption]
    assert any("Signed in as" in c and "evil" in c for c in captions)
    assert not [c for c in captions if FETCH in c]


@pytest.mark.parametrize(
    "text",
    [
        IMAGE,
        "[link](http://evil.example)",
        "<img src=http://evil.example/x.png>",
        ":red[colour] :material/flag: $x^2$",
        "# heading\n- list\n> quote\n    code\n\n1. item",
        "back\\slash ` * _ { } ( ) # + - . ! | ~ &amp;",
        "",
    ],
)
def test_literal_escapes_every_mark_and_keeps_the_lines(text):
    shown = literal(text)
    assert FETCH not in shown
    # Every ASCII punctuation mark is escaped, and read back the escapes give the text.
    unescaped = re.sub(r"\\.", "", shown)
    assert not [c for c in unescaped if c in string.punctuation], shown
    assert as_read(shown).replace("  \n", "\n") == text
