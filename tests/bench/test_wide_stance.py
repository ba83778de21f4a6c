"""Knees caving in, judged as the knee's frontal-plane projection angle (FPPA), not as the
knees' width over the ankles'.

Why: feet set wide apart put the ankles further apart than the knees with the legs in a
straight line from hip to ankle, so a width ratio reads a good wide stance as knees caving
in (issue 24). The FPPA, the bend between thigh and shin seen from the front, stays near
0 on a straight leg however wide the feet, and grows when the knee falls inside the
hip-ankle line.
"""

from __future__ import annotations

import pytest

from tests.bench.framework import STANDING_FRONT, fired, run
from tests.bench.rows_lower import hinge_path, sit_to_stand_path, wall_sit
from tests.support.synthetic import STANDING, Script, Tempo

# Each hip abducted this far: feet about shoulder width and a half apart, knees over them.
WIDE_DEG = 20.0


@pytest.mark.parametrize(
    ("exercise_id", "path", "period_s"),
    [
        ("sit_to_stand", sit_to_stand_path(stance_deg=WIDE_DEG), 6.0),
        ("deadlift", hinge_path(stance_deg=WIDE_DEG), 4.0),
    ],
    ids=["sit_to_stand", "deadlift"],
)
def test_a_wide_stance_with_the_knees_over_the_feet_is_not_knees_caving_in(
    exercise_id, path, period_s
):
    script = Script(path.start).hold(1.5).reps(3, path, Tempo.period(period_s)).hold(1.0)
    session = run(exercise_id, script.build(), STANDING_FRONT)
    assert session.engine.rep_count == 3
    assert "knees_cave_in" not in fired(session)


def test_a_wide_wall_sit_with_the_knees_over_the_feet_is_not_knees_caving_in():
    hold = wall_sit(hip_abduction=WIDE_DEG)
    script = Script(STANDING).hold(1.0).move_to(hold, 1.0).hold(6.0).move_to(STANDING, 1.0)
    session = run("wall_sit", script.build(), STANDING_FRONT)
    assert session.engine.hold_s > 4.0
    assert "knees_cave_in" not in fired(session)
