"""A physio's own definitions: a file named on the command line, a folder of extra ones
added to the shipped library ($FORM_COACH_EXERCISES), and the checks an author meets."""

from __future__ import annotations

import os
import re

import pytest

from coach.core.errors import DefinitionError, UnknownExerciseError
from coach.exercise.loader import (
    DEFAULT_EXERCISES_DIR,
    EXTRA_EXERCISES_ENV,
    ExerciseLibrary,
    extra_folders_from_environment,
    load_definition,
)
from tests.support.definitions import VALID, edited, problems_of, write


def test_an_extra_folder_adds_to_the_shipped_library(tmp_path):
    write(tmp_path, VALID)
    shipped = ExerciseLibrary()
    library = ExerciseLibrary(extra=[tmp_path])
    assert library.ids() == sorted([*shipped.ids(), "mini_squat"])
    assert library.path_of("mini_squat") == tmp_path / "mini_squat.toml"
    assert library.path_of("squat") == DEFAULT_EXERCISES_DIR / "squat.toml"


def test_an_extra_definition_cannot_replace_a_shipped_one(tmp_path):
    write(tmp_path, VALID.replace('id = "mini_squat"', 'id = "squat"'), stem="squat")
    with pytest.raises(DefinitionError) as info:
        ExerciseLibrary(extra=[tmp_path])
    message = str(info.value)
    assert str(tmp_path / "squat.toml") in message  # the extra file
    assert str(DEFAULT_EXERCISES_DIR / "squat.toml") in message  # and the one it clashes with
    assert "another id" in message


def test_two_extra_folders_clashing_name_both_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    write(first, VALID), write(second, VALID)
    with pytest.raises(DefinitionError) as info:
        ExerciseLibrary(extra=[first, second])
    assert str(first / "mini_squat.toml") in str(info.value)
    assert str(second / "mini_squat.toml") in str(info.value)


def test_a_missing_extra_folder_names_the_variable(tmp_path):
    with pytest.raises(DefinitionError, match=re.escape(f"${EXTRA_EXERCISES_ENV}")):
        ExerciseLibrary(extra=[tmp_path / "nowhere"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("/defs", ["/defs"]),
        (f"/a{os.pathsep}/b", ["/a", "/b"]),
        (f"/a{os.pathsep}{os.pathsep}", ["/a"]),
    ],
)
def test_the_environment_names_the_extra_folders(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(EXTRA_EXERCISES_ENV, raising=False)
    else:
        monkeypatch.setenv(EXTRA_EXERCISES_ENV, value)
    assert [str(p) for p in extra_folders_from_environment()] == expected


def test_from_environment_adds_the_folder(monkeypatch, tmp_path):
    write(tmp_path, VALID)
    monkeypatch.setenv(EXTRA_EXERCISES_ENV, str(tmp_path))
    assert "mini_squat" in ExerciseLibrary.from_environment()
    monkeypatch.delenv(EXTRA_EXERCISES_ENV)
    assert "mini_squat" not in ExerciseLibrary.from_environment()


@pytest.mark.parametrize("form", ["path", "relative_name"])
def test_resolve_takes_an_id_or_a_file(tmp_path, monkeypatch, form):
    path = write(tmp_path, VALID)
    library = ExerciseLibrary()
    assert library.resolve("squat").id == "squat"
    if form == "relative_name":
        monkeypatch.chdir(tmp_path)
        path = path.relative_to(tmp_path)
    assert library.resolve(str(path)).id == "mini_squat"
    assert "mini_squat" not in library  # a file is used, not added


@pytest.mark.parametrize(
    ("name", "error"),
    [("moonwalk", UnknownExerciseError), ("nowhere/moonwalk.toml", DefinitionError)],
)
def test_resolve_errors_say_which(name, error):
    with pytest.raises(error, match="moonwalk"):
        ExerciseLibrary().resolve(name)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # Rising driver: a target below the turn is met by every counted rep.
        (
            'turn = { name = "bottom", above = 60 }',
            'turn = { name = "bottom", above = 60 }\ntarget = 50',
            "target (50) must be at least turn.above (60)",
        ),
        # Falling driver: a target above the turn likewise.
        (
            'start = { name = "standing", below = 35 }\nturn = { name = "bottom", above = 60 }',
            'start = { name = "standing", above = 60 }\nturn = { name = "bottom", below = 35 }'
            "\ntarget = 40",
            "target (40) must be at most turn.below (35)",
        ),
    ],
    ids=["rising", "falling"],
)
def test_a_target_on_the_wrong_side_of_the_turn_is_an_error(tmp_path, old, new, message):
    (problem,) = problems_of(write(tmp_path, edited(old, new)))
    assert problem.startswith("reps: ") and message in problem


@pytest.mark.parametrize("target", [60, 90])
def test_a_target_at_or_past_the_turn_is_fine(tmp_path, target):
    text = edited("above = 60 }", f"above = 60 }}\ntarget = {target}")
    assert load_definition(write(tmp_path, text)).reps.target == target


def test_a_wrong_id_is_listed_with_every_other_problem(tmp_path):
    text = edited('["hip", "knee", "ankle"]', '["hip", "Lknee", "ankle"]')
    text = text.replace(
        'turn = { name = "bottom", above = 60 }',
        'turn = { name = "bottom", above = 60 }\ntarget = 40',
    )
    problems = problems_of(write(tmp_path, text, stem="other_name"))
    assert len(problems) == 3, problems
    assert problems[0].startswith("id: 'mini_squat' must match the file name")
    assert any("Lknee" in p for p in problems)
    assert any("target (40)" in p for p in problems)
