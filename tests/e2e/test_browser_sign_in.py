"""Clinic mode in a real browser (issue 21): a refresh, a bookmark or a typed address used
to sign the user out. Signed in through the form, a user lands on the page they asked for,
stays signed in across a refresh and a typed address, and the session cookie is HttpOnly
and SameSite=Strict; Sign out deletes the cookie, and a copy kept of it opens nothing."""

from __future__ import annotations

import time

import pytest

from coach.store import Store
from tests.support.browser import wait_for_page_text

pytestmark = pytest.mark.browser

SERVER_ENV = {"FORM_COACH_MODE": "clinic"}
PASSWORD = "ann's long password"


@pytest.fixture(scope="module")
def ann(server_database) -> str:
    store = Store(server_database)
    store.add_clinician("Ann Physio", login=("ann", PASSWORD))
    store.close()
    return "ann"


def submit_sign_in(browser, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    field = WebDriverWait(browser, 60).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "input[name='username']"))
    )
    field.send_keys(username)
    browser.find_element(By.CSS_SELECTOR, "input[name='password']").send_keys(password)
    browser.find_element(By.XPATH, "//form//button[normalize-space(.)='Sign in']").click()


def h1(browser, text: str, log_path, what: str) -> None:
    from selenium.webdriver.common.by import By

    wait_for_page_text(browser, By, text, 60, log_path, what)


def test_a_deep_link_signs_in_and_stays_signed_in_until_sign_out(server, browser, ann, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, log_path = server
    browser.get(f"{url}/session")
    h1(browser, "Sign in", log_path, "a signed-out deep link shows the sign-in form")
    submit_sign_in(browser, ann, "not the password")
    h1(browser, "do not match an account", log_path, "a wrong password is said")
    submit_sign_in(browser, ann, PASSWORD)
    h1(browser, "Sign out", log_path, "the right password signs in")
    assert browser.current_url == f"{url}/session", "back on the page asked for"
    browser.save_screenshot(str(shots / "signed_in_deep_link.png"))

    cookie = next(c for c in browser.get_cookies() if c["name"] == "form_coach_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain HTTP on localhost
    assert browser.execute_script("return document.cookie").find("form_coach_session") == -1

    browser.refresh()
    h1(browser, "Sign out", log_path, "a refresh keeps the user signed in")
    browser.get(f"{url}/plan_editor")  # a typed address
    WebDriverWait(browser, 60).until(
        ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Plan editor")
    )  # the page itself, signed in: not the sign-in form

    browser.save_screenshot(str(shots / "typed_address.png"))
    WebDriverWait(browser, 30).until(
        ec.element_to_be_clickable((By.XPATH, "//button[normalize-space(.)='Sign out']"))
    ).click()
    h1(browser, "Sign in", log_path, "Sign out shows the sign-in form")
    WebDriverWait(browser, 30).until(
        lambda b: not any(c["name"] == "form_coach_session" for c in b.get_cookies()),
        "the sign-in form had the browser delete the ended cookie",
    )
    browser.add_cookie(cookie)  # as if it had been kept
    browser.refresh()  # its session has ended on the server: it opens nothing
    h1(browser, "Sign in", log_path, "after sign-out, a refresh stays signed out")
    browser.save_screenshot(str(shots / "signed_out.png"))


@pytest.mark.parametrize("default_page", ["patients", ""])
def test_a_typed_address_of_the_default_page_opens_it_without_page_not_found(
    server, browser, ann, default_page
):
    """A clinician's first page is Patients, served at `/`; its own address, `/patients`,
    is what a physio types or bookmarks. Streamlit said "Page not found" there before
    running the main page (issue 21)."""
    from selenium.webdriver.common.by import By

    url, log_path = server
    browser.delete_all_cookies()
    browser.get(f"{url}/")
    submit_sign_in(browser, ann, PASSWORD)
    h1(browser, "Sign out", log_path, "signed in")
    browser.get(f"{url}/{default_page}")
    h1(browser, "Patients", log_path, "the default page by its address")
    seen = []
    deadline = time.monotonic() + 5  # the error, when it comes, comes with the first run
    while time.monotonic() < deadline:
        seen.append(browser.find_element(By.TAG_NAME, "body").text)
        time.sleep(0.25)
    assert not any("Page not found" in text for text in seen)
