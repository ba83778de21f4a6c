"""The thresholds in force: the definition's, moved by a prescription, within bounds."""

from __future__ import annotations

import pytest

from coach.engine.thresholds import Prescription, thresholds_in_force
from coach.exercise.loader import ExerciseLibrary
from coach.exercise.schema import PhaseDef, SignalDef

# A squat-like rising driver: rest taken at 10 (one band of 25 short of the start), so the
# turn's floor is 10 + min_range 30 / 4 = 17.5.
SQUAT = SignalDef(
    driver="knee_flexion",
    start=PhaseDef(name="standing", below=35),
    turn=PhaseDef(name="bottom", above=60),
    min_range=30,
    target=90,
)
# A sit-to-stand-like falling driver: rest 110, floor 100.
STAND = SignalDef(
    driver="knee_flexion",
    start=PhaseDef(name="seated", above=70),
    turn=PhaseDef(name="standing", below=30),
    min_range=40,
    target=20,
)


@pytest.mark.parametrize(
    ("signal", "target", "counts_from", "expected", "noted"),
    [
        pytest.param(SQUAT, None, None, (35, 60, 90), False, id="nothing-prescribed"),
        pytest.param(SQUAT, 90, None, (35, 60, 90), False, id="the-library-target"),
        pytest.param(SQUAT, 120, None, (35, 60, 120), False, id="fit-patient-deeper"),
        pytest.param(SQUAT, 70, None, (35, 47.5, 70), False, id="shallower-turn-scales"),
        pytest.param(SQUAT, 45, None, (26.41, 31.88, 45), False, id="start-moves-too"),
        pytest.param(SQUAT, 15, None, (15.625, 17.5, 17.5), True, id="turn-held-at-the-floor"),
        pytest.param(SQUAT, 70, 50, (35, 50, 70), False, id="counts-from-given"),
        pytest.param(SQUAT, None, 20, (17.5, 20, 90), False, id="counts-from-near-the-floor"),
        pytest.param(SQUAT, None, 12, (15.625, 17.5, 90), True, id="counts-from-below-the-floor"),
        pytest.param(SQUAT, 70, 80, (35, 80, 80), True, id="target-short-of-counts-from"),
        pytest.param(SQUAT, None, 75, (35, 75, 90), False, id="counts-from-deeper"),
        pytest.param(STAND, None, None, (70, 30, 20), False, id="falling-library"),
        pytest.param(STAND, 40, None, (70, 47.78, 40), False, id="falling-shallower"),
        pytest.param(STAND, 10, None, (70, 30, 10), False, id="falling-fit-patient"),
        pytest.param(STAND, None, 95, (98.75, 95, 20), False, id="falling-counts-from-low"),
        pytest.param(STAND, None, 105, (102.5, 100, 20), True, id="falling-counts-from-floor"),
    ],
)
def test_thresholds_in_force(signal, target, counts_from, expected, noted):
    prescription = Prescription("knee_flexion", target, counts_from)
    force = thresholds_in_force(signal, prescription)
    assert (force.start, force.turn, force.target) == pytest.approx(expected, abs=0.01)
    assert bool(force.notes) == noted
    assert force.min_range == signal.min_range  # the fidget floor is never lowered
    library = (
        signal.start.below or signal.start.above,
        signal.turn.above or signal.turn.below,
        signal.target,
    )
    assert force.prescribed == ((force.start, force.turn, force.target) != library)


def test_a_prescription_on_another_measure_leaves_the_library_thresholds_with_a_note():
    force = thresholds_in_force(SQUAT, Prescription("hip_flexion", target=40))
    assert (force.start, force.turn, force.target) == (35, 60, 90)
    assert not force.prescribed and "hip_flexion" in force.notes[0]


LIBRARY = ExerciseLibrary()
SIGNALS = [
    pytest.param(signal, id=f"{definition.id}-{view}")
    for definition in LIBRARY
    if definition.reps is not None
    for view, signal in [("default", definition.reps), *definition.reps.by_view.items()]
]


@pytest.mark.parametrize("signal", SIGNALS)
@pytest.mark.parametrize("fraction", [0.0, 0.2, 0.5, 0.8, 1.0, 1.5])
@pytest.mark.parametrize("use", ["target", "counts_from", "both"])
def test_bounds_hold_for_every_definition(signal, fraction, use):
    """Whatever is prescribed, from nothing to beyond the library: the start lies short of
    the turn, the turn no closer to the rest than min_range, the target at or beyond it."""
    library = thresholds_in_force(signal, None)
    rest = library.start - (library.turn - library.start)
    value = rest + fraction * ((library.target or library.turn) - rest)
    prescription = Prescription(
        signal.driver,
        target=value if use != "counts_from" else None,
        counts_from=value if use != "target" else None,
    )
    force = thresholds_in_force(signal, prescription)
    sign = 1 if signal.rising else -1
    assert sign * force.start < sign * force.turn
    assert sign * force.start <= sign * library.start
    assert sign * (force.turn - rest) >= signal.min_range / 4 - 1e-9
    assert force.target is None or sign * force.target >= sign * force.turn
    # The counter runs on the same numbers.
    counted = force.as_signal(signal)
    again = thresholds_in_force(counted, None)
    assert (again.start, again.turn, again.target) == (force.start, force.turn, force.target)
    assert again.rising == signal.rising
