"""Character classes and helpers shared by the normalization rules."""

from __future__ import annotations

import re

HANGUL = "가-힣"
HANJA = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A written number: digits with optional thousands commas and decimal part.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"


def space_before(text: str, start: int) -> str:
    """A space if the reading inserted at `start` would otherwise glue onto a Hangul word."""
    return " " if start > 0 and "가" <= text[start - 1] <= "힣" else ""



# Marks that are not read at all (after the rules that give some of them a reading).
SILENT = re.compile(r"[~〜～*_#`|\\^<>=@]")
