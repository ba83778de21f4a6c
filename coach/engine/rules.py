"""Form rules: conditions on measures that produce faults with the physio's cue.

Three moments (see `RuleDef.when`): every frame while exercising (the condition must last
`min_duration_s`, and fires once until it clears), at the turn of each rep, and once per
rep on a statistic of the rep (max, min, range) or its timing (duration, down, up).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from coach.core.landmarks import Side
from coach.engine.measures import SidedValue
from coach.engine.results import Fault
from coach.engine.view import DetectedView
from coach.exercise.schema import REP_MEASURES, RuleDef, Threshold


def breaks_rule(value: float, rule: RuleDef) -> bool:
    """True when the value is outside what the rule allows (NaN never breaks a rule)."""
    if math.isnan(value):
        return False
    too_high = rule.fault_above is not None and value > rule.fault_above
    too_low = rule.fault_below is not None and value < rule.fault_below
    return too_high or too_low


def meets(value: float, condition: Threshold) -> bool:
    """True when the value satisfies a required condition (NaN never does)."""
    if math.isnan(value):
        return False
    above_ok = condition.above is None or value > condition.above
    below_ok = condition.below is None or value < condition.below
    return above_ok and below_ok


def applies(rule: RuleDef, view: DetectedView | None) -> bool:
    return rule.views is None or view in rule.views


def judged(rule: RuleDef, values: Mapping[str, float]) -> bool:
    """True when every `judged_while` condition holds on these values (the frame's, or the
    turn's for a rep): otherwise the rule cannot be judged and says nothing."""
    return all(meets(values.get(c.measure, np.nan), c) for c in rule.judged_while)


def _fault(rule: RuleDef, t_s: float, value: float) -> Fault:
    return Fault(rule.id, rule.cue, rule.severity, t_s, float(value))


@dataclass
class FrameRuleTracker:
    """Per-frame rules with a minimum duration; each fires once per violation."""

    rules: list[RuleDef]
    _since: dict[str, float] = field(default_factory=dict)
    _fired: set[str] = field(default_factory=set)

    def update(
        self, values: Mapping[str, float], t_s: float, view: DetectedView | None
    ) -> tuple[list[str], list[Fault]]:
        """(rule ids failing now, faults that fired on this frame)."""
        failing, fired = [], []
        for rule in self.rules:
            if rule.when != "always" or not applies(rule, view):
                continue
            rule = rule.for_view(view)
            value = values.get(rule.measure, np.nan) if judged(rule, values) else np.nan
            if not breaks_rule(value, rule):
                self._since.pop(rule.id, None)
                self._fired.discard(rule.id)
                continue
            failing.append(rule.id)
            since = self._since.setdefault(rule.id, t_s)
            if rule.id not in self._fired and t_s - since >= rule.min_duration_s:
                self._fired.add(rule.id)
                fired.append(_fault(rule, t_s, value))
        return failing, fired

    def reset(self) -> None:
        self._since.clear()
        self._fired.clear()


def _asymmetry(
    rule: RuleDef,
    sided_at_turn: Mapping[str, SidedValue],
    sided_series: Mapping[Side, Mapping[str, np.ndarray]],
) -> float:
    """|left - right|: at the turn, or between the sides' ranges over the rep."""
    if rule.when == "turn":
        value = sided_at_turn.get(rule.measure)
        return abs(value.left - value.right) if value is not None else np.nan
    ranges = [
        rep_statistic(sided_series.get(side, {}).get(rule.measure, np.array([])), "range")
        for side in ("left", "right")
    ]
    return abs(ranges[0] - ranges[1])


def rep_statistic(series: np.ndarray, stat: str) -> float:
    finite = series[np.isfinite(series)]
    if finite.size == 0:
        return np.nan
    if stat == "min":
        return float(finite.min())
    if stat == "range":
        return float(finite.max() - finite.min())
    return float(finite.max())


def steady_value(rows: np.ndarray) -> np.ndarray:
    """(frames, k) values (frames may be 0) -> (k,): each column's median over a short
    window of frames, so one noisy frame neither makes nor hides a fault. NaN where fewer
    than half the frames see the measure: a rule that cannot be judged says nothing."""
    rows = np.asarray(rows, dtype=np.float64)
    seen = np.isfinite(rows).sum(axis=0)
    ordered = np.sort(rows, axis=0)  # NaN sorts last
    columns = np.arange(rows.shape[1])
    low, high = np.maximum((seen - 1) // 2, 0), np.maximum(seen // 2, 0)
    middle = (ordered[low, columns] + ordered[high, columns]) / 2 if len(rows) else np.nan
    return np.where((seen > 0) & (2 * seen >= len(rows)), middle, np.nan)


def steady_series(times: np.ndarray, rows: np.ndarray, window_s: float) -> np.ndarray:
    """(frames,) times and (frames, k) values -> (frames, k): each frame's `steady_value`
    over the frames within `window_s / 2` of it. Why: a rule on a whole rep's maximum or
    minimum would otherwise be judged on its single most extreme frame, and a landmark
    that jumps for a frame or two (a model glitch) would make a fault; over the window a
    fault must hold for about half of it to count."""
    times = np.asarray(times, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.float64)
    first = np.searchsorted(times, times - window_s / 2, side="left")
    last = np.searchsorted(times, times + window_s / 2, side="right")
    steady = np.empty_like(rows)
    for i, (lo, hi) in enumerate(zip(first, last, strict=True)):
        steady[i] = steady_value(rows[lo:hi])
    return steady


def relative(value: float, start: float, how: str | None) -> float:
    """A value against the patient's own start value: the difference or the ratio (None:
    the value itself). NaN when the start is unknown."""
    if how is None:
        return value
    if how == "ratio":
        return value / start if start > 0 else np.nan
    return value - start


def rep_faults(
    rules: list[RuleDef],
    series: Mapping[str, np.ndarray],
    at_turn: Mapping[str, float],
    timing: Mapping[str, float],
    turn_s: float,
    view: DetectedView | None,
    *,
    sided_at_turn: Mapping[str, SidedValue] | None = None,
    sided_series: Mapping[Side, Mapping[str, np.ndarray]] | None = None,
    start: Mapping[str, float] | None = None,
) -> list[Fault]:
    """Faults of the 'turn' and 'rep' rules for one finished rep.

    `at_turn` holds each measure's `steady_value` over the frames around the turn, and
    `series` each frame's over the frames around it (`steady_series`), so neither a 'turn'
    nor a whole-'rep' rule is judged on one noisy frame; `sided_*` carry each side's
    values (as steady), for rules on the asymmetry between the sides;
    `start` the patient's own start-position values, for `relative_to_start` rules.
    """
    faults = []
    for rule in rules:
        if rule.when == "always" or not applies(rule, view):
            continue
        rule = rule.for_view(view)
        if not judged(rule, at_turn):
            continue
        if rule.measure in REP_MEASURES:
            value = timing[rule.measure]
        elif rule.stat == "asymmetry":
            value = _asymmetry(rule, sided_at_turn or {}, sided_series or {})
        elif rule.when == "turn":
            value = at_turn.get(rule.measure, np.nan)
        else:
            value = rep_statistic(series.get(rule.measure, np.array([])), rule.stat)
        if rule.relative_to_start is not None:
            baseline = (start or {}).get(rule.measure, np.nan)
            value = relative(value, baseline, rule.relative_to_start)
        if breaks_rule(value, rule):
            faults.append(_fault(rule, turn_s, value))
    return faults
