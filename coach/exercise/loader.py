"""Load exercise definition files (TOML) into validated, frozen `ExerciseDef` objects.

Every problem is reported with the file and the key path (`rules[2].cue`), all at once.
"""

from __future__ import annotations

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


def parse_definition(data: dict, source: str) -> ExerciseDef:
    """Validate parsed TOML data; raise DefinitionError listing every problem."""
    try:
        definition = ExerciseDef.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(source, [_describe(e) for e in exc.errors()]) from None
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
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(str(path), [f"not valid TOML: {exc}"]) from None
    definition = parse_definition(data, str(path))
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
