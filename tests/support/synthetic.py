"""Synthetic pose sequences: a jointed body, a camera and scripted motion, without a model.

Real clips exist for few exercises and none shows a fault on purpose. This module makes
pose sequences whose truth is known (the knees bend to 90 degrees for 2 s, the hips sag by
30 degrees from t = 12 s), so the engine can be tested on every definition: reps at any
speed, each form fault, holds, sides, views, mirroring, dropped landmarks, a bystander.

The pieces, each small and separately testable:

- `Posture`: joint angles in the clinical neutral-zero convention (standing upright, arms
  by the sides, palms forward = all zero) plus how the body is placed (pitch, roll, yaw,
  shifts). `Body` holds segment lengths; `body_landmarks` is the forward kinematics that
  turns postures into the 33 BlazePose landmarks.
- `Path` (a one-parameter family of postures, e.g. a squat from standing to the bottom)
  and `Script` (hold, move, n reps with a tempo, fidget, walk in) build a `Motion`: the
  posture at any time, eased with cosines so velocities are smooth.
- `Camera` and `render` place the body on the floor, project it with a pinhole camera
  and produce what MediaPipe would: image x, y normalised to the frame, image z as a
  relative depth on the x scale, hip-centred world landmarks in camera-aligned axes (x to
  the image right, y down, z away from the camera), a visibility per landmark (low for
  limbs hidden behind the body, 0 outside the frame), optional noise, dropouts and a
  mirrored image. The result is a `PoseRecording`, so `CoachSession.replay` consumes it.

Frames used here:

- body frame (one per person): origin between the hip joints, x to the person's LEFT,
  y DOWN the body, z to the person's BACK (right-handed). Unrotated, the person stands
  facing the camera, so the body frame is then the camera frame.
- room frame: X to the image right, Y down (gravity), Z away from the camera, level;
  the floor is Y = 0 and the camera stands at (0, -height, 0).
- camera frame: the room frame tilted by the camera's tilt. World landmarks use its axes
  (MediaPipe's world landmarks follow the image, not gravity).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from coach.core.landmarks import MIRROR_INDEX, NUM_LANDMARKS, SIDES, Landmark
from coach.core.pose import Pose
from coach.vision.recording import MAX_PEOPLE, PoseRecording

# ---- postures ----------------------------------------------------------------------------

# Per-side joints, degrees, clinical neutral-zero convention (positive = the named motion).
# knee_valgus is the shank swung outwards from the thigh in the frontal plane: with the
# hips adducted it puts the knees inside the feet ("knees caving in").
SIDED_JOINTS: tuple[str, ...] = (
    "hip_flexion",
    "hip_abduction",
    "knee_flexion",
    "knee_valgus",
    "ankle_dorsiflexion",
    "shoulder_flexion",
    "shoulder_abduction",
    "elbow_flexion",
)
# Whole-body channels. trunk_*: the upper body relative to the pelvis (degrees; side bend
# positive to the left). body_pitch: the whole body tipped forward (90 = lying face down,
# head where the face pointed); body_roll: tipped to its left (90 = lying on the left
# side); body_yaw: turned so the left side comes nearer the camera, added to the camera's
# view yaw. shift_x_m / shift_z_m move the body right / away in the room; lift_m raises it
# above the floor (a jump). neck_*: the head relative to the trunk, turning about the point
# between the shoulders (degrees; side bend positive to the left); last, so older scripts
# and seeded fidgets stay as they were.
BODY_CHANNELS: tuple[str, ...] = (
    "trunk_flexion",
    "trunk_side_bend",
    "body_pitch",
    "body_roll",
    "body_yaw",
    "shift_x_m",
    "shift_z_m",
    "lift_m",
    "neck_flexion",
    "neck_side_bend",
)
# Per-side joints added later, after the body channels so older scripts and seeded fidgets
# stay as they were: shoulder_rotation turns the upper arm about its own axis (external
# rotation positive: with the elbow bent, the forearm swings out to the side).
LATE_SIDED_JOINTS: tuple[str, ...] = ("shoulder_rotation",)
CHANNELS: tuple[str, ...] = (
    *(f"{side}_{joint}" for side in SIDES for joint in SIDED_JOINTS),
    *BODY_CHANNELS,
    *(f"{side}_{joint}" for side in SIDES for joint in LATE_SIDED_JOINTS),
)
_CHANNEL_INDEX = {name: i for i, name in enumerate(CHANNELS)}
_ANGLE_CHANNELS = tuple(
    name
    for name in CHANNELS
    if not name.endswith("_m")
    and name != "body_yaw"
    and not name.startswith("neck_")
    and not name.endswith(LATE_SIDED_JOINTS)
)


def _channel_names(name: str) -> tuple[str, ...]:
    """The channels a name sets: a side-less joint ("knee_flexion") sets both sides."""
    if name in _CHANNEL_INDEX:
        return (name,)
    if name in SIDED_JOINTS or name in LATE_SIDED_JOINTS:
        return tuple(f"{side}_{name}" for side in SIDES)
    joints = [*SIDED_JOINTS, *LATE_SIDED_JOINTS]
    close = difflib.get_close_matches(name, [*CHANNELS, *joints], n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise KeyError(f"unknown posture channel '{name}'{hint}")


@dataclass(frozen=True, eq=False)
class Posture:
    """Joint angles and body placement: one value per name in `CHANNELS`.

    Immutable, so a posture can be shared between scripts; `with_` makes changed copies.
    """

    vector: np.ndarray

    def __post_init__(self) -> None:
        vector = np.array(self.vector, dtype=np.float64, copy=True)
        if vector.shape != (len(CHANNELS),):
            raise ValueError(f"Posture.vector must have shape ({len(CHANNELS)},)")
        vector.setflags(write=False)
        object.__setattr__(self, "vector", vector)

    @classmethod
    def of(cls, **channels: float) -> Posture:
        """Standing upright, arms by the sides, changed by the named channels."""
        return cls(np.zeros(len(CHANNELS))).with_(**channels)

    def with_(self, **channels: float) -> Posture:
        """A copy with these channels set (`knee_flexion=90` sets both knees)."""
        vector = self.vector.copy()
        for name, value in channels.items():
            for channel in _channel_names(name):
                vector[_CHANNEL_INDEX[channel]] = value
        return Posture(vector)

    def __getitem__(self, name: str) -> float:
        return float(self.vector[_CHANNEL_INDEX[_channel_names(name)[0]]])


STANDING = Posture.of()


# ---- the body ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """Segment lengths of an adult, from height by standard anthropometric ratios.

    Ratios of stature from Winter (Biomechanics and Motor Control of Human Movement,
    fig. 4.1, after Drillis and Contini): thigh 0.245, shank 0.246, upper arm 0.186,
    forearm 0.146, hip to shoulder 0.288, ankle height 0.039. Shoulder and hip widths are
    joint-centre widths close to what BlazePose reports (its landmarks are joint centres,
    narrower than the bony breadths). Face points are placed around the head like the
    model's (nose 0.17 m above and 0.10 m in front of the shoulder line for 1.70 m).
    """

    height_m: float = 1.70

    def _of_height(self, ratio: float) -> float:
        return ratio * self.height_m

    @property
    def scale(self) -> float:
        """Size relative to the 1.70 m reference body (for head, hand and foot points)."""
        return self.height_m / 1.70

    @property
    def thigh_m(self) -> float:
        return self._of_height(0.245)

    @property
    def shank_m(self) -> float:
        return self._of_height(0.246)

    @property
    def upper_arm_m(self) -> float:
        return self._of_height(0.186)

    @property
    def forearm_m(self) -> float:
        return self._of_height(0.146)

    @property
    def trunk_m(self) -> float:
        return self._of_height(0.288)

    @property
    def shoulder_width_m(self) -> float:
        return self._of_height(0.20)

    @property
    def hip_width_m(self) -> float:
        return self._of_height(0.13)

    @property
    def ankle_height_m(self) -> float:
        return self._of_height(0.039)


# Points fixed to a segment, in that segment's frame, for the 1.70 m body (x = the left
# side's lateral direction, so right-side points are mirrored in x).
_HEAD_POINTS: dict[Landmark, tuple[float, float, float]] = {
    Landmark.NOSE: (0.0, -0.17, -0.10),
    Landmark.LEFT_EYE_INNER: (0.015, -0.205, -0.085),
    Landmark.LEFT_EYE: (0.032, -0.207, -0.080),
    Landmark.LEFT_EYE_OUTER: (0.048, -0.205, -0.072),
    Landmark.LEFT_EAR: (0.075, -0.19, 0.0),
    Landmark.MOUTH_LEFT: (0.025, -0.135, -0.09),
}
# Palm facing forward (anatomical position): thumb and index on the lateral side.
_HAND_POINTS: dict[str, tuple[float, float, float]] = {
    "pinky": (-0.025, 0.085, -0.01),
    "index": (0.02, 0.095, -0.01),
    "thumb": (0.045, 0.055, -0.02),
}
_HEEL_BACK_M = 0.055
_TOE_FORWARD_M = 0.19


def _rotation(axis: int, degrees: np.ndarray) -> np.ndarray:
    """Right-handed rotations about axis 0 (x), 1 (y) or 2 (z): (...) degrees -> (..., 3, 3)."""
    radians = np.radians(np.asarray(degrees, dtype=np.float64))
    cos, sin = np.cos(radians), np.sin(radians)
    matrix = np.zeros((*radians.shape, 3, 3))
    i, j = ((1, 2), (2, 0), (0, 1))[axis]
    matrix[..., axis, axis] = 1.0
    matrix[..., i, i] = cos
    matrix[..., j, j] = cos
    matrix[..., i, j] = -sin
    matrix[..., j, i] = sin
    return matrix


def _apply(matrix: np.ndarray, vector: np.ndarray | Sequence[float]) -> np.ndarray:
    """matrix (T, 3, 3) times vector (3,) or (T, 3) -> (T, 3)."""
    vector = np.asarray(vector, dtype=np.float64)
    if vector.ndim == 1:
        return matrix @ vector
    return np.einsum("tij,tj->ti", matrix, vector)


def _channel(vectors: np.ndarray, name: str) -> np.ndarray:
    return vectors[:, _CHANNEL_INDEX[name]]


def body_landmarks(vectors: np.ndarray, body: Body) -> np.ndarray:
    """Forward kinematics: posture vectors (T, C) -> landmarks (T, 33, 3) in the body frame.

    The pelvis is the root; legs hang from the hip joints and the trunk (shoulders, head,
    arms) rises from the hip centre. Each joint is a rotation in its parent's frame,
    signed so that the clinical motion is positive: hip and shoulder flexion swing the limb
    forward, knee flexion swings the shank back, elbow flexion brings the hand forward
    and up, shoulder (external) rotation turns the bent forearm out to the side,
    dorsiflexion lifts the toes, abduction moves the limb away from the midline, trunk
    flexion bends the upper body forward.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    frames = vectors.shape[0]
    out = np.zeros((frames, NUM_LANDMARKS, 3))
    s = body.scale
    trunk = _rotation(0, _channel(vectors, "trunk_flexion")) @ _rotation(
        2, _channel(vectors, "trunk_side_bend")
    )
    mid_shoulder = _apply(trunk, (0.0, -body.trunk_m, 0.0))
    head = (
        trunk
        @ _rotation(0, _channel(vectors, "neck_flexion"))
        @ _rotation(2, _channel(vectors, "neck_side_bend"))
    )
    for landmark, (x, y, z) in _HEAD_POINTS.items():
        out[:, landmark] = mid_shoulder + _apply(head, (x * s, y * s, z * s))
        if x:
            mirror = Landmark[landmark.name.replace("LEFT", "RIGHT")]
            out[:, mirror] = mid_shoulder + _apply(head, (-x * s, y * s, z * s))
    for side in SIDES:
        sign = 1.0 if side == "left" else -1.0

        def angle(joint: str, side: str = side) -> np.ndarray:
            return _channel(vectors, f"{side}_{joint}")

        def index(part: str, side: str = side) -> int:
            return Landmark[f"{side}_{part}".upper()].value

        # Leg.
        hip = np.array([sign * body.hip_width_m / 2, 0.0, 0.0])
        thigh = _rotation(0, -angle("hip_flexion")) @ _rotation(2, -sign * angle("hip_abduction"))
        knee = hip + _apply(thigh, (0.0, body.thigh_m, 0.0))
        shank = (
            thigh @ _rotation(0, angle("knee_flexion")) @ _rotation(2, -sign * angle("knee_valgus"))
        )
        ankle = knee + _apply(shank, (0.0, body.shank_m, 0.0))
        foot = shank @ _rotation(0, -angle("ankle_dorsiflexion"))
        out[:, index("hip")] = hip
        out[:, index("knee")] = knee
        out[:, index("ankle")] = ankle
        out[:, index("heel")] = ankle + _apply(foot, (0.0, body.ankle_height_m, _HEEL_BACK_M * s))
        out[:, index("foot_index")] = ankle + _apply(
            foot, (0.0, body.ankle_height_m, -_TOE_FORWARD_M * s)
        )
        # Arm.
        shoulder = mid_shoulder + _apply(trunk, (sign * body.shoulder_width_m / 2, 0.0, 0.0))
        upper = (
            trunk
            @ _rotation(0, -angle("shoulder_flexion"))
            @ _rotation(2, -sign * angle("shoulder_abduction"))
        )
        elbow = shoulder + _apply(upper, (0.0, body.upper_arm_m, 0.0))
        forearm = (
            upper
            @ _rotation(1, -sign * angle("shoulder_rotation"))
            @ _rotation(0, -angle("elbow_flexion"))
        )
        wrist = elbow + _apply(forearm, (0.0, body.forearm_m, 0.0))
        out[:, index("shoulder")] = shoulder
        out[:, index("elbow")] = elbow
        out[:, index("wrist")] = wrist
        for part, (x, y, z) in _HAND_POINTS.items():
            out[:, index(part)] = wrist + _apply(forearm, (sign * x * s, y * s, z * s))
    return out


def _root_rotation(vectors: np.ndarray, view_yaw_deg: float) -> np.ndarray:
    """Body frame -> room axes: yaw about the vertical after pitch and roll, (T, 3, 3)."""
    yaw = _rotation(1, view_yaw_deg + _channel(vectors, "body_yaw"))
    return (
        yaw
        @ _rotation(0, _channel(vectors, "body_pitch"))
        @ _rotation(2, _channel(vectors, "body_roll"))
    )


# Landmarks that can carry the body's weight: the lowest of them rests on the floor.
# (Face and finger points are left out: a hand along the forearm must not lift the body.)
_SUPPORT = np.array(
    [
        Landmark[f"{side}_{part}".upper()].value
        for side in SIDES
        for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
    ]
)


def _placed(vectors: np.ndarray, body: Body, view_yaw_deg: float) -> np.ndarray:
    """Landmarks in room axes relative to the hip centre, (T, 33, 3)."""
    local = body_landmarks(vectors, body)
    return np.einsum("tij,tlj->tli", _root_rotation(vectors, view_yaw_deg), local)


def floor_pitch(
    posture: Posture,
    front: Sequence[str],
    back: Sequence[str],
    body: Body | None = None,
    search_deg: tuple[float, float] = (20.0, 160.0),
) -> float:
    """The body pitch at which the lowest `front` and lowest `back` landmarks both touch
    the floor (forearms and toes in a plank): lying postures follow from the joint angles
    instead of being tuned by hand."""
    body = body or Body()
    pitches = np.arange(search_deg[0], search_deg[1], 0.05)
    vectors = np.repeat(posture.vector[None], len(pitches), axis=0)
    vectors[:, _CHANNEL_INDEX["body_pitch"]] = pitches
    vectors[:, _CHANNEL_INDEX["body_yaw"]] = 0.0
    placed = _placed(vectors, body, 0.0)
    front_low = placed[:, [Landmark[n.upper()] for n in front], 1].max(axis=1)
    back_low = placed[:, [Landmark[n.upper()] for n in back], 1].max(axis=1)
    gap = front_low - back_low
    crossings = np.nonzero(np.diff(np.sign(gap)))[0]
    if crossings.size == 0:
        raise ValueError("no body pitch puts both supports on the floor")
    k = crossings[np.argmin(np.abs(pitches[crossings] - 90.0))]
    return float(pitches[k] - gap[k] * (pitches[k + 1] - pitches[k]) / (gap[k + 1] - gap[k]))


# ---- paths and motion --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Path:
    """A one-parameter family of postures: depth 0 = where a movement starts, 1 = its far
    end. Piecewise linear between sampled rows, so a path can follow a constraint (hands
    planted on the floor) that a straight blend of two postures would break."""

    depths: np.ndarray  # (K,), from 0 to 1, increasing
    vectors: np.ndarray  # (K, C)

    @classmethod
    def between(cls, start: Posture, end: Posture) -> Path:
        return cls(np.array([0.0, 1.0]), np.stack([start.vector, end.vector]))

    @classmethod
    def from_function(cls, posture_at: Callable[[float], Posture], samples: int = 41) -> Path:
        depths = np.linspace(0.0, 1.0, samples)
        return cls(depths, np.stack([posture_at(float(d)).vector for d in depths]))

    def __call__(self, depths: np.ndarray) -> np.ndarray:
        """Posture vectors (T, C) at depths (T,), clipped to 0..1."""
        depths = np.clip(np.asarray(depths, dtype=np.float64), 0.0, 1.0)
        k = np.clip(np.searchsorted(self.depths, depths, side="right") - 1, 0, len(self.depths) - 2)
        span = self.depths[k + 1] - self.depths[k]
        w = ((depths - self.depths[k]) / span)[:, None]
        return self.vectors[k] * (1 - w) + self.vectors[k + 1] * w

    def at(self, depth: float) -> Posture:
        return Posture(self(np.array([depth]))[0])

    @property
    def start(self) -> Posture:
        return Posture(self.vectors[0])

    @property
    def end(self) -> Posture:
        return Posture(self.vectors[-1])


@dataclass(frozen=True)
class _Segment:
    t0: float
    t1: float
    path: Path
    d0: float
    d1: float
    ease: bool  # cosine easing (start and stop at rest) or constant speed


def _ease(u: np.ndarray) -> np.ndarray:
    """Cosine easing: 0 -> 1 with zero velocity at both ends, as a joint starts and stops."""
    return (1.0 - np.cos(np.pi * u)) / 2.0


@dataclass(frozen=True)
class Motion:
    """The posture at any time: segments along paths, back to back from t = 0."""

    segments: tuple[_Segment, ...]

    @property
    def duration_s(self) -> float:
        return self.segments[-1].t1 if self.segments else 0.0

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        """Posture vectors (T, C) at times t_s (before 0: the first, after the end: the last)."""
        t_s = np.asarray(t_s, dtype=np.float64)
        out = np.empty((len(t_s), len(CHANNELS)))
        first = self.segments[0]
        out[:] = first.path(np.array([first.d0]))[0]
        for i, seg in enumerate(self.segments):
            last = i == len(self.segments) - 1
            mask = (t_s >= seg.t0) & ((t_s <= seg.t1) if last else (t_s < seg.t1))
            if last:
                mask |= t_s > seg.t1
            if not mask.any():
                continue
            duration = seg.t1 - seg.t0
            u = np.clip((t_s[mask] - seg.t0) / duration, 0, 1) if duration > 0 else np.ones(1)
            progress = _ease(u) if seg.ease else u
            out[mask] = seg.path(seg.d0 + (seg.d1 - seg.d0) * progress)
        return out

    def at(self, t_s: float) -> Posture:
        return Posture(self.sample(np.array([t_s]))[0])


@dataclass(frozen=True)
class Tempo:
    """Seconds of one repetition: out to the turn, pause there, back, rest at the start."""

    down_s: float
    hold_s: float = 0.0
    up_s: float | None = None
    rest_s: float = 0.0

    @classmethod
    def period(cls, seconds: float) -> Tempo:
        """A rep every `seconds`: 40 % out, 10 % pause, 40 % back, 10 % rest."""
        return cls(0.4 * seconds, 0.1 * seconds, 0.4 * seconds, 0.1 * seconds)

    @property
    def back_s(self) -> float:
        return self.down_s if self.up_s is None else self.up_s

    @property
    def total_s(self) -> float:
        return self.down_s + self.hold_s + self.back_s + self.rest_s


class Script:
    """Builds a `Motion` move by move, starting from a posture (or the start of a path).

    Every step starts where the last one ended, so scripts read like an instruction:
    `Script(STANDING).hold(2).reps(5, bottom, Tempo.period(3)).hold(1).build()`.
    """

    def __init__(self, start: Posture | Path) -> None:
        self._segments: list[_Segment] = []
        self._path = start if isinstance(start, Path) else Path.between(start, start)
        self._depth = 0.0
        self._t = 0.0

    @property
    def t_s(self) -> float:
        """Time at the end of the script so far."""
        return self._t

    @property
    def posture(self) -> Posture:
        """Where the script is now."""
        return self._path.at(self._depth)

    def _go(self, seconds: float, path: Path, d0: float, d1: float, ease: bool = True) -> None:
        if seconds < 0:
            raise ValueError(f"a step cannot take {seconds} s")
        if seconds > 0:
            self._segments.append(_Segment(self._t, self._t + seconds, path, d0, d1, ease))
        self._t += seconds
        self._path, self._depth = path, d1

    def hold(self, seconds: float) -> Script:
        """Stay perfectly still (noise, if any, is added when rendering)."""
        self._go(seconds, self._path, self._depth, self._depth)
        return self

    def move_to(self, posture: Posture, seconds: float) -> Script:
        """Move smoothly (eased) from the current posture to `posture`."""
        self._go(seconds, Path.between(self.posture, posture), 0.0, 1.0)
        return self

    def along(self, path: Path, depth: float, seconds: float) -> Script:
        """Move along `path` to `depth`; the path must start at the current posture (or
        be the path the script is already on, which then continues from where it is)."""
        if path is not self._path:
            self._check_starts_here(path)
            self._path, self._depth = path, 0.0
        self._go(seconds, path, self._depth, depth)
        return self

    def _check_starts_here(self, path: Path) -> None:
        gap = np.abs(path.start.vector - self.posture.vector).max()
        if gap > 1e-6:
            raise ValueError(f"the path does not start at the current posture (off by {gap:.3g})")

    def rep(self, turn: Posture | Path, tempo: Tempo, depth: float = 1.0) -> Script:
        """One repetition: out to `turn` (a posture, or `depth` along a path), pause, back
        to the posture the rep started from, rest."""
        start_path, start_depth = self._path, self._depth
        path = turn if isinstance(turn, Path) else Path.between(self.posture, turn)
        if isinstance(turn, Path):
            self._check_starts_here(turn)
        self._go(tempo.down_s, path, 0.0, depth)
        self._go(tempo.hold_s, path, depth, depth)
        self._go(tempo.back_s, path, depth, 0.0)
        self._path, self._depth = start_path, start_depth
        self._go(tempo.rest_s, start_path, start_depth, start_depth)
        return self

    def reps(self, n: int, turn: Posture | Path, tempo: Tempo, depth: float = 1.0) -> Script:
        """`n` repetitions of `rep`."""
        for _ in range(n):
            self.rep(turn, tempo, depth)
        return self

    def fidget(
        self,
        seconds: float,
        *,
        amplitude_deg: float = 4.0,
        shift_m: float = 0.02,
        step_s: float = 0.6,
        seed: int = 0,
        channels: Sequence[str] | None = None,
    ) -> Script:
        """Small random movements around the current posture (shifting weight, scratching
        a nose), ending back where they began: motion that must never count as a rep."""
        rng = np.random.default_rng(seed)
        base = self.posture
        names = list(channels) if channels is not None else [*_ANGLE_CHANNELS, "shift_x_m"]
        names = [c for name in names for c in _channel_names(name)]
        steps = max(1, round(seconds / step_s))
        for _ in range(steps - 1):
            vector = base.vector.copy()
            for name in names:
                spread = shift_m if name.endswith("_m") else amplitude_deg
                vector[_CHANNEL_INDEX[name]] += float(
                    np.clip(rng.normal(0, spread), -2 * spread, 2 * spread)
                )
            self.move_to(Posture(vector), seconds / steps)
        return self.move_to(base, seconds / steps)

    def walk_in(
        self,
        from_x_m: float,
        seconds: float,
        *,
        turn_deg: float | None = None,
        steps_per_s: float = 1.8,
        turn_s: float = 0.8,
    ) -> Script:
        """Walk in sideways from `from_x_m` metres to the side of the current spot, then
        turn to the current orientation. While walking the body is turned by `turn_deg`
        (default: +-90, facing the way it walks when the final view is from the front)."""
        base = self.posture
        turn = turn_deg if turn_deg is not None else (90.0 if from_x_m > 0 else -90.0)
        self._path, self._depth = self._gait(base, from_x_m, 0.0, turn, seconds, steps_per_s), 0.0
        self._go(seconds, self._path, 0.0, 1.0, ease=False)
        return self.move_to(base, turn_s)

    def walk_out(
        self,
        to_x_m: float,
        seconds: float,
        *,
        steps_per_s: float = 1.8,
        turn_s: float = 0.8,
    ) -> Script:
        """Turn towards `to_x_m` metres to the side and walk there (out of view if far
        enough): the patient leaving after a set, `walk_in` played the other way."""
        base = self.posture
        turn = 90.0 if to_x_m < 0 else -90.0
        gait = self._gait(base, 0.0, to_x_m, turn, seconds, steps_per_s)
        self.move_to(gait.start, turn_s)
        self._path, self._depth = gait, 0.0
        self._go(seconds, gait, 0.0, 1.0, ease=False)
        return self

    @staticmethod
    def _gait(
        base: Posture,
        from_x_m: float,
        to_x_m: float,
        turn: float,
        seconds: float,
        steps_per_s: float,
    ) -> Path:
        """Walking sideways from one offset to another, legs and arms swinging."""
        steps = max(1, round(seconds * steps_per_s))
        depths = np.linspace(0.0, 1.0, steps * 24 + 1)
        phase = np.pi * steps * depths
        rows = []
        for d, p in zip(depths, phase, strict=True):
            swing = math.sin(p)
            rows.append(
                base.with_(
                    left_hip_flexion=base["left_hip_flexion"] + 20 * swing,
                    right_hip_flexion=base["right_hip_flexion"] - 20 * swing,
                    left_knee_flexion=base["left_knee_flexion"] + 45 * max(0.0, swing) ** 2,
                    right_knee_flexion=base["right_knee_flexion"] + 45 * max(0.0, -swing) ** 2,
                    left_shoulder_flexion=base["left_shoulder_flexion"] - 15 * swing,
                    right_shoulder_flexion=base["right_shoulder_flexion"] + 15 * swing,
                    shift_x_m=base["shift_x_m"] + from_x_m + (to_x_m - from_x_m) * d,
                    body_yaw=base["body_yaw"] + turn,
                ).vector
            )
        return Path(depths, np.stack(rows))

    def build(self) -> Motion:
        if not self._segments:  # a single posture
            return Motion((_Segment(0.0, 0.0, self._path, self._depth, self._depth, False),))
        return Motion(tuple(self._segments))


# ---- supported postures ------------------------------------------------------------------


def planted_hands_path(
    top: Posture | Callable[[float], Posture],
    *,
    bottom_height_m: float = 0.15,
    body: Body | None = None,
    samples: int = 41,
) -> Path:
    """A push-up: depth 0 = arms straight and vertical, 1 = the shoulders `bottom_height_m`
    above the hands, with the toes and the hands planted on the floor throughout.

    `top` gives everything but the arms and the pitch (legs, trunk), or a function of the
    depth for a body that changes on the way down (hips sagging at the bottom). For each
    depth the shoulders' height above the floor goes linearly from arm's length to
    `bottom_height_m`, the body pivots about the toes to get there, and the shoulder and
    elbow angles come from two-link inverse kinematics in the sagittal plane with the
    elbows bending back towards the feet. A real constraint shapes the angles, not a guess.
    """
    body = body or Body()
    u, f = body.upper_arm_m, body.forearm_m
    depths = np.linspace(0.0, 1.0, samples)
    bodies = [top(float(d)) if callable(top) else top for d in depths]
    pitches = np.arange(20.0, 115.0, 0.1)
    straight = [
        b.with_(shoulder_flexion=90.0, shoulder_abduction=0.0, elbow_flexion=0.0, body_roll=0.0)
        for b in bodies
    ]
    vectors = np.repeat(np.stack([b.vector for b in straight]), len(pitches), axis=0)
    vectors[:, _CHANNEL_INDEX["body_pitch"]] = np.tile(pitches, samples)
    vectors[:, _CHANNEL_INDEX["body_yaw"]] = 0.0
    placed = _placed(vectors, body, 0.0).reshape(samples, len(pitches), NUM_LANDMARKS, 3)
    # Relative to the toes, the pivot on the floor; (y, z) = (down, along the floor).
    toes = placed[:, :, [Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX]].mean(axis=2)
    shoulders = placed[:, :, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=2)
    hips = placed[:, :, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=2)
    shoulders, hips = (shoulders - toes)[..., 1:], (hips - toes)[..., 1:]
    heights = (u + f) + depths * (bottom_height_m - (u + f))
    ks = np.argmin(np.abs(-shoulders[..., 0] - heights[:, None]), axis=1)
    hand = np.array([0.0, shoulders[0, ks[0], 1]])  # on the floor, below the top shoulders
    rows = []
    for i, k in enumerate(ks):
        shoulder = shoulders[i, k]
        down = hips[i, k] - shoulder  # the trunk's "down", which shoulder flexion is from
        reach = hand - shoulder
        d = min(float(np.linalg.norm(reach)), u + f - 1e-9)
        at_shoulder = math.acos(np.clip((u * u + d * d - f * f) / (2 * u * d), -1, 1))
        solutions = []
        for sign in (1.0, -1.0):
            arm = _rotate2(reach / d, sign * at_shoulder)
            fore = hand - (shoulder + u * arm)
            solutions.append((-_signed_angle(arm, fore), -_signed_angle(down, arm)))
        elbow, flexion = max(solutions)  # the elbow that bends the natural way
        rows.append(
            bodies[i]
            .with_(
                shoulder_flexion=flexion,
                shoulder_abduction=0.0,
                elbow_flexion=elbow,
                body_pitch=float(pitches[k]),
            )
            .vector
        )
    return Path(depths, np.stack(rows))


def _rotate2(vector: np.ndarray, radians: float) -> np.ndarray:
    """A (y, z) vector rotated like R_x(radians) rotates the (y, z) plane."""
    cos, sin = math.cos(radians), math.sin(radians)
    y, z = vector
    return np.array([y * cos - z * sin, y * sin + z * cos])


def _signed_angle(a: np.ndarray, b: np.ndarray) -> float:
    """Degrees from (y, z) vector a to b, positive in the sense of R_x."""
    return math.degrees(math.atan2(a[0] * b[1] - a[1] * b[0], float(np.dot(a, b))))


# ---- camera and rendering ----------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
    """A pinhole camera and how the patient stands before it.

    yaw_deg: the view. 0 = the patient faces the camera, 90 = side-on with the LEFT side
    nearest (facing the image left), -90 = the right side nearest, 180 = back to the
    camera, anything between is oblique. distance_m: camera to the hip centre, level.
    height_m: lens above the floor; tilt_deg: looking down (positive) or up.
    """

    yaw_deg: float = 0.0
    distance_m: float = 3.0
    height_m: float = 1.0
    tilt_deg: float = 0.0
    vfov_deg: float = 55.0
    frame_wh: tuple[int, int] = (1280, 720)

    @property
    def focal_px(self) -> float:
        return self.frame_wh[1] / 2 / math.tan(math.radians(self.vfov_deg) / 2)

    def _tilt(self) -> np.ndarray:
        """Room axes -> camera axes: looking down turns the optical axis towards +y."""
        return _rotation(0, np.array(self.tilt_deg))

    def to_camera(self, room: np.ndarray) -> np.ndarray:
        """Room points (..., 3) -> camera-frame points (..., 3)."""
        return (room - np.array([0.0, -self.height_m, 0.0])) @ self._tilt().T

    def project(self, camera_xyz: np.ndarray) -> np.ndarray:
        """Camera-frame points (..., 3) -> normalised image x, y (..., 2)."""
        width, height = self.frame_wh
        depth = np.maximum(camera_xyz[..., 2], 1e-3)
        x = 0.5 + self.focal_px * camera_xyz[..., 0] / depth / width
        y = 0.5 + self.focal_px * camera_xyz[..., 1] / depth / height
        return np.stack([x, y], axis=-1)


@dataclass(frozen=True)
class Actor:
    """A person in the scene: the patient, or a bystander walking past.

    turn_deg adds to the camera's view yaw; sway_deg, if given, adds more that changes over
    the motion's time (degrees at each time: a patient turning a little on the spot, or a
    model's yaw that wanders); x_m / z_m place the hip centre sideways and further away
    than the camera's distance; the actor is in view from `enter_s` (its motion's time 0)
    to `leave_s` (None = to the end).
    """

    motion: Motion
    body: Body = field(default_factory=Body)
    turn_deg: float = 0.0
    sway_deg: Callable[[np.ndarray], np.ndarray] | None = None
    x_m: float = 0.0
    z_m: float = 0.0
    enter_s: float = 0.0
    leave_s: float | None = None


@dataclass(frozen=True)
class Dropout:
    """Landmarks the model loses for a while: visibility 0 and a guessed position off by
    about `error_m` (the model never returns NaN, it guesses)."""

    landmarks: tuple[str, ...]
    start_s: float
    end_s: float
    error_m: float = 0.05


@dataclass(frozen=True)
class RenderOptions:
    """How the sequence is sampled and spoiled: frame rate, noise, visibility, mirroring."""

    fps: float = 30.0
    duration_s: float | None = None  # None: the first actor's motion
    start_s: float = 0.0
    image_noise_px: float = 0.0
    world_noise_m: float = 0.0
    seed: int = 0
    mirrored: bool = False  # as a mirrored webcam image: x -> 1 - x, left/right swapped
    dropouts: tuple[Dropout, ...] = ()
    seen_visibility: tuple[float, float] = (0.92, 1.0)
    hidden_visibility: tuple[float, float] = (0.2, 0.4)


# Limb points that the body can hide (the model keeps shoulders, hips and face fairly
# visible even side-on; it is the far arm and leg it loses).
_LIMB_PARTS = ("elbow", "wrist", "pinky", "index", "thumb", "knee", "ankle", "heel", "foot_index")
_OCCLUDABLE = np.array([Landmark[f"{s}_{p}".upper()].value for s in SIDES for p in _LIMB_PARTS])
_ARM = frozenset({"shoulder", "elbow", "wrist", "pinky", "index", "thumb"})
# Capsules that hide what is behind them: (from, to, radius for the 1.70 m body, limb).
_OCCLUDERS: tuple[tuple[tuple[str, ...], tuple[str, ...], float, str | None], ...] = (
    (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"), 0.14, None),
    *(
        ((f"{s}_{a}",), (f"{s}_{b}",), radius, f"{s}_{limb}")
        for s in SIDES
        for a, b, radius, limb in (
            ("shoulder", "elbow", 0.055, "arm"),
            ("elbow", "wrist", 0.045, "arm"),
            ("hip", "knee", 0.08, "leg"),
            ("knee", "ankle", 0.06, "leg"),
            ("heel", "foot_index", 0.04, "leg"),
        )
    ),
)


def _limb_of(name: str) -> str:
    side, part = name.split("_", 1)
    return f"{side}_{'arm' if part in _ARM else 'leg'}"


def _can_hide(occluder_limb: str | None, name: str) -> bool:
    """The trunk hides any limb point; a limb hides only the other side's same limb (the
    near leg hides the far knee side-on). A thin forearm in front of a knee does not make
    the model lose the knee, so arms never hide legs here, nor legs arms."""
    if occluder_limb is None:
        return True
    limb = _limb_of(name)
    return limb != occluder_limb and limb.split("_")[1] == occluder_limb.split("_")[1]


def _hidden(camera_xyz: np.ndarray, scale: float) -> np.ndarray:
    """(T, 33) True where a limb point is behind another body part from the camera.

    Each occluder is a capsule around a segment; a point is hidden when its ray passes
    within the capsule's radius of the segment and it lies clearly deeper than it. This is
    what makes the far arm and leg fade side-on, as they do in the model's output.
    """
    hidden = np.zeros(camera_xyz.shape[:2], dtype=bool)
    depth = np.maximum(camera_xyz[..., 2], 1e-3)
    plane = camera_xyz[..., :2] / depth[..., None]  # (T, 33, 2) normalised image plane
    points = plane[:, _OCCLUDABLE]  # (T, L, 2)
    point_depth = depth[:, _OCCLUDABLE]
    names = [Landmark(i).name.lower() for i in _OCCLUDABLE]
    for start, end, radius, limb in _OCCLUDERS:
        a3 = camera_xyz[:, [Landmark[n.upper()] for n in start]].mean(axis=1)
        b3 = camera_xyz[:, [Landmark[n.upper()] for n in end]].mean(axis=1)
        a, b = a3[:, :2] / a3[:, 2:3], b3[:, :2] / b3[:, 2:3]
        ab = (b - a)[:, None]
        t = np.einsum("tlk,tlk->tl", points - a[:, None], ab) / np.maximum(
            np.einsum("tlk,tlk->tl", ab, ab), 1e-12
        )
        t = np.clip(t, 0.0, 1.0)
        closest = a[:, None] + t[..., None] * ab
        seg_depth = a3[:, None, 2] + t * (b3[:, None, 2] - a3[:, None, 2])
        distance_m = np.linalg.norm(points - closest, axis=-1) * seg_depth
        covers = (distance_m < radius * scale) & (point_depth > seg_depth + 0.05 * scale)
        hidden[:, _OCCLUDABLE] |= covers & np.array([_can_hide(limb, n) for n in names])
    return hidden


@dataclass(frozen=True)
class _Rendered:
    """One actor's landmarks over all frames, before mirroring."""

    image: np.ndarray  # (T, 33, 3)
    world: np.ndarray  # (T, 33, 3)
    visibility: np.ndarray  # (T, 33)
    present: np.ndarray  # (T,) bool


def _render_actor(
    actor: Actor, camera: Camera, t_s: np.ndarray, options: RenderOptions, rng: np.random.Generator
) -> _Rendered:
    vectors = actor.motion.sample(t_s - actor.enter_s)
    if actor.sway_deg is not None:
        vectors[:, _CHANNEL_INDEX["body_yaw"]] += actor.sway_deg(t_s - actor.enter_s)
    relative = _placed(vectors, actor.body, camera.yaw_deg + actor.turn_deg)
    support = relative[:, _SUPPORT, 1].max(axis=1)  # lowest supporting point (y down)
    root = np.stack(
        [
            actor.x_m + _channel(vectors, "shift_x_m"),
            -support - _channel(vectors, "lift_m"),
            camera.distance_m + actor.z_m + _channel(vectors, "shift_z_m"),
        ],
        axis=1,
    )
    room = relative + root[:, None]
    cam = camera.to_camera(room)
    hip_cam = camera.to_camera(root)
    xy = camera.project(cam)
    width, height = camera.frame_wh
    hip_depth = np.maximum(hip_cam[:, 2:3], 1e-3)
    z = (cam[..., 2] - hip_cam[:, 2:3]) * camera.focal_px / hip_depth / width
    image = np.concatenate([xy, z[..., None]], axis=-1)
    world = relative @ camera._tilt().T
    lo, hi = options.seen_visibility
    visibility = rng.uniform(lo, hi, size=image.shape[:2])
    hidden = _hidden(cam, actor.body.scale)
    lo, hi = options.hidden_visibility
    visibility = np.where(hidden, rng.uniform(lo, hi, size=visibility.shape), visibility)
    outside = (
        (xy[..., 0] < 0)
        | (xy[..., 0] > 1)
        | (xy[..., 1] < 0)
        | (xy[..., 1] > 1)
        | (cam[..., 2] < 0.05)
    )
    visibility = np.where(outside, 0.0, visibility)
    if options.image_noise_px > 0:
        sigma = options.image_noise_px / np.array([width, height, width])
        image = image + rng.normal(0.0, 1.0, size=image.shape) * sigma
    if options.world_noise_m > 0:
        world = world + rng.normal(0.0, options.world_noise_m, size=world.shape)
    for dropout in options.dropouts:
        window = (t_s >= dropout.start_s) & (t_s < dropout.end_s)
        for name in dropout.landmarks:
            i = Landmark[name.upper()].value
            error = rng.normal(0.0, dropout.error_m, size=3)
            visibility[window, i] = 0.0
            world[window, i] += error
            image[window, i, :2] += error[:2] * camera.focal_px / hip_depth[window] / width
    present = t_s >= actor.enter_s
    if actor.leave_s is not None:
        present &= t_s <= actor.leave_s
    return _Rendered(image, world, visibility, present)


def _mirror(rendered: _Rendered) -> _Rendered:
    """What the model reports on a mirrored image: x flipped and left/right labels swapped."""
    order = list(MIRROR_INDEX)
    image = rendered.image[:, order].copy()
    image[..., 0] = 1.0 - image[..., 0]
    world = rendered.world[:, order].copy()
    world[..., 0] = -world[..., 0]
    return _Rendered(image, world, rendered.visibility[:, order], rendered.present)


def render(
    actors: Actor | Motion | Sequence[Actor],
    camera: Camera | None = None,
    options: RenderOptions | None = None,
) -> PoseRecording:
    """The pose sequence a pose model would report for these actors, as a recording.

    The first actor is the patient (a bare `Motion` is a patient with the default body).
    Per frame the people in view are listed largest first, as the model does.
    """
    camera = camera or Camera()
    options = options or RenderOptions()
    if isinstance(actors, Motion):
        actors = [Actor(actors)]
    elif isinstance(actors, Actor):
        actors = [actors]
    duration = options.duration_s
    if duration is None:
        duration = actors[0].enter_s + actors[0].motion.duration_s
    frames = math.floor(duration * options.fps + 1e-9) + 1
    t_s = options.start_s + np.arange(frames) / options.fps
    rng = np.random.default_rng(options.seed)
    rendered = [_render_actor(a, camera, t_s - options.start_s, options, rng) for a in actors]
    if options.mirrored:
        rendered = [_mirror(r) for r in rendered]
    image = np.full((frames, MAX_PEOPLE, NUM_LANDMARKS, 3), np.nan)
    world = np.full_like(image, np.nan)
    visibility = np.zeros((frames, MAX_PEOPLE, NUM_LANDMARKS))
    people = np.zeros(frames, dtype=np.int8)
    sizes = np.stack([np.ptp(r.image[..., 1], axis=1) for r in rendered])  # (A, T)
    for i in range(frames):
        order = [a for a in np.argsort(-sizes[:, i]) if rendered[a].present[i]][:MAX_PEOPLE]
        people[i] = len(order)
        for slot, a in enumerate(order):
            image[i, slot] = rendered[a].image[i]
            world[i, slot] = rendered[a].world[i]
            visibility[i, slot] = rendered[a].visibility[i]
    meta = {"source": "tests.support.synthetic", "camera": repr(camera), "fps": str(options.fps)}
    return PoseRecording(t_s, camera.frame_wh, image, world, visibility, people, meta)


def render_poses(
    actors: Actor | Motion | Sequence[Actor],
    camera: Camera | None = None,
    options: RenderOptions | None = None,
) -> list[Pose]:
    """The largest person's pose in each frame (`Pose.empty` when nobody is in view)."""
    recording = render(actors, camera, options)
    return [
        poses[0] if poses else Pose.empty(float(t), recording.frame_wh)
        for t, poses in zip(recording.t_s, recording.frames(), strict=True)
    ]
