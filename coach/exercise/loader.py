"""Load exercise definition files (TOML) into validated, frozen `ExerciseDef` objects.

Every problem is reported with the file and the key path (`rules[2].cue`), all at once.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from coach.core.errors import DefinitionError, UnknownExerciseError
from coach.exercise.schema import ExerciseDef, reference_problems

# The shipped library: package data, installed with the package.
DEFAULT_EXERCISES_DIR = Path(str(resources.files("coach.exercise") / "definitions"))
# Folders of a physio's own definitions (os.pathsep between several), added to the library.
EXTRA_EXERCISES_ENV = "FORM_COACH_EXERCISES"


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


def _without(value: object, paths: list[tuple[str | int, ...]]) -> object:
    """A copy of parsed TOML data without the keys at `paths` (key paths as pydantic gives
    them); a path that leads nowhere is left alone."""
    if isinstance(value, dict):
        dropped = {path[0] for path in paths if len(path) == 1}
        return {
            key: _without(item, [path[1:] for path in paths if len(path) > 1 and path[0] == key])
            for key, item in value.items()
            if key not in dropped
        }
    if isinstance(value, list):
        return [
            _without(item, [path[1:] for path in paths if len(path) > 1 and path[0] == index])
            for index, item in enumerate(value)
        ]
    return value


def _problems(data: dict, error: ValidationError) -> list[str]:
    """Every problem of data the schema refused with `error`. A table with an unknown key
    is refused before its own checks run (a target on the wrong side of the turn, a rule
    naming no measure): those are found on the data without the unknown keys, so one run
    of `coach validate` lists them all, not one layer at a time."""
    errors = error.errors()
    problems = [_describe(e) for e in errors]
    unknown = [tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    if not unknown:
        return problems
    trimmed = _without(data, unknown)
    assert isinstance(trimmed, dict)
    try:
        definition = ExerciseDef.model_validate(trimmed)
    except ValidationError as again:
        more = _problems(trimmed, again)
    else:
        more = [f"{where}: {message}" for where, message in reference_problems(definition)]
    return problems + [problem for problem in more if problem not in problems]


def parse_definition(data: dict, source: str) -> ExerciseDef:
    """Validate parsed TOML data; raise DefinitionError listing every problem."""
    absurd = list(_absurd_numbers(data))
    try:
        definition = ExerciseDef.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(source, absurd + _problems(data, exc)) from None
    if absurd:
        raise DefinitionError(source, absurd)
    problems = reference_problems(definition)
    if problems:
        raise DefinitionError(source, [f"{where}: {message}" for where, message in problems])
    return definition


TOO_DEEP = "arrays or tables are nested too deeply to be an exercise definition"


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
    except RecursionError:
        raise DefinitionError(str(path), [TOO_DEEP]) from None
    named = data.get("id")
    misnamed = (
        [
            f"id: '{named}' must match the file name; rename the file to {named}.toml or "
            f'set id = "{path.stem}"'
        ]
        if isinstance(named, str) and named != path.stem
        else []
    )
    try:
        definition = parse_definition(data, str(path))
    except DefinitionError as exc:
        raise DefinitionError(str(path), misnamed + exc.problems) from None
    except RecursionError:
        raise DefinitionError(str(path), [TOO_DEEP]) from None
    if misnamed:
        raise DefinitionError(str(path), misnamed)
    return definition


def extra_folders_from_environment() -> list[Path]:
    """The folders named by $FORM_COACH_EXERCISES (none when it is unset or empty)."""
    value = os.environ.get(EXTRA_EXERCISES_ENV, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


def _load_folder(folder: Path, what: str) -> dict[str, tuple[ExerciseDef, Path]]:
    if not folder.is_dir():
        raise DefinitionError(str(folder), [f"{what} does not exist"])
    return {d.id: (d, p) for p in sorted(folder.glob("*.toml")) for d in [load_definition(p)]}


class ExerciseLibrary:
    """The definitions in one folder, plus those of `extra` folders (a physio's own), all
    loaded and validated up front. An extra definition never replaces another: two files
    with one id are a `DefinitionError` naming both."""

    def __init__(
        self, folder: str | Path = DEFAULT_EXERCISES_DIR, extra: Sequence[str | Path] = ()
    ) -> None:
        self.folder = Path(folder)
        found = _load_folder(self.folder, "exercise folder")
        for extra_folder in map(Path, extra):
            for exercise_id, (definition, path) in _load_folder(
                extra_folder, f"extra exercise folder (${EXTRA_EXERCISES_ENV})"
            ).items():
                if exercise_id in found:
                    raise DefinitionError(
                        str(path),
                        [
                            f"id: '{exercise_id}' is already defined by {found[exercise_id][1]}; "
                            "an extra definition adds to the library and cannot replace one: "
                            "give it another id (and file name)"
                        ],
                    )
                found[exercise_id] = (definition, path)
        self._definitions = {exercise_id: d for exercise_id, (d, _) in found.items()}
        self._paths = {exercise_id: path for exercise_id, (_, path) in found.items()}

    @classmethod
    def from_environment(cls, folder: str | Path = DEFAULT_EXERCISES_DIR) -> ExerciseLibrary:
        """The library of `folder` with the folders named by $FORM_COACH_EXERCISES added:
        what the `coach` command and the app use."""
        return cls(folder, extra_folders_from_environment())

    def ids(self) -> list[str]:
        return sorted(self._definitions)

    def get(self, exercise_id: str) -> ExerciseDef:
        try:
            return self._definitions[exercise_id]
        except KeyError:
            raise UnknownExerciseError(exercise_id, self.ids()) from None

    def path_of(self, exercise_id: str) -> Path:
        """The file an exercise was read from."""
        self.get(exercise_id)
        return self._paths[exercise_id]

    def resolve(self, id_or_file: str | Path) -> ExerciseDef:
        """An exercise named by its id, or read from a definition file (a name ending in
        .toml, or a path to a file that exists): a file need not be in the library.
        Raises UnknownExerciseError or DefinitionError."""
        text = str(id_or_file)
        if text.endswith(".toml") or os.sep in text or Path(text).is_file():
            return load_definition(text)
        return self.get(text)

    def __contains__(self, exercise_id: str) -> bool:
        return exercise_id in self._definitions

    def __iter__(self) -> Iterator[ExerciseDef]:
        return iter(self._definitions[i] for i in self.ids())

    def __len__(self) -> int:
        return len(self._definitions)
