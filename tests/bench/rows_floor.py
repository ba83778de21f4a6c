"""Bench rows for the floor and seated exercises (issue 3, group B): glute bridge, straight
leg raise, seated knee extension, standing and side-lying leg raises, clamshell, heel slide,
knee to chest and the hamstring stretch.

The generator stands its body up by default; lying and sitting are built here from its
public pieces. Lying on the back is `body_pitch = -90` (face up, feet towards where the
face pointed); the renderer rests the lowest supporting point on the floor, so a bridge
only has to find the pitch at which the shoulders and the feet both touch it (`floor_pitch`
searched among face-up pitches). Lying on
the side is `body_roll` (positive: on the left side, the right leg on top), by 80 degrees
rather than 90: the head rests a little higher than the feet (on a pillow or the lower
arm), which keeps the shoulder line off the vertical so the view can be told (see
`SIDE_LYING_ROLL`). Sitting is hips and knees at 90 degrees: the feet carry the body on
the floor and the hips stay at chair height.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np

from coach.core.landmarks import Landmark
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
    Body,
    Camera,
    Path,
    Posture,
    body_landmarks,
    floor_pitch,
)

STANDING_BACK = Camera(yaw_deg=180.0, distance_m=3.0, height_m=1.0)
# Side-on with the right side nearest: the camera for the right leg of a side-on exercise.
FLOOR_SIDE_RIGHT = Camera(yaw_deg=-90.0, distance_m=2.5, height_m=0.4)
STANDING_SIDE_RIGHT = Camera(yaw_deg=-90.0, distance_m=3.0, height_m=1.0)

# Fidgeting while lying or sitting moves the joints, not the whole body's tilt on the floor.
JOINT_FIDGET = (
    "hip_flexion",
    "hip_abduction",
    "knee_flexion",
    "ankle_dorsiflexion",
    "shoulder_flexion",
    "shoulder_abduction",
    "elbow_flexion",
    "trunk_flexion",
    "trunk_side_bend",
)


# A rep every 3, 5 and 9 s: these exercises are done slowly, and their too_fast rules flag
# reps under 1.8 s (a rep every 2 s lasts about 1.5 s from leaving rest to getting back).
CALM_PERIODS_S = (3.0, 5.0, 9.0)


# 'both' in a row: the bench's generic tests (good reps, faults, partial and short reps,
# fidgeting, mirroring) run the row's path for "both" and find the partial depth from the
# mean of the two sides' driver. For an exercise counted per side ("auto") that mean is the
# working leg's only when the other leg shows the same value, so there "both" moves both
# legs together (both knees straightened, both legs lifted); the one-leg motion, counted on
# its side, is tested in test_floor_sides.py. An exercise counted on a driver between the
# legs ("alternating": the side-lying raises, the clamshell, the standing side raise) needs
# no such thing: "both" is one leg, the left, the one the bench's side camera sees nearest.


def working(side: WorkingSide) -> str:
    """The leg a one-leg row works: 'both' stands for the left leg."""
    return "left" if side == "both" else side


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def sided(side: str, **channels: float) -> dict[str, float]:
    """Channel names for one side: sided('left', hip_flexion=40) -> left_hip_flexion=40."""
    return {f"{side}_{name}": value for name, value in channels.items()}


# ---- lying on the back ---------------------------------------------------------------------

SUPINE = Posture.of(body_pitch=-90.0)
HOOK_LYING = SUPINE.with_(hip_flexion=45.0, knee_flexion=90.0)  # knees bent, feet flat

SHOULDERS = ("left_shoulder", "right_shoulder")
FEET = ("left_heel", "right_heel", "left_foot_index", "right_foot_index")


def _rx(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _ry(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rolled_about_the_spine(posture: Posture, degrees: float) -> Posture:
    """The same body turned about its own head-to-feet axis by `degrees` (a face-up body:
    one hip drops), expressed in the generator's yaw-pitch-roll channels. The generator
    applies roll, then pitch, then yaw; any turn can be written that way."""
    target = _rx(posture["body_pitch"]) @ _ry(degrees)
    pitch = math.degrees(math.asin(-target[1, 2]))
    roll = math.degrees(math.atan2(target[1, 0], target[1, 1]))
    yaw = math.degrees(math.atan2(target[0, 2], target[2, 2]))
    return posture.with_(body_pitch=pitch, body_roll=roll, body_yaw=posture["body_yaw"] + yaw)


# ---- glute bridge ------------------------------------------------------------------------------


def bridge_at(
    depth: float, *, top_hip_deg: float = 0.0, knees_in: float = 0.0, hip_drop_deg: float = 0.0
) -> Posture:
    """A bridge `depth` of the way down: 0 = hips up, 1 = hips resting on the mat. The
    shoulders and feet stay on the floor (the pitch is solved for them). `top_hip_deg`: hip
    bend left at the top (hips not lifted to the line); `knees_in` (0-1) lets the knees fall
    together at the top while the feet stay; `hip_drop_deg` turns the body about the spine
    at the top (one hip lower)."""
    up = 1.0 - depth
    hip = top_hip_deg + (50.0 - top_hip_deg) * depth
    adduction = 9.0 * knees_in * up
    posture = Posture.of(
        hip_flexion=hip,
        knee_flexion=90.0 + 20.0 * depth,
        hip_abduction=-adduction,
        knee_valgus=adduction,  # the shins swing back out: the feet stay where they were
    )
    # Face up: the pitch that rests the shoulders and the feet on the floor, near -90.
    pitch = floor_pitch(posture, SHOULDERS, FEET, search_deg=(-160.0, -20.0))
    posture = posture.with_(body_pitch=pitch)
    return rolled_about_the_spine(posture, hip_drop_deg * up) if hip_drop_deg else posture


@cache
def bridge_path(**kwargs: float) -> Path:
    return Path.from_function(lambda d: bridge_at(d, **kwargs), samples=11)


GLUTE_BRIDGE = RepsRecipe(
    exercise_id="glute_bridge",
    cameras={"side": FLOOR_SIDE, "back": FLOOR_FRONT},  # back: at the feet, looking along
    paths=lambda side: bridge_path(),
    faults={
        "hips_off_line": FaultRecipe(bridge_path(top_hip_deg=16.0)),
        "knees_fall_in": FaultRecipe(bridge_path(knees_in=1.0)),
        "hips_uneven": FaultRecipe(bridge_path(hip_drop_deg=18.0)),
        "too_fast": FaultRecipe(period_s=2.0),
    },
    good_periods_s=CALM_PERIODS_S,
    fidget_channels=JOINT_FIDGET,
)


# ---- straight leg raise ------------------------------------------------------------------------


@cache
def leg_raise_path(side: WorkingSide, *, lift_deg: float = 50.0, knee_deg: float = 0.0) -> Path:
    """One straight leg lifted from the floor to `lift_deg`, the other knee bent with the
    foot flat; `knee_deg` of knee bend reached at the top. 'both': both legs lift together
    (see the note on "both" above)."""
    if side == "both":
        top = SUPINE.with_(hip_flexion=lift_deg, knee_flexion=knee_deg)
        return Path.between(SUPINE, top)
    start = SUPINE.with_(**sided(other(side), hip_flexion=45.0, knee_flexion=90.0))
    top = start.with_(**sided(side, hip_flexion=lift_deg, knee_flexion=knee_deg))
    return Path.between(start, top)


STRAIGHT_LEG_RAISE = RepsRecipe(
    exercise_id="straight_leg_raise",
    cameras={"side": FLOOR_SIDE},
    paths=leg_raise_path,
    faults={
        "knee_bends": FaultRecipe(leg_raise_path("both", knee_deg=35.0)),
        "too_fast": FaultRecipe(period_s=2.0),
    },
    good_periods_s=CALM_PERIODS_S,
    fidget_channels=JOINT_FIDGET,
    sides=("left", "right"),
)


# ---- seated knee extension ---------------------------------------------------------------------

SEATED = Posture.of(hip_flexion=90.0, knee_flexion=90.0)


@cache
def knee_extension_path(
    side: WorkingSide, *, thigh_lift_deg: float = 0.0, lean_back_deg: float = 0.0
) -> Path:
    """One knee (or both) straightened from 90 degrees to straight, sitting; the thigh lifts
    off the seat by `thigh_lift_deg` and the trunk leans back by `lean_back_deg` on the way."""
    legs = ("left", "right") if side == "both" else (side,)
    top = SEATED.with_(
        **{f"{leg}_knee_flexion": 0.0 for leg in legs},
        **{f"{leg}_hip_flexion": 90.0 + thigh_lift_deg for leg in legs},
        trunk_flexion=-lean_back_deg,
    )
    return Path.between(SEATED, top)


SEATED_KNEE_EXTENSION = RepsRecipe(
    exercise_id="seated_knee_extension",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=knee_extension_path,
    faults={
        "thigh_lifts": FaultRecipe(knee_extension_path("both", thigh_lift_deg=40.0)),
        "leans_back": FaultRecipe(knee_extension_path("both", lean_back_deg=40.0)),
        "too_fast": FaultRecipe(period_s=2.0),
    },
    good_periods_s=CALM_PERIODS_S,
    fidget_channels=JOINT_FIDGET,
    sides=("left", "right"),
)


# ---- standing side leg raise -------------------------------------------------------------------


@cache
def side_leg_path(side: WorkingSide, *, lift_deg: float = 35.0, lean_deg: float = 0.0) -> Path:
    """One straight leg lifted out to the side to `lift_deg`; the trunk leans `lean_deg`
    towards the standing leg on the way."""
    leg = working(side)
    towards_stance = -1.0 if leg == "left" else 1.0  # trunk side bend is positive to the left
    top = STANDING.with_(
        **sided(leg, hip_abduction=lift_deg), trunk_side_bend=towards_stance * lean_deg
    )
    return Path.between(STANDING, top)


SIDE_LEG_RAISE = RepsRecipe(
    exercise_id="side_leg_raise",
    cameras={"front": STANDING_FRONT, "back": STANDING_BACK},
    paths=side_leg_path,
    faults={
        "leans_sideways": FaultRecipe(side_leg_path("both", lean_deg=20.0)),
        "too_fast": FaultRecipe(period_s=1.5),
    },
    good_periods_s=(3.0, 4.0, 8.0),
    fidget_channels=JOINT_FIDGET,
    sides=("left", "right"),
)


# ---- side-lying leg raise and clamshell --------------------------------------------------------

# Lying on the side tipped by 80 degrees, not 90: the head a little higher than the feet. A
# body lying exactly level on its side has its shoulder and hip lines vertical, with no
# width across the image and none in depth, and the view cannot be told (the engine reads
# it from their yaw): see the report of issue 3.
SIDE_LYING_ROLL = 80.0


def side_lying(top: str, **channels: float) -> Posture:
    """Lying on the side with the `top` leg uppermost, facing a camera at yaw 0. A negative
    `body_pitch` on top of it rolls the body back (the face turns up), either side."""
    roll = SIDE_LYING_ROLL if top == "right" else -SIDE_LYING_ROLL
    return Posture.of(body_roll=roll, **channels)


@cache
def side_lying_raise_path(
    side: WorkingSide, *, lift_deg: float = 45.0, roll_back_deg: float = 0.0
) -> Path:
    """The top leg lifted to `lift_deg` of abduction; the body rolls back by `roll_back_deg`
    on the way (the pelvis and trunk turn together in the generator)."""
    leg = working(side)

    def at(depth: float) -> Posture:
        posture = side_lying(leg, **sided(leg, hip_abduction=lift_deg * depth))
        return posture.with_(body_pitch=-roll_back_deg * depth) if roll_back_deg else posture

    return Path.from_function(at, samples=11)


SIDE_LYING_LEG_RAISE = RepsRecipe(
    exercise_id="side_lying_leg_raise",
    cameras={"front": FLOOR_FRONT},
    paths=side_lying_raise_path,
    faults={
        "hips_roll_back": FaultRecipe(side_lying_raise_path("both", roll_back_deg=35.0)),
        "lifts_too_high": FaultRecipe(side_lying_raise_path("both", lift_deg=65.0)),
        "too_fast": FaultRecipe(period_s=1.5),
    },
    good_periods_s=CALM_PERIODS_S,
    fidget_channels=JOINT_FIDGET,
    sides=("left", "right"),
)


CLAM_HIP_DEG = 45.0
CLAM_KNEE_DEG = 90.0
CLAM_TOGETHER_DEG = 16.0  # top thigh drawn in until the knees touch (hips are wider)


def _leg_angles(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, sign: float, body: Body):
    """Joint angles that put a leg's knee and ankle at these body-frame points: the
    generator's leg chain (hip flexion, abduction; knee flexion, valgus) solved exactly."""
    d = (knee - hip) / np.linalg.norm(knee - hip)
    abduction = sign * math.degrees(math.asin(np.clip(d[0], -1, 1)))
    flexion = math.degrees(math.atan2(-d[2], d[1]))
    a, f = math.radians(-sign * abduction), math.radians(-flexion)
    rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(f), -math.sin(f)], [0, math.sin(f), math.cos(f)]])
    u = (rx @ rz).T @ (ankle - knee) / body.shank_m
    valgus = sign * math.degrees(math.asin(np.clip(u[0], -1, 1)))
    knee_flexion = math.degrees(math.atan2(u[2], u[1]))
    return flexion, abduction, knee_flexion, valgus


def _rotate(point: np.ndarray, origin: np.ndarray, axis: np.ndarray, degrees: float):
    """Rodrigues: `point` turned about the line through `origin` along `axis`."""
    k = axis / np.linalg.norm(axis)
    v = point - origin
    t = math.radians(degrees)
    turned = v * math.cos(t) + np.cross(k, v) * math.sin(t) + k * np.dot(k, v) * (1 - math.cos(t))
    return origin + turned


def clam_at(top: str, opening_deg: float, *, feet_stay: bool = True) -> Posture:
    """The clam `opening_deg` open: the top leg turns as one piece about the line from its
    hip to its ankle (the feet stay together), the knee rising. Without `feet_stay` the top
    leg is lifted by abduction instead, the foot going up with the knee."""
    body = Body()
    sign = 1.0 if top == "left" else -1.0
    rest = Posture.of(
        hip_flexion=CLAM_HIP_DEG,
        knee_flexion=CLAM_KNEE_DEG,
        **sided(top, hip_abduction=-CLAM_TOGETHER_DEG),
    )
    if not feet_stay:
        lifted = rest.with_(**sided(top, hip_abduction=opening_deg - CLAM_TOGETHER_DEG))
        return side_lying(top, **_channels(lifted))
    points = body_landmarks(rest.vector[None], body)[0]
    hip, knee, ankle = (
        points[Landmark[f"{top}_{part}".upper()]] for part in ("hip", "knee", "ankle")
    )
    # The knee rises to the side of the top leg (+x for the left leg in the body frame).
    turned = _rotate(knee, hip, ankle - hip, 1.0)
    direction = 1.0 if (turned[0] - knee[0]) * sign > 0 else -1.0
    new_knee = _rotate(knee, hip, ankle - hip, direction * opening_deg)
    flexion, abduction, knee_flexion, valgus = _leg_angles(hip, new_knee, ankle, sign, body)
    return side_lying(
        top,
        **{
            **_channels(rest),
            **sided(
                top,
                hip_flexion=flexion,
                hip_abduction=abduction,
                knee_flexion=knee_flexion,
                knee_valgus=valgus,
            ),
        },
    )


def _channels(posture: Posture) -> dict[str, float]:
    """The leg channels of a posture, to rebuild it lying on the side."""
    return {
        f"{s}_{joint}": posture[f"{s}_{joint}"]
        for s in ("left", "right")
        for joint in ("hip_flexion", "hip_abduction", "knee_flexion", "knee_valgus")
    }


@cache
def clam_path(
    side: WorkingSide,
    *,
    opening_deg: float = 55.0,
    roll_back_deg: float = 0.0,
    feet_stay: bool = True,
) -> Path:
    """The top knee opened by turning the leg `opening_deg` about the hip-ankle line; the
    body rolls back by `roll_back_deg` on the way."""
    top = working(side)

    def at(depth: float) -> Posture:
        posture = clam_at(top, opening_deg * depth, feet_stay=feet_stay)
        return posture.with_(body_pitch=-roll_back_deg * depth) if roll_back_deg else posture

    return Path.from_function(at, samples=11)


CLAMSHELL = RepsRecipe(
    exercise_id="clamshell",
    cameras={"front": FLOOR_FRONT},
    paths=clam_path,
    faults={
        "rolls_back": FaultRecipe(clam_path("both", roll_back_deg=35.0)),
        "feet_apart": FaultRecipe(clam_path("both", opening_deg=40.0, feet_stay=False)),
        "too_fast": FaultRecipe(period_s=1.5),
    },
    good_periods_s=CALM_PERIODS_S,
    fidget_channels=JOINT_FIDGET,
    sides=("left", "right"),
)


# ---- heel slide --------------------------------------------------------------------------------


@cache
def heel_slide_path(side: WorkingSide, *, knee_deg: float = 110.0, heel_lift_deg: float = 0.0):
    """One heel (or both) slid towards the bottom until the knee bends `knee_deg`: the hip
    bends half as much, which keeps the heel on the floor (thigh and shin are about the same
    length). `heel_lift_deg` of extra hip bend lifts the heel off the floor at the end."""
    legs = ("left", "right") if side == "both" else (side,)
    end = SUPINE.with_(
        **{f"{leg}_knee_flexion": knee_deg for leg in legs},
        **{f"{leg}_hip_flexion": knee_deg / 2 + heel_lift_deg for leg in legs},
    )
    return Path.between(SUPINE, end)


HEEL_SLIDE = RepsRecipe(
    exercise_id="heel_slide",
    cameras={"side": FLOOR_SIDE},
    paths=heel_slide_path,
    faults={
        "heel_lifts": FaultRecipe(heel_slide_path("both", heel_lift_deg=30.0)),
        "too_fast": FaultRecipe(period_s=1.5),
    },
    good_periods_s=CALM_PERIODS_S,
    fidget_channels=JOINT_FIDGET,
    sides=("left", "right"),
)


# ---- knee to chest -----------------------------------------------------------------------------


@cache
def knee_to_chest_path(side: WorkingSide, *, curl_deg: float = 0.0) -> Path:
    """From lying with the knees bent, one knee (or both) drawn up to the chest: hip 45 ->
    125 degrees, knee 90 -> 120; the head and shoulders curl up `curl_deg` at the end."""
    legs = ("left", "right") if side == "both" else (side,)
    end = HOOK_LYING.with_(
        **{f"{leg}_hip_flexion": 125.0 for leg in legs},
        **{f"{leg}_knee_flexion": 120.0 for leg in legs},
        trunk_flexion=curl_deg,
    )
    return Path.between(HOOK_LYING, end)


KNEE_TO_CHEST = RepsRecipe(
    exercise_id="knee_to_chest",
    cameras={"side": FLOOR_SIDE},
    paths=knee_to_chest_path,
    faults={
        "shoulders_lift": FaultRecipe(knee_to_chest_path("both", curl_deg=35.0)),
        "too_fast": FaultRecipe(period_s=2.0),
    },
    good_periods_s=CALM_PERIODS_S,
    fidget_channels=JOINT_FIDGET,
    sides=("both", "left", "right"),
)


# ---- hamstring stretch -------------------------------------------------------------------------


def stretch(leg: str = "left", **channels: float) -> Posture:
    """Lying on the back, `leg` lifted straight to 70 degrees (a towel round the foot)."""
    return SUPINE.with_(**sided(leg, hip_flexion=70.0)).with_(**channels)


HAMSTRING_STRETCH = HoldRecipe(
    exercise_id="hamstring_stretch",
    cameras={"side": FLOOR_SIDE},
    hold=stretch(),
    rest=SUPINE,
    breaks={
        "leg lowered": stretch(left_hip_flexion=20.0),
        "knee bent right up": stretch(left_knee_flexion=60.0),
        "sat up": stretch(trunk_flexion=50.0),
    },
    faults={
        "knee_bent": stretch(left_knee_flexion=22.0),
        "shoulders_lift": stretch(trunk_flexion=22.0),
    },
)


REPS = (
    GLUTE_BRIDGE,
    STRAIGHT_LEG_RAISE,
    SEATED_KNEE_EXTENSION,
    SIDE_LEG_RAISE,
    SIDE_LYING_LEG_RAISE,
    CLAMSHELL,
    HEEL_SLIDE,
    KNEE_TO_CHEST,
)
HOLDS = (HAMSTRING_STRETCH,)

# For the side tests: the camera that sees each working leg best, per view.
SIDE_CAMERAS: dict[str, dict[str, dict[str, Camera]]] = {
    "straight_leg_raise": {"side": {"left": FLOOR_SIDE, "right": FLOOR_SIDE_RIGHT}},
    "seated_knee_extension": {
        "side": {"left": STANDING_SIDE, "right": STANDING_SIDE_RIGHT},
        "front": {"left": STANDING_FRONT, "right": STANDING_FRONT},
    },
    "side_leg_raise": {
        "front": {"left": STANDING_FRONT, "right": STANDING_FRONT},
        "back": {"left": STANDING_BACK, "right": STANDING_BACK},
    },
    "side_lying_leg_raise": {"front": {"left": FLOOR_FRONT, "right": FLOOR_FRONT}},
    "clamshell": {"front": {"left": FLOOR_FRONT, "right": FLOOR_FRONT}},
    "heel_slide": {"side": {"left": FLOOR_SIDE, "right": FLOOR_SIDE_RIGHT}},
    "knee_to_chest": {"side": {"left": FLOOR_SIDE, "right": FLOOR_SIDE_RIGHT}},
}

# Each rule's fault done with either leg, for the side tests: exercise -> rule id -> a
# function of the working side giving the path (the generic bench shows them with "both").
ONE_LEG_FAULTS: dict[str, dict[str, Callable[[str], Path]]] = {
    "straight_leg_raise": {"knee_bends": lambda side: leg_raise_path(side, knee_deg=35.0)},
    "seated_knee_extension": {
        "thigh_lifts": lambda side: knee_extension_path(side, thigh_lift_deg=40.0),
        "leans_back": lambda side: knee_extension_path(side, lean_back_deg=40.0),
    },
    "heel_slide": {"heel_lifts": lambda side: heel_slide_path(side, heel_lift_deg=30.0)},
    "knee_to_chest": {"shoulders_lift": lambda side: knee_to_chest_path(side, curl_deg=35.0)},
    "side_leg_raise": {"leans_sideways": lambda side: side_leg_path(side, lean_deg=20.0)},
    "side_lying_leg_raise": {
        "hips_roll_back": lambda side: side_lying_raise_path(side, roll_back_deg=35.0),
        "lifts_too_high": lambda side: side_lying_raise_path(side, lift_deg=65.0),
    },
    "clamshell": {
        "rolls_back": lambda side: clam_path(side, roll_back_deg=35.0),
        "feet_apart": lambda side: clam_path(side, opening_deg=40.0, feet_stay=False),
    },
}
