"""Pain-education lessons: the shipped ones load and read in a few minutes; a malformed file
fails with its name, the key and the fix; suggestions follow the sessions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from coach.clinical.lessons import (
    DEFAULT_LESSONS_DIR,
    WORDS_PER_MINUTE,
    LessonError,
    load_lessons,
    suggested,
)

GOOD = """+++
id = "{id}"
title = "A lesson"
order = {order}
minutes = 1
moments = ["first_session"]
summary = "One line."
+++

Some plain words about pain.

## Sources

- A source, 2020.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_five_shipped_lessons_load_in_order_and_read_in_a_few_minutes():
    lessons = load_lessons()
    assert [x.id for x in lessons] == [
        "what_is_chronic_pain",
        "hurt_versus_harm",
        "pacing_and_graded_activity",
        "sleep_and_stress",
        "planning_for_a_flare_up",
    ]
    for lesson in lessons:
        assert lesson.minutes <= 5 and math.ceil(lesson.words / WORDS_PER_MINUTE) <= 5
        assert "## Sources" in lesson.body and lesson.path.parent == DEFAULT_LESSONS_DIR
    assert {m for x in lessons for m in x.moments} == {"first_session", "flagged_session"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front-matter\n", r"must start with a '\+\+\+' line"),
        ('+++\nid = "x"\n', "front-matter is not closed"),
        ("+++\nid = x\n+++\n", "front-matter is not valid TOML"),
        (GOOD.replace('title = "A lesson"\n', ""), "key 'title' is missing; add it"),
        (GOOD.replace("order = {order}", 'order = "one"'), "'order' must be a int, got 'one'"),
        (
            GOOD.replace("minutes = 1", 'minutes = 1\nauthor = "me"'),
            "unknown front-matter key 'author'",
        ),
        (GOOD.replace('id = "{id}"', 'id = "other"'), r"'id' must be the file's name"),
        (GOOD.replace('"first_session"', '"after_lunch"'), "unknown moment 'after_lunch'"),
        (GOOD.replace("minutes = 1", "minutes = 30"), "'minutes' must be 1-10"),
        (GOOD.replace('summary = "One line."', 'summary = "  "'), "'summary' is empty"),
        (GOOD.replace("## Sources\n\n- A source, 2020.\n", ""), "'## Sources' section"),
        (GOOD.replace("Some plain", "word " * 800), "take about 5 minutes to read"),
    ],
)
def test_a_malformed_lesson_names_the_file_the_key_and_the_fix(tmp_path, text, message):
    path = write(tmp_path, "lesson_one", text.replace("{id}", "lesson_one").replace("{order}", "1"))
    with pytest.raises(LessonError, match=message) as caught:
        load_lessons(tmp_path)
    assert str(path) in str(caught.value)


def test_two_lessons_may_not_share_a_place_in_the_order(tmp_path):
    write(tmp_path, "a", GOOD.format(id="a", order=1))
    write(tmp_path, "b", GOOD.format(id="b", order=1))
    with pytest.raises(LessonError, match=r"b\.md: 'order' 1 is already used by a\.md"):
        load_lessons(tmp_path)


def test_an_empty_or_missing_folder_is_an_error(tmp_path):
    with pytest.raises(LessonError, match="no lessons"):
        load_lessons(tmp_path)
    with pytest.raises(LessonError, match="does not exist"):
        load_lessons(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("sessions", "flagged", "read", "expected"),
    [
        (0, False, [], []),  # before the first session: nothing pushed
        (1, False, [], ["what_is_chronic_pain", "hurt_versus_harm", "pacing_and_graded_activity"]),
        (1, False, ["what_is_chronic_pain"], ["hurt_versus_harm", "pacing_and_graded_activity"]),
        # After a painful session the lessons for it come first, then the beginners' ones.
        (
            3,
            True,
            ["hurt_versus_harm"],
            [
                "pacing_and_graded_activity",
                "sleep_and_stress",
                "planning_for_a_flare_up",
                "what_is_chronic_pain",
            ],
        ),
        (5, False, ["what_is_chronic_pain", "hurt_versus_harm", "pacing_and_graded_activity"], []),
    ],
)
def test_suggestions_follow_the_sessions_and_skip_what_was_read(sessions, flagged, read, expected):
    lessons = load_lessons()
    got = suggested(lessons, read, sessions=sessions, last_flagged=flagged)
    assert [x.id for x in got] == expected


def test_section_headings_can_sit_under_a_page_title():
    lesson = load_lessons()[0]
    shown = lesson.markdown(heading_level=4)
    assert "\n#### Sources" in shown and "\n## " not in shown
