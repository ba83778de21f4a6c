"""Drawing the coach's view of a frame: skeleton, angle, rep count, current cue.

Separate from counting: it reads a `Pose` and a `FrameResult` and paints on a copy of
the frame. Frames are RGB, so colours are (R, G, B).
"""

from __future__ import annotations

import cv2
import numpy as np

from coach.core import landmarks
from coach.core.pose import Pose
from coach.engine.results import FrameResult, Status
from coach.exercise.schema import ExerciseDef, RuleDef

Colour = tuple[int, int, int]  # BGR or RGB, as the frame is
GREEN = (46, 204, 113)
AMBER = (243, 156, 18)
RED = (231, 76, 60)
WHITE = (255, 255, 255)
GREY = (150, 150, 150)
PANEL = (25, 25, 35)

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _scale(frame: np.ndarray) -> float:
    """Text and line size relative to a 720-pixel-high frame."""
    return max(0.4, min(frame.shape[:2]) / 720)


def _measure_landmarks(exercise: ExerciseDef, measure: str) -> set[int]:
    definition = exercise.angles.get(measure) or exercise.ratios.get(measure)
    indices: set[int] = set()
    if definition is None:
        return indices
    for point in definition.points:
        sides = landmarks.SIDES if landmarks.is_sided(point) else (None,)
        for side in sides:
            indices.update(landmarks.resolve(point, side))
    return indices


def _near_limit(value: float, rule: RuleDef) -> bool:
    """Within a tenth of the way to a rule's bound (amber: about to become a fault)."""
    for bound, sign in ((rule.fault_above, 1), (rule.fault_below, -1)):
        if bound is not None and sign * (value - bound) > -max(abs(bound) * 0.1, 0.05):
            return True
    return False


def joint_colours(exercise: ExerciseDef, result: FrameResult) -> dict[int, tuple[int, int, int]]:
    """Landmarks of each checked measure: red on a fault, amber near a limit, else green."""
    rank = {GREEN: 0, AMBER: 1, RED: 2}
    colours: dict[int, tuple[int, int, int]] = {}
    for rule in exercise.rules:
        if rule.measure not in result.measures:
            continue
        value = result.measures[rule.measure]
        if rule.id in result.active_faults:
            colour = RED
        elif value == value and _near_limit(value, rule):
            colour = AMBER
        else:
            continue
        for index in _measure_landmarks(exercise, rule.measure):
            if rank[colour] > rank.get(colours.get(index, GREEN), 0):
                colours[index] = colour
    return colours


def draw_skeleton(
    frame: np.ndarray,
    pose: Pose,
    colours: dict[int, tuple[int, int, int]],
    min_visibility: float = 0.5,
) -> None:
    """Bones and joints in place; unseen joints grey, the rest in their rule colour."""
    if pose.is_empty:
        return
    xy = pose.image_px.round().astype(int)
    seen = pose.visibility >= min_visibility
    thickness = max(2, round(3 * _scale(frame)))
    for a, b in landmarks.SKELETON_EDGES:
        if seen[a] and seen[b]:
            colour = colours[a] if colours.get(a) == colours.get(b) and a in colours else GREEN
            cv2.line(frame, tuple(xy[a]), tuple(xy[b]), colour, thickness, cv2.LINE_AA)
    for index in range(11, landmarks.NUM_LANDMARKS):
        colour = colours.get(index, GREEN) if seen[index] else GREY
        cv2.circle(frame, tuple(xy[index]), thickness + 2, colour, -1, cv2.LINE_AA)


def _text(
    frame: np.ndarray, text: str, origin: tuple[int, int], size: float, colour: Colour
) -> None:
    """Text on a shaded panel (see `_shade`), which gives the contrast an outline would."""
    scale = size * _scale(frame)
    weight = max(1, round(2 * _scale(frame)))
    cv2.putText(frame, text, origin, _FONT, scale, colour, weight, cv2.LINE_AA)


def _shade(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, opacity: float) -> None:
    """Darken a rectangle behind text, blending only that region (cheap at any frame size)."""
    region = frame[max(0, y0) : y1, max(0, x0) : x1]
    panel = np.empty_like(region)
    panel[:] = PANEL
    cv2.addWeighted(panel, opacity, region, 1 - opacity, 0, dst=region)


def draw_hud(frame: np.ndarray, result: FrameResult, exercise: ExerciseDef) -> None:
    """Rep count or hold time, the driving angle, and the current cue."""
    height, width = frame.shape[:2]
    s = _scale(frame)
    panel_h = round(90 * s)
    _shade(frame, 0, 0, round(330 * s), panel_h, 0.6)
    if exercise.mode == "hold":
        headline = f"Held {result.hold_s:4.1f} s"
        colour = GREEN if result.holding else WHITE
    else:
        sides = {k: v for k, v in result.reps_by_side.items() if k != "both"}
        per_side = "  ".join(f"{k[0].upper()} {v}" for k, v in sorted(sides.items()))
        headline = f"Reps {result.reps}" + (f"  ({per_side})" if per_side else "")
        colour = WHITE
    _text(frame, headline, (round(12 * s), round(38 * s)), 1.0, colour)
    if result.driver is not None:
        value = result.measures.get(result.driver, np.nan)
        definition = exercise.angles.get(result.driver) or exercise.ratios.get(result.driver)
        label = definition.label if definition and definition.label else result.driver
        unit = " deg" if result.driver in exercise.angles else ""
        shown = "--" if np.isnan(value) else (f"{value:.0f}{unit}" if unit else f"{value:.2f}")
        _text(frame, f"{label}: {shown}", (round(12 * s), round(75 * s)), 0.6, WHITE)
    message = result.cue.text if result.cue else None
    if message is None and result.status is not Status.ACTIVE and result.guidance:
        message = result.guidance
    if message:
        band_h = round(60 * s)
        _shade(frame, 0, height - band_h, width, height, 0.7)
        kind_colour = RED if result.active_faults else (AMBER if result.guidance else GREEN)
        _text(frame, message, (round(12 * s), height - round(20 * s)), 0.8, kind_colour)


def draw_gauge(frame: np.ndarray, result: FrameResult, exercise: ExerciseDef) -> None:
    """A bar on the right: how far the driving measure has gone from start to target."""
    if exercise.reps is None or result.driver is None:
        return
    signal = exercise.reps.signal_for(result.view).signal_of(result.driver)
    value = result.measures.get(result.driver, np.nan)
    start = signal.start.below if signal.rising else signal.start.above
    end = (
        signal.target
        if signal.target is not None
        else (signal.turn.above if signal.rising else signal.turn.below)
    )
    turn = signal.turn.above if signal.rising else signal.turn.below
    if start is None or end is None or turn is None or end == start:
        return
    height, width = frame.shape[:2]
    s = _scale(frame)
    x0, x1 = width - round(40 * s), width - round(16 * s)
    y_top, y_bottom = round(110 * s), height - round(90 * s)
    cv2.rectangle(frame, (x0, y_top), (x1, y_bottom), PANEL, -1)
    span = y_bottom - y_top

    def level(v: float) -> int:
        return y_bottom - round(span * min(1.0, max(0.0, (v - start) / (end - start))))

    cv2.line(frame, (x0, level(turn)), (x1, level(turn)), WHITE, 1, cv2.LINE_AA)
    if value == value:
        reached = (value >= turn) if signal.rising else (value <= turn)
        colour = GREEN if reached else AMBER
        cv2.rectangle(frame, (x0 + 3, level(value)), (x1 - 3, y_bottom), colour, -1)


def draw_progress(frame: np.ndarray, progress: float) -> None:
    """The set's progress along the top edge."""
    width = frame.shape[1]
    bar_h = max(4, round(8 * _scale(frame)))
    cv2.rectangle(frame, (0, 0), (width, bar_h), PANEL, -1)
    cv2.rectangle(frame, (0, 0), (round(width * min(1.0, max(0.0, progress))), bar_h), GREEN, -1)


def annotate(
    rgb: np.ndarray,
    pose: Pose,
    result: FrameResult,
    exercise: ExerciseDef,
    *,
    progress: float | None = None,
) -> np.ndarray:
    """A copy of the frame with the skeleton and the coach's read-out drawn on it."""
    frame = rgb.copy()
    draw_skeleton(frame, pose, joint_colours(exercise, result), exercise.min_visibility)
    draw_hud(frame, result, exercise)
    draw_gauge(frame, result, exercise)
    if progress is not None:
        draw_progress(frame, progress)
    return frame


def draw_lines(frame: np.ndarray, lines: list[str], message: str | None = None) -> None:
    """A read-out panel at the top left (one line each, the first larger) and, when given,
    what to do now along the bottom edge: for pages that are not an exercise (assessment)."""
    height, width = frame.shape[:2]
    s = _scale(frame)
    line_h = round(34 * s)
    if lines:
        _shade(frame, 0, 0, round(440 * s), round(14 * s) + line_h * len(lines), 0.6)
    for i, line in enumerate(lines):
        size = 0.9 if i == 0 else 0.7
        _text(frame, line, (round(12 * s), round(36 * s) + i * line_h), size, WHITE)
    if message:
        _shade(frame, 0, height - round(48 * s), width, height, 0.6)
        _text(frame, message, (round(12 * s), height - round(16 * s)), 0.7, AMBER)
