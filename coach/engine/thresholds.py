"""The thresholds in force for one patient: the definition's, moved by the physio's plan.

A definition's driver thresholds (`SignalDef`: start, turn, target, min_range) describe a
healthy adult. A physio may prescribe, per patient and exercise, a range-of-motion target
(the driver's value a full rep reaches) and a "counts from" depth (the turn threshold: the
value a movement must pass to be a rep). `thresholds_in_force` turns the two into the
numbers the rep counter, the partial-rep judgement, the gauge and the cues use.

The rules, in the driver's own direction (deeper = further from the start):

- Nothing prescribed: the definition's thresholds.
- A target short of the definition's: the turn moves towards the rest in proportion, so a
  rep reaching the target counts (and is full); a target beyond the definition's (a fit
  patient) leaves the turn where it is and only raises the bar for a full rep.
- "Counts from" sets the turn directly.
- The start threshold stays the definition's while it lies at least half a hysteresis
  band short of the turn (the definition's band, scaled as the turn moved towards the
  rest); otherwise it moves to that point, so it never crosses the turn and jitter at one
  threshold never flips the phase.
- Bounds: `min_range`, the least change of the driver in a rep (the fidget floor), is
  never lowered, whatever is prescribed: the counter holds every rep to it, measured from
  the patient's own rest. The turn is never closer to the (estimated) rest than a quarter
  of it, so the start threshold stays above the rest; the target is never short of the
  turn. Every bound that moved a prescribed number is said in `notes`.

The rest is not in a definition; it is taken one hysteresis band short of the start
threshold (`start - (turn - start)`): e.g. a squat's knee flexion 10 degrees (start 35,
turn 60).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from coach.exercise.schema import PhaseDef, SignalDef

_Signal = TypeVar("_Signal", bound=SignalDef)


@dataclass(frozen=True)
class Prescription:
    """What the physio prescribed on one measure (the plan item's `rom_angle`): `target`,
    the driver's value a full rep reaches; `counts_from`, the value a rep must pass to
    count (the turn threshold). Either may be None (the definition's)."""

    measure: str
    target: float | None = None
    counts_from: float | None = None

    @property
    def empty(self) -> bool:
        return self.target is None and self.counts_from is None


@dataclass(frozen=True)
class Thresholds:
    """The driver's thresholds in force: a rep starts and ends beyond `start`, counts once
    past `turn`, is full at `target` (None: every counted rep is full)."""

    driver: str
    rising: bool  # the driver increases from start to turn
    start: float
    turn: float
    target: float | None
    min_range: float
    prescribed: bool  # a prescription moved at least one number from the definition's
    notes: tuple[str, ...] = ()  # the bounds that changed a prescribed number, in words

    def reached(self, value: float, threshold: float) -> bool:
        """True when `value` is at or beyond `threshold` in the driver's direction."""
        return value >= threshold if self.rising else value <= threshold

    def reached_target(self, extreme: float) -> bool:
        """True when a rep's extreme makes it a full rep."""
        return self.target is None or self.reached(extreme, self.target)

    def as_signal(self, signal: _Signal) -> _Signal:
        """The definition's signal with these numbers: what the rep counter runs on (of the
        signal's own type: a view's `DriversDef` keeps its other drivers)."""
        start = PhaseDef(name=signal.start.name, **{_side(self.rising, True): self.start})
        turn = PhaseDef(name=signal.turn.name, **{_side(self.rising, False): self.turn})
        return signal.model_copy(update={"start": start, "turn": turn, "target": self.target})

    def to_json(self) -> dict[str, object]:
        return {
            "driver": self.driver,
            "direction": "rising" if self.rising else "falling",
            "start": _rounded(self.start),
            "turn": _rounded(self.turn),
            "target": None if self.target is None else _rounded(self.target),
            "min_range": _rounded(self.min_range),
            "prescribed": self.prescribed,
            "notes": list(self.notes),
        }


def _rounded(value: float) -> float:
    return round(value, 3)


def _side(rising: bool, start: bool) -> str:
    """The PhaseDef key of a threshold: a rising driver starts `below` and turns `above`."""
    return "below" if rising == start else "above"


def library_thresholds(signal: SignalDef) -> Thresholds:
    """The definition's own thresholds."""
    start = signal.start.below if signal.rising else signal.start.above
    turn = signal.turn.above if signal.rising else signal.turn.below
    assert start is not None and turn is not None  # SignalDef's validator guarantees them
    return Thresholds(
        signal.driver, signal.rising, start, turn, signal.target, signal.min_range, False
    )


def thresholds_in_force(signal: SignalDef, prescription: Prescription | None) -> Thresholds:
    """The thresholds for this patient (see the module's rules). A prescription on another
    measure than the signal's driver (e.g. the push-up's elbow signal from the front, the
    plan's target on hand reach) leaves the definition's thresholds, with a note."""
    library = library_thresholds(signal)
    if prescription is None or prescription.empty:
        return library
    if prescription.measure != signal.driver:
        note = (
            f"the plan's numbers are for {prescription.measure}; in this view reps are "
            f"counted on {signal.driver}, with the library's thresholds"
        )
        return replace(library, notes=(note,))
    # Work in depth: the driver's value signed so that deeper is larger.
    sign = 1.0 if signal.rising else -1.0
    start, turn = sign * library.start, sign * library.turn
    band = turn - start
    rest = start - band
    library_target = sign * library.target if library.target is not None else turn
    notes: list[str] = []
    target = sign * prescription.target if prescription.target is not None else None
    if prescription.counts_from is not None:
        new_turn = sign * prescription.counts_from
    elif target is not None and target < library_target and library_target > rest:
        new_turn = min(turn, rest + (turn - rest) * (target - rest) / (library_target - rest))
    else:
        new_turn = turn
    floor = rest + signal.min_range / 4
    if new_turn < floor:
        notes.append(
            f"a rep counts from {sign * floor:g} at the least: a quarter of the "
            f"definition's min_range ({signal.min_range:g}) from the rest"
        )
        new_turn = floor
    scaled_band = band * (new_turn - rest) / (turn - rest)
    new_start = min(start, new_turn - scaled_band / 2)
    new_target = target if target is not None else library_target
    if library.target is None and target is None:
        final_target = None
    else:
        if new_target < new_turn:
            notes.append(
                f"the target {sign * new_target:g} was short of where a rep counts "
                f"({sign * new_turn:g}): the target is that point, every counted rep full"
            )
            new_target = new_turn
        final_target = sign * new_target
    numbers = (sign * new_start, sign * new_turn, final_target)
    moved = numbers != (library.start, library.turn, library.target)
    return Thresholds(signal.driver, signal.rising, *numbers, signal.min_range, moved, tuple(notes))


def on_own_rest(signal: _Signal, own_rest: float) -> _Signal:
    """The signal's start, turn and target scaled to the patient's own rest reading, for
    a driver whose definition names the rest its thresholds are written for (`rest`, a
    ratio such as hand reach). Scaled only when the patient's rest lies further from the
    turn than that (e.g. longer arms for their trunk): the movement asked for is then the
    same share of their own reach, never more than the library asks. Otherwise (no `rest`,
    a rest nearer the turn, or none measured) the signal unchanged. `min_range`, the
    fidget floor, is never scaled."""
    if signal.rest is None or own_rest != own_rest:
        return signal
    factor = own_rest / signal.rest
    if (factor >= 1.0) if signal.rising else (factor <= 1.0):
        return signal
    force = library_thresholds(signal)
    scaled = replace(
        force,
        start=force.start * factor,
        turn=force.turn * factor,
        target=None if force.target is None else force.target * factor,
    )
    return scaled.as_signal(signal)
