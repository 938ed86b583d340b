"""A Dask worker preload for the workers of `--scheduler local:N` (LocalCluster).

Those worker processes share the command's terminal, so a Ctrl-C reaches them too and,
unhandled, ends each one's event loop with a traceback while its render thread is still
writing. They ignore SIGINT instead: the command, which does get it, closes the cluster
and removes what the unfinished renders left (batch/cluster.py).
"""

from __future__ import annotations

import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    """Called by Dask in the worker process's main thread, before it takes tasks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
