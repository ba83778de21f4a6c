"""Rep definitions the counter tests share."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from coach.engine.counter import RepCounter, RepCycle
from coach.exercise.schema import PhaseDef, RepsDef

FPS = 30
Sample = tuple[float, float, bool]  # (t_s, value, in_position)


def rising(**overrides) -> RepsDef:
    """Squat-like: knee flexion starts below 35 (standing), turns above 60 (bottom)."""
    fields = {
        "driver": "knee_flexion",
        "start": PhaseDef(name="standing", below=35),
        "turn": PhaseDef(name="bottom", above=60),
        "min_range": 30,
        "min_dwell_s": 0.1,
        "min_rep_s": 0.5,
        "max_rep_s": 30,
    }
    return RepsDef(**{**fields, **overrides})


def falling(**overrides) -> RepsDef:
    """Push-up-like: hand reach starts above 0.82 (arms straight), turns below 0.7."""
    fields = {
        "driver": "hand_reach",
        "start": PhaseDef(name="arms straight", above=0.82),
        "turn": PhaseDef(name="bottom", below=0.7),
        "min_range": 0.2,
        "min_rep_s": 0.5,
        "max_rep_s": 20,
    }
    return RepsDef(**{**fields, **overrides})


class Motion:
    """A piecewise-linear driver signal, built move by move, sampled at frame times."""

    def __init__(self, value: float) -> None:
        self.knots: list[tuple[float, float]] = [(0.0, value)]

    @property
    def t(self) -> float:
        return self.knots[-1][0]

    @property
    def value(self) -> float:
        return self.knots[-1][1]

    def to(self, value: float, seconds: float) -> Motion:
        self.knots.append((self.t + seconds, value))
        return self

    def stay(self, seconds: float) -> Motion:
        return self.to(self.value, seconds)

    def reps(
        self, n: int, turn: float, down_s: float = 1.0, up_s: float = 1.0, rest_s: float = 0.5
    ) -> Motion:
        start = self.value
        for _ in range(n):
            self.to(turn, down_s).to(start, up_s).stay(rest_s)
        return self

    def jitter(self, center: float, amplitude: float, seconds: float) -> Motion:
        """Alternates center +- amplitude on every frame."""
        for i in range(round(seconds * FPS)):
            self.to(center + amplitude * (-1) ** i, 1 / FPS)
        return self

    def wave(self, center: float, amplitude: float, period_s: float, seconds: float) -> Motion:
        t0 = self.t
        for i in range(1, round(seconds * FPS) + 1):
            phase = 2 * np.pi * (i / FPS) / period_s
            self.knots.append((t0 + i / FPS, center + amplitude * np.sin(phase)))
        return self

    def samples(
        self,
        nan: Iterable[tuple[float, float]] = (),
        off: Iterable[tuple[float, float]] = (),
        until: float | None = None,
    ) -> list[Sample]:
        """Frames at FPS; NaN inside `nan` intervals, in_position False inside `off`."""
        end = self.t if until is None else until
        times = np.arange(int(np.floor(end * FPS + 1e-6)) + 1) / FPS
        knot_t, knot_v = zip(*self.knots, strict=True)
        values = np.interp(times, knot_t, knot_v)
        in_position = np.ones(len(times), dtype=bool)
        for t0, t1 in nan:
            values[(times >= t0) & (times < t1)] = np.nan
        for t0, t1 in off:
            in_position[(times >= t0) & (times < t1)] = False
        rows = zip(times, values, in_position, strict=True)
        return [(float(t), float(v), bool(p)) for t, v, p in rows]


def run(
    samples: list[Sample], reps: RepsDef | None = None, **counter_kwargs
) -> tuple[RepCounter, list[RepCycle]]:
    """The counter after the samples, and the reps it counted (`reps`: squat-like)."""
    counter = RepCounter(reps or rising(), **counter_kwargs)
    cycles = []
    for t_s, value, in_position in samples:
        cycle = counter.update(value, t_s, in_position)
        if cycle is not None:
            cycles.append(cycle)
    return counter, cycles
