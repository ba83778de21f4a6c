"""Plans and safety as pure code: the pain-monitoring model, load reduction, plan items
from the library, adherence, today's list and the progress rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from coach.clinical.pain_monitoring import Dosage, assess_pain, reduced_dosage
from coach.clinical.plans import (
    assessed_range,
    daily_counts,
    driving_angle,
    next_dosage,
    prescribed_driver,
    prescription_for,
    range_text,
    set_plan_for,
    todays_exercises,
    week_start,
    weekly_adherence,
)
from coach.engine.thresholds import Prescription
from coach.runtime.guided import SetPlan
from coach.store.prescriptions import PlanItemSpec, ProgressRule
from coach.store.records import Assessment, Plan, PlanItem, SessionRecord, ValidationError
from tests.support.records import session

MONDAY = date(2026, 11, 23)


# ---- the pain-monitoring model -------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "during", "after", "flagged", "reason"),
    [
        (2, None, 2, False, None),  # steady and low
        (2, 5, 3, False, None),  # 5/10 during is still acceptable
        (2, 6, 3, True, "pain during exercise 6/10 is above 5/10"),
        (1, None, 6, True, "pain after exercise 6/10"),  # after stands in for during
        (3, None, 5, True, "pain rose 2 points (from 3 to 5)"),  # a rise of 2 flags
        (3, None, 4, False, None),  # a rise of 1 does not
        (7, None, 6, True, "pain after exercise 6/10"),  # went down, but still above 5
        (6, None, 4, False, None),  # went down to an acceptable level
        (None, None, 7, True, "above 5/10"),
        (None, None, None, False, None),  # nothing rated: nothing to judge
        (4, 4, 6, True, "pain rose 2 points"),  # during fine, rise flags
    ],
)
def test_pain_monitoring_model(before, during, after, flagged, reason):
    result = assess_pain(before, during, after)
    assert result.flagged is flagged
    if reason:
        assert any(reason in r for r in result.reasons), result.reasons
        assert "Reduce the load" in result.suggestion
    else:
        assert result.reasons == () and result.suggestion is None


@pytest.mark.parametrize(
    ("dosage", "lower"),
    [
        (Dosage(3, reps=10), Dosage(3, reps=7)),
        (Dosage(3, reps=1), Dosage(2, reps=1)),  # cannot cut reps: cut a set
        (Dosage(1, reps=1), Dosage(1, reps=1)),  # the floor
        (Dosage(3, hold_s=40.0), Dosage(3, hold_s=30.0)),
        (Dosage(2, hold_s=5.0), Dosage(1, hold_s=5.0)),
    ],
)
def test_less_load_means_about_three_quarters(dosage, lower):
    assert reduced_dosage(dosage) == lower


# ---- builders --------------------------------------------------------------------------------
def item(**changes) -> PlanItem:
    base = PlanItem(
        id=1,
        plan_id=1,
        position=1,
        exercise_id="squat",
        sets=2,
        reps=10,
        hold_s=None,
        rest_s=60.0,
        rom_angle="knee_flexion",
        rom_target_deg=90.0,
        frequency_per_week=3,
        notes=None,
        progress_rule=ProgressRule().to_dict(),
        active=True,
    )
    return replace(base, **changes)


def plan(*items: PlanItem, start: date = date(2026, 11, 1), end: date | None = None) -> Plan:
    return Plan(1, 1, None, "Plan", start, end, None, True, items)


# ---- plan items from the library ---------------------------------------------------------------
def test_a_plan_item_starts_from_the_library_dosage_and_target(library):
    squat = library.get("squat")
    spec = PlanItemSpec.from_exercise(squat)
    assert (spec.sets, spec.reps, spec.hold_s) == (squat.dosage.sets, squat.dosage.reps, None)
    assert (spec.rom_angle, spec.rom_target_deg) == ("knee_flexion", squat.reps.target)
    custom = PlanItemSpec.from_exercise(squat, sets=2, reps=15, rom_target_deg=70.0)
    assert (custom.sets, custom.reps, custom.rom_target_deg) == (2, 15, 70.0)
    plank = PlanItemSpec.from_exercise(library.get("plank"), hold_s=45.0)
    assert (plank.reps, plank.hold_s, plank.rom_angle) == (None, 45.0, None)


# ---- adherence and today -------------------------------------------------------------------------
def test_weekly_adherence_counts_each_item_up_to_its_frequency():
    squat, plank = (
        item(id=1, frequency_per_week=3),
        item(id=2, exercise_id="plank", frequency_per_week=2),
    )
    done = [session(MONDAY + timedelta(days=d), sid=d, item_id=1) for d in range(5)]  # 5 squats
    done.append(session(MONDAY, sid=9, item_id=2, exercise="plank"))
    done.append(session(MONDAY - timedelta(days=1), sid=10))  # last week: not counted
    done.append(session(MONDAY + timedelta(days=1), sid=11, reps=0))  # nothing done
    result = weekly_adherence(plan(squat, plank), done, MONDAY + timedelta(days=3))
    assert (result.done, result.prescribed) == (3 + 1, 5)
    assert result.text() == "4/5"


def test_adherence_without_a_plan_or_outside_it_is_nothing_prescribed():
    assert weekly_adherence(None, [session(MONDAY)], MONDAY).text() == "no plan"
    later = plan(item(), start=MONDAY + timedelta(days=30))
    assert weekly_adherence(later, [session(MONDAY)], MONDAY).prescribed == 0


def test_a_session_without_a_plan_item_counts_for_the_same_exercise():
    result = weekly_adherence(plan(item()), [session(MONDAY, item_id=None)], MONDAY)
    assert result.done == 1


def test_daily_counts_include_empty_days():
    counts = daily_counts(
        [session(MONDAY), session(MONDAY, sid=2)], MONDAY - timedelta(1), MONDAY + timedelta(1)
    )
    assert list(counts.values()) == [0, 2, 0]
    assert week_start(MONDAY + timedelta(days=6)) == MONDAY


@pytest.mark.parametrize(
    ("done_days", "today_offset", "status"),
    [
        ([], 0, "due"),  # nothing yet this week
        ([0], 0, "done"),  # done today
        ([0, 2, 3], 4, "complete"),  # 3 of 3 this week
        ([0], 1, "optional"),  # done yesterday, 2 left and 6 days to go: can rest
        ([4, 5], 6, "due"),  # Sunday, 1 left, no day after: do it
    ],
)
def test_todays_exercises(done_days, today_offset, status):
    today = MONDAY + timedelta(days=today_offset)
    done = [session(MONDAY + timedelta(days=d), sid=d) for d in done_days]
    (entry,) = todays_exercises(plan(item()), done, today)
    assert entry.status == status
    assert entry.ticked is (status in ("done", "complete"))


def test_no_exercises_today_outside_the_plan_dates():
    ended = plan(item(), start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert todays_exercises(ended, [], MONDAY) == []
    assert todays_exercises(None, [], MONDAY) == []


# ---- progress rules -----------------------------------------------------------------------------
def newest_first(*sessions: SessionRecord) -> list[SessionRecord]:
    return sorted(sessions, key=lambda s: s.started_at, reverse=True)


def test_progress_adds_reps_after_two_good_sessions():
    advice = next_dosage(item(), newest_first(session(MONDAY), session(MONDAY + timedelta(1))))
    assert advice.kind == "progress" and advice.dosage == Dosage(2, reps=12)


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ({"pain": (4, 3)}, "pain reached 4/10"),
        ({"majors": 1}, "major form fault"),
        ({"reps": 12}, "not completed"),  # 12 of 2 x 10
        ({"pain": (None, None)}, "not rated"),
        ({"planned_reps": 8}, "1 of 2 sessions done at this dosage"),  # older dosage
    ],
)
def test_no_progress_unless_every_condition_is_met(second, reason):
    advice = next_dosage(
        item(), newest_first(session(MONDAY, **second), session(MONDAY + timedelta(1), sid=2))
    )
    assert advice.kind == "keep" and reason in advice.reason


def test_a_flagged_last_session_means_less_load_before_any_progress():
    recent = newest_first(session(MONDAY), session(MONDAY + timedelta(1), sid=2, pain=(2, 5)))
    advice = next_dosage(item(), recent)
    assert advice.kind == "reduce" and advice.dosage == Dosage(2, reps=7)
    assert "pain rose 3 points" in advice.reason


def test_progress_stops_at_the_ceiling_and_needs_a_rule():
    recent = newest_first(
        session(MONDAY, planned_reps=30, reps=60),
        session(MONDAY + timedelta(1), sid=2, planned_reps=30, reps=60),
    )
    assert next_dosage(item(reps=30), recent).kind == "keep"
    assert next_dosage(item(progress_rule=None), recent).reason == "no progress rule set"


def test_progress_rule_for_a_hold():
    hold = item(reps=None, hold_s=30.0, exercise_id="plank")
    recent = [
        replace(
            session(MONDAY + timedelta(d), sid=d, planned_reps=None, reps=0),
            planned_hold_s=30.0,
            held_s=60.0,
        )
        for d in (1, 0)
    ]
    advice = next_dosage(hold, recent)
    assert advice.kind == "progress" and advice.dosage == Dosage(2, hold_s=35.0)


def test_a_progress_rule_is_checked_and_round_trips():
    rule = ProgressRule(add_reps=4, after_sessions=3, max_pain=2, no_major_faults=False)
    assert ProgressRule.from_dict(rule.to_dict()) == rule
    assert ProgressRule.from_dict(None) is None
    with pytest.raises(ValidationError, match="highest pain allowed must be 0-10"):
        ProgressRule(max_pain=11)


def test_a_plan_dosage_beyond_what_a_guided_session_takes_is_brought_within_it(library):
    big = PlanItem(1, 1, 1, "squat", 20, 120, None, 900.0, None, None, 3, None, None, True)
    plan = set_plan_for(library.get("squat"), big)
    assert (plan.sets, plan.reps, plan.rest_s) == (10, 50, 600)
    hold = PlanItem(2, 1, 2, "plank", 2, None, 2.0, 30.0, None, None, 3, None, None, True)
    assert set_plan_for(library.get("plank"), hold).hold_s == 5
    assert set_plan_for(library.get("squat"), None) == SetPlan.from_dosage(library.get("squat"))


# ---- the patient's range ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"rom_target_deg": None, "rom_angle": None}, None, id="no-range"),
        pytest.param({}, (90.0, None), id="the-library-target"),
        pytest.param({"rom_target_deg": 45.0, "counts_from_deg": 30.0}, (45.0, 30.0), id="both"),
        pytest.param({"rom_target_deg": None, "counts_from_deg": 30.0}, (None, 30.0), id="counts"),
    ],
)
def test_a_plan_items_range_is_the_prescription_counted_on(library, changes, expected):
    prescription = prescription_for(library.get("squat"), item(**changes))
    if expected is None:
        assert prescription is None
    else:
        assert prescription == Prescription("knee_flexion", *expected)


def test_no_prescription_for_a_hold_or_without_an_item(library):
    assert prescription_for(library.get("plank"), item(exercise_id="plank")) is None
    assert prescription_for(library.get("squat"), None) is None


def test_the_range_in_words_says_where_a_rep_counts(library):
    squat = library.get("squat")
    assert range_text(squat, item(rom_target_deg=45.0, counts_from_deg=30.0)) == (
        "knee bend to 45°, a rep counts from 30°"
    )
    assert range_text(squat, item(rom_target_deg=70.0)) == "knee bend to 70°, a rep counts from 48°"
    assert range_text(squat, item(rom_angle="hip_flexion", rom_target_deg=40.0)) is None


def rom(measure: str, value: float, side: str | None, day: int) -> Assessment:
    taken = datetime(2026, 12, day, 10, tzinfo=UTC)
    return Assessment(day * 10, 1, "rom", measure, side, value, "deg", taken, "live")


def test_the_assessed_range_is_the_latest_days_smaller_side(library):
    squat = library.get("squat")
    results = [
        rom("knee_flexion", 60.0, "left", 1),
        rom("knee_flexion", 95.0, "left", 3),
        rom("knee_flexion", 70.0, "right", 3),
        rom("hip_flexion", 20.0, "right", 4),
    ]
    found = assessed_range(squat, results)
    assert (found.measure, found.value_deg, found.side) == ("knee_flexion", 70.0, "right")
    assert assessed_range(squat, results[3:]) is None
    # A driver that falls from its start (sit to stand straightens the knee): no offer.
    assert assessed_range(library.get("sit_to_stand"), results) is None


# ---- a plan's range on an exercise counted on a ratio too ------------------------------------
def test_a_plans_angle_moves_the_angle_driver_of_a_push_up(library):
    """The push-up counts on the hand reach (a ratio) and the elbow bend: a plan's numbers
    are degrees, so they are on the elbow bend, which takes them; the hand reach keeps the
    library's thresholds."""
    push_up = library.get("push_up")
    assert push_up.reps.driver == "hand_reach"
    assert driving_angle(push_up) == "elbow_flexion"
    spec = item(exercise_id="push_up", rom_angle="elbow_flexion", rom_target_deg=60.0)
    prescription = prescription_for(push_up, spec)
    assert prescribed_driver(push_up, prescription).driver == "elbow_flexion"
    # The elbow's turn (70) moves towards its rest (10: 40 less the 30 band) in proportion
    # as the target does from 90: 10 + 60 * 50 / 80 = 47.5.
    assert range_text(push_up, spec) == "elbow bend to 60°, a rep counts from 48°"


def test_a_plans_angle_that_no_driver_counts_on_moves_nothing(library):
    squat = library.get("squat")
    prescription = prescription_for(squat, item(rom_angle="hip_flexion", rom_target_deg=40.0))
    assert prescribed_driver(squat, prescription) is None
    assert driving_angle(squat) == "knee_flexion"
    assert driving_angle(library.get("plank")) is None
