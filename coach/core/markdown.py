"""User-written text (names, goals, notes, the flare-up plan) made safe to put in Markdown.

The app renders Markdown almost everywhere (messages, captions, widget labels) and the
flare-up plan's text copy is a Markdown file. Text a person typed must show exactly as typed:
`![](http://host/x)` in a goal name would otherwise make every viewer's browser fetch that
address, `:red[...]` would colour it and `$...$` would typeset it. `literal` escapes it.
"""

from __future__ import annotations

import string

# CommonMark lets a backslash escape any ASCII punctuation mark; escaping all of them also
# covers the syntax Streamlit adds (`:material/...:`, `:red[...]`, `$` maths).
_ESCAPED = str.maketrans({mark: "\\" + mark for mark in string.punctuation})


def literal(text: str) -> str:
    """`text` as Markdown that renders to exactly `text`: every ASCII punctuation mark
    backslash-escaped, each line break kept as a hard break, leading spaces kept (so an
    indented line is not turned into a code block). Returns the Markdown source."""
    lines = text.translate(_ESCAPED).splitlines() or [""]
    kept = ["\u00a0" * (len(line) - len(line.lstrip(" "))) + line.lstrip(" ") for line in lines]
    return "  \n".join(kept)
