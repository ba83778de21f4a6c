"""Every form rule's threshold says where it comes from (issue 24).

Why: a patient is told to change their movement on these numbers, so each must come from
the clinical literature or physio practice, with the source in the comment above the rule
in its definition (author and year), or say plainly that it is a practice convention and
why the value. A rule added without either fails here, naming the file and the rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import coach.exercise

DEFINITIONS = Path(coach.exercise.__file__).parent / "definitions"
# An author-year citation ("Fry, Smith & Schilling 2003") or the words that say the value
# is physio practice rather than a published cut-off.
SOURCED = re.compile(r"\b(19|20)\d\d\b|PRACTICE CONVENTION|physio practice", re.IGNORECASE)


def rule_comments(text: str) -> list[tuple[str, str]]:
    """(rule id, the comment block right above its `[[rules]]`) for each rule of a file."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.strip() != "[[rules]]":
            continue
        above = i
        while above > 0 and lines[above - 1].startswith("#"):
            above -= 1
        rule_id = re.search(r'^id = "(\w+)"', "\n".join(lines[i + 1 : i + 3]), re.MULTILINE)
        assert rule_id is not None, f"a [[rules]] without an id on its next line: {line}"
        found.append((rule_id.group(1), " ".join(c.lstrip("#").strip() for c in lines[above:i])))
    return found


def test_every_rule_names_its_source_or_says_it_is_a_convention():
    unsourced = [
        f"{path.name}: {rule_id}"
        for path in sorted(DEFINITIONS.glob("*.toml"))
        for rule_id, comment in rule_comments(path.read_text())
        if not SOURCED.search(comment)
    ]
    assert unsourced == [], (
        "rules with no source in the comment above them (cite author and year, or say "
        f"'PRACTICE CONVENTION' and why the value): {unsourced}"
    )


def test_the_check_reads_the_comment_right_above_each_rule():
    text = (
        '# Source: Someone 2010.\n[[rules]]\nid = "a"\n\n'
        '[[rules]]\nid = "b"\n\n'
        '# A PRACTICE CONVENTION: why.\n[[rules]]\nid = "c"\n'
    )
    found = dict(rule_comments(text))
    assert list(found) == ["a", "b", "c"]
    assert [bool(SOURCED.search(found[k])) for k in "abc"] == [True, False, True]
