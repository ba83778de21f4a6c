"""Motion recipes for the synthetic test bench: one row per exercise definition.

A row says how a patient does the exercise well (a `Path` from the start position to the
far end of a good rep, per working side), where the camera stands for each view the
definition lists, and how each form rule's fault looks. The bench derives everything
else from the definition itself. Rows live in `rows_*.py` modules of this package (one
per group of exercises), each with `REPS` and `HOLDS` tuples; they are collected here.
`test_every_rule_and_view_has_a_recipe` fails until a new definition has its row.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np

from coach.engine.measures import MeasureComputer
from coach.engine.thresholds import on_own_rest
from coach.engine.view import ViewEstimator
from coach.exercise.schema import SignalDef
from tests.bench.framework import (  # noqa: F401 - re-exported for the bench
    FLOOR_FRONT,
    FLOOR_SIDE,
    STANDING_FRONT,
    STANDING_SIDE,
    FaultRecipe,
    HoldRecipe,
    RepsRecipe,
    WorkingSide,
    definition,
    depth_reaching,
    good_reps,
    signal,
)
from tests.support.synthetic import RenderOptions, Script, render


def _rows() -> tuple[tuple[RepsRecipe, ...], tuple[HoldRecipe, ...]]:
    reps: list[RepsRecipe] = []
    holds: list[HoldRecipe] = []
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("rows_"):
            rows = importlib.import_module(f"tests.bench.{module.name}")
            reps += rows.REPS
            holds += rows.HOLDS
    return tuple(reps), tuple(holds)


REPS_RECIPES, HOLD_RECIPES = _rows()


@cache
def driver_curve(
    exercise_id: str, view: str, side: WorkingSide, driver: str | None = None
) -> tuple[np.ndarray, ...]:
    """(depths, driver values) along the good path, measured as the engine does in this
    view, without noise: where a partial rep or a too-short motion lies on the path. The
    view's first driver unless `driver` names another."""
    recipe = next(r for r in REPS_RECIPES if r.exercise_id == exercise_id)
    path = recipe.paths(side)
    motion = Script(path.start).hold(1.0).along(path, 1.0, 4.0).build()
    recording = render(motion, recipe.cameras[view], RenderOptions(fps=10.0))
    computer = MeasureComputer(definition(exercise_id))
    views, driver = ViewEstimator(), driver or signal(recipe, view).driver
    values = []
    for poses in recording.frames():
        measured = computer.compute(poses[0], views.update(poses[0]))[driver]
        values.append(measured.combined if side == "both" else measured.on(side))
    keep = recording.t_s >= 1.0
    progress = (recording.t_s[keep] - 1.0) / 4.0
    depths = (1.0 - np.cos(np.pi * progress)) / 2.0  # `along` eases like a joint does
    assert views.current == view
    return depths, np.array(values)[keep]


_Signal = TypeVar("_Signal", bound=SignalDef)


def on_body_rest(recipe: RepsRecipe, view: str, chosen: _Signal) -> _Signal:
    """The thresholds the counter uses on the generator's body: `chosen` scaled to the
    body's own reading at the start of the path where the definition asks
    (`SignalDef.rest`), else `chosen` itself."""
    if chosen.rest is None:
        return chosen
    _, values = driver_curve(recipe.exercise_id, view, "both", chosen.driver)
    return on_own_rest(chosen, float(values[0]))


def depth_for(
    recipe: RepsRecipe,
    view: str,
    value: float,
    side: WorkingSide = "both",
    driver: str | None = None,
) -> float:
    """The depth along the good path at which the measured driver passes `value`."""
    depths, values = driver_curve(recipe.exercise_id, view, side, driver)
    return depth_reaching(depths, values, value)
