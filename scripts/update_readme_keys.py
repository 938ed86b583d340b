"""Rewrite README.md's table of script keys from the declarations (audioessay.config.groups).

Run after adding or changing a setting: python scripts/update_readme_keys.py
tests/test_settings.py fails while README and the declarations disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from audioessay.config.groups import readme_table

START, END = "<!-- keys:start -->", "<!-- keys:end -->"


def main() -> int:
    readme = Path(__file__).resolve().parent.parent / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} block", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{readme_table()}{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
