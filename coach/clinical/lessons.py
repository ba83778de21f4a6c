"""Pain-education lessons: Markdown files in `data/lessons/` with a small TOML front-matter,
loaded into frozen `Lesson`s and checked, with errors that name the file, the key and the
fix; and which lessons to suggest when.

A lesson file starts with a front-matter between `+++` lines:

    +++
    id = "hurt_versus_harm"            # the file's name without .md
    title = "Hurt versus harm"
    order = 2                          # the place in the list (each lesson its own)
    minutes = 3                        # reading time, 1-10 (checked against the words)
    moments = ["first_session"]        # when to suggest it (see MOMENTS)
    summary = "One line shown in lists."
    +++

and its Markdown body ends with a `## Sources` section listing at least one source.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from coach.core.errors import CoachError

# The shipped lessons: package data, installed with the package.
DEFAULT_LESSONS_DIR = Path(str(resources.files("coach.clinical") / "data" / "lessons"))
WORDS_PER_MINUTE = 180  # a relaxed reading speed for plain-language health text
# first_session: after the patient's first session; flagged_session: after a session the
# pain-monitoring model flagged (coach.clinical.pain_monitoring).
MOMENTS = ("first_session", "flagged_session")
KEYS = {"id": str, "title": str, "order": int, "minutes": int, "moments": list, "summary": str}
SOURCES_HEADING = re.compile(r"^## Sources\s*$", re.MULTILINE)


class LessonError(CoachError):
    """A lesson file is malformed: the message names the file, the key and the fix."""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    minutes: int
    moments: tuple[str, ...]
    summary: str
    body: str  # Markdown, without the front-matter
    path: Path

    def markdown(self, heading_level: int = 2) -> str:
        """The body with its `##` section headings at `heading_level`, to sit under a
        page's own title without shouting."""
        return re.sub(r"^## ", "#" * heading_level + " ", self.body, flags=re.MULTILINE)

    @property
    def words(self) -> int:
        return len(re.findall(r"\w+", self.body))


def _split(text: str, where: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        raise LessonError(
            f"{where}: the file must start with a '+++' line opening the "
            'front-matter (TOML), e.g. +++ / id = "..." / +++'
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "+++":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise LessonError(f"{where}: the front-matter is not closed: add a '+++' line after it")


def parse_lesson(text: str, path: Path) -> Lesson:
    """One lesson from its file's text; LessonError naming `path` and the key if malformed."""
    where = str(path)
    head, body = _split(text, where)
    try:
        meta = tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{where}: front-matter is not valid TOML: {exc}") from None
    for key, kind in KEYS.items():
        if key not in meta:
            raise LessonError(f"{where}: front-matter key '{key}' is missing; add it")
        if not isinstance(meta[key], kind) or isinstance(meta[key], bool):
            raise LessonError(f"{where}: '{key}' must be a {kind.__name__}, got {meta[key]!r}")
    unknown = sorted(set(meta) - set(KEYS))
    if unknown:
        raise LessonError(
            f"{where}: unknown front-matter key '{unknown[0]}'; the keys are {', '.join(KEYS)}"
        )
    if meta["id"] != path.stem:
        raise LessonError(
            f"{where}: 'id' must be the file's name without .md ({path.stem!r}), got {meta['id']!r}"
        )
    for moment in meta["moments"]:
        if moment not in MOMENTS:
            raise LessonError(
                f"{where}: 'moments' has unknown moment {moment!r}; use {' or '.join(MOMENTS)}"
            )
    if not 1 <= meta["minutes"] <= 10:
        raise LessonError(
            f"{where}: 'minutes' must be 1-10 (a short lesson), got {meta['minutes']}"
        )
    for key in ("title", "summary"):
        if not meta[key].strip():
            raise LessonError(f"{where}: '{key}' is empty; write one")
    lesson = Lesson(
        meta["id"],
        meta["title"].strip(),
        meta["order"],
        meta["minutes"],
        tuple(meta["moments"]),
        meta["summary"].strip(),
        body.strip(),
        path,
    )
    _check_body(lesson, where)
    return lesson


def _check_body(lesson: Lesson, where: str) -> None:
    match = SOURCES_HEADING.search(lesson.body)
    if match is None or not re.search(r"^- \S", lesson.body[match.end() :], re.MULTILINE):
        raise LessonError(
            f"{where}: the lesson must end with a '## Sources' section listing "
            "at least one source as '- ...'"
        )
    needed = math.ceil(lesson.words / WORDS_PER_MINUTE)
    if abs(needed - lesson.minutes) > 1:
        raise LessonError(
            f"{where}: 'minutes' is {lesson.minutes} but the {lesson.words} "
            f"words take about {needed} minutes to read; set minutes = "
            f"{needed} or shorten the text"
        )


def load_lessons(folder: Path | None = None) -> tuple[Lesson, ...]:
    """Every `*.md` lesson in `folder` (default: the shipped ones), in their order."""
    folder = DEFAULT_LESSONS_DIR if folder is None else folder
    if not folder.is_dir():
        raise LessonError(f"{folder}: the lessons folder does not exist")
    lessons = []
    for path in sorted(folder.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LessonError(f"{path}: cannot be read as UTF-8 text: {exc}") from None
        lessons.append(parse_lesson(text, path))
    orders: dict[int, Path] = {}
    for lesson in lessons:
        if lesson.order in orders:
            raise LessonError(
                f"{lesson.path}: 'order' {lesson.order} is already used by "
                f"{orders[lesson.order].name}; give each lesson its own"
            )
        orders[lesson.order] = lesson.path
    if not lessons:
        raise LessonError(f"{folder}: no lessons (*.md files) found")
    return tuple(sorted(lessons, key=lambda lesson: lesson.order))


def suggested(
    lessons: Iterable[Lesson], read: Iterable[str], *, sessions: int, last_flagged: bool
) -> list[Lesson]:
    """The unread lessons for this moment: after a flagged session, those for a painful
    session first; after the first session (or any later one), those for beginners."""
    done = set(read)
    moments = []
    if last_flagged:
        moments.append("flagged_session")
    if sessions >= 1:
        moments.append("first_session")
    out: list[Lesson] = []
    for moment in moments:
        out += [x for x in lessons if moment in x.moments and x.id not in done and x not in out]
    return out
