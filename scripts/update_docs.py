#!/usr/bin/env python3
"""Write the table of shipped exercises into docs/exercises.md (between its markers)."""

from __future__ import annotations

import sys
from pathlib import Path

from coach.cli import exercise_table
from coach.exercise.loader import ExerciseLibrary

DOC = Path(__file__).resolve().parents[1] / "docs" / "exercises.md"
START, END = "<!-- exercise-table:start -->", "<!-- exercise-table:end -->"


def with_table(text: str, table: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main() -> int:
    text = DOC.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{DOC}: the markers {START} and {END} are missing")
    DOC.write_text(with_table(text, exercise_table(ExerciseLibrary())))
    print(f"{DOC}: table of {len(ExerciseLibrary())} exercises written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
