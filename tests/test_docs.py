"""The documentation says what the code does: the exercise table matches the files and the
landmark names match coach/core/landmarks.py."""

from __future__ import annotations

from coach.cli import exercise_table
from coach.core import landmarks
from scripts.update_docs import DOC, END, NAMES_END, NAMES_START, START, landmark_names


def test_exercise_table_in_the_docs_matches_the_definitions(library):
    text = DOC.read_text()
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == exercise_table(library), "run `make docs` to regenerate docs/exercises.md"


def test_landmark_names_in_the_docs_match_the_code():
    text = DOC.read_text()
    names = text.split(NAMES_START, 1)[1].split(NAMES_END, 1)[0].strip()
    assert names == landmark_names(), "run `make docs` to regenerate docs/exercises.md"


def test_the_landmark_names_list_every_name_a_definition_may_use():
    listed = landmark_names()
    missing = [name for name in landmarks.known_names() if f"`{name}`" not in listed]
    assert missing == []
