"""AppTests of the self-management pages and blocks: Posture check, Learn, the flare-up plan
on the Plan editor and Today pages, suggested lessons after a session, goals due for
rating; and, in clinic mode, that a patient sees no other patient's flare-up plan or posture
summaries. The webrtc component is patched to render, as in tests/ui/test_pages.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from coach.auth.access import Principal
from coach_ui import camera, selfcare
from coach_ui.state import PATIENT_KEY
from tests.support.builders import seated_pose
from tests.support.pages import everything_shown, page
from tests.support.store_data import record_session, seed_patient

FLARE = {
    "warning_signs": "Ana's stiff mornings",
    "reduce": "Half the squats",
    "keep_doing": "Daily walk",
    "helps": "Heat pack",
    "seek_help": "Call Ann",
}


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


# ---- Learn -----------------------------------------------------------------------------------
def test_learn_page_shows_a_lesson_and_marks_it_read(store, library):
    seeded = seed_patient(store, library, days=1)
    at = page("learn.py", state={PATIENT_KEY: seeded.patient_id})
    assert [t.value for t in at.title] == ["Learn about pain"]
    assert len(at.radio[0].options) == 5
    assert at.radio[0].value == "what_is_chronic_pain"  # suggested after the first session
    assert any("Pain is an alarm" in m.value for m in at.markdown)
    button(at, "I have read this").click().run()
    assert not at.exception
    assert set(store.lessons_read(seeded.patient_id)) == {"what_is_chronic_pain"}
    assert any("Read on" in s.value for s in at.success)
    at.radio[0].set_value("sleep_and_stress").run()
    assert any("Sleep and stress" in h.value for h in at.header)


def test_learn_page_opens_on_the_lesson_sent_from_elsewhere(store):
    at = page("learn.py", state={selfcare.LESSON_KEY: "planning_for_a_flare_up"})
    assert at.radio[0].value == "planning_for_a_flare_up"
    assert any("Get medical help urgently" in m.value for m in at.markdown)


# ---- Today and the live summary: suggestions, goals, flare-up plan --------------------------
def test_today_suggests_lessons_goals_and_shows_the_flare_up_plan(store, library):
    seeded = seed_patient(store, library, days=4)
    store.save_flare_up_plan(seeded.plan_id, **FLARE)
    at = page("today.py", state={PATIENT_KEY: seeded.patient_id})
    shown = everything_shown(at)
    assert "Suggested reading" in shown and "What chronic pain is" in shown
    assert "Rate your new goal 'Climb the stairs at home'" in shown
    assert "Ana's stiff mornings" in shown and "Call Ann" in shown
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Print (PDF)", "Plain text"]


def test_after_a_painful_session_the_lessons_for_it_come_first(store, library):
    seeded = seed_patient(store, library, days=1)
    record_session(
        store,
        seeded.patient_id,
        seeded.squat_item,
        datetime.now(UTC) - timedelta(minutes=30),
        pain=(2, 7),
    )
    store.mark_lesson_read(seeded.patient_id, "what_is_chronic_pain")
    store.mark_lesson_read(seeded.patient_id, "hurt_versus_harm")
    at = page("today.py", state={PATIENT_KEY: seeded.patient_id})
    reading = [m.value for m in at.markdown if m.value[:2] == "*P" or m.value[:2] == "*S"]
    assert reading[0].startswith("*Pacing and graded activity*")
    assert reading[1].startswith("*Sleep and stress*")


def test_the_session_summary_suggests_a_lesson(store, library, webrtc_renders):
    seeded = seed_patient(store, library, days=1)
    live = SimpleNamespace(
        coach=None, session_id=seeded.session_ids[0], exercise_id="squat", finished=True
    )
    at = page("live.py", state={"live_session": live})
    assert "Suggested reading" in everything_shown(at)


def test_today_without_a_flare_up_plan_says_how_to_make_one(store, library):
    seeded = seed_patient(store, library, days=0)
    at = page("today.py", state={PATIENT_KEY: seeded.patient_id})
    assert any("No flare-up plan yet" in c.value for c in at.caption)
    assert "Suggested reading" not in everything_shown(at)  # no session yet


def test_progress_page_asks_for_goal_ratings_when_due(store, library):
    seeded = seed_patient(store, library, days=1)
    goal = store.goals(seeded.patient_id)[0]
    goal_day = datetime.now().date() - timedelta(days=25)
    store.score_goal(goal.id, 3, scored_on=goal_day)
    at = page("progress.py", state={PATIENT_KEY: seeded.patient_id})
    assert any("last rated 25 days ago" in i.value for i in at.info)
    goal_slider = next(s for s in at.select_slider if s.label.startswith("Climb the stairs"))
    assert goal_slider.label.endswith(f"(last time 3 on {goal_day:%d %b})")
    goal_slider.set_value(5)
    button(at, "Save today's scores").click().run()
    assert store.goals(seeded.patient_id)[0].latest == 5
    assert not any("last rated" in i.value for i in at.info)


# ---- Plan editor: the flare-up plan -------------------------------------------------------------
def test_plan_editor_fills_in_the_flare_up_plan(store, library):
    seeded = seed_patient(store, library, days=1)
    at = page("plan_editor.py", state={PATIENT_KEY: seeded.patient_id})
    areas = {t.label.split(":")[0]: t for t in at.text_area if (t.key or "").startswith("flare_")}
    assert list(areas) == [
        "My warning signs",
        "What I will reduce",
        "What I will keep doing",
        "What helps me",
        "When I will seek help",
    ]
    areas["My warning signs"].set_value("Poor sleep")
    areas["When I will seek help"].set_value("No better in 2 weeks")
    button(at, "Save the flare-up plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = store.flare_up_plan(seeded.plan_id)
    assert (saved.warning_signs, saved.seek_help, saved.reduce) == (
        "Poor sleep",
        "No better in 2 weeks",
        None,
    )
    assert any("Flare-up plan saved" in s.value for s in at.success)
    assert [d.label for d in at.get("download_button")] == ["Print (PDF)", "Plain text"]


# ---- Posture check ---------------------------------------------------------------------------
def test_posture_page_before_the_camera_starts(store, webrtc_renders):
    at = page("posture.py")
    assert [t.value for t in at.title] == ["Posture check"]
    assert any("Waiting for the camera" in i.value for i in at.info)
    assert [t.label for t in at.toggle] == [camera.ON_DEVICE_LABEL, "Gentle reminders"]
    assert at.toggle[0].value is True  # the pose model in the browser by default
    button(at, "Finish and save the summary").click().run()
    assert any("Nothing to save yet" in i.value for i in at.info)
    assert any("No posture checks saved yet" in c.value for c in at.caption)


def test_posture_page_saves_only_the_summary(store, webrtc_renders):
    at = page("posture.py")
    at.toggle[1].set_value(True).run()  # the reminders
    check = at.session_state["posture_sitting"].check
    for i in range(50):  # 10 s at 5 frames/s, close to the screen
        check.process_pose(seated_pose(i / 5, distance_m=0.45))
    assert check.snapshot().reminders_on
    button(at, "Finish and save the summary").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (saved,) = store.posture_checks(store.default_patient().id)
    assert saved.summary["issues_s"] == {"screen_too_close": pytest.approx(9.8, abs=0.3)}
    assert saved.summary["reminders_on"] is True
    assert not any(isinstance(v, (bytes, list)) for v in saved.summary.values())
    # The run the click caused already says so, with a fresh check under it.
    assert any("Posture check saved" in s.value for s in at.success)
    assert at.session_state["posture_sitting"].check is not check
    table = at.dataframe[0].value
    assert list(table["Main issue"]) == ["close to the screen"]
    assert list(table["Screen distance (cm)"]) == [37]


# ---- clinic mode: nobody sees another patient's flare-up plan or posture -------------------------
@pytest.fixture
def clinic_selfcare(clinic, store):
    store.save_flare_up_plan(clinic["ana"].plan_id, **FLARE)
    store.save_flare_up_plan(clinic["cy"].plan_id, warning_signs="Cy's private signs")
    now = datetime.now(UTC)
    for who, cm in (("ana", 61), ("cy", 88)):
        store.add_posture_check(
            clinic[who].patient_id,
            started_at=now - timedelta(minutes=30),
            ended_at=now,
            summary={
                "observed_s": 1500,
                "good_fraction": 0.5,
                "screen_distance_cm": cm,
                "issues_s": {},
                "nudges": {},
            },
        )
    return clinic


def ana_login(clinic) -> Principal:
    return Principal("patient", "Ana Patient", patient_id=clinic["ana"].patient_id)


def test_a_patient_sees_their_own_flare_up_plan_and_posture_only(clinic_selfcare, webrtc_renders):
    ana = ana_login(clinic_selfcare)
    cy = clinic_selfcare["cy"].patient_id
    at = page("today.py", login=ana, state={PATIENT_KEY: cy})
    shown = everything_shown(at)
    assert "Ana's stiff mornings" in shown and "Cy's private signs" not in shown
    at = page("posture.py", login=ana, state={PATIENT_KEY: cy})
    assert list(at.dataframe[0].value["Screen distance (cm)"]) == [61]


@pytest.mark.parametrize("name", ["today.py", "posture.py", "learn.py"])
def test_a_patient_cannot_open_another_patients_self_care(clinic_selfcare, webrtc_renders, name):
    ana = ana_login(clinic_selfcare)
    cy = clinic_selfcare["cy"].patient_id
    at = page(name, login=ana, query={"patient": cy})
    assert any("that you can see" in e.value for e in at.error)
    shown = everything_shown(at)
    assert "Cy's private signs" not in shown and "88" not in shown
    assert not at.dataframe and not at.get("download_button")


def test_a_clinician_edits_only_their_own_patients_flare_up_plan(clinic_selfcare):
    ann = Principal("clinician", "Ann Physio", clinician_id=clinic_selfcare["ann"])
    at = page("plan_editor.py", login=ann, query={"patient": clinic_selfcare["cy"].patient_id})
    assert any("that you can see" in e.value for e in at.error)
    assert not at.text_area and "Cy's private signs" not in everything_shown(at)
    ana = clinic_selfcare["ana"].patient_id
    at = page("plan_editor.py", login=ann, state={PATIENT_KEY: ana})
    flare = next(t for t in at.text_area if t.key == "flare_warning_signs")
    assert flare.value == "Ana's stiff mornings"


def test_a_broken_lesson_file_is_named_on_the_learn_page(store, tmp_path, monkeypatch):
    import coach.clinical.lessons

    (tmp_path / "broken.md").write_text("no front-matter here\n", encoding="utf-8")
    monkeypatch.setattr(coach.clinical.lessons, "DEFAULT_LESSONS_DIR", tmp_path)
    selfcare.shipped_lessons.clear()
    try:
        at = page("learn.py")
    finally:
        selfcare.shipped_lessons.clear()
    assert any(
        str(tmp_path / "broken.md") in e.value and "front-matter" in e.value for e in at.error
    )
    assert not at.radio


@pytest.mark.parametrize("name", ["progress.py", "goals.py"])
def test_a_patient_adds_and_rates_their_own_goals(clinic, store, name):
    ana = ana_login(clinic)
    patient_id = clinic["ana"].patient_id
    at = page(name, login=ana)
    assert any("Rate your new goal" in i.value for i in at.info)
    next(t for t in at.text_input if t.label.startswith("A new goal")).set_value("Garden")
    button(at, "Add goal").click().run()
    assert [g.activity for g in store.goals(patient_id)] == ["Climb the stairs at home", "Garden"]
    for slider, score in zip(
        (s for s in at.select_slider if s.key and "_goal_" in s.key), (4, 2), strict=True
    ):
        slider.set_value(score)
    button(at, "Save today's scores").click().run()
    assert [g.latest for g in store.goals(patient_id)] == [4, 2]
    assert not any("Rate your" in i.value for i in at.info)


def test_a_goal_left_not_rated_gets_no_score(store, library):
    """Saving with one goal moved and one not: only the moved one is scored (no made-up 5)."""
    seeded = seed_patient(store, library, days=0)
    store.add_goal(seeded.patient_id, "Garden")
    at = page("goals.py", state={PATIENT_KEY: seeded.patient_id})
    assert [t.value for t in at.title] == ["My goals"]
    assert not at.get("vega_lite_chart")  # a patient-sized page: no charts
    first, second = (s for s in at.select_slider if "_goal_" in (s.key or ""))
    assert first.value is None and second.value is None
    second.set_value(6)
    button(at, "Save today's scores").click().run()
    assert [g.latest for g in store.goals(seeded.patient_id)] == [None, 6]


def test_progress_page_sums_up_self_management(store, library):
    seeded = seed_patient(store, library, days=1)
    store.mark_lesson_read(seeded.patient_id, "hurt_versus_harm")
    store.save_flare_up_plan(seeded.plan_id, **FLARE)
    now = datetime.now(UTC)
    store.add_posture_check(
        seeded.patient_id,
        started_at=now - timedelta(minutes=20),
        ended_at=now,
        summary={
            "observed_s": 1200,
            "good_fraction": 0.75,
            "issues_s": {"forward_head": 300},
            "screen_distance_cm": 55,
            "nudges": {"posture": 2},
        },
    )
    at = page("progress.py", state={PATIENT_KEY: seeded.patient_id})
    shown = everything_shown(at)
    assert "Lessons read:** 1 of 5 (Hurt versus harm)" in shown
    assert "Flare-up plan:** filled in" in shown
    table = next(t.value for t in at.dataframe if "Main issue" in t.value.columns)
    row = table.iloc[0]
    assert (
        row["Minutes in view"],
        row["Good posture (%)"],
        row["Main issue"],
        row["Reminders given"],
    ) == (20.0, 75, "head forward", 2)
