"""What the local fake services (fake_gtts, fake_edge) share: a FIFO script of faults that
arriving requests consume, and the record of what arrived."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class FaultScript:
    """Each fault call appends `times` entries; each arriving request takes the next one (or
    is answered normally when none is left). Subclasses define stop()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: deque[Any] = deque()
        self._received: list[Any] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        raise NotImplementedError

    def _push(self, fault: Any, times: int):
        with self._lock:
            self._faults.extend([fault] * times)
        return self

    def _next_fault(self) -> Any:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    @property
    def requests(self) -> list[str]:
        """Texts received, in arrival order (a copy)."""
        with self._lock:
            return [r.text for r in self._received]

    @property
    def received(self) -> list[Any]:
        """Full records, in arrival order (a copy)."""
        with self._lock:
            return list(self._received)
