"""One section on its own, as it sounds in the episode, and a player to hear it.

`episode.preview` renders the script `one_section` makes.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from pathlib import Path

from audioessay.config.groups import Layout
from audioessay.errors import InputError
from audioessay.script.loader import Script

PLAYERS: tuple[tuple[str, list[str]], ...] = (
    ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "error"]), ("afplay", []), ("paplay", []), ("aplay", []))


def section_index(script: Script, which: str) -> int:
    """A section named by its 1-based number or its title (or a unique part of it)."""
    n = len(script.sections)
    if which.strip().isdigit():
        i = int(which) - 1
        if 0 <= i < n:
            return i
        raise InputError(f"--section {which}: the script has sections 1 to {n}")
    titles = [s.title for s in script.sections]
    if which in titles:
        return titles.index(which)
    hits = [i for i, t in enumerate(titles) if which in t]
    if len(hits) == 1:
        return hits[0]
    raise InputError(f"--section {which!r}: {'matches several sections' if hits else 'no such section'}; "
                     f"give a number 1-{n} or one of: {', '.join(titles)}")


def one_section(script: Script, which: str, output: Path | None) -> tuple[Script, Path]:
    """The script of one section as it sounds in the episode (heading, bed, mastering),
    without intro/outro, and where its preview goes (a fresh temporary folder by default)."""
    i = section_index(script, which)
    if output is None:
        output = Path(tempfile.mkdtemp(prefix="audioessay-preview-")) / f"section-{i + 1}.mp3"
    return dataclasses.replace(script, sections=(script.sections[i],), layout=Layout(intro=0, outro=0)), output


def play(path: Path) -> str | None:
    """Play `path` with the first player found; None when there is none."""
    for name, args in PLAYERS:
        exe = shutil.which(name)
        if exe:
            subprocess.run([exe, *args, str(path)], check=False)
            return name
    return None
