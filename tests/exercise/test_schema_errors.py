"""Exercise definition errors: one mistake per test, each named by file and key path."""

from __future__ import annotations

import re
import tomllib

import pytest

from coach.core.errors import DefinitionError, UnknownExerciseError
from coach.exercise.loader import (
    DEFAULT_EXERCISES_DIR,
    ExerciseLibrary,
    load_definition,
    parse_definition,
)
from coach.exercise.schema import ExerciseDef, RuleDef
from tests.support.definitions import VALID, edited, problems_of, write


def test_the_base_definition_is_valid(tmp_path):
    definition = load_definition(write(tmp_path, VALID))
    assert isinstance(definition, ExerciseDef)
    assert definition.id == "mini_squat"
    assert definition.reps is not None
    assert definition.reps.rising
    assert definition.measures == ["knee_flexion", "trunk_lean"]


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, edited('mode = "reps"', 'mode = "reps"\nsumary = "typo of summary"'))
    with pytest.raises(DefinitionError, match=r"sumary: unknown key; remove it or check"):
        load_definition(path)
    assert problems_of(path) == ["sumary: unknown key; remove it or check its spelling"]


def test_unknown_key_in_a_table_is_named_with_its_path(tmp_path):
    path = write(tmp_path, edited("fault_below = 1.2", "fault_below = 1.2\nthresold = 3"))
    with pytest.raises(DefinitionError, match=re.escape("rules[1].thresold: unknown key")):
        load_definition(path)


def test_unknown_landmark(tmp_path):
    path = write(tmp_path, edited('["hip", "knee", "ankle"]', '["hip", "Lknee", "ankle"]'))
    with pytest.raises(
        DefinitionError,
        match=re.escape("angles.knee_flexion.points[1]: unknown landmark 'Lknee'"),
    ):
        load_definition(path)
    (problem,) = problems_of(path)
    assert "did you mean left_knee" in problem  # the shorthand is recognised


def test_wrong_number_of_points_for_the_type(tmp_path):
    path = write(tmp_path, edited('["hip", "knee", "ankle"]', '["hip", "knee"]'))
    with pytest.raises(
        DefinitionError,
        match=re.escape("angles.knee_flexion: type 'flexion' needs 3 points, got 2"),
    ):
        load_definition(path)


def test_turn_threshold_not_beyond_start(tmp_path):
    path = write(tmp_path, edited("above = 60 }", "above = 30 }"))
    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "reps: turn.above (30.0) must be greater than start.below (35.0): "
            "the gap between them is the hysteresis band"
        ),
    ):
        load_definition(path)


def test_turn_on_the_same_side_as_start(tmp_path):
    path = write(tmp_path, edited('"bottom", above = 60 }', '"bottom", below = 20 }'))
    with pytest.raises(DefinitionError, match="when start uses 'below', turn must use 'above'"):
        load_definition(path)


def test_rule_measure_not_defined(tmp_path):
    path = write(tmp_path, edited('measure = "trunk_lean"', 'measure = "trunk_angle"'))
    with pytest.raises(
        DefinitionError, match=re.escape("rules[0].measure: 'trunk_angle' is not defined")
    ):
        load_definition(path)
    (problem,) = problems_of(path)
    assert "knee_flexion" in problem and "trunk_lean" in problem  # lists what is defined


def test_reps_driver_not_defined(tmp_path):
    path = write(tmp_path, edited('driver = "knee_flexion"', 'driver = "knee_angle"'))
    with pytest.raises(
        DefinitionError, match=re.escape("reps.driver: 'knee_angle' is not defined")
    ):
        load_definition(path)


def test_missing_required_key(tmp_path):
    text = "\n".join(line for line in VALID.splitlines() if not line.startswith("instructions"))
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError, match=r"instructions: required key is missing"):
        load_definition(path)
    assert problems_of(path) == ["instructions: required key is missing"]


def test_bad_toml_syntax(tmp_path):
    path = write(tmp_path, edited('name = "Mini squat"', 'name = "Mini squat'))
    with pytest.raises(DefinitionError, match=r"not valid TOML"):
        load_definition(path)


def test_id_not_matching_file_name(tmp_path):
    path = write(tmp_path, VALID, stem="squat_v2")
    with pytest.raises(
        DefinitionError, match=re.escape("id: 'mini_squat' must match the file name")
    ):
        load_definition(path)
    (problem,) = problems_of(path)
    assert "mini_squat.toml" in problem and 'id = "squat_v2"' in problem  # both fixes offered


def test_mode_hold_without_hold_table(tmp_path):
    path = write(tmp_path, edited('mode = "reps"', 'mode = "hold"'))
    with pytest.raises(DefinitionError, match=re.escape("hold: mode 'hold' needs a [hold] table")):
        load_definition(path)


def test_mode_reps_without_reps_table(tmp_path):
    start = VALID.index("[reps]")
    end = VALID.index("[[rules]]")
    path = write(tmp_path, VALID[:start] + VALID[end:])
    with pytest.raises(DefinitionError, match=re.escape("reps: mode 'reps' needs a [reps] table")):
        load_definition(path)


def test_literal_value_error_shows_the_bad_value(tmp_path):
    path = write(tmp_path, edited('mode = "reps"', 'mode = "repetitions"'))
    with pytest.raises(DefinitionError, match=r"mode: Input should be .*got 'repetitions'"):
        load_definition(path)


def test_rep_measure_outside_a_rep_rule(tmp_path):
    path = write(tmp_path, edited('when = "rep"', 'when = "always"'))
    with pytest.raises(
        DefinitionError,
        match=re.escape("rules[1]: 'rep_duration_s' exists once per rep: set when = \"rep\""),
    ):
        load_definition(path)


def test_duplicate_rule_id(tmp_path):
    path = write(tmp_path, edited('id = "too_fast"', 'id = "trunk_lean"'))
    with pytest.raises(
        DefinitionError, match=re.escape("rules[1].id: rule id 'trunk_lean' is used twice")
    ):
        load_definition(path)


def test_missing_file(tmp_path):
    with pytest.raises(DefinitionError, match="file does not exist"):
        load_definition(tmp_path / "nothing_here.toml")


# ---- several problems at once ---------------------------------------------------------------


def test_parse_definition_reports_every_field_problem_at_once():
    data = tomllib.loads(VALID)
    data["sumary"] = "typo"
    del data["name"]
    data["angles"]["knee_flexion"]["points"] = ["hip", "Lknee", "ankle"]
    data["rules"][0]["severity"] = "critical"
    with pytest.raises(DefinitionError) as info:
        parse_definition(data, "memory.toml")
    problems = info.value.problems
    assert len(problems) == 4
    text = str(info.value)
    assert text.startswith("memory.toml: 4 problems in exercise definition:")
    for where in ("sumary", "name", "angles.knee_flexion.points[1]", "rules[0].severity"):
        assert any(p.startswith(f"{where}: ") for p in problems), where


def problems_in(data: dict) -> list[str]:
    """The problems `parse_definition` lists for data."""
    with pytest.raises(DefinitionError) as info:
        parse_definition(data, "memory.toml")
    return info.value.problems


def where(problems: list[str]) -> list[str]:
    return [p.split(": ", 1)[0] for p in problems]


def test_parse_definition_reports_every_reference_problem_at_once():
    data = tomllib.loads(VALID)
    data["reps"]["driver"] = "knee_angle"
    data["rules"][0]["measure"] = "trunk_angle"
    data["rules"][1]["id"] = "trunk_lean"
    assert where(problems_in(data)) == ["reps.driver", "rules[0].measure", "rules[1].id"]


def test_an_unknown_key_does_not_hide_the_other_problems():
    """A table with a misspelt key is refused before its own checks: the target on the
    wrong side of the turn, in the same [reps], is listed with the typos, in one run; and
    once nothing else is wrong, so is a rule naming no measure."""
    data = tomllib.loads(VALID)
    data["reps"]["thresold"] = 3
    data["rules"][1]["sevrity"] = "minor"
    data["rules"][0]["measure"] = "trunk_angle"
    assert where(problems_in(data)) == ["reps.thresold", "rules[1].sevrity", "rules[0].measure"]
    data["reps"]["target"] = 40  # turns at 60: every counted rep would be full
    problems = problems_in(data)
    assert where(problems) == ["reps.thresold", "rules[1].sevrity", "reps"]
    assert "target (40) must be at least turn.above (60)" in problems[2]


def test_parse_definition_accepts_valid_data():
    definition = parse_definition(tomllib.loads(VALID), "memory.toml")
    assert definition.name == "Mini squat"
    assert [r.id for r in definition.rules] == ["trunk_lean", "too_fast"]


# ---- the shipped library --------------------------------------------------------------------

SHIPPED = sorted(DEFAULT_EXERCISES_DIR.glob("*.toml"))


def test_every_shipped_definition_loads():
    library = ExerciseLibrary()
    assert len(SHIPPED) >= 4
    assert library.ids() == sorted(path.stem for path in SHIPPED)
    assert {"squat", "plank", "push_up", "bicep_curl"} <= set(library.ids())
    for definition in library:
        assert definition.reps is not None or definition.hold is not None


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_each_shipped_file_loads_on_its_own(path):
    definition = load_definition(path)
    assert definition.id == path.stem
    assert (definition.mode == "reps") == (definition.reps is not None)


def test_library_unknown_exercise():
    library = ExerciseLibrary()
    with pytest.raises(UnknownExerciseError, match="unknown exercise 'sqaut'; known exercises: "):
        library.get("sqaut")
    assert "squat" in library
    assert "sqaut" not in library


def test_library_reports_a_broken_file(tmp_path):
    write(tmp_path, VALID)
    write(tmp_path, VALID.replace('id = "mini_squat"', 'id = "broken"'), stem="broken")
    write(tmp_path, 'id = "broken2"\nname = [', stem="broken2")
    with pytest.raises(DefinitionError, match=r"broken2\.toml: 1 problem in exercise definition"):
        ExerciseLibrary(tmp_path)


def test_library_folder_missing(tmp_path):
    with pytest.raises(DefinitionError, match="exercise folder does not exist"):
        ExerciseLibrary(tmp_path / "nope")


def test_at_full_range_needs_a_rep_moment():
    """A rule judged on every frame has no rep whose range it could wait for."""
    base = {"id": "r", "measure": "m", "cue": "Fix it", "fault_above": 30.0}
    with pytest.raises(ValueError, match="at_full_range judges a rep at its turn"):
        RuleDef(**base, when="always", at_full_range=True)
    assert RuleDef(**base, when="turn", at_full_range=True).at_full_range
