"""Where pass 1 keeps its stems for pass 2: a folder per render, removed when it ends.

The folders of renders that were killed are removed by the next render.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from audioessay.speech.cache import Cache

log = logging.getLogger(__name__)

STEMS_PREFIX = ".audioessay-stems-"  # + the render's pid: pass 1's stems, removed when it ends


@contextlib.contextmanager
def stems_folder(cache: Cache) -> Iterator[Path | None]:
    """A fresh folder for this render's stems, removed on the way out: in the cache
    folder, else the system's temporary folder; None when neither can hold one (the
    stems are then mixed again in pass 2: slower, the same samples)."""
    folder = None
    for root in scratch_roots(cache):
        try:
            folder = Path(tempfile.mkdtemp(prefix=f"{STEMS_PREFIX}{os.getpid()}-", dir=root))
            break
        except OSError as exc:
            log.info("cannot keep pass 1's stems in %s (%s)", root, exc)
    try:
        yield folder
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def scratch_roots(cache: Cache) -> list[Path]:
    """Where pass 1 may keep its stems (about 10 MB a minute of mono audio with music:
    voice and bed, 2 bytes a sample each), best first: the cache folder (on disk, not in
    memory as /tmp may be), then the system's temporary folder. Stems left by a render
    that was killed are removed from each."""
    roots = []
    if cache.writable:
        try:
            cache.root.mkdir(parents=True, exist_ok=True)
            roots.append(cache.root)
        except OSError:
            pass  # a file where the folder should be, or no right to make it
    roots.append(Path(tempfile.gettempdir()))
    for root in roots:
        _remove_dead(root)
    return roots


def _remove_dead(root: Path) -> None:
    """The stems of renders that were killed (their process is gone)."""
    try:
        found = list(root.glob(STEMS_PREFIX + "*"))
    except OSError:
        return
    for old in found:
        pid = old.name[len(STEMS_PREFIX):].split("-")[0]
        if pid.isdigit() and not alive(int(pid)) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
