"""Bench rows for standing lower-body and whole-body exercises: sit-to-stand, lunge,
step-up, calf raise, hip hinge (deadlift), jumping jack, and the holds wall sit and
single-leg stance.

The paths are built from joint angles with the feet kept where they would be: a lunge's
back leg is extended until its toes reach the floor beside the front foot's level, a
step-up lifts the body so the working foot stays on a step, a hinge keeps the feet flat
while the hips go back. Only tests.support.synthetic's public pieces are used.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from coach.core.landmarks import Landmark
from tests.bench.framework import (
    STANDING_FRONT,
    STANDING_SIDE,
    FaultRecipe,
    HoldRecipe,
    RepsRecipe,
    WorkingSide,
)
from tests.support.synthetic import STANDING, Body, Path, Posture, Script, Tempo, body_landmarks

BODY = Body()


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _leg(side: str, **angles: float) -> dict[str, float]:
    """Per-side channel names for one leg: `_leg("left", knee_flexion=90)`."""
    return {f"{side}_{joint}": value for joint, value in angles.items()}


def _soles(postures: list[Posture], side: str) -> np.ndarray:
    """Height of the lowest point of one foot below the hip centre (body frame, y down)."""
    points = body_landmarks(np.stack([p.vector for p in postures]), BODY)
    ids = [Landmark[f"{side}_{part}".upper()] for part in ("ankle", "heel", "foot_index")]
    return points[:, ids, 1].max(axis=1)


def _sole(posture: Posture, side: str) -> float:
    return float(_soles([posture], side)[0])


def _bump(depth: float, peak: float) -> float:
    """0 at depth 0 and 1, 1 at `peak`: a movement that happens mid-way and undoes itself."""
    if depth <= peak:
        return float(np.sin(np.pi / 2 * depth / peak))
    return float(np.sin(np.pi / 2 * (1 - depth) / (1 - peak)))


# ---- sit-to-stand ----------------------------------------------------------------------------

ARMS_CROSSED = {"shoulder_flexion": 25.0, "elbow_flexion": 115.0}


def sit_to_stand_path(
    *,
    stooped_deg: float = 0.0,
    valgus: float = 0.0,
    side_lean_deg: float = 0.0,
    stance_deg: float = 5.0,
) -> Path:
    """Depth 0 seated (hips and knees at 95 degrees, feet flat under the knees), 1 standing.

    The trunk leans forward up to 35 degrees to bring the weight over the feet (seat-off
    at depth 0.3), then the knees and hips straighten. `stooped_deg`: the trunk is still
    bent that far forward at the top (not standing tall); `valgus` (0-1) brings the knees
    in while rising; `side_lean_deg` leans the trunk sideways mid-way (weight onto one leg);
    `stance_deg`: each hip's abduction, the feet set that wide with the knees over them.
    """

    def at(depth: float) -> Posture:
        rise = float(np.clip((depth - 0.3) / 0.7, 0.0, 1.0))
        lean = 35.0 * _bump(depth, 0.35) + stooped_deg * rise
        inward = _bump(depth, 0.55) * valgus
        return STANDING.with_(
            **ARMS_CROSSED,
            hip_flexion=95.0 * (1 - rise),
            knee_flexion=95.0 * (1 - rise),
            trunk_flexion=lean,
            hip_abduction=stance_deg - 15.0 * inward,
            knee_valgus=25.0 * inward,
            trunk_side_bend=side_lean_deg * _bump(depth, 0.5),
        )

    return Path.from_function(at, samples=21)


SIT_TO_STAND = RepsRecipe(
    exercise_id="sit_to_stand",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=lambda side: sit_to_stand_path(),
    faults={
        "not_standing_tall": FaultRecipe(sit_to_stand_path(stooped_deg=40.0), period_s=6.0),
        "knees_cave_in": FaultRecipe(sit_to_stand_path(valgus=0.8), period_s=6.0),  # FPPA 27
        "weight_to_one_side": FaultRecipe(sit_to_stand_path(side_lean_deg=20.0), period_s=6.0),
        "too_fast": FaultRecipe(period_s=1.2),  # up and back onto the seat in 0.65 s
    },
    good_periods_s=(3.0, 5.0, 8.0),
)


# ---- lunge -----------------------------------------------------------------------------------


def _lunge_at(
    lead: str,
    depth: float,
    *,
    front_knee_deg: float = 90.0,
    back_knee_deg: float = 90.0,
    trunk_deg: float = 0.0,
    side_lean_deg: float = 0.0,
) -> Posture:
    """The lead leg steps forward (hip 85 and knee `front_knee_deg` at the bottom, the foot
    kept flat); the back knee bends `back_knee_deg` and its hip extends until its toes touch
    the floor level with the front foot."""
    back = _other(lead)
    hip, knee = 85.0 * depth, front_knee_deg * depth
    posture = STANDING.with_(
        **_leg(lead, hip_flexion=hip, knee_flexion=knee, ankle_dorsiflexion=knee - hip),
        **_leg(back, knee_flexion=back_knee_deg * depth),
        trunk_flexion=trunk_deg * depth,
        trunk_side_bend=side_lean_deg * depth,
    )
    extensions = np.linspace(0.0, 40.0, 161)
    trials = [posture.with_(**_leg(back, hip_flexion=-float(e))) for e in extensions]
    gaps = np.abs(_soles(trials, back) - _sole(posture, lead))
    return trials[int(np.argmin(gaps))]


@cache
def lunge_path(
    side: WorkingSide = "left",
    *,
    front_knee_deg: float = 90.0,
    back_knee_deg: float = 90.0,
    trunk_deg: float = 0.0,
    side_lean_deg: float = 0.0,
) -> Path:
    """Standing -> the bottom of a lunge with `side` ("both": the left) stepping forward."""
    lead = "left" if side == "both" else side
    return Path.from_function(
        lambda d: _lunge_at(
            lead,
            d,
            front_knee_deg=front_knee_deg,
            back_knee_deg=back_knee_deg,
            trunk_deg=trunk_deg,
            side_lean_deg=side_lean_deg,
        ),
        samples=11,
    )


LUNGE = RepsRecipe(
    exercise_id="lunge",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=lunge_path,
    faults={
        "trunk_lean": FaultRecipe(lunge_path(trunk_deg=45.0), period_s=4.0),
        "trunk_side_lean": FaultRecipe(lunge_path(side_lean_deg=20.0), period_s=4.0),
        # A short step: the front knee stays at 55, the back one folds to 125.
        "knees_uneven": FaultRecipe(
            lunge_path(front_knee_deg=55.0, back_knee_deg=125.0), period_s=4.0
        ),
        "too_fast": FaultRecipe(period_s=1.6),  # down and up in about 1.1 s
    },
    good_periods_s=(3.0, 4.0, 8.0),
    sides=("left", "right"),
)


# ---- step-up ---------------------------------------------------------------------------------


def _step_up_at(
    working: str, depth: float, *, valgus: float = 0.0, side_lean_deg: float = 0.0
) -> Posture:
    """Depth 0: standing tall on the step on the `working` leg, the other foot beside it;
    depth 1: the other foot lowered to the floor, the working hip bent 60 and knee 70 on the
    step (a step of about 20 cm). The body is lifted so the working foot stays on the step."""
    trailing = _other(working)
    hip, knee = 60.0 * depth, 70.0 * depth
    return STANDING.with_(
        **_leg(
            working,
            hip_flexion=hip,
            knee_flexion=knee,
            ankle_dorsiflexion=knee - hip,  # foot flat on the step
            hip_abduction=-12.0 * valgus * depth,
            knee_valgus=25.0 * valgus * depth,
        ),
        **_leg(trailing, hip_flexion=-5.0 * depth, ankle_dorsiflexion=5.0 * depth),
        trunk_flexion=10.0 * depth,
        trunk_side_bend=(side_lean_deg if working == "left" else -side_lean_deg) * depth,
    )


@cache
def step_up_path(
    side: WorkingSide = "left", *, valgus: float = 0.0, side_lean: float = 0.0
) -> Path:
    """Standing on the step -> the other foot on the floor, `side` ("both": left) working."""
    working = "left" if side == "both" else side
    trailing = _other(working)
    depths = np.linspace(0.0, 1.0, 11)
    postures = [
        _step_up_at(working, float(d), valgus=valgus, side_lean_deg=side_lean) for d in depths
    ]
    drops = [_sole(p, trailing) - _sole(p, working) for p in postures]
    step_m = drops[-1]  # how far the working foot is above the other at the bottom
    lifted = [p.with_(lift_m=step_m - drop) for p, drop in zip(postures, drops, strict=True)]
    return Path(depths, np.stack([p.vector for p in lifted]))


def climb_on_and_off(n: int) -> Script:
    """From the floor: step up onto the step (the first step-up), n - 1 more, step off."""
    path = step_up_path("left")
    script = Script(STANDING).hold(1.5).move_to(path.end, 1.5).move_to(path.start, 1.5)
    script.reps(n - 1, path, Tempo.period(4.0))
    return script.move_to(path.end, 1.5).move_to(STANDING, 1.5).hold(1.5)


STEP_UP = RepsRecipe(
    exercise_id="step_up",
    cameras={"front": STANDING_FRONT},
    paths=step_up_path,
    faults={
        "knee_caves_in": FaultRecipe(step_up_path(valgus=1.0), period_s=4.0),
        "trunk_side_lean": FaultRecipe(step_up_path(side_lean=20.0), period_s=4.0),
        "too_fast": FaultRecipe(period_s=1.6),  # down and up in about 1.1 s
    },
    good_periods_s=(3.0, 4.0, 8.0),
    sides=("left", "right"),
)


# ---- calf raise ------------------------------------------------------------------------------


def calf_raise_path(
    *, left_deg: float = 30.0, right_deg: float = 30.0, knee_deg: float = 0.0
) -> Path:
    """Heels down -> on the toes: plantarflexion `left_deg` / `right_deg` (a full rise is
    about 30 degrees, heels 12 cm up); `knee_deg` of knee bend added on the way up."""
    top = STANDING.with_(
        left_ankle_dorsiflexion=-left_deg,
        right_ankle_dorsiflexion=-right_deg,
        knee_flexion=knee_deg,
        hip_flexion=0.5 * knee_deg,
    )
    return Path.between(STANDING, top)


CALF_RAISE = RepsRecipe(
    exercise_id="calf_raise",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=lambda side: calf_raise_path(),
    faults={
        "knees_bend": FaultRecipe(calf_raise_path(knee_deg=40.0)),
        "uneven_feet": FaultRecipe(calf_raise_path(left_deg=35.0, right_deg=14.0)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
    good_periods_s=(3.0, 4.0, 8.0),
    # Fidgeting moves the trunk, arms and hips sideways, not the ankles: rising 10 degrees
    # onto the toes lifts the heels 4 cm, a (small) calf raise. Nor the hips and knees
    # forward and back: the generator turns the foot with the shin, so they would tip the
    # heel up where a standing patient's foot stays flat.
    fidget_channels=(
        "hip_abduction",
        "shoulder_flexion",
        "shoulder_abduction",
        "elbow_flexion",
        "trunk_flexion",
        "trunk_side_bend",
        "shift_x_m",
    ),
)


# ---- hip hinge (deadlift) --------------------------------------------------------------------


def hinge_path(
    *, trunk_deg: float = 70.0, knee_deg: float = 20.0, valgus: float = 0.0, stance_deg: float = 5.0
) -> Path:
    """Standing -> the bottom of a hinge: the trunk `trunk_deg` forward with a neutral spine
    (the pelvis tips with it), knees `knee_deg`, shins 8 degrees forward, feet flat, arms
    hanging straight down in front of the legs; `valgus` (0-1) brings the knees in;
    `stance_deg`: each hip's abduction, the feet set that wide with the knees over them."""
    shin_deg = 8.0 + 0.3 * max(0.0, knee_deg - 20.0)

    def at(depth: float) -> Posture:
        pitch, knee, shin = trunk_deg * depth, knee_deg * depth, shin_deg * depth
        return STANDING.with_(
            body_pitch=pitch,
            hip_flexion=pitch + knee - shin,  # thigh leans forward knee - shin from vertical
            knee_flexion=knee,
            ankle_dorsiflexion=shin,
            shoulder_flexion=pitch,  # arms hang vertically
            hip_abduction=stance_deg - 15.0 * valgus * depth,
            knee_valgus=25.0 * valgus * depth,
        )

    return Path.from_function(at, samples=11)


DEADLIFT = RepsRecipe(
    exercise_id="deadlift",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=lambda side: hinge_path(),
    faults={
        "squatting": FaultRecipe(hinge_path(trunk_deg=50.0, knee_deg=70.0), period_s=4.0),
        "knees_cave_in": FaultRecipe(hinge_path(valgus=0.8), period_s=4.0),  # FPPA 21
        "too_fast": FaultRecipe(period_s=1.5),
    },
    good_periods_s=(3.0, 4.0, 8.0),
)


# ---- jumping jack ----------------------------------------------------------------------------


def jumping_jack_path(
    *, left_arm: float = 170.0, right_arm: float = 170.0, legs_deg: float = 15.0
) -> Path:
    """Feet together, arms down -> feet apart (hips abducted `legs_deg`), arms overhead,
    with a small jump (5 cm) on the way."""

    def at(depth: float) -> Posture:
        return STANDING.with_(
            left_shoulder_abduction=left_arm * depth,
            right_shoulder_abduction=right_arm * depth,
            hip_abduction=legs_deg * depth,
            knee_flexion=10.0 * _bump(depth, 0.5),
            lift_m=0.05 * _bump(depth, 0.5),
        )

    return Path.from_function(at, samples=11)


JUMPING_JACK = RepsRecipe(
    exercise_id="jumping_jack",
    cameras={"front": STANDING_FRONT},
    paths=lambda side: jumping_jack_path(),
    faults={
        "feet_not_apart": FaultRecipe(jumping_jack_path(legs_deg=3.0), period_s=1.5),
        "arms_uneven": FaultRecipe(jumping_jack_path(right_arm=130.0), period_s=1.5),
    },
    good_periods_s=(1.0, 1.5, 3.0),  # a brisk 1 s per jack down to a slow 3 s
)


# ---- wall sit --------------------------------------------------------------------------------


def wall_sit(knee_deg: float = 90.0, **channels: float) -> Posture:
    """Back upright against the wall, thighs `knee_deg` from vertical, shins upright."""
    return STANDING.with_(hip_flexion=knee_deg, knee_flexion=knee_deg, **channels)


WALL_SIT = HoldRecipe(
    exercise_id="wall_sit",
    cameras={"front": STANDING_FRONT, "side": STANDING_SIDE},
    hold=wall_sit(),
    rest=STANDING,
    breaks={
        "stands up": wall_sit(25.0),
        "leans forward off the wall": wall_sit(trunk_flexion=50.0),
    },
    faults={
        "knees_cave_in": wall_sit(hip_abduction=-3.0, knee_valgus=12.0),  # width ratio 0.5
        "too_deep": wall_sit(112.0),
        "back_off_wall": wall_sit(trunk_flexion=27.0),
    },
)


# ---- single-leg stance -----------------------------------------------------------------------


def on_one_leg(stance: str = "left", **channels: float) -> Posture:
    """Standing on `stance`, the other foot lifted behind (hip 20, knee 80: about 23 cm up)."""
    lifted = _other(stance)
    return STANDING.with_(**_leg(lifted, hip_flexion=20.0, knee_flexion=80.0), **channels)


def hip_drop(stance: str = "left", degrees: float = 13.0) -> Posture:
    """The lifted leg's side of the pelvis sags `degrees`: the whole body rolls towards it,
    the trunk bends back upright and the standing hip adducts to keep that leg vertical."""
    sign = -1.0 if stance == "left" else 1.0  # roll towards the lifted side
    return on_one_leg(
        stance,
        body_roll=sign * degrees,
        trunk_side_bend=-sign * degrees,
        **_leg(stance, hip_abduction=-degrees),
    )


SINGLE_LEG_STANCE = HoldRecipe(
    exercise_id="single_leg_stance",
    cameras={"front": STANDING_FRONT},
    hold=on_one_leg(),
    rest=STANDING,
    breaks={
        "puts the foot down": STANDING.with_(right_knee_flexion=15.0),
        "bends the standing knee": on_one_leg(
            left_hip_flexion=35.0, left_knee_flexion=50.0, left_ankle_dorsiflexion=15.0
        ),
    },
    faults={
        "hip_drops": hip_drop(),
        "trunk_side_lean": on_one_leg(trunk_side_bend=15.0),
    },
)


REPS = (SIT_TO_STAND, LUNGE, STEP_UP, CALF_RAISE, DEADLIFT, JUMPING_JACK)
HOLDS = (WALL_SIT, SINGLE_LEG_STANCE)
