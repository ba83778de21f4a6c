"""Fixtures of the AppTests of the pages: a fresh store, the clinic of Ann, Bob and their
patients, and a webrtc component that renders outside a browser. The helpers that open a
page and read it are in tests/support/pages.py."""

from __future__ import annotations

import pytest

from coach_ui import resources
from tests.support.store_data import seed_patient


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh database for the pages (the store is a process-wide cached resource)."""
    monkeypatch.setenv("FORM_COACH_DATABASE_URL", f"sqlite:///{tmp_path / 'coach.db'}")
    monkeypatch.delenv("FORM_COACH_MODE", raising=False)
    resources.open_store.clear()
    yield resources.open_store()
    resources.open_store.clear()


@pytest.fixture
def clinic(store, library, monkeypatch):
    """Clinic mode: clinician Ann with patients Ana (login ana.p) and Ben; clinician Bob with
    patient Cy. Each patient has sessions."""
    monkeypatch.setenv("FORM_COACH_MODE", "clinic")
    ann, bob = store.add_clinician("Ann Physio"), store.add_clinician("Bob Physio")
    store.add_account("ann", "ann's long password", clinician_id=ann)
    ana = seed_patient(store, library, name="Ana Patient", clinician_id=ann)
    store.add_account("ana.p", "ana's long password", patient_id=ana.patient_id)
    ben = seed_patient(store, library, name="Ben Patient", clinician_id=ann, days=2)
    cy = seed_patient(store, library, name="Cy Patient", clinician_id=bob, days=2)
    return {"ann": ann, "bob": bob, "ana": ana, "ben": ben, "cy": cy}


@pytest.fixture
def webrtc_renders(monkeypatch):
    import streamlit_webrtc.component as component

    monkeypatch.setattr(component, "get_this_session_info", lambda: None)
