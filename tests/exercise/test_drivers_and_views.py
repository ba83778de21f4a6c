"""Several drivers (`other_drivers`) and the `oblique` view in a definition file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.errors import DefinitionError
from coach.exercise.loader import load_definition
from tests.support.definitions import VALID


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mini_squat.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    return info.value.problems


TRUNK_TOO = """
[[reps.other_drivers]]
driver = "trunk_lean"
start = { name = "upright", below = 20 }
turn = { name = "leaning", above = 35 }
min_range = 15
"""
OBLIQUE = """
[reps.by_view.oblique]
driver = "knee_flexion"
start = { name = "standing", below = 30 }
turn = { name = "bottom", above = 50 }
"""


def with_reps_extra(extra: str) -> str:
    """VALID with `extra` appended to its [reps] table (before the first rule)."""
    marker = "\n[[rules]]"
    assert marker in VALID
    return VALID.replace(marker, extra + marker, 1)


def test_other_drivers_and_an_oblique_view_load(tmp_path):
    text = with_reps_extra(TRUNK_TOO + OBLIQUE).replace(
        'views = ["side", "front"]', 'views = ["side", "front", "oblique"]'
    )
    definition = load_definition(write(tmp_path, text))
    reps = definition.reps
    assert reps is not None
    assert [s.driver for s in reps.signals] == ["knee_flexion", "trunk_lean"]
    assert reps.signal_for("front") is reps  # a view not listed: the default signals
    oblique = reps.signal_for("oblique")
    assert oblique is reps.by_view["oblique"]
    assert oblique.turn.above == 50
    assert reps.signal_of("trunk_lean").turn.above == 35
    assert reps.signal_of("nothing") is reps
    assert "oblique" in definition.views


PROBLEMS = [
    pytest.param(
        TRUNK_TOO.replace('driver = "trunk_lean"', 'driver = "hip_angle"'),
        "reps.other_drivers[0].driver: 'hip_angle' is not defined",
        id="other-driver-not-defined",
    ),
    pytest.param(
        TRUNK_TOO.replace('driver = "trunk_lean"', 'driver = "knee_flexion"'),
        "driver knee_flexion is named more than once",
        id="a-driver-twice",
    ),
    pytest.param(
        TRUNK_TOO.replace("above = 35", "above = 10"),
        "turn.above (10.0) must be greater than start.below (20.0)",
        id="other-driver-without-a-band",
    ),
    pytest.param(
        OBLIQUE.replace('driver = "knee_flexion"', 'driver = "knee_bend"'),
        "reps.by_view.oblique.driver: 'knee_bend' is not defined",
        id="oblique-driver-not-defined",
    ),
    pytest.param(
        OBLIQUE.replace("[reps.by_view.oblique]", "[reps.by_view.diagonal]"),
        "reps.by_view.diagonal",
        id="a-view-that-does-not-exist",
    ),
]


@pytest.mark.parametrize(("extra", "message"), PROBLEMS)
def test_mistakes_are_named_with_their_key(tmp_path, extra, message):
    problems = problems_of(write(tmp_path, with_reps_extra(extra)))
    assert any(message in problem for problem in problems), problems
