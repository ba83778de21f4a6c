"""AppTests of the dashboard pages (patients, progress, session, plan editor, today, sign
in), the live page's link to the plan, and access in clinic mode: a patient cannot read
another patient's data through any page or export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from coach.auth.access import Login, Principal
from coach.engine.thresholds import Prescription
from coach.store.prescriptions import PlanItemSpec
from coach_ui.routes import SIGN_IN_PATH
from coach_ui.state import EXPORTS_KEY, LIVE_ITEM_KEY, LOGIN_KEY, PATIENT_KEY
from tests.conftest import ROOT
from tests.support.pages import PAGES, charts, everything_shown, page
from tests.support.store_data import record_session, seed_patient


# ---- home mode: every page with data ------------------------------------------------------------
def test_patients_page_lists_adherence_pain_and_flags_and_adds_a_patient(store, library):
    seeded = seed_patient(store, library, name="Ana Example", days=4)
    at = page("patients.py")
    table = at.dataframe[0].value
    row = table[table["Id"] == seeded.patient_id].iloc[0]
    assert row["Patient"] == "Ana Example"
    today = datetime.now().astimezone().date()
    monday = today - timedelta(days=today.weekday())
    this_week = sum(monday <= s.day for s in store.sessions(seeded.patient_id))
    assert row["This week"] == f"{min(this_week, 3)}/6"  # squat 3x + plank 3x a week
    assert row["Pain flags (14 days)"] == 1 and "pain rose 4 points" in row["Latest flag"]
    assert any("Ana Example" in w.value for w in at.warning)
    name_box = next(t for t in at.text_input if t.label == "Name")
    name_box.set_value("Brand New")
    next(b for b in at.button if b.label == "Add patient").click().run()
    assert not at.exception
    assert "Brand New" in set(at.dataframe[0].value["Patient"])


def test_patients_page_refuses_a_bad_name(store):
    at = page("patients.py")
    next(t for t in at.text_input if t.label == "Name").set_value("1234")
    next(b for b in at.button if b.label == "Add patient").click().run()
    assert any("must contain a letter" in e.value for e in at.error)


def test_progress_page_draws_every_trend_and_prepares_the_exports(store, library):
    seeded = seed_patient(store, library, days=4)
    goal = store.goals(seeded.patient_id)[0]
    store.score_goal(goal.id, 4, scored_on=datetime.now().date() - timedelta(days=7))
    at = page("progress.py", state={PATIENT_KEY: seeded.patient_id})
    titles = " | ".join(str(c.proto) for c in charts(at))  # specs and their data
    squat = f"Squat: {library.get('squat').angles['knee_flexion'].label.lower()}"
    for title in (
        "Sessions done per day",
        squat,
        "Pain before and after",
        "Form faults by type",
        "Reps and sets per session",
        "Goals (PSFS)",
    ):
        assert title in titles, title
    knee = library.get("squat").angles["knee_flexion"]
    low, high = knee.normal_range
    assert f"normal adult range {low:g}-{high:g}" in titles
    assert f"target: {library.get('squat').reps.target:g}" in titles
    assert at.metric[0].value == "4"  # sessions in range
    next(b for b in at.button if b.label == "Prepare the exports").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (wanted, files) = at.session_state[EXPORTS_KEY]
    assert wanted[0] == seeded.patient_id
    assert set(files) == {
        "sessions.csv",
        "reps.csv",
        "assessments.csv",
        "sessions.json",
        "report.pdf",
        "fhir-bundle.json",
    }
    assert files["report.pdf"][0].startswith(b"%PDF-")
    assert len(at.get("download_button")) == 6


def test_progress_page_scores_goals(store, library):
    seeded = seed_patient(store, library, days=1)
    at = page("progress.py", query={"patient": seeded.patient_id})
    slider = next(s for s in at.select_slider if s.label.startswith("Climb the stairs at home"))
    slider.set_value(7)
    next(b for b in at.button if b.label == "Save today's scores").click().run()
    assert store.goals(seeded.patient_id)[0].latest == 7


def test_session_page_shows_each_rep_the_angle_outline_and_faults(store, library):
    seeded = seed_patient(store, library, days=4)
    faulty = seeded.session_ids[1]  # a session with "too_fast" faults
    at = page("session.py", query={"patient": seeded.patient_id, "session": faulty})
    table = at.dataframe[0].value
    assert len(table) == 5 and list(table["Peak (°)"])[:2] == [90.0, 91.0]
    assert set(table["Faults"]) == {"Slow down"}
    specs = [str(c.proto.spec) for c in charts(at)]
    label = library.get("squat").angles["knee_flexion"].label
    assert any(f"{label} over the session" in s for s in specs)
    assert any("Faults on the timeline" in s for s in specs)
    assert any("not the angle on every video frame" in c.value for c in at.caption)


def test_session_page_says_so_when_there_are_no_reps(store):
    patient = store.default_patient().id
    store.start_session("squat", patient_id=patient, pain_before=2)
    at = page("session.py")
    assert any("No repetitions" in i.value for i in at.info)


def test_plan_editor_builds_a_plan_from_the_library(store, library):
    patient = store.add_patient("Planned Patient")
    at = page("plan_editor.py", state={PATIENT_KEY: patient})
    next(b for b in at.button if b.label == "Create the plan").click().run()
    assert store.current_plan(patient) is not None
    at.selectbox(key="add_exercise").set_value("squat").run()
    at.number_input(key="new_reps").set_value(12)
    at.number_input(key="new_target").set_value(80)
    next(b for b in at.button if b.label == "Add to the plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (item,) = store.current_plan(patient).items
    assert (item.exercise_id, item.reps, item.rom_target_deg) == ("squat", 12, 80.0)
    assert item.progress_rule is None
    sets = library.get("squat").dosage.sets
    assert any(f"Squat: {sets} x 12 reps" in e.label for e in at.expander)


def test_plan_editor_applies_less_load_after_a_pain_flag(store, library):
    seeded = seed_patient(store, library, days=1)
    record_session(
        store,
        seeded.patient_id,
        seeded.squat_item,
        datetime.now(UTC) - timedelta(minutes=30),
        pain=(2, 7),
    )
    at = page("plan_editor.py", state={PATIENT_KEY: seeded.patient_id})
    assert any("Less load suggested: 1 x 3 reps" in i.value for i in at.info)
    reps = f"item{seeded.squat_item}_reps"
    assert at.number_input(key=reps).value == 5
    next(b for b in at.button if b.label == "Apply: 1 x 3 reps").click().run()
    assert store.get_plan_item(seeded.squat_item).reps == 3
    # The item's form shows the new dose: one left showing 5 would save it back.
    assert at.number_input(key=reps).value == 3


def test_plan_editor_shows_and_saves_the_exercise_picked_to_add(store, library):
    """Picking a curl, then a squat: the form shows the squat's dose and angle, not the
    curl's, and Add saves what the form shows."""
    patient = store.add_patient("Planned Patient")
    store.create_plan(patient, start_date=datetime.now().date())
    at = page("plan_editor.py", state={PATIENT_KEY: patient})
    curl, squat = library.get("bicep_curl"), library.get("squat")
    at.selectbox(key="add_exercise").set_value("bicep_curl").run()
    at.number_input(key="new_reps").set_value(17).run()  # a change made for the curl
    at.selectbox(key="add_exercise").set_value("squat").run()
    assert at.number_input(key="new_reps").value == squat.dosage.reps != curl.dosage.reps
    assert at.number_input(key="new_sets").value == squat.dosage.sets
    assert at.selectbox(key="new_angle").value in squat.angles
    at.number_input(key="new_reps").set_value(9)
    next(b for b in at.button if b.label == "Add to the plan").click().run()
    (item,) = store.current_plan(patient).items
    assert (item.exercise_id, item.reps, item.sets) == ("squat", 9, squat.dosage.sets)


def test_plan_editor_asks_before_adding_the_same_exercise_twice(store, library):
    seeded = seed_patient(store, library, days=0)  # a plan with a squat and a plank
    at = page("plan_editor.py", state={PATIENT_KEY: seeded.patient_id})
    at.selectbox(key="add_exercise").set_value("squat").run()
    assert any("already in this plan" in w.value for w in at.warning)
    add = next(b for b in at.button if b.label == "Add to the plan")
    add.click().run()
    assert any("Not added" in e.value for e in at.error)
    assert [i.exercise_id for i in store.current_plan(seeded.patient_id).items].count("squat") == 1
    at.checkbox(key="add_again").check()
    next(b for b in at.button if b.label == "Add to the plan").click().run()
    assert [i.exercise_id for i in store.current_plan(seeded.patient_id).items].count("squat") == 2


def test_plan_editor_asks_before_removing_an_item(store, library):
    seeded = seed_patient(store, library, days=0)
    at = page("plan_editor.py", state={PATIENT_KEY: seeded.patient_id})
    remove = f"remove_{seeded.squat_item}"
    at.button(key=remove).click().run()
    assert store.get_plan_item(seeded.squat_item).active  # not yet
    assert any(w.value.startswith("Remove Squat from the plan?") for w in at.warning)
    at.button(key=f"remove_no_{seeded.squat_item}").click().run()
    assert store.get_plan_item(seeded.squat_item).active
    at.button(key=remove).click().run()
    at.button(key=f"remove_yes_{seeded.squat_item}").click().run()
    assert not store.get_plan_item(seeded.squat_item).active


def test_plan_editor_forms_do_not_save_on_enter(store, library):
    """Enter in a field neither saves an item nor collapses it: only Save saves."""
    seeded = seed_patient(store, library, days=1)
    at = page("plan_editor.py", state={PATIENT_KEY: seeded.patient_id})
    forms = [f.proto.form for f in at.get("form")]
    forms = [f for f in forms if f.form_id.startswith(("item_", "add_item"))]
    assert len(forms) == 3 and not any(f.enter_to_submit for f in forms)  # 2 items, 1 new


def test_today_lists_the_plan_and_ticks_off_an_exercise_done_by_hand(store, library):
    patient = store.default_patient().id
    plan = store.create_plan(patient, start_date=datetime.now().date() - timedelta(days=3))
    plank = store.add_plan_item(plan, PlanItemSpec.from_exercise(library.get("plank")))
    at = page("today.py")
    assert any("Plank" in m.value and "To do today" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Done without the camera").click().run()
    assert any("Done today" in m.value for m in at.markdown)
    assert store.sessions(patient)[-1].plan_item_id == plank


def test_today_without_a_plan_points_to_the_plan_editor(store):
    at = page("today.py")
    assert any("no exercise plan" in i.value for i in at.info)


def test_live_page_records_the_session_for_the_plan_item(store, library, webrtc_renders):
    patient = store.default_patient().id
    plan = store.create_plan(patient, start_date=datetime.now().date() - timedelta(days=1))
    squat = store.add_plan_item(
        plan, PlanItemSpec.from_exercise(library.get("squat"), sets=2, reps=7)
    )
    at = page("live.py", state={LIVE_ITEM_KEY: squat})
    assert at.selectbox[0].value == "squat"
    assert next(n for n in at.number_input if n.label == "Repetitions per set").value == 7
    next(b for b in at.button if b.label == "Start session").click().run()
    record = store.session(at.session_state["live_session"].session_id)
    assert (record.patient_id, record.plan_item_id, record.planned_reps) == (patient, squat, 7)


def test_plan_editor_saves_counts_from_and_shows_what_the_numbers_mean(store, library):
    patient = store.add_patient("Shallow Squatter")
    plan = store.create_plan(patient, start_date=datetime.now().date())
    squat = store.add_plan_item(
        plan,
        PlanItemSpec.from_exercise(library.get("squat"), rom_target_deg=45.0, counts_from_deg=30.0),
    )
    at = page("plan_editor.py", state={PATIENT_KEY: patient})
    shown = everything_shown(at)
    assert "For this patient: knee bend to 45°, a rep counts from 30°" in shown
    assert len(charts(at)) >= 1  # the gauge's marks, library and patient
    at.number_input(key=f"item{squat}_counts_from").set_value(35)
    next(b for b in at.button if b.label == "Save").click().run()
    assert store.get_plan_item(squat).counts_from_deg == 35.0


def test_today_and_the_live_page_use_the_plans_range(store, library, webrtc_renders):
    patient = store.default_patient().id
    plan = store.create_plan(patient, start_date=datetime.now().date() - timedelta(days=1))
    squat = store.add_plan_item(
        plan,
        PlanItemSpec.from_exercise(library.get("squat"), rom_target_deg=45.0, counts_from_deg=30.0),
    )
    today = page("today.py")
    assert "Your range: knee bend to 45°, a rep counts from 30°" in everything_shown(today)
    at = page("live.py", state={LIVE_ITEM_KEY: squat})
    assert "Counting to your physiotherapist's plan: a rep counts from 30°, full at 45°" in (
        everything_shown(at)
    )
    next(b for b in at.button if b.label == "Start session").click().run()
    prescription = at.session_state["live_session"].coach.prescription
    assert prescription == Prescription("knee_flexion", target=45.0, counts_from=30.0)


def test_live_page_offers_the_assessed_range_when_the_plan_gives_none(store, webrtc_renders):
    patient = store.default_patient().id
    store.add_assessment(
        patient, kind="rom", measure="knee_flexion", value=55.0, unit="deg", side="left"
    )
    at = page("live.py")
    at.selectbox(key="live_exercise").set_value("squat").run()
    offer = next(c for c in at.checkbox if c.key == "assessed_range_squat")
    assert offer.label.startswith("Count to my measured range: 55° left")
    offer.check().run()
    assert "Counting to your measured range: a rep counts from" in everything_shown(at)


# ---- clinic mode: logins and who sees what -----------------------------------------------------
def test_clinic_mode_pages_ask_for_a_login_first(clinic):
    for name in (
        "patients.py",
        "progress.py",
        "session.py",
        "plan_editor.py",
        "today.py",
        "login.py",
    ):
        at = page(name)
        assert [t.value for t in at.title] == ["Sign in"], name
        assert not at.dataframe and not charts(at)
    router = AppTest.from_file(str(ROOT / "coach_ui" / "app.py"), default_timeout=60).run()
    assert [t.value for t in router.title] == ["Sign in"]


def test_the_sign_in_form_posts_to_the_route_and_says_why_it_came_back(clinic):
    """The form is plain HTML posting to the sign-in route (only a route can set the
    HttpOnly cookie: tests/ui/test_sign_in.py); a refused sign-in comes back with
    ?sign_in=failed, which the page says in words."""
    at = AppTest.from_file(str(PAGES / "login.py"), default_timeout=60)
    at.query_params["sign_in"] = "failed"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("do not match" in e.value for e in at.error)
    (form,) = [e.proto.body for e in at.get("html")]
    assert f'action="{SIGN_IN_PATH}"' in form and 'method="post"' in form
    assert 'name="username"' in form and 'type="password"' in form
    assert LOGIN_KEY not in at.session_state


def test_an_expired_login_asks_again(clinic):
    at = AppTest.from_file(str(PAGES / "progress.py"), default_timeout=60)
    old = datetime.now(UTC) - timedelta(hours=1)
    principal = Principal("patient", "Ana", patient_id=clinic["ana"].patient_id)
    at.session_state[LOGIN_KEY] = Login(principal, old, old)
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert any("expired" in w.value for w in at.warning)


def test_a_clinician_sees_only_their_own_patients(clinic):
    ann = Principal("clinician", "Ann Physio", clinician_id=clinic["ann"])
    at = page("patients.py", login=ann)
    assert set(at.dataframe[0].value["Patient"]) == {"Ana Patient", "Ben Patient"}
    at = page("progress.py", login=ann, query={"patient": clinic["cy"].patient_id})
    assert any("no patient" in e.value for e in at.error)
    assert "Cy Patient" not in everything_shown(at)


OTHER_PAGES = ["progress.py", "session.py", "today.py"]


@pytest.mark.parametrize("name", OTHER_PAGES)
@pytest.mark.parametrize("victim", ["ben", "cy"])
def test_a_patient_cannot_open_another_patients_data(clinic, name, victim):
    ana = Principal("patient", "Ana Patient", patient_id=clinic["ana"].patient_id)
    other = clinic[victim]
    for query in ({"patient": other.patient_id}, {"session": other.session_ids[0]}):
        at = page(name, login=ana, query=query)
        shown = everything_shown(at)
        assert any("that you can see" in e.value for e in at.error), (name, query)
        assert f"{victim.capitalize()} Patient" not in shown
        assert not at.dataframe and not charts(at)


@pytest.mark.parametrize("name", ["patients.py", "plan_editor.py"])
def test_a_patient_cannot_open_the_physio_pages(clinic, name):
    ana = Principal("patient", "Ana Patient", patient_id=clinic["ana"].patient_id)
    at = page(name, login=ana)
    assert any("for your physiotherapist" in e.value for e in at.error)
    assert "Ben Patient" not in everything_shown(at) and not at.dataframe


def test_a_patient_sees_and_exports_only_their_own_data(clinic, store):
    ana = clinic["ana"]
    for who in ("ana", "cy"):
        store.add_assessment(
            clinic[who].patient_id,
            kind="timed_up_and_go",
            measure="time",
            value=9.5,
            unit="s",
            notes=f"{who}'s walk",
        )
    me = Principal("patient", "Ana Patient", patient_id=ana.patient_id)
    at = page("progress.py", login=me, state={PATIENT_KEY: clinic["cy"].patient_id})
    assert not at.selectbox or all(s.label != "Patient" for s in at.selectbox)
    shown = everything_shown(at)
    assert "Cy Patient" not in shown and "Ben Patient" not in shown
    next(b for b in at.button if b.label == "Prepare the exports").click().run()
    (wanted, files) = at.session_state[EXPORTS_KEY]
    assert wanted[0] == ana.patient_id
    for name, (data, _mime) in files.items():
        if isinstance(data, str):
            assert "Cy Patient" not in data and "Ben Patient" not in data, name
    assert "ana's walk" in files["assessments.csv"][0]
    assert "cy's walk" not in files["assessments.csv"][0]
    at = page("session.py", login=me)
    assert {o for o in at.selectbox[0].options} and "Cy" not in everything_shown(at)


@pytest.mark.parametrize(
    ("pain", "shown"), [((2, 4), "2 -> 4"), ((None, 4), "not rated -> 4"), ((None, None), "-")]
)
def test_pain_not_rated_is_said_so_not_shown_as_a_number(pain, shown):
    from coach_ui.overview import pain_text
    from tests.support.records import session

    assert pain_text(session(datetime.now().date(), pain=pain)) == shown
