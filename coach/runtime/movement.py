"""What the driving movement did over a recording, and why reps were not counted.

`MovementLog` reads each frame's `FrameResult` (the driver's value in its view, the
thresholds in force, the start position, whether counting was armed) and, with the
engine's counted reps and movements that stopped short (`ExerciseEngine.short_cycles`),
gives `coach analyze` its `movement` block and the warnings that say, with the numbers,
why the count is 0 or lower than the movements seen.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coach.engine.engine import ExerciseEngine
from coach.engine.results import FrameResult, PositionCheck
from coach.engine.short_cycles import SHORT_CYCLE_GAP_S, regular
from coach.engine.thresholds import Thresholds
from coach.exercise.schema import ExerciseDef


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


@dataclass
class _Driver:
    """One driving measure's frames: its values per view, and the thresholds in force."""

    values: dict[str, list[float]] = field(default_factory=dict)
    thresholds: dict[str, Thresholds] = field(default_factory=dict)


@dataclass
class MovementLog:
    """Fed one `FrameResult` per frame (`add`); then `movement` and `warnings`."""

    exercise: ExerciseDef
    _drivers: dict[str, _Driver] = field(default_factory=dict)
    _position_met_s: float | None = None
    _failing: list[PositionCheck] = field(default_factory=list)
    _armed_s: float | None = None
    _judged: int = 0

    def add(self, result: FrameResult) -> None:
        force = result.thresholds
        if force is None or result.view is None or result.start_position_met is None:
            return  # a hold, or nobody judged on this frame
        self._judged += 1
        driver = self._drivers.setdefault(force.driver, _Driver())
        driver.values.setdefault(result.view, []).append(result.measures.get(force.driver, np.nan))
        driver.thresholds[result.view] = force
        if result.start_position_met and self._position_met_s is None:
            self._position_met_s = result.t_s
        if result.start_position_failing is not None:
            self._failing.append(result.start_position_failing)
        if result.armed and self._armed_s is None:
            self._armed_s = result.t_s

    def _main_view(self, driver: _Driver) -> str:
        return max(driver.values, key=lambda view: len(driver.values[view]))

    def _seen(self, driver: _Driver) -> tuple[float, float] | None:
        """(min, max) of the driver in the view it was judged in most."""
        values = np.array(driver.values[self._main_view(driver)], dtype=float)
        finite = values[np.isfinite(values)]
        return (float(finite.min()), float(finite.max())) if finite.size else None

    def _failing_summary(self) -> dict[str, Any] | None:
        """The check that failed most often, with its median value."""
        if not self._failing:
            return None
        measure = Counter(c.measure for c in self._failing).most_common(1)[0][0]
        checks = [c for c in self._failing if c.measure == measure]
        values = np.array([c.value for c in checks], dtype=float)
        finite = values[np.isfinite(values)]
        return {
            "measure": measure,
            "value": _rounded(float(np.median(finite))) if finite.size else None,
            "above": checks[0].above,
            "below": checks[0].below,
            "frames": len(checks),
        }

    def movement(self, engine: ExerciseEngine) -> list[dict[str, Any]]:
        """Per driving measure: the view it was judged in most, the range seen there, the
        thresholds in force; the start position (met when first, or the check that failed
        most with its median value), when counting armed, the reps, the short movements,
        and the movements past the turn that did not count (`missed`, with why)."""
        blocks = []
        for name, driver in self._drivers.items():
            view = self._main_view(driver)
            seen = self._seen(driver)
            blocks.append(
                {
                    "measure": name,
                    "view": view,
                    "range_seen": {
                        "min": _rounded(seen[0]) if seen else None,
                        "max": _rounded(seen[1]) if seen else None,
                    },
                    "thresholds": driver.thresholds[view].to_json(),
                    "start_position": {
                        "met": self._position_met_s is not None,
                        "first_met_s": _rounded(self._position_met_s),
                        "failing": self._failing_summary(),
                    },
                    "armed_s": _rounded(self._armed_s),
                    "reps": engine.rep_count,
                    "short_movements": [
                        {
                            "start_s": _rounded(c.start_s),
                            "end_s": _rounded(c.end_s),
                            "reached": _rounded(c.extreme),
                        }
                        for c in engine.short_cycles
                    ],
                    "missed": [
                        {
                            "start_s": _rounded(m.cycle.start_s),
                            "end_s": _rounded(m.cycle.end_s),
                            "reached": _rounded(m.cycle.extreme),
                            "moved": _rounded(m.cycle.range),
                            "why": m.reason,
                        }
                        for m in engine.missed
                    ],
                }
            )
        return blocks

    def warnings(self, engine: ExerciseEngine) -> list[str]:
        """Why no rep, or fewer reps than movements, were counted, in plain words with the
        numbers (nothing when every movement seen counted)."""
        if not self._drivers or self._judged == 0:
            return []
        name, driver = max(
            self._drivers.items(), key=lambda item: sum(map(len, item[1].values.values()))
        )
        force = driver.thresholds[self._main_view(driver)]
        label, unit = self._label(name)
        shorts = engine.short_cycles
        repeated = any(regular([a, b], SHORT_CYCLE_GAP_S) for a, b in itertools.pairwise(shorts))
        warnings = []
        if engine.rep_count == 0:
            warnings += self._why_no_rep(driver, force, label, unit)
        if repeated:
            extremes = sorted(c.extreme for c in shorts)
            moved = sorted(c.depth for c in shorts)
            if moved[-1] >= force.min_range:
                remedy = "a plan target or 'counts from' at the patient's range counts them"
            else:
                remedy = (
                    f"they moved {self._span(moved, unit)} from rest, less than the "
                    f"{force.min_range:g}{unit} a rep must move (min_range), so no plan "
                    "counts them"
                )
            warnings.append(
                f"{len(shorts)} movement{'s' if len(shorts) > 1 else ''} stopped short "
                f"of where a rep counts ({force.turn:g}{unit}), reaching "
                f"{self._span(extremes, unit)}: not counted; {remedy}"
            )
        return warnings + self._why_missed(engine, force, unit)

    def _why_missed(self, engine: ExerciseEngine, force: Thresholds, unit: str) -> list[str]:
        """One warning per reason the movements that passed the turn did not count."""
        reps = self.exercise.reps
        assert reps is not None  # only rep exercises have thresholds
        warnings = []
        for reason in ("min_range", "quick", "unconfirmed", "came_down"):
            missed = [m.cycle for m in engine.missed if m.reason == reason]
            if not missed:
                continue
            some = f"{len(missed)} movement{'s' if len(missed) > 1 else ''}"
            fine = self._digits(unit) + 1  # a tenth of a degree: near the floor it tells
            passed = f"{some} passed where a rep counts ({force.turn:.{fine}f}{unit}) but"
            if reason == "min_range":
                moved = sorted(c.range for c in missed)
                low, high = f"{moved[0]:.{fine}f}", f"{moved[-1]:.{fine}f}"
                why = (
                    f"moved {low if low == high else f'{low}-{high}'}{unit} from rest, less "
                    f"than the {force.min_range:g}{unit} a rep must move (min_range, the "
                    "fidget floor: no plan lowers it)"
                )
            elif reason == "quick":
                took = sorted(round(c.duration_s, 1) for c in missed)
                why = f"took {self._span(took, ' s')}, less than a rep's {reps.min_rep_s:g} s"
            elif reason == "unconfirmed":
                why = (
                    "passed only the plan's turn, not the definition's, and no movement "
                    "next to it went alike: a rep that small counts only when repeated"
                )
            else:
                why = (
                    f"ended with the {reps.climbs} lower than at the turn, not back up "
                    "where the rep began (stepping off the step, not a step-up)"
                )
            warnings.append(f"{passed} {why}: not counted")
        return warnings

    def _why_no_rep(self, driver: _Driver, force: Thresholds, label: str, unit: str) -> list[str]:
        """Why not one rep counted: the driver unseen, the start position never met,
        counting never armed, the turn never reached, the start never reached, or (both
        ends reached) no cycle between them made a rep."""
        seen = self._seen(driver)
        digits = self._digits(unit)
        if seen is None:
            return [
                f"{label} could not be measured on any frame: the body parts it needs "
                "were hidden or out of view"
            ]
        low, high = seen
        span = f"{label} stayed between {low:.{digits}f} and {high:.{digits}f}{unit}"
        if self._position_met_s is None:
            failing = self._failing_summary()
            if failing is None or failing["value"] is None:
                return []
            bound = self._bound(failing["above"], failing["below"])
            check_label, check_unit = self._label(failing["measure"])
            return [
                f"the start position was never met: {check_label} was about "
                f"{failing['value']:g}{check_unit}; it must be {bound}"
            ]
        beyond = "less" if force.rising else "more"
        if self._armed_s is None:
            return [
                f"counting never started: {span}, never settling at the start "
                f"({force.start:g}{unit} or {beyond}) in the start position"
            ]
        deepest, most_rested = (high, low) if force.rising else (low, high)
        if not force.reached(deepest, force.turn):
            most = "at most" if force.rising else "at the lowest"
            return [
                f"{label} reached {deepest:.{digits}f}{unit} {most}; a rep counts from "
                f"{force.turn:g}{unit}"
            ]
        if force.reached(most_rested, force.start):
            return [
                f"{span}: it never came back to the start ({force.start:g}{unit} or "
                f"{beyond}) that a rep begins and ends at"
            ]
        reps = self.exercise.reps
        assert reps is not None  # only rep exercises have thresholds
        return [
            f"{label} went from the start ({force.start:g}{unit} or {beyond}) past where a rep "
            f"counts ({force.turn:g}{unit}), but no such movement made a rep: each must "
            f"take {reps.min_rep_s:g}-{reps.max_rep_s:g} s, move "
            f"{force.min_range:g}{unit} from rest and begin in the start position"
        ]

    def _label(self, measure: str) -> tuple[str, str]:
        """(a measure's label, its unit as text: ' degrees' for angles, '' for ratios)."""
        definition = self.exercise.angles.get(measure) or self.exercise.ratios.get(measure)
        label = definition.label if definition and definition.label else measure
        unit = " degrees" if measure in self.exercise.angles else ""
        return label.replace("_", " "), unit

    @staticmethod
    def _digits(unit: str) -> int:
        return 0 if unit else 2

    def _span(self, values: list[float], unit: str) -> str:
        digits = self._digits(unit)
        low, high = values[0], values[-1]
        if round(low, digits) == round(high, digits):
            return f"{low:.{digits}f}{unit}"
        return f"{low:.{digits}f}-{high:.{digits}f}{unit}"

    @staticmethod
    def _bound(above: float | None, below: float | None) -> str:
        parts = [f"above {above:g}"] if above is not None else []
        parts += [f"below {below:g}"] if below is not None else []
        return " and ".join(parts)
