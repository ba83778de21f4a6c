"""Drawing the coach's view of a frame: skeleton, angle, rep count, current cue.

Separate from counting: it reads a `Pose` and a `FrameResult` and paints on a copy of
the frame. Frames are RGB, so colours are (R, G, B).
"""

from __future__ import annotations

import cv2
import numpy as np

from coach import landmarks
from coach.engine.results import FrameResult, Status
from coach.exercise.schema import ExerciseDef
from coach.pose import Pose

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


def faulty_landmarks(exercise: ExerciseDef, rule_ids: tuple[str, ...]) -> set[int]:
    """Landmark indices of the measures whose rules are failing now (drawn red)."""
    measures = {r.measure for r in exercise.rules if r.id in rule_ids}
    indices: set[int] = set()
    for name, definition in {**exercise.angles, **exercise.ratios}.items():
        if name not in measures:
            continue
        for point in definition.points:
            sides = landmarks.SIDES if landmarks.is_sided(point) else (None,)
            for side in sides:
                indices.update(landmarks.resolve(point, side))
    return indices


def draw_skeleton(
    frame: np.ndarray, pose: Pose, red: set[int], min_visibility: float = 0.5
) -> None:
    """Bones and joints in place; unseen joints grey, faulty ones red, the rest green."""
    if pose.is_empty:
        return
    xy = pose.image_px.round().astype(int)
    seen = pose.visibility >= min_visibility
    thickness = max(2, round(3 * _scale(frame)))
    for a, b in landmarks.SKELETON_EDGES:
        if seen[a] and seen[b]:
            colour = RED if (a in red and b in red) else GREEN
            cv2.line(frame, tuple(xy[a]), tuple(xy[b]), colour, thickness, cv2.LINE_AA)
    for index in range(11, landmarks.NUM_LANDMARKS):
        colour = (RED if index in red else GREEN) if seen[index] else GREY
        cv2.circle(frame, tuple(xy[index]), thickness + 2, colour, -1, cv2.LINE_AA)


def _text(frame: np.ndarray, text: str, origin: tuple[int, int], size: float, colour) -> None:
    scale = size * _scale(frame)
    weight = max(1, round(2 * _scale(frame)))
    cv2.putText(frame, text, origin, _FONT, scale, (0, 0, 0), weight + 2, cv2.LINE_AA)
    cv2.putText(frame, text, origin, _FONT, scale, colour, weight, cv2.LINE_AA)


def draw_hud(frame: np.ndarray, result: FrameResult, exercise: ExerciseDef) -> None:
    """Rep count or hold time, the driving angle, and the current cue."""
    height, width = frame.shape[:2]
    s = _scale(frame)
    panel_h = round(90 * s)
    overlay = frame.copy()
    cv2.rectangle(overlay, (0, 0), (round(330 * s), panel_h), PANEL, -1)
    cv2.addWeighted(overlay, 0.6, frame, 0.4, 0, dst=frame)
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
        label = (definition.label if definition and definition.label else result.driver)
        unit = " deg" if result.driver in exercise.angles else ""
        shown = "--" if np.isnan(value) else (
            f"{value:.0f}{unit}" if unit else f"{value:.2f}"
        )
        _text(frame, f"{label}: {shown}", (round(12 * s), round(75 * s)), 0.6, WHITE)
    message = result.cue.text if result.cue else None
    if message is None and result.status is not Status.ACTIVE and result.guidance:
        message = result.guidance
    if message:
        band_h = round(60 * s)
        overlay = frame.copy()
        cv2.rectangle(overlay, (0, height - band_h), (width, height), PANEL, -1)
        cv2.addWeighted(overlay, 0.7, frame, 0.3, 0, dst=frame)
        kind_colour = RED if result.active_faults else (AMBER if result.guidance else GREEN)
        _text(frame, message, (round(12 * s), height - round(20 * s)), 0.8, kind_colour)


def annotate(
    rgb: np.ndarray, pose: Pose, result: FrameResult, exercise: ExerciseDef
) -> np.ndarray:
    """A copy of the frame with the skeleton and the coach's read-out drawn on it."""
    frame = rgb.copy()
    red = faulty_landmarks(exercise, result.active_faults)
    draw_skeleton(frame, pose, red, exercise.min_visibility)
    draw_hud(frame, result, exercise)
    return frame
