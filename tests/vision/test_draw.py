"""The overlay's text is readable at arm's length: letters at least 3% of the frame height,
measured on the drawn pixels, on landscape and portrait frames."""

from __future__ import annotations

import numpy as np
import pytest

from coach.engine.results import Cue, CueKind, FrameResult, Status
from coach.vision.draw import draw_hud, draw_lines

MIN_SHARE = 0.03


def text_rows(frame: np.ndarray) -> list[int]:
    """The heights of the runs of rows holding bright (text) pixels, top to bottom."""
    bright = (frame.max(axis=2) > 120).any(axis=1)
    runs, length = [], 0
    for row in bright:
        if row:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    return runs + ([length] if length else [])


def result(exercise, cue: str) -> FrameResult:
    """A frame result whose texts have no letters below the line (g, p, y), so a run of
    text rows is the height of the capitals: 'Held ...', '<label>: --', the cue."""
    return FrameResult(
        t_s=1.0,
        status=Status.ACTIVE,
        view="side",
        people=1,
        measures={},
        driver=None,
        phase=None,
        reps=0,
        reps_by_side={},
        hold_s=12.0,
        holding=False,
        guidance=None,
        cue=Cue(cue, CueKind.FAULT, "minor", 1.0),
    )


@pytest.mark.parametrize("height_width", [(480, 640), (720, 1280), (1080, 1920), (1280, 720)])
def test_overlay_letters_are_at_least_three_percent_of_the_frame_height(library, height_width):
    frame = np.zeros((*height_width, 3), dtype=np.uint8)
    draw_hud(frame, result(library.get("plank"), "Hold the line"), library.get("plank"))
    runs = text_rows(frame)
    assert len(runs) == 2  # the hold time and the cue
    assert min(runs) >= MIN_SHARE * height_width[0], runs


@pytest.mark.parametrize("height_width", [(480, 640), (720, 1280), (1280, 720)])
def test_assessment_read_out_letters_are_at_least_three_percent(height_width):
    frame = np.zeros((*height_width, 3), dtype=np.uint8)
    draw_lines(frame, ["Knee 110 deg", "Best 112 deg"], "Hold still at the end")
    runs = text_rows(frame)
    assert len(runs) >= 3
    assert min(runs) >= MIN_SHARE * height_width[0], runs


def test_a_long_cue_wraps_inside_the_frame(library):
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    long_cue = "Keep both knees in line with the middle toes all the way down and back up"
    draw_hud(frame, result(library.get("plank"), long_cue), library.get("plank"))
    assert len(text_rows(frame)) >= 3  # the hold time, then the cue on two lines or more
    assert not (frame[:, -2:].max(axis=2) > 120).any()  # nothing runs off the right edge
