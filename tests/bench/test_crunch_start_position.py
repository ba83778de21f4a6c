"""The crunch's start position is what a physio checks before a curl-up: lying down, on
the back, knees bent. Standing, sitting on a chair or lying with straight legs never
arm live counting, and the guidance says what is wrong in the patient's words; lying on
the back with the knees bent arms it (the bench's good reps count it: see
test_exercises_synthetic). A recording that opens with the patient standing, before they
lie down, is not in the middle of a crunch; one that opens mid-curl is."""

from __future__ import annotations

import pytest

from coach.engine.results import FrameResult, Status
from coach.runtime.session import CoachSession
from tests.bench.framework import FLOOR_SIDE, FPS, STANDING_SIDE, definition
from tests.bench.rows_floor import HOOK_LYING, SEATED, SUPINE
from tests.bench.rows_upper import CRUNCH
from tests.support.synthetic import STANDING, Camera, Posture, RenderOptions, Script, Tempo, render

POSITION_CUE = "Lie on your back with your knees bent, side-on to the camera"
POSTURES = [
    pytest.param(STANDING, STANDING_SIDE, ": you seem to be standing or sitting up", id="standing"),
    pytest.param(SEATED, STANDING_SIDE, ": you seem to be standing or sitting up", id="sitting"),
    pytest.param(SUPINE, FLOOR_SIDE, " (knee bend is", id="lying-legs-straight"),
]


def play(script: Script, camera: Camera) -> tuple[CoachSession, list[FrameResult]]:
    """Live, frame by frame: the patient in front of the webcam, getting ready."""
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005, seed=0)
    recording = render(script.build(), camera, options)
    session = CoachSession(definition("crunch"))
    results = [
        session.process_poses(poses, float(t_s), recording.frame_wh).result
        for t_s, poses in zip(recording.t_s, recording.frames(), strict=True)
    ]
    return session, results


@pytest.mark.parametrize(("posture", "camera", "says"), POSTURES)
def test_out_of_position_never_arms_and_says_why(posture, camera, says):
    script = Script(posture).hold(4.0).fidget(4.0, amplitude_deg=5.0, seed=2).hold(1.0)
    session, results = play(script, camera)
    assert not any(r.armed for r in results)
    assert session.engine.rep_count == 0
    last = results[-1]
    assert last.status is Status.GETTING_READY
    assert last.guidance is not None and last.guidance.startswith(POSITION_CUE + says)


def test_lying_on_the_back_with_knees_bent_arms():
    _, results = play(Script(HOOK_LYING).hold(3.0), FLOOR_SIDE)
    assert results[-1].armed and results[-1].start_position_met


def recorded(opening: Posture, reps: int = 3) -> CoachSession:
    """A recording (it may begin mid-rep) opening on `opening` for half a second, then
    lying down over 2 s, settling, and `reps` good crunches."""
    path = CRUNCH.paths("both")
    script = Script(opening).hold(0.5).move_to(path.start, 2.0).hold(1.5)
    script.reps(reps, path, Tempo.period(3.0)).hold(1.0)
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005, seed=0)
    session = CoachSession(definition("crunch"))
    session.replay(render(script.build(), FLOOR_SIDE, options))
    return session


def test_a_recording_opening_standing_is_not_a_crunch_under_way():
    session = recorded(STANDING)
    assert session.engine.rep_count == 3
    assert session.engine.reps[0].start_s > 2.5  # the first rep is the first crunch


def test_a_recording_opening_mid_curl_continues_that_crunch():
    """The control: lying face up with the knees bent, curled up, when the video begins."""
    session = recorded(CRUNCH.paths("both").at(1.0))
    assert session.engine.rep_count == 4
