"""A lean is judged against the patient's own start posture, not upright (issue 24).

Why: a patient who presses seated against a reclined backrest, or whose trunk always tilts
a little (a scoliosis, a stiff hip), was told they arch or lean on every rep they did
well; the rules now measure the lean the rep adds to the posture it started from, and
still flag a lean added to it.
"""

from __future__ import annotations

import pytest

from tests.bench.framework import STANDING_FRONT, STANDING_SIDE, fired, run
from tests.bench.rows_upper import lateral_raise_path, press_path
from tests.support.synthetic import Script, Tempo

RECLINE_DEG = 20.0  # a backrest reclined this far, past the rules' 15 from upright
TILT_DEG = 18.0


def three_reps(path):
    return Script(path.start).hold(1.5).reps(3, path, Tempo.period(3.0)).hold(1.0).build()


@pytest.mark.parametrize(("arch_deg", "expected"), [(0.0, set()), (25.0, {"arching_back"})])
def test_a_press_reclined_all_along_is_not_an_arch(arch_deg, expected):
    path = press_path(recline_deg=RECLINE_DEG, arch_deg=arch_deg)
    session = run("shoulder_press", three_reps(path), STANDING_SIDE)
    assert session.engine.rep_count == 3
    assert fired(session) == expected


@pytest.mark.parametrize(("lean_deg", "expected"), [(0.0, set()), (22.0, {"trunk_lean"})])
def test_a_raise_with_a_trunk_tilted_all_along_is_not_a_lean(lean_deg, expected):
    path = lateral_raise_path("both", tilt_deg=TILT_DEG, lean_deg=lean_deg)
    session = run("lateral_raise", three_reps(path), STANDING_FRONT)
    assert session.engine.rep_count == 3
    assert fired(session) == expected
