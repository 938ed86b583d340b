"""Where pass 1 keeps its stems for pass 2: a folder per render, removed when it ends.

The folders of renders that were killed are removed by the next render.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from audioessay.speech.cache import Cache

STEMS_PREFIX = ".audioessay-stems-"  # + the render's pid: pass 1's stems, removed when it ends


@contextlib.contextmanager
def stems_folder(cache: Cache) -> Iterator[Path]:
    """A fresh folder for this render's stems, removed on the way out."""
    with tempfile.TemporaryDirectory(prefix=f"{STEMS_PREFIX}{os.getpid()}-", dir=scratch_root(cache)) as folder:
        yield Path(folder)


def scratch_root(cache: Cache) -> Path | None:
    """Where pass 1 keeps its stems (about 10 MB a minute of mono audio with music: voice
    and bed, 2 bytes a sample each): the cache folder (on disk, not in memory as /tmp
    may be), else the system's temporary folder. Stems left by a render that was killed
    are removed here."""
    if cache.enabled:
        try:
            cache.root.mkdir(parents=True, exist_ok=True)
            root = cache.root
        except OSError:
            return None
    else:
        root = Path(tempfile.gettempdir())
    for old in root.glob(STEMS_PREFIX + "*"):
        pid = old.name[len(STEMS_PREFIX):].split("-")[0]
        if pid.isdigit() and not alive(int(pid)) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return root


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
