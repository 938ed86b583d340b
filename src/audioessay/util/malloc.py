"""One malloc arena for the whole process (glibc).

Pass 1 mixes parts on two threads. glibc gives each thread its own arena, and the
blocks freed in one are not reused by the other, so a two-hour render held about
140 MB more than it used. With one arena the threads share freed memory; the
contention costs nothing measurable here (numpy allocates a few arrays per block).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_ARENA_MAX = -8  # mallopt parameter (malloc.h)


def one_arena() -> bool:
    """Ask glibc for a single arena; False where there is no glibc (nothing changes)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, 1))
    except (OSError, AttributeError):
        return False
