"""A page opened by its address (a bookmark, a typed link) shows the app's own page titles
in the sidebar, never the scripts' file names (issue 20: "plan editor", "analyse" beside
"Plan editor"; Streamlit also lists a `pages/` folder next to the entry script by its file
names, so the app's page scripts live in `coach_ui/views/`)."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

DEEP_LINKS = ["plan_editor", "progress", "analyse"]
# What a person sees in home mode (coach_ui/app.py), in words, whatever the address.
TITLES = {
    "Start here",
    "Today",
    "Live coach",
    "Assessment",
    "Analyse a video",
    "Exercise library",
    "Posture check",
    "Learn about pain",
    "My goals",
    "Patients",
    "Patient progress",
    "Session",
    "Plan editor",
}


def sidebar_links(browser) -> list[str]:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        links = browser.find_elements(By.CSS_SELECTOR, "[data-testid='stSidebarNav'] a")
        # A link's text is its icon's name (a Material ligature) and its label, a line each.
        return [link.text.split("\n")[-1].strip() for link in links if link.text.strip()]
    except StaleElementReferenceException:
        return []


@pytest.mark.parametrize("path", DEEP_LINKS)
def test_a_deep_link_shows_the_page_titles_not_file_names(server, browser, path):
    url, _log = server
    titles = TITLES
    browser.get(f"{url}/{path}")
    seen: list[list[str]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        links = sidebar_links(browser)
        if links:
            seen.append(links)
        if len(seen) >= 5 and set(seen[-1]) == titles:
            break
        time.sleep(0.5)
    assert seen, "no sidebar navigation appeared"
    shown = {link for links in seen for link in links}
    assert shown == titles, f"the sidebar showed {sorted(shown - titles)} beside the titles"
