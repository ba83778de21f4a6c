"""A whole-rep rule is judged over a short window, not on one noisy frame (issue 24).

Why: a rule on a rep's maximum (the lateral raise's trunk lean, the curl's torso swing,
the push-up's pike) took the single most extreme frame of the rep, so a landmark that
jumped for two frames, as a pose model's do now and then, cued a fault the patient did
not make. Each frame now counts as its median over 0.3 s (`steady_series`).
"""

from __future__ import annotations

import numpy as np

from coach.core.landmarks import Landmark
from coach.runtime.session import CoachSession
from tests.bench.framework import FPS, STANDING_FRONT, definition, fired, good_reps
from tests.bench.rows_upper import LATERAL_RAISE
from tests.support.synthetic import RenderOptions, render

SHOULDERS = (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)


def raises_with_shoulders_shifted(frames: int) -> CoachSession:
    """Three good lateral raises, seen from the front, with both shoulder landmarks shifted
    sideways (a trunk leaning about 25 degrees) for `frames` frames at the second rep's top."""
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005, seed=0)
    recording = render(good_reps(LATERAL_RAISE, 3, 4.0).build(), STANDING_FRONT, options)
    top = int(np.argmin(np.abs(recording.t_s - (1.5 + 4.0 + 1.5))))
    for landmark in SHOULDERS:
        recording.image_xyz[top : top + frames, 0, landmark, 0] += 0.04
    session = CoachSession(definition("lateral_raise"))
    session.replay(recording)
    assert session.engine.rep_count == 3
    return session


def test_a_two_frame_glitch_is_not_a_trunk_lean():
    assert fired(raises_with_shoulders_shifted(2)) == set()


def test_a_lean_held_a_third_of_a_second_is():
    assert fired(raises_with_shoulders_shifted(5)) == {"trunk_lean"}
