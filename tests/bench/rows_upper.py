"""Bench rows for the trunk and upper-body group: bird dog, sit-up, crunch, wall push-up,
shoulder press, side and front arm raises, pull-up and the side plank.

The generator stands, lies face down (push-ups, planks) and tips over; the postures these
exercises need beyond that (on all fours, lying on the back, leaning on a wall, hanging from
a bar, propped on one forearm) are built here from its public pieces: `Posture` channels for
the joints, `body_landmarks` for the forward kinematics that places the supports and the
hands, `Path` for the movement.

Two things the generator cannot move are noted where they matter: the shoulder girdle (no
shrug: tests/bench/test_upper_body.py lifts the shoulder and arm landmarks of rendered raises
instead) and the rotation of the upper arm about its own axis (the elbow always
bends in the arm's own front-back plane, so the forearm points straight up only with the
upper arm out to the side at shoulder height).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np

from coach.core.landmarks import Landmark
from tests.bench.framework import (
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
)

STANDING_BACK = Camera(yaw_deg=180.0, distance_m=3.0, height_m=1.0)
# Lying sideways across the image, facing the camera: far enough to see head to feet.
FLOOR_FRONT_WIDE = Camera(yaw_deg=0.0, distance_m=3.0, height_m=0.4)
# A hanging body reaches about 2.4 m up: further away and higher.
BAR_BACK = Camera(yaw_deg=180.0, distance_m=4.0, height_m=1.3)
BAR_FRONT = Camera(yaw_deg=0.0, distance_m=4.0, height_m=1.3)

BODY = Body()
SHRUG_REASON = (
    "the generator has no shoulder elevation; tests/bench/test_upper_body.py lifts the "
    "shoulder and arm landmarks of rendered raises instead"
)


def _sides(side: WorkingSide) -> tuple[str, ...]:
    return ("left", "right") if side == "both" else (side,)


def _per_side(side: WorkingSide, **joints: float) -> dict[str, float]:
    """`elbow_flexion=10` -> {"left_elbow_flexion": 10, ...} on the working side(s)."""
    return {f"{s}_{joint}": value for s in _sides(side) for joint, value in joints.items()}


def _points(posture: Posture, *names: str) -> np.ndarray:
    """Body-frame positions (x left, y down, z back) of named landmarks, (N, 3)."""
    landmarks = body_landmarks(posture.vector[None], BODY)[0]
    return np.stack([landmarks[Landmark[n.upper()]] for n in names])


def _rotation_x(degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _rotation_z(degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _level(
    posture: Posture,
    channel: str,
    rotation: Callable[[float], np.ndarray],
    first: tuple[str, ...],
    second: tuple[str, ...],
    search: tuple[float, float],
) -> Posture:
    """The value of `channel` (body_pitch or body_roll) at which the lowest of `first` and
    the lowest of `second` touch the floor together, as the renderer places bodies: the
    generator's `floor_pitch` for any pitch range and for rolling onto one side."""
    names = (*first, *second)
    local = _points(posture.with_(body_pitch=0.0, body_roll=0.0), *names)
    angles = np.arange(search[0], search[1], 0.05)
    gaps = []
    for angle in angles:
        heights = (local @ rotation(float(angle)).T)[:, 1]  # y down: larger = lower
        gaps.append(heights[: len(first)].max() - heights[len(first) :].max())
    gaps = np.array(gaps)
    crossings = np.nonzero(np.diff(np.sign(gaps)))[0]
    if crossings.size == 0:
        raise ValueError(f"no {channel} puts both supports on the floor")
    k = crossings[0]
    angle = angles[k] - gaps[k] * (angles[k + 1] - angles[k]) / (gaps[k + 1] - gaps[k])
    return posture.with_(**{channel: float(angle)})


# ---- standing arm raises ---------------------------------------------------------------------

ARMS_DOWN = STANDING.with_(shoulder_abduction=5.0, elbow_flexion=10.0)


def lateral_raise_path(
    side: WorkingSide,
    *,
    top_deg: float = 95.0,
    elbow_deg: float = 10.0,
    lean_deg: float = 0.0,
    tilt_deg: float = 0.0,
) -> Path:
    """Arm(s) out to the side from hanging to `top_deg`; `lean_deg` of side bend at the top
    (leaning over to swing the weight up); `tilt_deg` of side bend all along (a trunk that
    always tilts a little: a scoliosis, a stiff hip)."""
    start = ARMS_DOWN.with_(trunk_side_bend=tilt_deg)
    turn = start.with_(
        **_per_side(side, shoulder_abduction=top_deg, elbow_flexion=elbow_deg),
        trunk_side_bend=tilt_deg + lean_deg,
    )
    return Path.between(start, turn)


LATERAL_RAISE = RepsRecipe(
    exercise_id="lateral_raise",
    cameras={"front": STANDING_FRONT, "back": STANDING_BACK},
    paths=lateral_raise_path,
    faults={
        "shrugging": SHRUG_REASON,
        "elbow_bent": FaultRecipe(lateral_raise_path("both", elbow_deg=75.0)),
        "trunk_lean": FaultRecipe(lateral_raise_path("both", lean_deg=22.0)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
    sides=("both", "left", "right"),
)

ARMS_DOWN_FRONT = STANDING.with_(shoulder_flexion=5.0, elbow_flexion=10.0)


def front_raise_path(
    side: WorkingSide, *, top_deg: float = 95.0, elbow_deg: float = 10.0, lean_back_deg: float = 0.0
) -> Path:
    """Arm(s) forward from hanging to `top_deg`; the trunk leans back `lean_back_deg`."""
    turn = ARMS_DOWN_FRONT.with_(
        **_per_side(side, shoulder_flexion=top_deg, elbow_flexion=elbow_deg),
        trunk_flexion=-lean_back_deg,
    )
    return Path.between(ARMS_DOWN_FRONT, turn)


FRONT_RAISE = RepsRecipe(
    exercise_id="front_raise",
    cameras={"side": STANDING_SIDE, "front": STANDING_FRONT},
    paths=front_raise_path,
    faults={
        "shrugging": SHRUG_REASON,
        "elbow_bent": FaultRecipe(front_raise_path("both", elbow_deg=75.0)),
        "leaning_back": FaultRecipe(front_raise_path("both", lean_back_deg=25.0)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
    sides=("both", "left", "right"),
)


# ---- shoulder press --------------------------------------------------------------------------
# The weights at the shoulders: upper arms out to the side at shoulder height, forearms
# straight up (the one arm position where the generator's elbow bends in the frontal plane:
# shoulder flexion 90 then abduction 90). Overhead: arms up by flexion, nearly straight.

PRESS_BOTTOM = STANDING.with_(shoulder_flexion=90.0, shoulder_abduction=90.0, elbow_flexion=90.0)


def _press_arm(progress: float) -> dict[str, float]:
    """Shoulders to overhead: flexion 90 -> 180 while abduction 90 -> 0 (the upper arm
    rises in front of the frontal plane, elbows slightly forward), elbow 90 -> 5."""
    return {
        "shoulder_flexion": 90.0 + 90.0 * progress,
        "shoulder_abduction": 90.0 - 90.0 * progress,
        "elbow_flexion": 90.0 - 85.0 * progress,
    }


def _press_elevation(progress: float) -> float:
    """The trunk-to-upper-arm angle of `_press_arm` (cos = cos abduction x cos flexion)."""
    arm = _press_arm(progress)
    cos_e = math.cos(math.radians(arm["shoulder_abduction"])) * math.cos(
        math.radians(arm["shoulder_flexion"])
    )
    return math.degrees(math.acos(cos_e))


def _press_progress(elevation_deg: float) -> float:
    """The progress along `_press_arm` at which the arm is `elevation_deg` up."""
    low, high = 0.0, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if _press_elevation(middle) < elevation_deg else (low, middle)
    return (low + high) / 2


def press_path(
    *,
    top_deg: float = 178.0,
    lagging_right_deg: float | None = None,
    arch_deg: float = 0.0,
    recline_deg: float = 0.0,
) -> Path:
    """From the shoulders to `top_deg` overhead. `lagging_right_deg`: the right arm only
    rises that far, out to the side (an uneven press: one arm weaker or painful);
    `arch_deg`: the trunk leans back at the top; `recline_deg`: the trunk leans back that
    far all along (seated against a reclined backrest)."""
    left_end = _press_progress(top_deg)

    def at(depth: float) -> Posture:
        right = _press_arm(depth * left_end)
        if lagging_right_deg is not None:
            right = {
                "shoulder_flexion": 90.0 * (1 - depth),
                "shoulder_abduction": 90.0 + (lagging_right_deg - 90.0) * depth,
                "elbow_flexion": 90.0 - 80.0 * depth,
            }
        return PRESS_BOTTOM.with_(
            **{f"left_{k}": v for k, v in _press_arm(depth * left_end).items()},
            **{f"right_{k}": v for k, v in right.items()},
            trunk_flexion=-recline_deg - arch_deg * depth,
        )

    return Path.from_function(at, samples=21)


SHOULDER_PRESS = RepsRecipe(
    exercise_id="shoulder_press",
    cameras={"front": STANDING_FRONT, "side": STANDING_SIDE},
    paths=lambda side: press_path(),
    faults={
        "uneven_arms": FaultRecipe(press_path(top_deg=179.5, lagging_right_deg=145.0)),
        "arching_back": FaultRecipe(press_path(arch_deg=25.0)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
)


# ---- pull-up (hanging from a bar) -------------------------------------------------------------
# A chin-up seen from behind or in front: the hands stay on the bar, the body rises. The
# arms move in the sagittal plane (the generator bends the elbow only in the arm's own
# front-back plane); the definition measures the trunk-to-upper-arm angle in 3D, the same
# for a wide grip out to the side.

BAR_HEIGHT_M = 2.35
HANG = STANDING.with_(shoulder_flexion=175.0, knee_flexion=10.0, ankle_dorsiflexion=-30.0)
_SUPPORT_NAMES = tuple(
    f"{side}_{part}"
    for side in ("left", "right")
    for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
)


def _arm_ik(forward_m: float, up_m: float) -> tuple[float, float]:
    """(shoulder flexion, elbow flexion) that put the wrist `forward_m` in front of and
    `up_m` above the shoulder, elbow in front, arm in the sagittal plane."""
    upper, fore = BODY.upper_arm_m, BODY.forearm_m
    reach = min(math.hypot(forward_m, up_m), upper + fore - 1e-6)
    towards_hand = math.degrees(math.atan2(forward_m, -up_m))  # from straight down, forward +
    at_shoulder = math.degrees(math.acos((upper**2 + reach**2 - fore**2) / (2 * upper * reach)))
    at_hand = math.degrees(math.acos((fore**2 + reach**2 - upper**2) / (2 * fore * reach)))
    return towards_hand - at_shoulder, at_shoulder + at_hand


def _hung(posture: Posture) -> Posture:
    """The posture lifted (lift_m) so that its wrists are at the bar."""
    points = _points(posture, *_SUPPORT_NAMES)
    floor_y = points[:, 1].max()
    wrist_y = _points(posture, "left_wrist", "right_wrist")[:, 1].min()
    return posture.with_(lift_m=BAR_HEIGHT_M - (floor_y - wrist_y))


def pull_up_path(
    *,
    top_up_m: float = 0.08,
    weak_right: float = 0.0,
    swing_deg: float = 0.0,
) -> Path:
    """From a dead hang to the shoulders `top_up_m` below the hands (chin over the bar).
    `weak_right` (0-1): the right arm does that much less of the pull; `swing_deg`: the
    body swings that far out of vertical at the top."""
    # The bar is straight above the shoulders in the hang and in front of the neck at the
    # top (chin over the bar): the hands end up in front of the shoulders, elbows down.
    hang_forward, top_forward = 0.05, 0.22
    hang_up = math.sqrt((BODY.upper_arm_m + BODY.forearm_m - 0.002) ** 2 - hang_forward**2)

    def at(depth: float) -> Posture:
        def arm(amount: float) -> tuple[float, float]:
            forward = hang_forward + (top_forward - hang_forward) * amount
            return _arm_ik(forward, hang_up + (top_up_m - hang_up) * amount)

        left = arm(depth)
        right = arm(depth * (1 - weak_right))
        posture = HANG.with_(
            left_shoulder_flexion=left[0],
            left_elbow_flexion=left[1],
            right_shoulder_flexion=right[0],
            right_elbow_flexion=right[1],
            body_pitch=-swing_deg * depth,
        )
        return _hung(posture)

    return Path.from_function(at, samples=21)


PULL_UP = RepsRecipe(
    exercise_id="pull_up",
    cameras={"back": BAR_BACK, "front": BAR_FRONT},
    paths=lambda side: pull_up_path(),
    faults={
        "swinging": FaultRecipe(pull_up_path(swing_deg=40.0), period_s=4.0),
        "uneven_arms": FaultRecipe(pull_up_path(weak_right=0.45), period_s=4.0),
        "too_fast": FaultRecipe(period_s=1.5),
    },
    # The way down must take 0.8 s or more (too_fast): a rep every 3 s or slower.
    good_periods_s=(3.0, 4.0, 8.0),
)


# ---- wall push-up --------------------------------------------------------------------------
# Standing straight, leaning on the hands at shoulder height on a wall in front: as the
# elbows bend the body pivots about the toes towards the wall, the hands stay where they are.


def _sagittal(posture: Posture, *names: str) -> np.ndarray:
    """(forward, up) positions of landmarks once the posture's body pitch is applied, (N, 2)."""
    local = _points(posture.with_(body_pitch=0.0), *names)
    room = local @ _rotation_x(posture["body_pitch"]).T  # y down, z back
    return np.stack([-room[:, 2], -room[:, 1]], axis=1)


WALL_LEAN_DEG = 18.0
WALL_START = STANDING.with_(
    body_pitch=WALL_LEAN_DEG,
    ankle_dorsiflexion=WALL_LEAN_DEG,  # feet flat on the floor
    shoulder_flexion=90.0 + WALL_LEAN_DEG,  # arms level, straight ahead
)


@cache
def wall_push_up_path(
    *, bottom_elbow_deg: float = 105.0, tuck_deg: float = 25.0, sag_deg: float = 0.0
) -> Path:
    """Elbows from straight to `bottom_elbow_deg` with the hands fixed on the wall and the
    toes on the floor; the upper arms open `tuck_deg` from the body at the bottom (elbows at
    about 45 degrees). `sag_deg`: the hips let forward towards the wall at the bottom."""
    upper, fore = BODY.upper_arm_m, BODY.forearm_m
    toe, hand = _sagittal(WALL_START, "left_foot_index", "left_wrist")
    hand = hand - toe
    pitches = np.arange(WALL_LEAN_DEG, 75.0, 0.05)
    shoulders = []  # shoulder minus toe at each lean
    for pitch in pitches:
        leaning = WALL_START.with_(body_pitch=float(pitch), ankle_dorsiflexion=float(pitch))
        toe_at, shoulder_at = _sagittal(leaning, "left_foot_index", "left_shoulder")
        shoulders.append(shoulder_at - toe_at)
    shoulders = np.stack(shoulders)
    reach = np.linalg.norm(hand - shoulders, axis=1)

    def at(depth: float) -> Posture:
        elbow = bottom_elbow_deg * depth
        wanted = math.sqrt(upper**2 + fore**2 + 2 * upper * fore * math.cos(math.radians(elbow)))
        k = int(np.argmax(reach <= wanted + 1e-9))  # the first lean that close to the wall
        pitch = float(pitches[k])
        to_hand = hand - shoulders[k]
        # From the trunk's "down" (tilted back by the lean), forward positive.
        towards_hand = math.degrees(math.atan2(to_hand[0], -to_hand[1])) + pitch
        d = float(np.linalg.norm(to_hand))
        at_shoulder = math.degrees(
            math.acos(np.clip((upper**2 + d**2 - fore**2) / (2 * upper * d), -1.0, 1.0))
        )
        return WALL_START.with_(
            body_pitch=pitch,
            ankle_dorsiflexion=pitch,
            shoulder_flexion=towards_hand - at_shoulder,
            shoulder_abduction=tuck_deg * depth,
            elbow_flexion=elbow,
            hip_flexion=-sag_deg * depth,
        )

    return Path.from_function(at, samples=21)


WALL_PUSH_UP = RepsRecipe(
    exercise_id="wall_push_up",
    cameras={"side": STANDING_SIDE},
    paths=lambda side: wall_push_up_path(),
    faults={
        "hips_sag": FaultRecipe(wall_push_up_path(sag_deg=35.0)),
        # Flared elbows point the upper arm at the camera, which shortens the elbow angle
        # seen side-on: the chest goes closer to the wall so the rep is not also partial.
        "elbows_flare": FaultRecipe(wall_push_up_path(tuck_deg=70.0, bottom_elbow_deg=130.0)),
        "too_fast": FaultRecipe(period_s=1.0),
    },
)


# ---- lying on the back: sit-up and crunch -----------------------------------------------------
# Hook lying: knees bent, feet flat, arms along the body; the upper body curls up about the
# hips (trunk_flexion) while the pelvis stays on the floor.

HEELS = ("left_heel", "right_heel")
BACK = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


@cache
def hook_lying(knee_deg: float = 90.0) -> Posture:
    """On the back, knees bent `knee_deg`, feet flat: pitched so shoulders, hips and heels
    touch the floor together."""
    posture = Posture.of(
        hip_flexion=knee_deg / 2,
        knee_flexion=knee_deg,
        ankle_dorsiflexion=knee_deg / 2 - 10.0,
        shoulder_flexion=10.0,
        body_pitch=-90.0,
    )
    return _level(posture, "body_pitch", _rotation_x, BACK, HEELS, (-100.0, -80.0))


def curl_up_path(top_deg: float, *, straight_legs: bool = False) -> Path:
    """The trunk curls up to `top_deg` from the floor; `straight_legs`: the knees straighten
    and the feet slide away as it does (the legs push to help)."""

    def at(depth: float) -> Posture:
        knee = 90.0 - 75.0 * depth if straight_legs else 90.0
        lying = hook_lying(round(knee, 3))
        return lying.with_(trunk_flexion=top_deg * depth)

    return Path.from_function(at, samples=21)


LYING_FIDGET = (
    "hip_flexion",
    "knee_flexion",
    "shoulder_flexion",
    "shoulder_abduction",
    "elbow_flexion",
    "trunk_flexion",
    "trunk_side_bend",
)

SIT_UP = RepsRecipe(
    exercise_id="sit_up",
    cameras={"side": FLOOR_SIDE},
    paths=lambda side: curl_up_path(85.0),
    faults={
        "legs_straight": FaultRecipe(curl_up_path(85.0, straight_legs=True), period_s=4.0),
        "too_fast": FaultRecipe(period_s=1.3),
    },
    good_periods_s=(3.0, 4.0, 8.0),  # a rep takes 1.5 s or more (too_fast)
    # Lying down, the body as a whole does not tip: only the limbs and the trunk move.
    fidget_channels=LYING_FIDGET,
)

CRUNCH = RepsRecipe(
    exercise_id="crunch",
    cameras={"side": FLOOR_SIDE},
    paths=lambda side: curl_up_path(32.0),
    faults={
        "sitting_up_too_far": FaultRecipe(curl_up_path(60.0)),
        "legs_straight": FaultRecipe(curl_up_path(32.0, straight_legs=True), period_s=4.0),
        "too_fast": FaultRecipe(period_s=1.0),
    },
    fidget_channels=LYING_FIDGET,
)


# ---- on all fours: bird dog -----------------------------------------------------------------

WRISTS = ("left_wrist", "right_wrist")
KNEES = ("left_knee", "right_knee")


FOURS_HIP_DEG = 73.0  # thighs and arms vertical: the back then rises 18 degrees to the head


@cache
def all_fours(pitch_change_deg: float = 0.0) -> Posture:
    """Hands under the shoulders, knees under the hips (arms and thighs vertical), shins and
    insteps on the floor; `pitch_change_deg` tips the body back (head up), as when rocking
    back towards the heels."""
    posture = Posture.of(
        hip_flexion=FOURS_HIP_DEG,
        knee_flexion=90.0,
        ankle_dorsiflexion=-40.0,
        shoulder_flexion=FOURS_HIP_DEG,
        body_pitch=90.0,
    )
    level = _level(posture, "body_pitch", _rotation_x, WRISTS, KNEES, (60.0, 120.0))
    return level.with_(body_pitch=level["body_pitch"] - pitch_change_deg)


def bird_dog_path(
    side: WorkingSide,
    *,
    leg_deg: float = 90.0,
    rock_back_deg: float = 0.0,
) -> Path:
    """The `side` leg lifted back from hanging to `leg_deg` (90 = level with the floor) and
    the opposite arm forward; "both" = the left leg. `rock_back_deg`: the body tips back."""
    leg = "right" if side == "right" else "left"
    arm = "left" if leg == "right" else "right"

    def at(depth: float) -> Posture:
        return all_fours(rock_back_deg * depth).with_(
            **{
                f"{leg}_hip_flexion": FOURS_HIP_DEG - leg_deg * depth,
                f"{leg}_knee_flexion": 90.0 * (1 - depth),
                f"{arm}_shoulder_flexion": FOURS_HIP_DEG + 90.0 * depth,
            }
        )

    return Path.from_function(at, samples=11)


BIRD_DOG = RepsRecipe(
    exercise_id="bird_dog",
    cameras={"side": FLOOR_SIDE},
    paths=bird_dog_path,
    faults={
        "leg_too_high": FaultRecipe(bird_dog_path("both", leg_deg=125.0), period_s=5.0),
        "back_not_level": FaultRecipe(bird_dog_path("both", rock_back_deg=25.0), period_s=5.0),
        "too_fast": FaultRecipe(period_s=1.5),
    },
    good_periods_s=(3.0, 6.0, 10.0),  # stretched out and held (too_fast: under 1.4 s a rep)
    # On all fours the hands and knees stay planted: the trunk, arms and legs shift a little.
    fidget_channels=(
        "hip_flexion",
        "knee_flexion",
        "shoulder_flexion",
        "trunk_flexion",
        "trunk_side_bend",
        "elbow_flexion",
    ),
    sides=("left", "right"),
)


# ---- side plank --------------------------------------------------------------------------
# Lying on one side facing the camera, propped on that forearm (upper arm vertical under the
# shoulder, forearm on the floor pointing at the camera), legs straight and stacked. The body
# rolls towards the floor by `body_roll` (90 = lying flat on the side); the supporting arm is
# abducted as far as the body is rolled, so that it points straight down.


def side_plank(
    side: str = "left",
    *,
    hips_down_deg: float = 0.0,
    elbow_out_deg: float = 0.0,
) -> Posture:
    """A side plank on the `side` forearm. `hips_down_deg`: the pelvis and legs roll that
    much further towards the floor than the trunk (the hips sag; the trunk bends sideways);
    `elbow_out_deg`: the elbow placed that far beyond the shoulder, towards the head."""
    sign = 1.0 if side == "left" else -1.0  # body_roll > 0 tips the body to its left
    other = "right" if side == "left" else "left"
    roll = 75.0
    for _ in range(8):  # the roll that puts the elbow and the feet on the floor
        posture = Posture.of(
            **{
                f"{side}_shoulder_abduction": roll - hips_down_deg + elbow_out_deg,
                f"{side}_elbow_flexion": 90.0,
                f"{other}_shoulder_abduction": 10.0,
            },
            body_roll=sign * roll,
            trunk_side_bend=-sign * hips_down_deg,
        )
        feet = (f"{side}_ankle", f"{side}_heel", f"{side}_foot_index")
        posture = _level(
            posture,
            "body_roll",
            _rotation_z,
            (f"{side}_elbow",),
            feet,
            (-130.0, -20.0) if sign < 0 else (20.0, 130.0),
        )
        roll = abs(posture["body_roll"])
    return posture


SIDE_PLANK = HoldRecipe(
    exercise_id="side_plank",
    cameras={"front": FLOOR_FRONT_WIDE},
    hold=side_plank("left"),
    rest=side_plank("left", hips_down_deg=55.0),  # propped on the elbow, hips on the floor
    breaks={
        "hips drop to the floor": side_plank("left", hips_down_deg=55.0),
        "lies down on the side": Posture.of(
            left_shoulder_abduction=170.0, body_roll=90.0, right_shoulder_abduction=10.0
        ),
    },
    faults={
        "hips_sagging": side_plank("left", hips_down_deg=30.0),
        "elbow_not_under_shoulder": side_plank("left", elbow_out_deg=30.0),
    },
)


REPS = (BIRD_DOG, SIT_UP, CRUNCH, WALL_PUSH_UP, LATERAL_RAISE, FRONT_RAISE, SHOULDER_PRESS, PULL_UP)
HOLDS = (SIDE_PLANK,)
