"""The synthetic test bench's recipe types and helpers (rows live in rows_*.py).

A row says how a patient does the exercise well (a `Path` from the start position to the
far end of a good rep, per working side), where the camera stands for each view the
definition lists, and how each form rule's fault looks. The bench derives everything
else from the definition itself: which depth along the path is a partial rep (between
the turn threshold and the target), which never reaches the turn, which view a rule is
judged in. A new definition is one more row here; `test_every_rule_and_view_has_a_recipe`
fails until it is added.

The bench's tests run each sequence the same way: `run` renders it with a little landmark
noise and replays it through a `CoachSession` (tracker, smoother, engine) at `FPS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from coach.engine.thresholds import Prescription
from coach.exercise.loader import ExerciseLibrary
from coach.exercise.schema import ExerciseDef, SignalDef
from coach.runtime.session import CoachSession
from tests.support.synthetic import (
    Actor,
    Camera,
    Dropout,
    Motion,
    Path,
    Posture,
    RenderOptions,
    Script,
    Tempo,
    render,
)

WorkingSide = Literal["both", "left", "right"]

# Cameras: 3 m away at hip height for standing exercises, 2.5 m away at floor level
# (0.4 m) for exercises on the floor, as the definitions' instructions say.
STANDING_SIDE = Camera(yaw_deg=90.0, distance_m=3.0, height_m=1.0)
STANDING_FRONT = Camera(yaw_deg=0.0, distance_m=3.0, height_m=1.0)
FLOOR_SIDE = Camera(yaw_deg=90.0, distance_m=2.5, height_m=0.4)
FLOOR_FRONT = Camera(yaw_deg=0.0, distance_m=2.5, height_m=0.4)


@dataclass(frozen=True)
class FaultRecipe:
    """A sequence showing one fault: reps along `path` (or good reps at `period_s`)."""

    path: Path | None = None  # None: the row's good path
    period_s: float = 3.0


@dataclass(frozen=True)
class RepsRecipe:
    """How to perform a counted exercise well, and each of its faults."""

    exercise_id: str
    cameras: dict[str, Camera]  # one per view the definition lists
    paths: Callable[[WorkingSide], Path]  # start position (depth 0) -> good turn (1)
    faults: dict[str, FaultRecipe | str]  # rule id -> recipe, or why it cannot be shown
    good_periods_s: tuple[float, ...] = (2.0, 3.0, 8.0)
    fidget_channels: tuple[str, ...] | None = None  # None: every joint
    sides: tuple[WorkingSide, ...] = ("both",)  # working sides the definition can tell apart

    @property
    def start(self) -> Posture:
        return self.paths("both").start


@dataclass(frozen=True)
class HoldRecipe:
    """How to hold a timed position well, how it breaks, and each of its faults."""

    exercise_id: str
    cameras: dict[str, Camera]
    hold: Posture
    rest: Posture  # not in position (before, after and during breaks)
    breaks: dict[str, Posture]  # ways the position breaks: the timer must stop
    faults: dict[str, Posture | str]  # rule id -> a posture showing it, or why not
    transition_s: float = 0.3
    not_breaking: dict[str, Posture] = field(default_factory=dict)  # known gaps (xfail)


def good_reps(recipe: RepsRecipe, n: int, period_s: float, side: WorkingSide = "both") -> Script:
    """Settle in the start position, `n` good reps at one rep every `period_s`, settle."""
    path = recipe.paths(side)
    return Script(path.start).hold(1.5).reps(n, path, Tempo.period(period_s)).hold(1.0)


def depth_reaching(depths: np.ndarray, values: np.ndarray, target: float) -> float:
    """The first depth at which a driver measured along a path passes `target`."""
    rising = values[-1] > values[0]
    passed = values >= target if rising else values <= target
    if not passed.any():
        raise AssertionError(f"the path never reaches {target}")
    k = int(np.argmax(passed))
    if k == 0:
        return 0.0
    w = (target - values[k - 1]) / (values[k] - values[k - 1])
    return float(depths[k - 1] + w * (depths[k] - depths[k - 1]))


def swaying(center_deg: float, spread_deg: float = 5.0) -> Callable[[np.ndarray], np.ndarray]:
    """An `Actor.sway_deg`: a yaw wandering `center_deg` +- `spread_deg`, two slow waves
    that do not repeat together (a patient shifting on the spot); its 1 s median crosses
    `center_deg` every second or two."""

    def sway(t_s: np.ndarray) -> np.ndarray:
        waves = 0.55 * np.sin(2 * np.pi * t_s / 2.3) + 0.45 * np.sin(2 * np.pi * t_s / 1.3 + 1.0)
        return center_deg + spread_deg * waves

    return sway


def turning(
    from_deg: float, to_deg: float, at_s: float, turn_s: float = 1.0
) -> Callable[[np.ndarray], np.ndarray]:
    """An `Actor.sway_deg`: still at `from_deg`, turning steadily to `to_deg` over `turn_s`
    from `at_s`, then still."""

    def sway(t_s: np.ndarray) -> np.ndarray:
        return from_deg + (to_deg - from_deg) * np.clip((t_s - at_s) / turn_s, 0.0, 1.0)

    return sway


# ---- a sequence through the coach ------------------------------------------------------------
LIBRARY = ExerciseLibrary()
FPS = 15.0


def definition(exercise_id: str) -> ExerciseDef:
    return LIBRARY.get(exercise_id)


def run(
    exercise_id: str | ExerciseDef,
    actors: Motion | Actor | list[Actor],
    camera: Camera,
    *,
    seed: int = 0,
    fps: float = FPS,
    mirrored: bool = False,
    session_mirrored: bool | None = None,
    dropouts: tuple[Dropout, ...] = (),
    prescription: Prescription | None = None,
) -> CoachSession:
    """Render the sequence (with a little noise) and replay it through a coach session
    (for a patient with this prescription, if any). A mirrored image is watched by a
    mirrored session unless told otherwise. `exercise_id` may be a definition itself (a
    library one with a key changed)."""
    options = RenderOptions(
        fps=fps,
        image_noise_px=1.0,
        world_noise_m=0.005,
        seed=seed,
        mirrored=mirrored,
        dropouts=dropouts,
    )
    recording = render(actors, camera, options)
    watch_mirrored = mirrored if session_mirrored is None else session_mirrored
    exercise = definition(exercise_id) if isinstance(exercise_id, str) else exercise_id
    session = CoachSession(exercise, mirrored=watch_mirrored, prescription=prescription)
    session.replay(recording)
    return session


def fired(session: CoachSession) -> set[str]:
    return {fault.rule_id for fault in session.engine.faults}


def signal(recipe: RepsRecipe, view: str) -> SignalDef:
    reps = definition(recipe.exercise_id).reps
    assert reps is not None
    return reps.signal_for(view)
