"""A small valid definition and helpers to break it one key at a time, for the tests of
definition errors and of a physio's own definition files."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.errors import DefinitionError
from coach.exercise.loader import load_definition

VALID = """\
id = "mini_squat"
name = "Mini squat"
instructions = ["Stand side-on to the camera.", "Bend your knees a little, then stand up."]
views = ["side", "front"]
mode = "reps"

[angles.knee_flexion]
type = "flexion"
points = ["hip", "knee", "ankle"]
plane = "sagittal"

[angles.trunk_lean]
type = "segment_vertical"
points = ["mid_hip", "mid_shoulder"]

[reps]
driver = "knee_flexion"
start = { name = "standing", below = 35 }
turn = { name = "bottom", above = 60 }

[[rules]]
id = "trunk_lean"
measure = "trunk_lean"
when = "turn"
fault_above = 55
cue = "Keep your chest up"

[[rules]]
id = "too_fast"
measure = "rep_duration_s"
when = "rep"
fault_below = 1.2
cue = "Slow down"
"""


def write(tmp_path: Path, text: str, stem: str = "mini_squat") -> Path:
    path = tmp_path / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    assert old in VALID, old  # the edit must apply, or the test would prove nothing
    return VALID.replace(old, new, 1)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    return info.value.problems
