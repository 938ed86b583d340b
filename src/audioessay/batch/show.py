"""The scripts of a show file's episodes (render SHOW.yaml --episodes).

A show lists its episodes as MP3 paths or globs; the script of `ep.mp3` is the `ep.yaml`,
`ep.yml` or `ep.md` beside it (a script's default output is its own name with .mp3).
The MP3s need not exist yet, so the feed's own loader (which requires them) is not used.
"""

from __future__ import annotations

import glob
from pathlib import Path

from audioessay.config import yamlsource
from audioessay.errors import InputError, Problem

SCRIPT_SUFFIXES = (".yaml", ".yml", ".md")


def episode_scripts(show: Path) -> list[Path]:
    from audioessay.script.loader import read_script_text

    doc, problems = yamlsource.load(read_script_text(show, sniff=False), str(show))
    if problems:
        raise InputError(problems)
    assert doc is not None
    value = doc.value.get("episodes") if isinstance(doc.value, dict) else None
    patterns = [value] if isinstance(value, str) else value
    line = doc.line(("episodes",)) if isinstance(doc.value, dict) and "episodes" in doc.value else 1
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise InputError([Problem(str(show), line, "episodes", "must be a list of MP3 paths or a glob")])
    found: list[Path] = []
    for pattern in patterns:
        stem = pattern[:-4] if pattern.lower().endswith(".mp3") else pattern
        matches = sorted(Path(p) for s in SCRIPT_SUFFIXES for p in glob.glob(str(show.parent / (stem + s))))
        matches = [m for m in matches if m.resolve() != show.resolve()]
        if not matches:
            raise InputError([Problem(str(show), line, "episodes",
                                      f"{pattern!r}: no script for it ({stem}.yaml or .md in {show.parent})")])
        found.extend(matches)
    return list(dict.fromkeys(found))
