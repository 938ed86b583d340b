"""One episode of a batch: the job (a script and the render's options) and its outcome.

A job is plain data, so it pickles into a worker process or onto a Dask worker; run_job
renders it there and always returns an Outcome, except on Ctrl-C, which it lets through
(the render removes its temporaries on the way out).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from audioessay.errors import AudioessayError

RENDERED, UP_TO_DATE, FAILED = "rendered", "up to date", "failed"
INTERNAL = 70  # exit code of a bug (as the CLI's)
INTERRUPTED = 130
# Test-only (tests/test_batch_dask.py): a path. The first run of a job whose script name
# contains "kill-once" kills its own process when the file is absent (and creates it), so
# a test can see a worker die mid-task and the task retried. Never set outside tests.
KILL_ONCE_ENV = "AUDIOESSAY_TEST_KILL_ONCE"


@dataclass(frozen=True)
class Job:
    script: Path
    output: Path | None = None
    engine: str | None = None  # --engine
    cache_dir: Path | None = None
    no_cache: bool = False
    refresh: bool = False
    force: bool = False
    replace: bool = False


@dataclass(frozen=True)
class Outcome:
    script: Path
    status: str  # RENDERED, UP_TO_DATE or FAILED
    output: Path | None = None
    duration_ms: int = 0
    engine: str = ""
    lufs: float | None = None
    seconds: float = 0.0
    error: str = ""  # the first line of the error, file:line first where there is one
    exit_code: int = 0


def load(job: Job):
    """The job's script (with --engine applied)."""
    from audioessay.script import loader

    script = loader.load(job.script)
    return script.with_engine(job.engine) if job.engine else script


def open_cache(job: Job):
    from audioessay.speech.cache import Cache, default_cache_dir

    return Cache(job.cache_dir or default_cache_dir(), enabled=not job.no_cache, refresh=job.refresh)


def run_job(job: Job) -> Outcome:
    """Render one episode; any error becomes a failed Outcome with its exit code."""
    from audioessay.episode import render as render_mod

    started = time.monotonic()
    _kill_once(job)
    try:
        result = render_mod.render(load(job), output=job.output, cache=open_cache(job),
                                   force=job.force or job.refresh, replace=job.replace)
    except AudioessayError as exc:
        return failed(job, exc.lines()[0].removeprefix("error: "), exc.exit_code, time.monotonic() - started)
    except (Exception, RecursionError, MemoryError) as exc:  # a bug: one line, like the CLI's
        return failed(job, f"internal error ({type(exc).__name__}: {str(exc)[:200]})", INTERNAL,
                      time.monotonic() - started)
    lufs = result.after.integrated_lufs if result.after else None
    return Outcome(job.script, UP_TO_DATE if result.up_to_date else RENDERED, result.output,
                   result.duration_ms, result.engine, lufs, time.monotonic() - started)


def clean_parts(job: Job) -> None:
    """Remove the temporaries of `job`'s outputs: after its render was killed mid-write."""
    import contextlib

    from audioessay.util.fsutil import clean_stale_parts

    with contextlib.suppress(Exception):
        output = job.output or load(job).output
        clean_stale_parts(output.parent, output.stem, older_than_s=-60)  # all, whatever their clock


def failed(job: Job, error: str, exit_code: int, seconds: float = 0.0) -> Outcome:
    return Outcome(job.script, FAILED, job.output, seconds=seconds, error=error, exit_code=exit_code)


def exit_code(outcomes: list[Outcome]) -> int:
    """0 when every episode rendered or was up to date, else the worst (highest) failure's code."""
    return max((o.exit_code for o in outcomes), default=0)


def with_defaults(jobs: list[Job]) -> list[Job]:
    """Jobs with absolute paths, so a worker in another folder reads the same files."""
    return [replace(j, script=Path(os.path.abspath(j.script)),
                    output=Path(os.path.abspath(j.output)) if j.output else None,
                    cache_dir=Path(os.path.abspath(j.cache_dir)) if j.cache_dir else None) for j in jobs]


def _kill_once(job: Job) -> None:
    marker = os.environ.get(KILL_ONCE_ENV)
    if not marker or "kill-once" not in job.script.name or os.path.exists(marker):
        return
    Path(marker).touch()
    os._exit(1)  # as a worker killed by the system would: no cleanup, no answer


class Progress:
    """What a batch tells its caller as it goes (the CLI shows a line; the library never prints)."""

    def started(self, job: Job) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...
