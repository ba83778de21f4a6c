"""The project's own error and warning types.

Errors say what was wrong, where (file, key path) and how to fix it. Non-fatal
problems (low visibility, wrong camera view) are warnings of our own category so a
caller can filter or escalate them.
"""

from __future__ import annotations


class CoachError(Exception):
    """Base class for every error Form Coach raises on bad input."""


class DefinitionError(CoachError):
    """An exercise definition file is malformed; the message names file and key path."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{path}: {len(problems)} {noun} in exercise definition:\n{listed}")


class UnknownExerciseError(CoachError):
    """An exercise id that no definition file provides."""

    def __init__(self, exercise_id: str, known: list[str]) -> None:
        self.exercise_id = exercise_id
        self.known = known
        super().__init__(
            f"unknown exercise '{exercise_id}'; known exercises: {', '.join(known) or '(none)'}"
        )


class VideoError(CoachError):
    """A video file is missing, unreadable or not a video."""


class ModelError(CoachError):
    """The pose model could not be found, built or loaded."""


class CoachWarning(UserWarning):
    """A non-fatal problem with the input, with the fix in the message."""
