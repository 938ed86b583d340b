"""The batch's words for the terminal: the live progress line and the final table. Pure.

Every function takes values and returns text; the CLI prints it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from audioessay.batch.jobs import FAILED, Outcome

HEADERS = ("episode", "result", "duration", "engine", "loudness", "time", "error")


def progress_line(total: int, done: int, running: int, failed: int) -> str:
    """'3/20 done, 2 running, 1 failed'."""
    return f"{done}/{total} done, {running} running, {failed} failed"


def _mmss(ms: int) -> str:
    s = round(ms / 1000)
    return f"{s // 60}:{s % 60:02d}"


def shown(path: Path, cwd: str | None = None) -> str:
    """`path` relative to the working folder when it is inside it, else as it is."""
    rel = os.path.relpath(path, cwd or os.getcwd())
    return str(path) if rel.startswith("..") else rel


def row(outcome: Outcome) -> tuple[str, ...]:
    rendered = outcome.status != FAILED and outcome.duration_ms > 0
    return (shown(outcome.script), outcome.status, _mmss(outcome.duration_ms) if rendered else "",
            outcome.engine, f"{outcome.lufs:.1f} LUFS" if outcome.lufs is not None else "",
            f"{outcome.seconds:.1f} s", _error(outcome))


def _error(outcome: Outcome) -> str:
    """The error line, its file named as the episode column names it: the job's script is
    absolute (for the workers), the error's file:line would otherwise be too."""
    prefix = f"{outcome.script}:"
    if outcome.error.startswith(prefix):
        return shown(outcome.script) + outcome.error[len(prefix) - 1:]
    return outcome.error


def table(outcomes: Sequence[Outcome]) -> str:
    """One line per episode, in the order given, columns aligned; the error column last and
    not padded (an error line may be long)."""
    rows = [HEADERS, *(row(o) for o in outcomes)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS) - 1)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(r, widths)), r[-1]]).rstrip() for r in rows]
    return "\n".join(lines)


def totals(outcomes: Sequence[Outcome], seconds: float) -> str:
    """'20 episodes: 18 rendered, 1 up to date, 1 failed in 41.2 s'."""
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in counts.items())
    return f"{len(outcomes)} episodes: {parts} in {seconds:.1f} s"
