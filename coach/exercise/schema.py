"""The exercise definition format: pydantic models that validate a parsed TOML file.

A physio writes definitions as data (see docs/exercises.md). Every model forbids unknown
keys, so a typo such as `thresold` is an error naming that key, not a silently ignored
line. Cross-references (a rule's measure, a landmark name) are checked here too, so a
definition that loads is one the engine can run.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from coach.core import landmarks

View = Literal["front", "side", "back", "oblique"]
SideMode = Literal["both", "left", "right", "alternating", "auto"]
Severity = Literal["info", "minor", "major"]
Plane = Literal["sagittal", "frontal", "any"]
Space = Literal["auto", "image", "world"]
RuleWhen = Literal["always", "turn", "rep"]
RepStat = Literal["min", "max", "range", "asymmetry"]

# Measures the engine computes per rep without a declaration.
REP_MEASURES = ("rep_duration_s", "down_s", "up_s")


class _Strict(BaseModel):
    # nan and inf compare false with every threshold: a rule or a phase that can never
    # fire, so 0 reps without a word. Refused, with the key path.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_landmark(name: str) -> str:
    if not landmarks.is_known_name(name):
        lowered = name.lower()
        # "Lknee" / "Rshoulder" are common shorthands for left_knee / right_shoulder.
        spellings = [{"l": "left_", "r": "right_"}.get(lowered[:1], "") + lowered[1:], lowered]
        close = list(
            dict.fromkeys(
                match
                for spelled in spellings
                for match in difflib.get_close_matches(spelled, landmarks.known_names(), cutoff=0.6)
            )
        )[:3]
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
        raise ValueError(
            f"unknown landmark '{name}'{hint}; use a BlazePose name such as 'left_knee', a "
            "side-less name such as 'knee', or a midpoint such as 'mid_hip'"
        )
    return name


LandmarkName = Annotated[str, AfterValidator(_check_landmark)]


class AngleDef(_Strict):
    """A named angle, computed per frame, reported in degrees (clinical convention)."""

    type: Literal[
        "flexion",
        "flexion_towards",
        "included",
        "segment_vertical",
        "segment_horizontal",
        "between",
    ]
    points: list[LandmarkName]
    plane: Plane = Field(
        "any",
        description="Plane the movement happens in: 2D image angles are used when the camera "
        "faces this plane, world (3D) angles otherwise.",
    )
    space: Space = "auto"
    normal_range: tuple[float, float] | None = Field(
        None, description="Normal adult active range (degrees), shown to the physio."
    )
    label: str | None = None

    @model_validator(mode="after")
    def _points_fit_type(self) -> AngleDef:
        wanted = {"flexion": 3, "included": 3, "between": 4, "flexion_towards": 4}.get(self.type, 2)
        if len(self.points) != wanted:
            raise ValueError(f"type '{self.type}' needs {wanted} points, got {len(self.points)}")
        return self


class RatioDef(_Strict):
    """A scale-free distance. `distance_ratio`: |p0 p1| / |p2 p3|, e.g. knee width over ankle
    width (valgus), or shoulder-to-wrist over trunk length (how far the chest has come down
    to the hands). `height_ratio`: how far p0 is above p1, over |p2 p3|, e.g. the heel above
    the toes over the shin length (a calf raise). `line_offset`: how far p0 lies below the
    line p1 p2 (negative: above), over |p1 p2|, e.g. the hip off the shoulder-ankle line
    over body length (hips sagging or piking in a push-up). `ahead_ratio`: how far p0 is
    ahead of p1 in the direction p2->p1, over |p0 p3|, e.g. the knee past the toes (the
    heel-to-toe direction) in shin lengths (knee to ankle)."""

    type: Literal["distance_ratio", "height_ratio", "line_offset", "ahead_ratio"] = "distance_ratio"
    points: list[LandmarkName]
    plane: Plane = "any"
    space: Space = "image"
    label: str | None = None

    @model_validator(mode="after")
    def _points_fit_type(self) -> RatioDef:
        wanted = 3 if self.type == "line_offset" else 4
        if len(self.points) != wanted:
            raise ValueError(f"{self.type} needs {wanted} points, got {len(self.points)}")
        return self


class Threshold(_Strict):
    """A condition on a measure: `above` and/or `below` (both: inside a band)."""

    measure: str
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _has_bound(self) -> Threshold:
        if self.above is None and self.below is None:
            raise ValueError("give 'above', 'below' or both")
        return self


class StartCondition(Threshold):
    """A start-position condition; `throughout`: it holds through every rep however far it
    has gone (lying face up for a crunch, not a squat's upright trunk)."""

    throughout: bool = Field(
        False,
        description="Holds through every rep, not only at its start (e.g. lying face up, "
        "knees bent for a crunch): a recording that opens out of it is not in the middle "
        "of a rep, so its first movement is not counted as the end of one.",
    )


class PhaseDef(_Strict):
    """One end of the movement: entered when the driver passes `above` or `below`."""

    name: str
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> PhaseDef:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of 'above' or 'below'")
        return self


class SignalDef(_Strict):
    """The signal a rep is counted on, and its two phases."""

    driver: str = Field(description="The angle (or ratio) whose cycle is a repetition.")
    start: PhaseDef = Field(description="Where each rep starts and ends (e.g. standing).")
    turn: PhaseDef = Field(description="The far end of the movement (e.g. the bottom).")
    min_range: float = Field(20.0, gt=0, description="Least driver change in a rep (its units).")
    target: float | None = Field(
        None, description="Value the driver should reach at the turn; short of it = partial."
    )
    rest: float | None = Field(
        None,
        gt=0,
        description="For a ratio driver: the reading at rest that start, turn and target "
        "are written for (hand reach: 1.0 with straight arms). A patient whose own rest "
        "reads further from the turn has the three scaled to it, rep by rep "
        "(docs/exercises.md, 'Thresholds on the patient's own rest'). None: absolute.",
    )

    @model_validator(mode="after")
    def _phases_make_a_band(self) -> SignalDef:
        if self.start.below is not None:
            if self.turn.above is None:
                raise ValueError("when start uses 'below', turn must use 'above'")
            if self.turn.above <= self.start.below:
                raise ValueError(
                    f"turn.above ({self.turn.above}) must be greater than start.below "
                    f"({self.start.below}): the gap between them is the hysteresis band"
                )
        else:
            assert self.start.above is not None
            if self.turn.below is None:
                raise ValueError("when start uses 'above', turn must use 'below'")
            if self.turn.below >= self.start.above:
                raise ValueError(
                    f"turn.below ({self.turn.below}) must be less than start.above "
                    f"({self.start.above}): the gap between them is the hysteresis band"
                )
        self._check_target()
        self._check_rest()
        return self

    def _check_rest(self) -> None:
        """The rest the thresholds are written for lies beyond the start threshold, away
        from the turn: a patient at rest is in the start phase."""
        if self.rest is None:
            return
        start = self.start.below if self.rising else self.start.above
        assert start is not None
        if (self.rest >= start) if self.rising else (self.rest <= start):
            way = "below" if self.rising else "above"
            raise ValueError(
                f"rest ({self.rest:g}) must be {way} the start threshold ({start:g}): "
                "it is the driver's reading at rest, inside the start phase"
            )

    def _check_target(self) -> None:
        """A target short of the turn threshold is met by every rep that counts, so it
        could never flag a partial one: it belongs past the turn, the way the rep goes."""
        if self.target is None:
            return
        if self.start.below is not None and self.turn.above is not None:
            if self.target < self.turn.above:
                raise ValueError(
                    f"target ({self.target:g}) must be at least turn.above "
                    f"({self.turn.above:g}): the driver rises from start to turn, and a rep "
                    "counts only once it is past the turn, so a lower target is always met"
                )
        elif self.turn.below is not None and self.target > self.turn.below:
            raise ValueError(
                f"target ({self.target:g}) must be at most turn.below ({self.turn.below:g}): "
                "the driver falls from start to turn, and a rep counts only once it is "
                "past the turn, so a higher target is always met"
            )

    @property
    def rising(self) -> bool:
        """True when the driver increases from start to turn (e.g. knee flexion in a squat)."""
        return self.start.below is not None

    def reached_target(self, extreme: float) -> bool:
        if self.target is None:
            return True
        return extreme >= self.target if self.rising else extreme <= self.target


class DriversDef(SignalDef):
    """The signals a rep is counted on in one view: the driver and, optionally, other
    drivers of the same movement with thresholds of their own. The engine counts on the
    one that moves most clearly (coach.engine.drivers: the rule, in docs/exercises.md)."""

    other_drivers: list[SignalDef] = Field(
        default_factory=list,
        description="Other measures of the same movement (e.g. the elbow angle beside the "
        "shoulder-to-hand distance of a push-up), each with its own start, turn, min_range "
        "and target; counting uses the one that moves most clearly.",
    )

    @model_validator(mode="after")
    def _drivers_differ(self) -> DriversDef:
        names = [signal.driver for signal in self.signals]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"driver {', '.join(twice)} is named more than once")
        return self

    @property
    def signals(self) -> tuple[SignalDef, ...]:
        """The driver first, then the other drivers, in the file's order."""
        return (self, *self.other_drivers)

    def signal_of(self, driver: str | None) -> SignalDef:
        """The signal of the named driver (the first one when `driver` is not among them)."""
        return next((signal for signal in self.signals if signal.driver == driver), self)


class RepsDef(DriversDef):
    """How a repetition is recognised, with per-view signals where one view needs another."""

    min_dwell_s: float = Field(0.1, ge=0)
    min_rep_s: float = Field(0.4, ge=0)
    max_rep_s: float = Field(30.0, gt=0)
    partial_cue: str | None = None
    side_by: str | None = Field(
        None,
        description="For side = 'alternating': the measure whose larger value at the turn "
        "says which side did the rep (e.g. hip_flexion: the front leg of a lunge).",
    )
    by_view: dict[View, DriversDef] = Field(
        default_factory=dict,
        description="A different signal (or signals) for one camera view (e.g. a 3D angle "
        "from the front); a view not listed counts on the default signals.",
    )

    climbs: LandmarkName | None = Field(
        None,
        description="A side-less point (e.g. mid_ankle) that each rep ends higher in the "
        "image than it was at the turn: the patient climbs back up (a step-up ends with both "
        "feet on the step). A return that brings it lower instead is not a rep (stepping "
        "off the step: the same knee movement, ending with both feet on the floor). Read "
        "in the image, so it needs the camera to stay still.",
    )

    @model_validator(mode="after")
    def _plausible_times(self) -> RepsDef:
        if self.max_rep_s <= self.min_rep_s:
            raise ValueError("max_rep_s must be greater than min_rep_s")
        return self

    @model_validator(mode="after")
    def _climbs_one_point(self) -> RepsDef:
        """`climbs` is one point, so it names no side: both feet are `mid_ankle`."""
        if self.climbs is not None and landmarks.is_sided(self.climbs):
            raise ValueError(
                f"climbs: '{self.climbs}' names a point on each side; name one point, such "
                f"as 'mid_{self.climbs.removeprefix('other_')}' (both sides' midpoint)"
            )
        return self

    def signal_for(self, view: str | None) -> DriversDef:
        """The signals to count on in this view: its `by_view` entry, else the default
        ones (a view the definition does not list, and no view at all)."""
        return next((signal for name, signal in self.by_view.items() if name == view), self)


class HoldDef(_Strict):
    """An isometric hold: timed only while every condition holds."""

    conditions: list[Threshold] = Field(min_length=1)
    enter_s: float = Field(0.3, ge=0, description="Correct this long before the timer starts.")
    exit_s: float = Field(0.5, ge=0, description="Broken this long before the timer stops.")
    still_deg: float = Field(
        8.0,
        gt=0,
        description="A hold is still: the timer starts once every angle of the conditions "
        "has varied by at most this over half a second, and stops when one moves this far "
        "from the held position, so getting in and out is not timed.",
    )
    break_cue: str = "Get back into position"


RelativeTo = Literal["difference", "ratio"]
_RELATIVE_DESCRIPTION = (
    "Judge the measure against the patient's own start position (its median over the "
    "settled frames when counting arms): 'difference' = value - start, 'ratio' = value / "
    "start. For faults relative to the person (a shoulder hitched towards the ear, a trunk "
    "foreshortening as it pitches towards the camera). Until the start position has been "
    "seen the rule says nothing."
)


class RuleViewDef(_Strict):
    """How one rule judges its fault from one camera view, where the rule's own measure
    cannot see it (a trunk pitching forward is an angle side-on, a foreshortening from
    the front)."""

    measure: str
    fault_above: float | None = None
    fault_below: float | None = None
    relative_to_start: RelativeTo | None = Field(None, description=_RELATIVE_DESCRIPTION)

    @model_validator(mode="after")
    def _has_bound(self) -> RuleViewDef:
        if self.fault_above is None and self.fault_below is None:
            raise ValueError("give 'fault_above', 'fault_below' or both")
        return self


class RuleDef(_Strict):
    """A form rule: a fault when the measure crosses a bound at the stated moment."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    measure: str
    when: RuleWhen = Field(
        "always",
        description="always: any frame while exercising; turn: at the far end of each rep; "
        "rep: once per rep on the rep's statistic.",
    )
    stat: RepStat = Field(
        "max",
        description="For 'rep': which statistic of the rep is judged. 'asymmetry': the "
        "difference between the left and right values (at the turn for when='turn', of the "
        "sides' ranges for when='rep'); the measure must be measured on both sides.",
    )
    fault_above: float | None = None
    fault_below: float | None = None
    min_duration_s: float = Field(0.3, ge=0, description="For 'always': how long it must last.")
    relative_to_start: RelativeTo | None = Field(None, description=_RELATIVE_DESCRIPTION)
    cue: str = Field(min_length=1)
    severity: Severity = "minor"
    views: list[View] | None = None
    by_view: dict[View, RuleViewDef] = Field(
        default_factory=dict,
        description="A different measure and bounds for one camera view (the same fault, "
        "seen another way).",
    )
    at_full_range: bool = Field(
        False,
        description="The fault describes the posture at the library's full range (standing "
        "tall at the top of a sit-to-stand): it is judged only on reps whose driver reached "
        "the definition's own turn threshold. A patient whose plan counts reps short of it "
        "is not judged on it. With when = 'turn' or 'rep'.",
    )
    judged_while: list[Threshold] = Field(
        default_factory=list,
        description="Conditions on other measures (at the same moment: the frame, or the "
        "turn) that must hold for the rule to be judged at all; otherwise it says nothing. "
        "E.g. shrugging only below 120 degrees of arm elevation, where the shoulder blade's "
        "own rise cannot pass for a shrug.",
    )

    @model_validator(mode="after")
    def _has_bound(self) -> RuleDef:
        if self.fault_above is None and self.fault_below is None:
            raise ValueError("give 'fault_above', 'fault_below' or both")
        if self.measure in REP_MEASURES and self.when != "rep":
            raise ValueError(f"'{self.measure}' exists once per rep: set when = \"rep\"")
        if self.at_full_range and self.when == "always":
            raise ValueError(
                'at_full_range judges a rep at its turn: use it with when = "turn" or "rep"'
            )
        judged_in: list[tuple[str | None, RuleDef | RuleViewDef]] = [(None, self)]
        for view, judged in [*judged_in, *self.by_view.items()]:
            where = "" if view is None else f"by_view.{view}: "
            if judged.relative_to_start is not None:
                if self.when == "always" or self.stat in ("range", "asymmetry"):
                    raise ValueError(
                        f"{where}relative_to_start compares a rep with the start position: "
                        'use it with when = "turn", or when = "rep" with stat = "max" '
                        'or "min"'
                    )
                if judged.measure in REP_MEASURES:
                    raise ValueError(
                        f"{where}'{judged.measure}' has no start position to compare with"
                    )
            if view is not None and self.views is not None and view not in self.views:
                raise ValueError(f"by_view.{view}: '{view}' is not among the rule's views")
        return self

    def for_view(self, view: str | None) -> RuleDef:
        """The rule as judged in this view: its `by_view` measure and bounds where it has
        them, else itself."""
        judged = next((v for name, v in self.by_view.items() if name == view), None)
        if judged is None:
            return self
        return self.model_copy(update={**judged.model_dump(), "by_view": {}})


class DosageDef(_Strict):
    sets: int = Field(3, ge=1, le=20)
    reps: int | None = Field(None, ge=1, le=200)
    hold_s: float | None = Field(None, gt=0, le=600)
    rest_s: float = Field(60, ge=0, le=900)
    tempo: str | None = Field(
        None, description="Seconds down-pause-up, e.g. '2-1-2'.", pattern=r"^\d+(-\d+){1,3}$"
    )


class ExerciseDef(_Strict):
    """One exercise, as a physio describes it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    summary: str = ""
    purpose: str = ""
    conditions: list[str] = Field(default_factory=list)
    instructions: list[str] = Field(min_length=1)
    views: list[View] = Field(min_length=1)
    mode: Literal["reps", "hold"]
    side: SideMode = "both"
    min_visibility: float = Field(0.5, ge=0, le=1)
    angles: dict[str, AngleDef] = Field(min_length=1)
    ratios: dict[str, RatioDef] = Field(default_factory=dict)
    start_position: list[StartCondition] = Field(
        default_factory=list,
        description="Conditions that must hold when a rep starts (e.g. body horizontal).",
    )
    position_cue: str = "Get into the starting position"
    reps: RepsDef | None = None
    hold: HoldDef | None = None
    rules: list[RuleDef] = Field(default_factory=list)
    good_rep_cue: str = "Good rep"
    dosage: DosageDef = Field(default_factory=DosageDef)

    @property
    def measures(self) -> list[str]:
        return [*self.angles, *self.ratios]


def angle_name(exercise: ExerciseDef, name: str) -> str:
    """The physio's label for a measure (`Knee bend`), else its name in words: what the
    live panel and the browser's stream show beside the measure's value."""
    measure = exercise.angles.get(name) or exercise.ratios.get(name)
    label = measure.label if measure is not None else None
    return label or name.replace("_", " ").capitalize()


def measure_unit(exercise: ExerciseDef, name: str) -> str:
    """The unit written after a measure's value: "°" for an angle, "" for a ratio (a
    number without unit). Every read-out takes it from here (the live panel, the landmark
    stream's gauge, the video overlay, which writes it as "deg": coach.vision.draw)."""
    return "°" if name in exercise.angles else ""


def is_sided_measure(definition: ExerciseDef, name: str) -> bool:
    """True when the measure is taken on each side (it names a side-less landmark)."""
    measure = definition.angles.get(name) or definition.ratios.get(name)
    return measure is not None and any(landmarks.is_sided(p) for p in measure.points)


def reference_problems(definition: ExerciseDef) -> list[tuple[str, str]]:
    """Problems no single field can see: names used before they are defined, and the like.

    Returns (key path, message) pairs, all of them, so an author fixes a file in one pass.
    """
    problems: list[tuple[str, str]] = []
    if definition.mode == "reps" and definition.reps is None:
        problems.append(("reps", "mode 'reps' needs a [reps] table"))
    if definition.mode == "hold" and definition.hold is None:
        problems.append(("hold", "mode 'hold' needs a [hold] table"))
    for name in sorted(set(definition.angles) & set(definition.ratios)):
        problems.append((f"ratios.{name}", f"'{name}' is already the name of an angle"))
    known = set(definition.measures)
    references: list[tuple[str, str]] = []
    if definition.reps is not None:
        references.append(("reps.driver", definition.reps.driver))
        signal_sets: list[tuple[str, DriversDef]] = [("reps", definition.reps)]
        signal_sets += [(f"reps.by_view.{v}", s) for v, s in definition.reps.by_view.items()]
        for where, signals in signal_sets:
            if where != "reps":
                references.append((f"{where}.driver", signals.driver))
            references += [
                (f"{where}.other_drivers[{i}].driver", other.driver)
                for i, other in enumerate(signals.other_drivers)
            ]
    if definition.hold is not None:
        references += [
            (f"hold.conditions[{i}].measure", c.measure)
            for i, c in enumerate(definition.hold.conditions)
        ]
    references += [
        (f"start_position[{i}].measure", c.measure) for i, c in enumerate(definition.start_position)
    ]
    references += [
        (f"rules[{i}].measure", rule.measure)
        for i, rule in enumerate(definition.rules)
        if rule.measure not in REP_MEASURES
    ]
    references += [
        (f"rules[{i}].judged_while[{k}].measure", condition.measure)
        for i, rule in enumerate(definition.rules)
        for k, condition in enumerate(rule.judged_while)
    ]
    references += [
        (f"rules[{i}].by_view.{view}.measure", judged.measure)
        for i, rule in enumerate(definition.rules)
        for view, judged in rule.by_view.items()
        if judged.measure not in REP_MEASURES
    ]
    for where, name in references:
        if name not in known:
            problems.append(
                (
                    where,
                    f"'{name}' is not defined; define it under [angles] or [ratios] "
                    f"(defined: {sorted(known)}) or use one of {list(REP_MEASURES)}",
                )
            )
    sided = {name for name in known if is_sided_measure(definition, name)}
    if definition.side == "alternating":
        side_by = definition.reps.side_by if definition.reps else None
        if side_by is None:
            problems.append(
                (
                    "reps.side_by",
                    "side = 'alternating' needs reps.side_by: the measure that tells which side "
                    "did each rep (it must be measured on both sides, e.g. hip_flexion)",
                )
            )
        elif side_by in known and side_by not in sided:
            problems.append(("reps.side_by", f"'{side_by}' is not measured per side"))
    side_by = definition.reps.side_by if definition.reps else None
    if side_by is not None and side_by not in known:
        problems.append(("reps.side_by", f"'{side_by}' is not defined; defined: {sorted(known)}"))
    for i, rule in enumerate(definition.rules):
        if rule.stat == "asymmetry" and rule.measure in known and rule.measure not in sided:
            problems.append(
                (
                    f"rules[{i}].stat",
                    f"'asymmetry' compares the sides, but '{rule.measure}' names no side-less "
                    "landmark (use e.g. 'knee', not 'left_knee')",
                )
            )
    seen: set[str] = set()
    for i, rule in enumerate(definition.rules):
        if rule.id in seen:
            problems.append((f"rules[{i}].id", f"rule id '{rule.id}' is used twice"))
        seen.add(rule.id)
    return problems + range_problems(definition)


# ---- plausible values, per kind of quantity ----------------------------------------------
@dataclass(frozen=True)
class Plausible:
    """The values a kind of quantity can take on a body: beyond them a number is a typo
    (5000 for 50) that makes a phase or a rule unreachable, so the exercise counts 0 reps."""

    what: str
    low: float
    high: float
    unit: str = ""

    def problem(self, value: float | None, measure: str) -> str | None:
        if value is None or self.low <= value <= self.high:
            return None
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"{value:g}{unit} is not a plausible {self.what} for '{measure}'; use a value "
            f"between {self.low:g} and {self.high:g}{unit} (a typo?)"
        )


# Angles in the neutral-zero convention run from -180 (full extension past neutral) to 360
# (a full turn, for included angles measured all the way round); ratios are lengths over a
# body length, a few at most; rep times are seconds.
ANGLE = Plausible("angle", -180.0, 360.0, "degrees")
ANGLE_CHANGE = Plausible("change of angle", -360.0, 360.0, "degrees")
RATIO = Plausible("ratio of body lengths", -10.0, 10.0)
RATIO_CHANGE = Plausible("change of a ratio of body lengths", -20.0, 20.0)
RELATIVE = Plausible("ratio to the start position", -10.0, 10.0)
SECONDS = Plausible("time", 0.0, 600.0, "s")


def _kind(definition: ExerciseDef, measure: str, *, change: bool = False) -> Plausible | None:
    """The plausible range of a measure's value (or of a change in it); None for a name
    that is not defined (reported by `reference_problems`)."""
    if measure in REP_MEASURES:
        return SECONDS
    if measure in definition.angles:
        return ANGLE_CHANGE if change else ANGLE
    if measure in definition.ratios:
        return RATIO_CHANGE if change else RATIO
    return None


# (key path, the plausible range, the measure, the value) of one number to check.
_Check = tuple[str, Plausible | None, str, float | None]


def _checks(
    where: str, kind: Plausible | None, measure: str, **values: float | None
) -> list[_Check]:
    return [(f"{where}.{key.replace('__', '.')}", kind, measure, v) for key, v in values.items()]


def _signal_checks(definition: ExerciseDef, reps: RepsDef) -> list[_Check]:
    """The driver thresholds, targets and least ranges of every view's signals."""
    signal_sets: list[tuple[str, DriversDef]] = [("reps", reps)]
    signal_sets += [(f"reps.by_view.{v}", s) for v, s in reps.by_view.items()]
    named: list[tuple[str, SignalDef]] = []
    for where, signals in signal_sets:
        named.append((where, signals))
        named += [(f"{where}.other_drivers[{i}]", o) for i, o in enumerate(signals.other_drivers)]
    checks: list[_Check] = []
    for at, signal in named:
        driver = signal.driver
        checks += _checks(
            at,
            _kind(definition, driver),
            driver,
            start__above=signal.start.above,
            start__below=signal.start.below,
            turn__above=signal.turn.above,
            turn__below=signal.turn.below,
            target=signal.target,
        )
        change = _kind(definition, driver, change=True)
        checks += _checks(at, change, driver, min_range=signal.min_range)
    return checks


def _rule_checks(definition: ExerciseDef, i: int, rule: RuleDef) -> list[_Check]:
    """A rule's fault bounds (in each view), judged as values, changes (a rep's range, an
    asymmetry, a difference from the start) or ratios to the start position."""
    judged_in: list[tuple[str, RuleDef | RuleViewDef]] = [(f"rules[{i}]", rule)]
    judged_in += [(f"rules[{i}].by_view.{v}", j) for v, j in rule.by_view.items()]
    checks: list[_Check] = []
    for where, judged in judged_in:
        kind: Plausible | None
        if judged.relative_to_start == "ratio":
            kind = RELATIVE
        else:
            change = judged.relative_to_start == "difference" or rule.stat in ("range", "asymmetry")
            kind = _kind(definition, judged.measure, change=change)
        checks += _checks(
            where,
            kind,
            judged.measure,
            fault_above=judged.fault_above,
            fault_below=judged.fault_below,
        )
    return checks


def range_problems(definition: ExerciseDef) -> list[tuple[str, str]]:
    """Every threshold, target, least range and normal range outside what its measure can
    take on a body (an angle of 5000 degrees, a ratio of 300), as (key path, message)
    pairs."""
    checks: list[_Check] = []
    for name, angle in definition.angles.items():
        if angle.normal_range is not None:
            low, high = angle.normal_range
            checks += [
                (f"angles.{name}.normal_range[0]", ANGLE, name, low),
                (f"angles.{name}.normal_range[1]", ANGLE, name, high),
            ]
    if definition.reps is not None:
        checks += _signal_checks(definition, definition.reps)
    thresholds: list[tuple[str, Threshold]] = [
        (f"start_position[{i}]", c) for i, c in enumerate(definition.start_position)
    ]
    if definition.hold is not None:
        thresholds += [
            (f"hold.conditions[{i}]", c) for i, c in enumerate(definition.hold.conditions)
        ]
    for i, rule in enumerate(definition.rules):
        thresholds += [
            (f"rules[{i}].judged_while[{k}]", c) for k, c in enumerate(rule.judged_while)
        ]
        checks += _rule_checks(definition, i, rule)
    for where, c in thresholds:
        kind = _kind(definition, c.measure)
        checks += _checks(where, kind, c.measure, above=c.above, below=c.below)
    problems = []
    for where, kind, measure, value in checks:
        problem = kind.problem(value, measure) if kind is not None else None
        if problem is not None:
            problems.append((where, problem))
    return problems
