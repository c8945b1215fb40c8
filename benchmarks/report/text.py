"""The fixed prose of the report, kept as Markdown next to the code.

Each file `text/<section>.md` holds named snippets, each after a line
`<!-- name -->` (text before the first one is a comment for the reader).
A snippet's lines are joined into one paragraph, as the report writes each
paragraph on one line; its `{placeholders}` are filled by the section with
values from the result files, the suites or the targets, so no number is
typed in the prose.
"""

from __future__ import annotations

import functools
import pathlib
import re

TEXT_DIR = pathlib.Path(__file__).resolve().parent / "text"


@functools.cache
def snippets(section: str) -> dict[str, str]:
    """name -> paragraph of `text/<section>.md`."""
    text = (TEXT_DIR / f"{section}.md").read_text(encoding="utf-8")
    parts = re.split(r"^<!-- (\w+) -->$", text, flags=re.MULTILINE)
    return {
        name: " ".join(body.split())
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def prose(section: str, name: str, **values: object) -> str:
    """The paragraph `name` of `text/<section>.md`, `values` filled in."""
    return snippets(section)[name].format(**values)
