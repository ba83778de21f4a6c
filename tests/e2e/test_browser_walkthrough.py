"""A walkthrough in a real headless Chromium, as a new patient and as a new physio at home:
what a person meets around the counting. No Deploy button or developer menu; the physio's
pages grouped apart; ratings that start "Not rated"; a session with nothing done is not
kept unless the patient says so; the plan editor shows and saves the exercise picked.

Screenshots of each page go to FORM_COACH_SCREENSHOTS (a folder) when it is set, for a
person to look at; the assertions do not depend on them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from tests.support.browser import choose, tail, wait_for_page_text
from tests.support.store_data import record_session

pytestmark = pytest.mark.browser


def selenium():
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return By, ec, WebDriverWait


def open_page(browser, url: str, path: str, title: str) -> None:
    by, ec, wait = selenium()
    browser.get(f"{url}/{path}")
    wait(browser, 60).until(ec.text_to_be_present_in_element((by.TAG_NAME, "h1"), title))


def click(browser, label: str) -> None:
    by, ec, wait = selenium()
    wait(browser, 30).until(
        ec.element_to_be_clickable((by.XPATH, f"//button[normalize-space(.)='{label}']"))
    ).click()


def reps_shown(browser) -> str | None:
    """What the last "Reps" field shows (the new exercise's), None while it is redrawn."""
    from selenium.common.exceptions import StaleElementReferenceException

    by, _, _ = selenium()
    try:
        fields = browser.find_elements(by.CSS_SELECTOR, "input[aria-label='Reps']")
        return fields[-1].get_attribute("value") if fields else None
    except StaleElementReferenceException:
        return None


def lines(browser) -> list[str]:
    return body(browser).splitlines()


def body(browser) -> str:
    by, _, _ = selenium()
    return browser.find_element(by.TAG_NAME, "body").text


def test_a_new_patient_meets_plain_words_and_an_honest_record(
    server, server_database, browser, shots
):
    url, log_path = server
    by, _, wait = selenium()
    open_page(browser, url, "", "Form Coach")
    wait(browser, 30).until(lambda b: b.find_elements(by.CSS_SELECTOR, "[data-testid='stSidebar']"))
    browser.save_screenshot(str(shots / "patient-01-start.png"))
    assert not browser.find_elements(by.CSS_SELECTOR, "[data-testid='stAppDeployButton']")
    assert not browser.find_elements(by.CSS_SELECTOR, "[data-testid='stMainMenu']")
    assert "For your physiotherapist" in body(browser)

    open_page(browser, url, "library", "Exercise library")
    browser.save_screenshot(str(shots / "patient-02-library.png"))
    for developer_word in ("exercises/", "docs/", ".toml"):
        assert developer_word not in body(browser)

    open_page(browser, url, "live", "Live coach")
    wait_for_page_text(browser, by, "Not rated", 30, log_path, "pain does not start unset")
    browser.save_screenshot(str(shots / "patient-03-live-before.png"))
    click(browser, "Start session")
    wait_for_page_text(browser, by, "Finish and see my summary", 60, log_path, "no session")
    assert "How hard was that? 0-10" in body(browser) and "Borg" not in body(browser)
    click(browser, "Finish and see my summary")
    wait_for_page_text(
        browser, by, "No repetitions or hold time were counted", 30, log_path, "no question"
    )
    browser.save_screenshot(str(shots / "patient-04-nothing-counted.png"))
    click(browser, "Discard this session")
    wait_for_page_text(browser, by, "Session discarded", 30, log_path, "not discarded")
    store = Store(server_database)
    assert store.sessions(store.default_patient().id) == []

    open_page(browser, url, "goals", "My goals")
    browser.save_screenshot(str(shots / "patient-05-goals.png"))
    assert "A new goal" in body(browser)
    assert not browser.find_elements(by.CSS_SELECTOR, "[data-testid='stVegaLiteChart']")


def test_a_new_physio_builds_a_plan_that_saves_what_it_shows(
    server, server_database, browser, shots
):
    url, log_path = server
    by, _, wait = selenium()
    library = ExerciseLibrary()
    curl, squat = library.get("bicep_curl"), library.get("squat")
    open_page(browser, url, "plan_editor", "Plan editor")
    # The title comes before the rest of the page: wait for the plan or its form.
    wait(browser, 30).until(lambda b: {"Create the plan", "Add an exercise"} & set(lines(b)))
    if "Create the plan" in body(browser):
        click(browser, "Create the plan")
        wait_for_page_text(browser, by, "Add an exercise", 30, log_path, "no plan made")
    choose(browser, by, "From the library", curl.name)
    wait_for_page_text(browser, by, f"{curl.dosage.reps} reps", 30, log_path, "no curl dose")
    wait(browser, 30).until(lambda b: reps_shown(b) == str(curl.dosage.reps))
    choose(browser, by, "From the library", squat.name)
    # The squat's own dose, not the curl's left in the field.
    wait(browser, 30).until(lambda b: reps_shown(b) == str(squat.dosage.reps))
    browser.save_screenshot(str(shots / "physio-01-plan-editor.png"))
    click(browser, "Add to the plan")
    wait_for_page_text(browser, by, f"{squat.name} added", 30, log_path, "not added")
    store = Store(server_database)
    items = store.current_plan(store.default_patient().id).items
    assert [(i.exercise_id, i.reps) for i in items][-1] == ("squat", squat.dosage.reps)
    browser.save_screenshot(str(shots / "physio-02-plan-saved.png"))

    # One session, with a range beyond the normal range's top: the charts' axes and
    # domains come from it (a day, not milliseconds; the point inside the chart).
    when = datetime.now(UTC) - timedelta(hours=1)
    record_session(store, store.default_patient().id, items[-1].id, when, pain=(3, 5), peak=150)
    open_page(browser, url, "progress", "Patient progress")
    wait(browser, 60).until(
        lambda b: len(b.find_elements(by.CSS_SELECTOR, "[data-testid='stVegaLiteChart']")) >= 4
    )
    browser.execute_script("window.scrollTo(0, 700)")
    browser.save_screenshot(str(shots / "physio-03-progress-charts.png"))
    browser.execute_script("window.scrollTo(0, 1500)")
    browser.save_screenshot(str(shots / "physio-04-progress-pain.png"))
    assert "Traceback" not in body(browser), tail(log_path)
