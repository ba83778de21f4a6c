"""Load exercise definition files (TOML) into validated, frozen `ExerciseDef` objects.

Every problem is reported with the file and the key path (`rules[2].cue`), all at once.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from coach.core.errors import DefinitionError, UnknownExerciseError
from coach.exercise.schema import ExerciseDef, reference_problems

# The shipped library: package data, installed with the package.
DEFAULT_EXERCISES_DIR = Path(str(resources.files("coach.exercise") / "definitions"))


def _key_path(location: tuple[str | int, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _describe(error: ErrorDetails) -> str:
    location = _key_path(tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"{location}: unknown key; remove it or check its spelling"
    if error["type"] == "missing":
        return f"{location}: required key is missing"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] in {"literal_error", "enum"}:
        return f"{location}: {message}, got {error['input']!r}"
    return f"{location}: {message}"


# No measure, threshold, time or dose of an exercise comes near this: a number beyond it is
# a typo (1e29 for 129) that would make a rule or a phase unreachable.
LARGEST_NUMBER = 1e6


def _absurd_numbers(value: object, location: tuple[str | int, ...] = ()) -> Iterator[str]:
    """A problem for each number in the parsed TOML larger than LARGEST_NUMBER, by key path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _absurd_numbers(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _absurd_numbers(item, (*location, index))
    elif (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)  # nan and inf: the schema refuses them
        and abs(value) > LARGEST_NUMBER
    ):
        yield f"{_key_path(location)}: {value:g} is far beyond any sensible value"


def parse_definition(data: dict, source: str) -> ExerciseDef:
    """Validate parsed TOML data; raise DefinitionError listing every problem."""
    absurd = list(_absurd_numbers(data))
    try:
        definition = ExerciseDef.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(source, absurd + [_describe(e) for e in exc.errors()]) from None
    if absurd:
        raise DefinitionError(source, absurd)
    problems = reference_problems(definition)
    if problems:
        raise DefinitionError(source, [f"{where}: {message}" for where, message in problems])
    return definition


def load_definition(path: str | Path) -> ExerciseDef:
    """Read and validate one definition file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(str(path), ["file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), [f"cannot read the file: {exc}"]) from None
    try:
        data = tomllib.loads(text)
        definition = parse_definition(data, str(path))
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(str(path), [f"not valid TOML: {exc}"]) from None
    except RecursionError:
        raise DefinitionError(
            str(path), ["arrays or tables are nested too deeply to be an exercise definition"]
        ) from None
    if definition.id != path.stem:
        raise DefinitionError(
            str(path),
            [
                f"id: '{definition.id}' must match the file name; rename the file to "
                f'{definition.id}.toml or set id = "{path.stem}"'
            ],
        )
    return definition


class ExerciseLibrary:
    """The definitions in one folder, loaded and validated up front."""

    def __init__(self, folder: str | Path = DEFAULT_EXERCISES_DIR) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise DefinitionError(str(self.folder), ["exercise folder does not exist"])
        self._definitions = {
            d.id: d for d in (load_definition(p) for p in sorted(self.folder.glob("*.toml")))
        }

    def ids(self) -> list[str]:
        return sorted(self._definitions)

    def get(self, exercise_id: str) -> ExerciseDef:
        try:
            return self._definitions[exercise_id]
        except KeyError:
            raise UnknownExerciseError(exercise_id, self.ids()) from None

    def __contains__(self, exercise_id: str) -> bool:
        return exercise_id in self._definitions

    def __iter__(self) -> Iterator[ExerciseDef]:
        return iter(self._definitions[i] for i in self.ids())

    def __len__(self) -> int:
        return len(self._definitions)
