"""Drawing the coach's view of a frame: skeleton, angle, rep count, current cue.

Separate from counting: it reads a `Pose` and a `FrameResult` and paints on a copy of
the frame. Frames are RGB, so colours are (R, G, B).

The one unit the overlay writes differently: "deg", where every other read-out writes
"°". OpenCV's own fonts (the Hershey fonts `cv2.putText` draws) hold printable ASCII only,
so "°" comes out as "??"; a font that has it needs `cv2.freetype`, which only the
opencv-contrib build carries (not a dependency of Form Coach). Texts are composed with
"°" like everywhere else (`measure_unit`), and `overlay_text`, through which every text
drawn here goes, writes it as " deg".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import cv2
import numpy as np

from coach.core import landmarks
from coach.core.pose import Pose
from coach.engine.results import FrameResult, Rep, Status, sided_counts
from coach.exercise.schema import ExerciseDef, RuleDef, angle_name, measure_unit

Colour = tuple[int, int, int]  # BGR or RGB, as the frame is
GREEN = (46, 204, 113)
AMBER = (243, 156, 18)
RED = (231, 76, 60)
WHITE = (255, 255, 255)
GREY = (150, 150, 150)
PANEL = (25, 25, 35)

_FONT = cv2.FONT_HERSHEY_SIMPLEX
DEGREES = " deg"  # what the overlay writes for "°", which _FONT cannot draw (the module)


def overlay_text(text: str) -> str:
    """`text` as the overlay draws it: "°" written as " deg" (see the module: the font
    has no "°"), e.g. "Knee bend: 92°" -> "Knee bend: 92 deg"."""
    return text.replace("°", DEGREES)


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


# Letter heights (capitals) as a share of the frame height: the overlay is read on a laptop
# at arm's length, where less than 3% of the frame is hard to read.
HEADLINE_HEIGHT = 0.05
TEXT_HEIGHT = 0.035
_CAP_HEIGHT_AT_SCALE_1 = cv2.getTextSize("H", _FONT, 1.0, 1)[0][1]


def _font_scale(frame: np.ndarray, height: float) -> float:
    """The OpenCV font scale whose capitals are `height` of the frame's height."""
    return height * frame.shape[0] / _CAP_HEIGHT_AT_SCALE_1


def _wrap(text: str, scale: float, weight: int, max_width: int) -> list[str]:
    """`text` in lines no wider than `max_width` pixels (a single long word overflows)."""
    lines: list[str] = []
    for word in text.split():
        line = f"{lines[-1]} {word}" if lines else word
        if lines and cv2.getTextSize(line, _FONT, scale, weight)[0][0] <= max_width:
            lines[-1] = line
        else:
            lines.append(word)
    return lines


def _text_block(
    frame: np.ndarray,
    texts: list[tuple[str, float, Colour]],
    *,
    bottom: bool = False,
    full_width: bool = False,
    opacity: float = 0.6,
) -> None:
    """Lines of text, each (text, letter height as a share of the frame height, colour),
    wrapped to the frame's width, on a shaded panel at the top left or along the bottom."""
    height, width = frame.shape[:2]
    margin = max(4, round(0.02 * height))
    lines: list[tuple[str, float, int, Colour, int]] = []  # text, scale, weight, colour, h
    for text, share, colour in texts:
        scale = _font_scale(frame, share)
        weight = max(1, round(scale * 1.6))
        line_h = round(share * height)
        for line in _wrap(overlay_text(text), scale, weight, width - 2 * margin):
            lines.append((line, scale, weight, colour, line_h))
    if not lines:
        return
    # Each line: its capitals, room for the letters below the line (g, p, y), a margin.
    block_h = sum(round(1.4 * h) + margin for *_, h in lines) + margin
    block_w = (
        width
        if full_width
        else min(width, max(cv2.getTextSize(t, _FONT, sc, w)[0][0] for t, sc, w, _, _ in lines))
        + 2 * margin
    )
    top = height - block_h if bottom else 0
    _shade(frame, 0, top, block_w, top + block_h, opacity)
    y = top + margin
    for line, scale, weight, colour, line_h in lines:
        y += line_h
        cv2.putText(frame, line, (margin, y), _FONT, scale, colour, weight, cv2.LINE_AA)
        y += round(0.4 * line_h) + margin


def _shade(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, opacity: float) -> None:
    """Darken a rectangle behind text, blending only that region (cheap at any frame size)."""
    region = frame[max(0, y0) : y1, max(0, x0) : x1]
    panel = np.empty_like(region)
    panel[:] = PANEL
    cv2.addWeighted(panel, opacity, region, 1 - opacity, 0, dst=region)


def draw_hud(
    frame: np.ndarray,
    result: FrameResult,
    exercise: ExerciseDef,
    reps: Sequence[Rep] | None = None,
    held_s: float | None = None,
) -> None:
    """Rep count or hold time, the driving angle, and the current cue. `reps` and `held_s`:
    the reps to count and the seconds held to show (the live coach's sets'); None shows all
    the engine counted."""
    if exercise.mode == "hold":
        headline = f"Held {result.hold_s if held_s is None else held_s:4.1f} s"
        colour = GREEN if result.holding else WHITE
    else:
        by_side: dict[str, int] = (
            result.reps_by_side if reps is None else dict(Counter(rep.side for rep in reps))
        )
        total = result.reps if reps is None else len(reps)
        sides = sided_counts(by_side)
        per_side = "  ".join(f"{k[0].upper()} {v}" for k, v in sides.items())
        headline = f"Reps {total}" + (f"  ({per_side})" if per_side else "")
        colour = WHITE
    texts = [(headline, HEADLINE_HEIGHT, colour)]
    if result.driver is not None:
        value = result.measures.get(result.driver, np.nan)
        unit = measure_unit(exercise, result.driver)
        shown = "--" if np.isnan(value) else (f"{value:.0f}{unit}" if unit else f"{value:.2f}")
        texts.append((f"{angle_name(exercise, result.driver)}: {shown}", TEXT_HEIGHT, WHITE))
    _text_block(frame, texts)
    message = result.cue.text if result.cue else None
    if message is None and result.status is not Status.ACTIVE and result.guidance:
        message = result.guidance
    if message:
        kind_colour = RED if result.active_faults else (AMBER if result.guidance else GREEN)
        _text_block(
            frame,
            [(message, HEADLINE_HEIGHT, kind_colour)],
            bottom=True,
            full_width=True,
            opacity=0.7,
        )


def draw_gauge(frame: np.ndarray, result: FrameResult, exercise: ExerciseDef) -> None:
    """A bar on the right: how far the driver counted on (the chosen one of several) has
    gone from the start threshold to the target in force (the plan's, for a prescribed
    patient), with a mark where a rep counts."""
    force = result.driver_thresholds
    if force is None or result.driver is None:
        return
    value = result.measures.get(result.driver, np.nan)
    start, turn = force.start, force.turn
    end = force.target if force.target is not None else turn
    if end == start:
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
        colour = GREEN if force.reached(value, turn) else AMBER
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
    reps: Sequence[Rep] | None = None,
    held_s: float | None = None,
) -> np.ndarray:
    """A copy of the frame with the skeleton and the coach's read-out drawn on it (`reps`,
    `held_s`: see `draw_hud`)."""
    frame = rgb.copy()
    draw_skeleton(frame, pose, joint_colours(exercise, result), exercise.min_visibility)
    draw_hud(frame, result, exercise, reps, held_s)
    draw_gauge(frame, result, exercise)
    if progress is not None:
        draw_progress(frame, progress)
    return frame


def draw_lines(frame: np.ndarray, lines: list[str], message: str | None = None) -> None:
    """A read-out panel at the top left (one line each, the first larger) and, when given,
    what to do now along the bottom edge: for pages that are not an exercise (assessment)."""
    texts = [
        (line, HEADLINE_HEIGHT if i == 0 else TEXT_HEIGHT, WHITE) for i, line in enumerate(lines)
    ]
    _text_block(frame, texts)
    if message:
        _text_block(frame, [(message, TEXT_HEIGHT, AMBER)], bottom=True, full_width=True)
