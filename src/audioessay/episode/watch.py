"""Re-run on save: poll the script and the files it references, debounce, run again.

Polling (mtime_ns and size, stdlib only) works the same on every system and
every editor, including those that save by writing a new file and renaming it.
A bad edit prints its errors and waits for the next save; Ctrl-C is the CLI's. A script
that is missing, a folder or a special file is refused before the watch starts.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audioessay.errors import AudioessayError

Snapshot = dict[Path, tuple[int, int] | None]  # path -> (mtime_ns, size), None when missing


def snapshot(paths: set[Path]) -> Snapshot:
    out: Snapshot = {}
    for path in paths:
        try:
            st = path.stat()
            out[path] = (st.st_mtime_ns, st.st_size)
        except OSError:
            out[path] = None
    return out


def changes(before: Snapshot, after: Snapshot) -> str:
    """'her.yaml changed', 'music.ogg removed, her.yaml changed' ('' when nothing did)."""
    parts = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        word = "removed" if new is None else "created" if old is None else "changed"
        parts.append(f"{path.name} {word}")
    return ", ".join(parts)


def watchable(path: Path) -> Path:
    """`path` if it is a regular file; else the one-line InputError `render` gives (script not
    found, a folder, a FIFO, a device), at once: no save would fix it, so a watch would wait
    forever. What is wrong inside the file is the watch loop's to report, save after save."""
    from audioessay.script.loader import read_script_text

    try:
        if stat.S_ISREG(os.stat(path).st_mode):
            return path
    except OSError:
        pass
    read_script_text(path)  # raises for every kind of path that is not a regular file
    return path


def script_files(path: Path, load: Callable[[Path], Any]) -> set[Path]:
    """The script and the files it references (section `file:`s, music, cover), as
    `load(path)` finds them; just the script while it does not load."""
    path = Path(path)
    try:
        spec = load(path)
    except AudioessayError:
        return {path}
    found = {path, getattr(spec, "cover", None), getattr(getattr(spec, "music", None), "file", None)}
    found |= {getattr(sec, "source", None) for sec in getattr(spec, "sections", ())}
    return {Path(p) for p in found if p is not None}


def watch(paths_of_script: Callable[[], set[Path]], run_once: Callable[[], str], *,
          interval: float = 0.3, debounce: float = 0.5, stop: threading.Event | None = None,
          echo: Callable[[str], None] = print) -> int:
    """Call `run_once` now and after each settled change to the watched files; return
    how many runs were made once `stop` is set.

    `paths_of_script` names the files to watch (the script and every file it
    references); it is asked again after each run, since an edit may add one.
    A change counts once the files have stayed the same for `debounce` seconds.
    Each run prints one line: what changed and the line `run_once` returns. An
    AudioessayError from either callable prints its lines and the watch goes on.
    """
    stop = stop or threading.Event()
    paths: set[Path] = set()
    runs = 0

    def ask_paths() -> set[Path]:
        nonlocal paths
        try:
            paths = {Path(p) for p in paths_of_script()} or paths
        except AudioessayError:
            pass  # a broken script still names itself: keep what was watched
        return paths

    def run(what: str, seen: Snapshot) -> Snapshot:
        nonlocal runs
        runs += 1
        stamp = time.strftime("%H:%M:%S")
        try:
            echo(f"[{stamp}] {what}: {run_once()}")
        except AudioessayError as exc:
            echo(f"[{stamp}] {what}: failed")
            for line in exc.lines():  # what the CLI prints for it
                echo(line)
            echo("waiting for the next save")
        # Files named for the first time are taken as they are now; the others as
        # they were before the run, so a save during the run starts another.
        fresh = ask_paths()
        now = snapshot(fresh - set(seen))
        return {p: seen[p] if p in seen else now[p] for p in fresh}

    baseline = run("start", snapshot(ask_paths()))
    while not stop.wait(interval):
        current = snapshot(set(baseline))
        if current == baseline:
            continue
        settled, settled_at = current, time.monotonic()
        while True:  # debounce: wait until the files stop changing
            if stop.wait(interval):
                return runs
            latest = snapshot(set(baseline))
            if latest != settled:
                settled, settled_at = latest, time.monotonic()
            elif time.monotonic() - settled_at >= debounce:
                break
        baseline = run(changes(baseline, settled), settled)
    return runs
