"""The documentation says what the code does: the exercise table matches the files."""

from __future__ import annotations

from coach.cli import exercise_table
from scripts.update_docs import DOC, END, START


def test_exercise_table_in_the_docs_matches_the_definitions(library):
    text = DOC.read_text()
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == exercise_table(library), "run `make docs` to regenerate docs/exercises.md"
