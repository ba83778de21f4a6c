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
from pathlib import Path

from tests.bench.framework import (  # noqa: F401 - re-exported for the bench
    FLOOR_FRONT,
    FLOOR_SIDE,
    STANDING_FRONT,
    STANDING_SIDE,
    FaultRecipe,
    HoldRecipe,
    RepsRecipe,
    WorkingSide,
    depth_reaching,
    good_reps,
)


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
