"""What a long-running command tells its caller. The CLI prints; the library never does."""

from __future__ import annotations


class Reporter:
    """What the render tells its caller. The CLI prints; the library never does."""

    def note(self, message: str) -> None: ...

    def start(self, total: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def finish(self) -> None: ...
