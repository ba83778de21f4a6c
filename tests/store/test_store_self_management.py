"""The store's assessment and self-management records (revision 0003): assessment results,
flare-up plans kept with the plan, posture check summaries, lessons read. SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from coach.store import StoreError, ValidationError


def test_assessments_are_kept_per_patient_measure_and_side_oldest_first(store):
    me = store.default_patient().id
    other = store.add_patient("Someone Else")
    day = datetime(2026, 11, 1, 9, tzinfo=UTC)
    store.add_assessment(
        me,
        kind="rom",
        measure="knee_flexion",
        value=118.4,
        unit="deg",
        side="left",
        taken_at=day + timedelta(days=7),
        details={"jitter_deg": 0.8},
    )
    store.add_assessment(
        me, kind="rom", measure="knee_flexion", value=110.0, unit="deg", side="left", taken_at=day
    )
    store.add_assessment(
        me, kind="chair_stand_30s", measure="stands", value=11, unit="{stands}", taken_at=day
    )
    store.add_assessment(other, kind="timed_up_and_go", measure="time", value=9.5, unit="s")
    knee = store.assessments(me, measure="knee_flexion")
    assert [a.value for a in knee] == [110.0, 118.4]
    assert knee[1].details == {"jitter_deg": 0.8} and knee[1].side == "left"
    assert [a.kind for a in store.assessments(me, kind="chair_stand_30s")] == ["chair_stand_30s"]
    assert len(store.assessments(me)) == 3
    assert store.assessment_patient_id(knee[0].id) == me


def test_assessments_in_a_date_range_are_those_taken_on_those_local_days(store):
    me = store.default_patient().id
    first = date(2026, 11, 2)
    for n in range(4):  # local noon on 2, 3, 4 and 5 November
        taken = datetime.combine(first + timedelta(days=n), time(12)).astimezone()
        store.add_assessment(
            me, kind="timed_up_and_go", measure="time", value=10 + n, unit="s", taken_at=taken
        )
    middle = store.assessments(me, date_from=date(2026, 11, 3), date_to="2026-11-04")
    assert [a.value for a in middle] == [11, 12]
    assert [a.value for a in store.assessments(me, date_from=date(2026, 11, 5))] == [13]
    with pytest.raises(ValidationError, match="before the start date"):
        store.assessments(me, date_from=date(2026, 11, 5), date_to=date(2026, 11, 2))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "balance"}, "assessment kind"),  # not a test we know
        ({"unit": "degrees"}, "unit"),  # units are UCUM-like: deg
        ({"side": "both"}, "side"),  # a sided measure is stored per side
        ({"value": float("nan")}, "finite number"),  # a lost measurement is not a result
        ({"source": "guess"}, "source"),
        ({"kind": "chair_stand_30s", "unit": "{stands}", "value": 11.5}, "whole number"),
    ],
)
def test_bad_assessments_are_refused_with_the_reason(store, changes, message):
    values = {"kind": "rom", "measure": "knee_flexion", "value": 100.0, "unit": "deg"}
    with pytest.raises(ValidationError, match=message):
        store.add_assessment(store.default_patient().id, **{**values, **changes})


def test_the_flare_up_plan_is_kept_with_the_plan_and_replaced_when_edited(store):
    me = store.default_patient().id
    plan = store.create_plan(me, start_date="2026-11-01")
    assert store.flare_up_plan(plan) is None
    store.save_flare_up_plan(plan, reduce="Halve the squats", seek_help="Numbness in the leg")
    store.save_flare_up_plan(plan, reduce="Half the reps", keep_doing="Daily walk")
    saved = store.flare_up_plan(plan)
    assert (saved.reduce, saved.keep_doing, saved.seek_help) == (
        "Half the reps",
        "Daily walk",
        None,
    )
    with pytest.raises(ValidationError, match="unknown flare-up plan fields"):
        store.save_flare_up_plan(plan, what_to_eat="soup")
    with pytest.raises(StoreError):
        store.save_flare_up_plan(plan + 99, reduce="no such plan")


def test_posture_checks_keep_only_their_summary_and_lessons_are_read_once(store):
    me = store.default_patient().id
    start = datetime(2026, 11, 2, 14, tzinfo=UTC)
    store.add_posture_check(
        me,
        started_at=start,
        ended_at=start + timedelta(minutes=20),
        summary={"forward_head_share": 0.35, "nudges": 2},
    )
    (check,) = store.posture_checks(me)
    assert check.summary == {"forward_head_share": 0.35, "nudges": 2}
    with pytest.raises(ValidationError, match="end after it starts"):
        store.add_posture_check(
            me, started_at=start, ended_at=start - timedelta(seconds=1), summary={}
        )
    store.mark_lesson_read(me, "hurt-vs-harm")
    first = store.lessons_read(me)["hurt-vs-harm"]
    store.mark_lesson_read(me, "hurt-vs-harm")
    assert store.lessons_read(me) == {"hurt-vs-harm": first}
