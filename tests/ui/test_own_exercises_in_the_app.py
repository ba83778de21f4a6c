"""The app lists a physio's own definitions ($FORM_COACH_EXERCISES) beside the shipped ones."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from coach.exercise.loader import EXTRA_EXERCISES_ENV, ExerciseLibrary
from coach_ui import resources
from tests.conftest import ROOT

APP = ROOT / "coach_ui" / "views" / "analyse.py"
EXAMPLES = ROOT / "docs" / "examples" / "exercises"


@pytest.fixture
def own_exercises(monkeypatch):
    monkeypatch.setenv(EXTRA_EXERCISES_ENV, str(EXAMPLES))
    resources.load_library.clear()  # one library per server process: read it again
    yield
    resources.load_library.clear()


def test_the_analyse_page_offers_the_extra_exercises(own_exercises):
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    options = at.selectbox(key="exercise").options
    shipped = [e.name for e in ExerciseLibrary()]
    assert set(shipped) < set(options)
    assert {"Upright row", "Marching on the spot"} <= set(options)
    assert len(options) == len(shipped) + 5
