"""The overlay's text is readable at arm's length: letters at least 3% of the frame height,
measured on the drawn pixels, on landscape and portrait frames; and its one unit of its
own ("deg" for "°", which its font cannot draw)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from coach.engine.results import Cue, CueKind, FrameResult, Status
from coach.exercise.schema import angle_name, measure_unit
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


def drawn(text: str) -> np.ndarray:
    frame = np.zeros((120, 400, 3), dtype=np.uint8)
    cv2.putText(frame, text, (5, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (255, 255, 255), 2)
    return frame


def test_opencvs_font_draws_the_degree_sign_as_two_question_marks():
    """Why the overlay writes "deg": the Hershey font has printable ASCII only, "°" (two
    bytes in UTF-8) is drawn as "??". If OpenCV learns it, the overlay can write "°"."""
    assert (drawn("92°") == drawn("92??")).all()
    assert not (drawn("92°") == drawn("92 deg")).all()


def test_the_overlay_writes_deg_for_every_degree_sign_it_is_given():
    """An assessment's read-out line (written with "°", as the page's panel shows it) is
    drawn as "deg" on the video, never as "??"."""
    with_sign, with_word = (np.zeros((480, 640, 3), dtype=np.uint8) for _ in range(2))
    draw_lines(with_sign, ["Knee flexion", "now 110°, best hold 112°"], "Hold still")
    draw_lines(with_word, ["Knee flexion", "now 110 deg, best hold 112 deg"], "Hold still")
    assert (with_sign == with_word).all()


def test_the_overlays_measure_reads_as_the_panels_with_its_unit_as_deg(library):
    """The squat's knee angle on the video: the panel's label and unit (`angle_name`,
    `measure_unit`), the unit written "deg"."""
    squat = library.get("squat")
    at_92 = replace(
        result(squat, "unused"), driver="knee_flexion", measures={"knee_flexion": 92.4}, cue=None
    )
    assert measure_unit(squat, "knee_flexion") == "°"
    frame, expected = (np.zeros((480, 640, 3), dtype=np.uint8) for _ in range(2))
    draw_hud(frame, at_92, squat)
    draw_lines(expected, ["Reps 0", f"{angle_name(squat, 'knee_flexion')}: 92 deg"])
    assert (frame == expected).all()
