#!/usr/bin/env python3
"""Write the generated parts of docs/exercises.md between their markers: the table of
shipped exercises (from the definition files) and the landmark names a definition may use
(from coach/core/landmarks.py), so neither can drift from the code."""

from __future__ import annotations

import sys
from pathlib import Path

from coach.cli import exercise_table
from coach.core import landmarks
from coach.exercise.loader import ExerciseLibrary

DOC = Path(__file__).resolve().parents[1] / "docs" / "exercises.md"
START, END = "<!-- exercise-table:start -->", "<!-- exercise-table:end -->"
NAMES_START, NAMES_END = "<!-- landmark-names:start -->", "<!-- landmark-names:end -->"


def _codes(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def landmark_names() -> str:
    """Every landmark name a definition may use, by kind, as Markdown."""
    sided = sorted(landmarks.SIDED_NAMES)
    midpoints = [
        f"`{name}` ({left} and {right})" for name, (left, right) in landmarks.MIDPOINT_NAMES.items()
    ]
    return "\n".join(
        [
            "| kind | names |",
            "| --- | --- |",
            f"| BlazePose landmarks ({landmarks.NUM_LANDMARKS}, in the model's order) | "
            f"{_codes(list(landmarks.LANDMARK_NAMES))} |",
            f"| side-less: measured on each side (`knee` is `left_knee` on the left) | "
            f"{_codes(sided)} |",
            "| the same landmark on the other side (`other_knee` is `right_knee` when "
            f"`knee` is `left_knee`) | {_codes(sorted(landmarks.OTHER_NAMES))} |",
            f"| midpoints of a left/right pair (never sided) | {', '.join(midpoints)} |",
        ]
    )


def with_table(text: str, table: str, start: str = START, end: str = END) -> str:
    """The text with `table` between its `start` and `end` markers."""
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{table}\n{end}{tail}"


def main() -> int:
    text = DOC.read_text()
    for start, end in ((START, END), (NAMES_START, NAMES_END)):
        if start not in text or end not in text:
            raise SystemExit(f"{DOC}: the markers {start} and {end} are missing")
    text = with_table(text, exercise_table(ExerciseLibrary()))
    DOC.write_text(with_table(text, landmark_names(), NAMES_START, NAMES_END))
    print(f"{DOC}: table of {len(ExerciseLibrary())} exercises and the landmark names written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
