"""Every measure has a label in the words a physio would use with a patient ("Arm bend"),
not the maths behind it ("Shoulder-to-hand distance / trunk length")."""

from __future__ import annotations

import pytest

from coach.exercise.loader import ExerciseLibrary

MEASURES = [
    (exercise.id, name, measure.label)
    for exercise in ExerciseLibrary()
    for name, measure in {**exercise.angles, **exercise.ratios}.items()
]


@pytest.mark.parametrize(("exercise", "measure", "label"), MEASURES)
def test_each_measure_has_a_label_in_plain_words(exercise, measure, label):
    assert label, f"{exercise}.toml: give the measure {measure!r} a label"
    assert "/" not in label, f"{exercise}.toml: {measure!r} is labelled as a fraction: {label!r}"
    assert len(label) <= 40, f"{exercise}.toml: the label of {measure!r} is too long to show"
