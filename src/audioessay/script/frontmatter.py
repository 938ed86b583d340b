"""A blog post's `---` YAML front matter, read with the file's own line numbers.

Also the few values a blog writes differently from a script: its dates, `summary:`
for the description, and the keys (BLOG_KEYS) that mean nothing to a script."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from audioessay.config import yamlsource
from audioessay.errors import InputError, Problem

# Keys a blog engine puts in front matter that mean nothing to a script.
BLOG_KEYS = frozenset((
    "tags", "categories", "category", "layout", "draft", "slug", "permalink", "excerpt", "summary",
    "image", "thumbnail", "comments", "toc", "weight", "lastmod", "updated", "modified", "aliases",
    "keywords", "series", "published", "lang", "authors", "url", "type", "hidden", "featured",
    "subtitle", "math", "sidebar", "share", "header", "og_image", "canonical_url",
))
DESCRIPTION_ALIASES = ("summary", "excerpt")

_FRONT_OPEN = re.compile(r"---[ \t]*")
_FRONT_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}(?=[T ])")


def split(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, 1-based line where the body starts)."""
    lines = text.split("\n")
    if not lines or not _FRONT_OPEN.fullmatch(lines[0].lstrip("\ufeff").rstrip("\r")):
        return None, text, 1
    for i in range(1, len(lines)):
        if _FRONT_CLOSE.fullmatch(lines[i].rstrip("\r")):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None, text, 1  # no closing line: not front matter


def load(text: str, filename: str) -> tuple[yamlsource.Located | None, str, int]:
    """The located front matter (lines are the file's), the body, and its first line.
    Raises InputError when the front matter is not a valid YAML mapping."""
    fm, body, body_line = split(text)
    if fm is None:
        return None, body, body_line
    doc, problems = yamlsource.load(fm, filename)
    problems = [Problem(p.file, p.line + 1 if p.line else 2, p.where, p.message) for p in problems]
    if problems:
        raise InputError([Problem(p.file, p.line, p.where, f"front matter: {p.message}") for p in problems])
    assert doc is not None  # yamlsource.load returns no document only with problems
    if doc.value is None:
        doc.value = {}
    if not isinstance(doc.value, dict):
        raise InputError([Problem(filename, 2, "", "the front matter between the --- lines must be "
                                  "key: value lines (a YAML mapping)")])
    doc.lines = {k: v + 1 for k, v in doc.lines.items()}
    doc.key_lines = {k: v + 1 for k, v in doc.key_lines.items()}
    return doc, body, body_line


def parse_front_matter(text: str, filename: str = "essay") -> tuple[dict | None, str, int]:
    """`---` YAML front matter -> (its mapping or None, the body, the body's first line).

    Raises InputError (with the file's line) when the front matter is not valid YAML."""
    doc, body, body_line = load(text, filename)
    if doc is None:
        return None, body, body_line
    assert isinstance(doc.value, dict)  # load refuses anything else
    return doc.value, body, body_line


def date_value(value: Any) -> Any:
    """Blog dates -> YYYY-MM-DD: datetimes, and '2025-05-01T10:00' or '2025-05-01 10:00 +0900'."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE_PREFIX.match(value.strip()):
        return value.strip()[:10]
    return value


def title(meta: dict) -> str | None:
    """The front matter's `title:` as text (`title: 2025` too), or None when it has none."""
    value = meta.get("title")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None
