"""Bench rows for the foundation exercises: squat, push-up, biceps curl, plank."""

from __future__ import annotations

from functools import cache

from tests.bench.framework import (
    FLOOR_FRONT,
    FLOOR_SIDE,
    STANDING_FRONT,
    STANDING_SIDE,
    FaultRecipe,
    HoldRecipe,
    RepsRecipe,
    WorkingSide,
)
from tests.support.synthetic import (
    STANDING,
    Path,
    Posture,
    floor_pitch,
    planted_hands_path,
)

# ---- squat -----------------------------------------------------------------------------------

SQUAT_STANCE = STANDING.with_(hip_abduction=8.0, shoulder_flexion=90.0)  # arms forward


def squat_path(
    *,
    bottom_knee_deg: float = 100.0,
    trunk: float = 0.4,
    valgus: float = 0.0,
    shin: float = 0.35,
) -> Path:
    """Knees to `bottom_knee_deg`; the shins lean `shin` of the knee bend (feet flat), the
    hips take the rest, the trunk leans `trunk` degrees per degree of knee bend. `valgus`
    (0-1) brings the knees in and the shins out at the bottom."""

    def at(depth: float) -> Posture:
        knee = bottom_knee_deg * depth
        return SQUAT_STANCE.with_(
            knee_flexion=knee,
            hip_flexion=(1.0 - shin) * knee,
            ankle_dorsiflexion=shin * knee,
            trunk_flexion=trunk * knee,
            hip_abduction=8.0 - 16.0 * valgus * depth,
            knee_valgus=25.0 * valgus * depth,
        )

    return Path.from_function(at, samples=11)


SQUAT = RepsRecipe(
    exercise_id="squat",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=lambda side: squat_path(),
    faults={
        "knees_cave_in": FaultRecipe(squat_path(valgus=0.8)),
        "trunk_lean": FaultRecipe(squat_path(trunk=0.7)),
        # Knees driven forward: the shins take most of the bend, the hips stay high.
        "knees_past_toes": FaultRecipe(squat_path(shin=0.6, trunk=0.25)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
)


# ---- push-up ---------------------------------------------------------------------------------

ON_TOES = Posture.of(ankle_dorsiflexion=-10.0)


@cache
def push_up_path(sag_deg: float = 0.0, neck_deg: float = 0.0, flare_deg: float = 0.0) -> Path:
    """Hands and toes planted; `sag_deg` of hip extension reached at the bottom (negative:
    hip flexion, the hips piked up); `neck_deg` of neck flexion (the head dropping towards
    the floor). `flare_deg`: the upper arms swung out that far from the body at the bottom
    (elbows flaring), the hands sliding out with them."""
    planted = planted_hands_path(
        lambda depth: ON_TOES.with_(hip_flexion=-sag_deg * depth, neck_flexion=neck_deg * depth)
    )
    if not flare_deg:
        return planted
    return Path.from_function(
        lambda depth: planted.at(depth).with_(shoulder_abduction=flare_deg * depth),
        samples=len(planted.depths),
    )


PUSH_UP = RepsRecipe(
    exercise_id="push_up",
    cameras={"side": FLOOR_SIDE, "front": FLOOR_FRONT},
    paths=lambda side: push_up_path(),
    faults={
        "hips_sag": FaultRecipe(push_up_path(sag_deg=45.0)),
        "hips_pike": FaultRecipe(push_up_path(sag_deg=-45.0)),
        "head_drop": FaultRecipe(push_up_path(neck_deg=45.0)),
        "elbows_flare": FaultRecipe(push_up_path(flare_deg=70.0)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
    # Fidgeting in a push-up position moves the trunk and arms, never the planted hands.
    fidget_channels=("trunk_flexion", "trunk_side_bend", "hip_flexion", "knee_flexion"),
)


# ---- biceps curl -----------------------------------------------------------------------------


def curl_path(
    side: WorkingSide, *, elbow_deg: float = 140.0, drift_deg: float = 8.0, swing_deg: float = 0.0
) -> Path:
    """Elbow(s) from straight to `elbow_deg`; the upper arm swings `drift_deg` forward, the
    trunk leans back `swing_deg` (swinging the weight up)."""
    sides = ("left", "right") if side == "both" else (side,)
    turn = STANDING.with_(
        **{f"{s}_elbow_flexion": elbow_deg for s in sides},
        **{f"{s}_shoulder_flexion": drift_deg for s in sides},
        trunk_flexion=-swing_deg,
    )
    return Path.between(STANDING, turn)


BICEP_CURL = RepsRecipe(
    exercise_id="bicep_curl",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=curl_path,
    faults={
        "elbow_drifts_forward": FaultRecipe(curl_path("both", drift_deg=55.0)),
        "torso_swing": FaultRecipe(curl_path("both", swing_deg=25.0)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
    sides=("both", "left", "right"),
)


# ---- plank -----------------------------------------------------------------------------------

FOREARMS = ("left_elbow", "right_elbow")
TOES = ("left_foot_index", "right_foot_index")
KNEES = ("left_knee", "right_knee")


def on_forearms(support: tuple[str, ...] = TOES, **channels: float) -> Posture:
    """A posture resting on the forearms and on `support`, pitched so both touch the floor."""
    posture = Posture.of(shoulder_flexion=80.0, elbow_flexion=90.0, ankle_dorsiflexion=-10.0)
    posture = posture.with_(**channels)
    return posture.with_(body_pitch=floor_pitch(posture, FOREARMS, support))


PLANK = HoldRecipe(
    exercise_id="plank",
    cameras={"side": FLOOR_SIDE},
    hold=on_forearms(),
    rest=on_forearms(KNEES, hip_flexion=90.0, knee_flexion=90.0),  # on forearms and knees
    breaks={
        "drops to the knees": on_forearms(KNEES, hip_flexion=90.0, knee_flexion=90.0),
        "hips piked high": on_forearms(hip_flexion=65.0),
    },
    faults={"hips_off_line": on_forearms(hip_flexion=-32.0)},
    not_breaking={
        # Hips let down to the floor, still on the forearms ("sphinx"): the generator reads
        # the shoulder-hip-ankle bend as 39 degrees and the trunk tilt as 31, both inside
        # the hold conditions (body_line < 40, body_tilt < 45), so the timer keeps running.
        # With the toes on the floor the hips cannot sag further. The model may read it
        # higher (it reads a straight plank in the recorded clip as 15-25 degrees where
        # the generator reads 0), so this is a gap on synthetic poses, unconfirmed on real
        # ones; body_line < 30 would close it but leaves the recorded plank little margin.
        # Signed (sag towards the floor positive, as the side plank's), the recorded plank
        # reads on the pike side, so a bound on sagging alone would leave it room; but the
        # hips_off_line fault above (hips sagging, still held: cued and timed) reads only
        # a few degrees short of the sphinx on the same line, and the hip's height over the
        # elbow-to-toes line (the floor) separates them no better. Sagging far and resting
        # on the floor are one continuum to the model's readings: a bound between them
        # would be fitted to these two postures, not to patients. Kept as a known gap.
        "hips dropped to the floor": on_forearms(hip_flexion=-40.0),
    },
)


REPS = (SQUAT, PUSH_UP, BICEP_CURL)
HOLDS = (PLANK,)
