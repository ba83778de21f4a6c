"""How five exercises that are not in the shipped library look when done well, as synthetic
motion: the authoring test's ground truth (docs/examples/exercises holds the definitions
written for them from the docs alone).

Each motion is set from what the exercise is (joint angles a physio would name), not from
the definitions' thresholds: a motion that only counted because it was tuned to its
definition would prove nothing about the definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.bench.framework import STANDING_FRONT, STANDING_SIDE
from tests.support.synthetic import Camera, Posture, Script, Tempo


@dataclass(frozen=True)
class AuthoredMotion:
    """One way of doing an exercise: the camera, and a script of `n` reps at a period."""

    exercise_id: str
    label: str
    camera: Camera
    script: Callable[[int, float], Script]


def _reps(start: Posture, turn: Posture) -> Callable[[int, float], Script]:
    def script(n: int, period_s: float) -> Script:
        return Script(start).hold(1.5).reps(n, turn, Tempo.period(period_s)).hold(1.0)

    return script


def _one_side_then_the_other(
    start: Posture, turn_of: Callable[[str], Posture]
) -> Callable[[int, float], Script]:
    """`n` reps: half on the left, a pause, the rest on the right."""

    def script(n: int, period_s: float) -> Script:
        left = n // 2
        return (
            Script(start)
            .hold(1.5)
            .reps(left, turn_of("left"), Tempo.period(period_s))
            .hold(1.5)
            .reps(n - left, turn_of("right"), Tempo.period(period_s))
            .hold(1.0)
        )

    return script


def _turning_round_between_sides(
    start: Posture, turn_of: Callable[[str], Posture]
) -> Callable[[int, float], Script]:
    """`n` reps: half on the left, turn round (2 s) to show the camera the other side, the
    rest on the right: what a side-on exercise's instructions ask."""

    def script(n: int, period_s: float) -> Script:
        left = n // 2
        turned = start.with_(body_yaw=start["body_yaw"] + 180.0)
        return (
            Script(start)
            .hold(1.5)
            .reps(left, turn_of("left"), Tempo.period(period_s))
            .move_to(turned, 2.0)
            .hold(1.5)
            .reps(
                n - left,
                turn_of("right").with_(body_yaw=turned["body_yaw"]),
                Tempo.period(period_s),
            )
            .hold(1.0)
        )

    return script


def _alternating(
    start: Posture, turn_of: Callable[[str], Posture]
) -> Callable[[int, float], Script]:
    """`n` reps, the sides taking turns (left first)."""

    def script(n: int, period_s: float) -> Script:
        moves = Script(start).hold(1.5)
        for k in range(n):
            moves.rep(turn_of(("left", "right")[k % 2]), Tempo.period(period_s))
        return moves.hold(1.0)

    return script


# Arms straight up overhead (a weight held in both hands), elbows bending it behind the head.
OVERHEAD = Posture.of(shoulder_flexion=170.0, elbow_flexion=5.0)
# Arms hanging, hands (a bar) in front of the thighs; elbows out and up to shoulder height,
# the forearms hanging down-inwards to the bar at the chest (upper arms turned in).
BAR_AT_THIGHS = Posture.of(shoulder_flexion=5.0, elbow_flexion=10.0)
ELBOWS_UP = Posture.of(shoulder_abduction=85.0, elbow_flexion=100.0, shoulder_rotation=-70.0)
# Elbows at the sides bent to 90, the hands forward; the forearms turn out by 70.
HANDS_FORWARD = Posture.of(elbow_flexion=90.0)


def _leg_back(side: str) -> Posture:
    return Posture.of(**{f"{side}_hip_flexion": -20.0, f"{side}_knee_flexion": 5.0})


def _knee_up(side: str) -> Posture:
    return Posture.of(**{f"{side}_hip_flexion": 75.0, f"{side}_knee_flexion": 85.0})


def _arm_out(side: str) -> Posture:
    return HANDS_FORWARD.with_(**{f"{side}_shoulder_rotation": 70.0})


MOTIONS: tuple[AuthoredMotion, ...] = (
    AuthoredMotion(
        "triceps_extension",
        "both arms",
        STANDING_SIDE,
        _reps(OVERHEAD, OVERHEAD.with_(elbow_flexion=135.0)),
    ),
    AuthoredMotion(
        "triceps_extension",
        "one arm then the other",
        STANDING_SIDE,
        _one_side_then_the_other(
            OVERHEAD, lambda side: OVERHEAD.with_(**{f"{side}_elbow_flexion": 135.0})
        ),
    ),
    AuthoredMotion(
        "triceps_extension",
        "one arm, turn round, the other",
        STANDING_SIDE,
        _turning_round_between_sides(
            OVERHEAD, lambda side: OVERHEAD.with_(**{f"{side}_elbow_flexion": 135.0})
        ),
    ),
    AuthoredMotion("upright_row", "front", STANDING_FRONT, _reps(BAR_AT_THIGHS, ELBOWS_UP)),
    AuthoredMotion(
        "standing_hip_extension",
        "one leg then the other",
        STANDING_SIDE,
        _one_side_then_the_other(Posture.of(), _leg_back),
    ),
    AuthoredMotion(
        "standing_hip_extension",
        "one leg, turn round, the other",
        STANDING_SIDE,
        _turning_round_between_sides(Posture.of(), _leg_back),
    ),
    # Side-on: a view the definition does not list (the far knee hides when it is down).
    AuthoredMotion(
        "marching_on_the_spot", "side", STANDING_SIDE, _alternating(Posture.of(), _knee_up)
    ),
    AuthoredMotion(
        "marching_on_the_spot", "front", STANDING_FRONT, _alternating(Posture.of(), _knee_up)
    ),
    AuthoredMotion(
        "shoulder_external_rotation",
        "both arms (a band between the hands)",
        STANDING_FRONT,
        _reps(HANDS_FORWARD, HANDS_FORWARD.with_(shoulder_rotation=70.0)),
    ),
    AuthoredMotion(
        "shoulder_external_rotation",
        "one arm then the other",
        STANDING_FRONT,
        _one_side_then_the_other(HANDS_FORWARD, _arm_out),
    ),
)
