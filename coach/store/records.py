"""What the store hands out (frozen records) and the checks on what it takes in.

Every value a person types (names, pain ratings, dates, goal scores, dosage) is checked
here before it reaches the database, with a message that says what is allowed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, overload

from coach.auth.passwords import weakness
from coach.core.errors import CoachError

Role = Literal["clinician", "patient"]
SessionSource = Literal["live", "manual"]
# How a session ended: the patient pressed Finish (or ticked it off by hand), or it was left
# (tab closed, browser or server gone) and kept with what it holds. None: under way.
EndedHow = Literal["finished", "unfinished"]
MAX_GOALS = 5  # PSFS: 3 to 5 patient-chosen activities


class StoreError(CoachError):
    """The database could not be read or written, or a value was refused; the message
    says what to do."""


class ValidationError(StoreError):
    """A value was refused before it reached the database."""


# ---- checks ----------------------------------------------------------------------------
def check_text(value: object, what: str, *, max_len: int, required: bool = True) -> str | None:
    """Strip a piece of text; refuse control characters and over-long or empty text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"{what} is required")
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text, got {type(value).__name__}")
    _check_encodable(value, what)
    text = value.strip()
    if len(text) > max_len:
        raise ValidationError(f"{what} must be at most {max_len} characters, got {len(text)}")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ValidationError(f"{what} must not contain control characters")
    return text


def _check_encodable(value: str, what: str) -> None:
    """Refuse text that is not valid Unicode: bytes that were not UTF-8 (a command-line
    argument in another encoding arrives as lone surrogates) cannot be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            f"{what} is not valid text (not UTF-8): type it again in a UTF-8 terminal"
        ) from None


# Characters that reorder the text around them (Unicode bidirectional controls): in a name
# they can make one name look like another.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def check_name(value: object, what: str = "name") -> str:
    """A person's name: 1-120 characters with at least one letter, one line, no
    bidirectional control characters."""
    text = check_text(value, what, max_len=120)
    assert text is not None
    if "\n" in text or "\t" in text:
        raise ValidationError(f"{what} must be on one line")
    if any(c in BIDI_CONTROLS for c in text):
        raise ValidationError(
            f"{what} must not contain bidirectional control characters (such as U+202E)"
        )
    if not any(c.isalpha() for c in text):
        raise ValidationError(f"{what} must contain a letter, got {text!r}")
    return text


USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{2,63}$")


def check_username(value: object) -> str:
    if not isinstance(value, str) or not USERNAME.match(value.strip().lower()):
        raise ValidationError(
            "user name must be 3-64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    return value.strip().lower()


def check_password(value: object) -> str:
    """A new password: 10-256 characters of text, not one of the commonest passwords nor
    one character repeated (coach.auth.passwords.weakness)."""
    if not isinstance(value, str) or not value:
        raise ValidationError("password is required (at least 10 characters)")
    _check_encodable(value, "password")
    if len(value) < 10:
        raise ValidationError("password must be at least 10 characters")
    if len(value) > 256:
        raise ValidationError("password must be at most 256 characters")
    problem = weakness(value)
    if problem is not None:
        raise ValidationError(f"password {problem}")
    return value


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise ValidationError(f"{what} must be a whole number, got {value!r}")
    return int(value)


def check_score(value: object, what: str) -> int:
    """A 0-10 whole-number rating (pain NRS, PSFS goal score)."""
    number = _whole(value, what)
    if not 0 <= number <= 10:
        raise ValidationError(f"{what} must be 0-10, got {number}")
    return number


def check_pain(value: object, when: str = "pain") -> int | None:
    if value is None:
        return None
    number = _whole(value, f"{when} (NRS)")
    if not 0 <= number <= 10:
        raise ValidationError(f"{when} must be 0-10 on the NRS, got {number}")
    return number


def check_borg(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"effort must be a number 0-10 (Borg CR10), got {value!r}")
    if not 0 <= value <= 10:
        raise ValidationError(f"effort must be 0-10 on the Borg CR10 scale, got {value}")
    return float(value)


def check_int_range(value: object, what: str, low: int, high: int) -> int:
    number = _whole(value, what)
    if not low <= number <= high:
        raise ValidationError(f"{what} must be {low}-{high}, got {number}")
    return number


def check_float_range(value: object, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"{what} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValidationError(f"{what} must be {low:g}-{high:g}, got {value:g}")
    return float(value)


def check_date(value: object, what: str, *, required: bool = True) -> date | None:
    """A calendar date (a `date`, or 'YYYY-MM-DD' text); years 1900-2200."""
    if value is None:
        if required:
            raise ValidationError(f"{what} is required")
        return None
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, date):
        raise ValidationError(f"{what} must be a date, got {type(value).__name__}")
    if not 1900 <= value.year <= 2200:
        raise ValidationError(f"{what} must be between 1900 and 2200, got {value.isoformat()}")
    return value


def check_date_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(
            f"the end date {end.isoformat()} is before the start date {start.isoformat()}"
        )


def check_id(value: object, what: str) -> int:
    number = _whole(value, what)
    if number < 1:
        raise ValidationError(f"{what} must be a positive id, got {number}")
    return number


EXERCISE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_exercise_id(value: object) -> str:
    if not isinstance(value, str) or not EXERCISE_ID.match(value):
        raise ValidationError(f"exercise id must look like 'squat', got {value!r}")
    return value


# ---- time ----------------------------------------------------------------------------------
@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | None) -> datetime | None:
    """Datetimes from the database as UTC-aware (SQLite hands back naive UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_date(value: datetime) -> date:
    """The calendar day a moment falls on, in this computer's time zone."""
    return aware(value).astimezone().date()


# ---- records -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clinician:
    id: int
    name: str
    email: str | None


@dataclass(frozen=True)
class Patient:
    id: int
    name: str
    date_of_birth: date | None
    referrer: str | None
    clinician_id: int | None
    is_default: bool
    notes: str | None


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    clinician_id: int | None
    patient_id: int | None


@dataclass(frozen=True)
class PlanItem:
    id: int
    plan_id: int
    position: int
    exercise_id: str
    sets: int
    reps: int | None
    hold_s: float | None
    rest_s: float
    rom_angle: str | None
    rom_target_deg: float | None
    frequency_per_week: int
    notes: str | None
    progress_rule: dict[str, Any] | None
    active: bool
    counts_from_deg: float | None = None  # where a rep counts on rom_angle (None: library)


@dataclass(frozen=True)
class Plan:
    id: int
    patient_id: int
    clinician_id: int | None
    title: str
    start_date: date
    end_date: date | None
    notes: str | None
    active: bool
    items: tuple[PlanItem, ...] = ()
    telehealth: bool = False  # its sessions are shared live by default (revision 0010)

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class SessionRecord:
    """One session with its totals, as the dashboard, the exports and the rules read it."""

    id: int
    patient_id: int
    plan_item_id: int | None
    exercise_id: str
    source: SessionSource
    started_at: datetime
    ended_at: datetime | None
    view: str | None
    planned_sets: int | None
    planned_reps: int | None
    planned_hold_s: float | None
    pain_before: int | None
    pain_during: int | None
    pain_after: int | None
    effort_borg: float | None
    notes: str | None
    reps: int = 0
    partial_reps: int = 0
    sets_done: int = 0
    held_s: float = 0.0
    best_rom_deg: dict[str, float] = field(default_factory=dict)  # angle -> best ROM
    best_rom_by_side: dict[str, dict[str, float]] = field(default_factory=dict)  # side -> ...
    furthest_deg: dict[str, float] = field(default_factory=dict)  # angle -> highest max_deg
    faults: dict[str, int] = field(default_factory=dict)  # rule -> count
    major_faults: int = 0
    ended_how: EndedHow | None = None

    @property
    def unfinished(self) -> bool:
        """Left without Finish (tab closed, browser or server gone): kept with its reps,
        without the ratings the patient would have given at the end."""
        return self.ended_how == "unfinished"

    @property
    def day(self) -> date:
        return local_date(self.started_at)

    @property
    def duration_s(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class AngleRecord:
    min_deg: float | None
    max_deg: float | None
    rom_deg: float | None
    peak_deg: float | None  # the angle at the turn; None for reps stored before 0002


@dataclass(frozen=True)
class RepRecord:
    id: int
    session_id: int
    set_index: int
    rep_index: int
    side: str
    start_s: float
    turn_s: float | None
    end_s: float
    duration_s: float
    partial: bool
    angles: dict[str, AngleRecord]
    faults: tuple[dict[str, Any], ...]
    recorded_at: datetime


@dataclass(frozen=True)
class FaultEvent:
    id: int
    session_id: int
    rep_id: int | None
    rule_id: str
    cue: str
    severity: str
    t_s: float | None
    value: float | None


@dataclass(frozen=True)
class GoalScore:
    scored_on: date
    score: int


@dataclass(frozen=True)
class Goal:
    id: int
    patient_id: int
    position: int
    activity: str
    active: bool
    scores: tuple[GoalScore, ...] = ()

    @property
    def latest(self) -> int | None:
        return self.scores[-1].score if self.scores else None


AssessmentKind = Literal["rom", "chair_stand_30s", "timed_up_and_go", "single_leg_stance"]


@dataclass(frozen=True)
class Assessment:
    """One measured result: a range of motion (deg), a chair-stand count, a time (s)."""

    id: int
    patient_id: int
    kind: AssessmentKind
    measure: str  # e.g. knee_flexion, stands, time
    side: str | None  # left / right, None when the measure has no side
    value: float
    unit: str  # deg, s, {stands}
    taken_at: datetime
    source: str  # live / video
    details: dict[str, Any] = field(default_factory=dict)
    notes: str | None = None


@dataclass(frozen=True)
class FlareUpPlan:
    """What the patient does in a flare-up, agreed with their physio; kept with the plan."""

    plan_id: int
    warning_signs: str | None
    reduce: str | None
    keep_doing: str | None
    helps: str | None
    seek_help: str | None
    updated_at: datetime


@dataclass(frozen=True)
class PostureCheck:
    """The summary of one posture check (no frames or landmarks are kept)."""

    id: int
    patient_id: int
    started_at: datetime
    ended_at: datetime
    summary: dict[str, Any]


@dataclass(frozen=True)
class LandmarkSet:
    """One set's stored landmarks, without the landmarks (`Store.set_recording` reads them)."""

    session_id: int
    set_index: int
    frames: int
    duration_s: float
    size_bytes: int


@dataclass(frozen=True)
class SessionComment:
    """A clinician's comment on a session, or on one rep of it (`rep_id`)."""

    id: int
    session_id: int
    rep_id: int | None
    clinician_id: int | None
    author: str
    body: str
    created_at: datetime
    seen_at: datetime | None
