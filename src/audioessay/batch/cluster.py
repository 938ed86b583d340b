"""Run a batch's jobs on a Dask cluster (distributed): each episode one task.

`scheduler` is tcp://HOST:PORT of a running `dask scheduler`, or local:N for a LocalCluster
of N one-thread worker processes started here. Outcomes stream back as they finish
(as_completed). An episode whose engine failed (exit 3) raises on the worker, so the
scheduler runs it again (`retries`); a worker that dies mid-task is rescheduled by Dask
itself (distributed.scheduler.allowed-failures, default 3). Other failures are outcomes.

`engine_concurrency`: at most that many episodes voiced by each online engine at once,
cluster-wide (a distributed.Semaphore per engine, held for the episode's render).
Workers must see the same paths as this machine (docs/batch.md).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from audioessay.batch.jobs import FAILED, Job, Outcome, Progress, clean_parts, failed, load, run_job
from audioessay.errors import InputError, ToolError

# Dask starts worker processes with MALLOC_TRIM_THRESHOLD_=65536, which makes glibc give
# every freed numpy block back to the system and fault it in again: a render took 1.8x as
# long (half of it system time). None unsets it (docs/batch.md for `dask worker`).
TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
ENGINE_FAILURE = 3  # EngineError's exit code: the failures worth another try
WORKER_PRELOAD = "audioessay.batch.daskworker"  # local:N workers ignore the terminal's Ctrl-C


class _Retry(Exception):
    """An episode whose engine failed: raised on the worker so Dask retries the task."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome)  # the only argument, so the exception pickles back whole
        self.outcome = outcome

    def __str__(self) -> str:
        return self.outcome.error


def run(jobs: list[Job], scheduler: str, progress: Progress | None = None, *, retries: int = 2,
        engine_concurrency: int | None = None) -> list[Outcome]:
    """Render every job on the cluster; outcomes in the jobs' order."""
    progress = progress or Progress()
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ToolError("--scheduler needs Dask: pip install 'audioessay[dask]'") from None
    # Dask's own INFO lines only with -v. After the import: importing distributed sets its
    # logger to INFO (its config's logging.distributed), undoing a level set before.
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logging.getLogger("distributed").setLevel(logging.WARNING)
    outcomes: dict[int, Outcome] = {}
    with contextlib.ExitStack() as stack:
        if scheduler.startswith("local:"):
            count = _count(scheduler)
            import dask

            # Registered first, so it runs last: once the cluster is closed (on Ctrl-C, its
            # workers are stopped mid-render), the temporaries of every episode that did
            # not come back are removed. Remote workers are left alone: a cancelled task
            # that runs on finishes its episode whole (every output is renamed into place).
            stack.callback(_clean_unfinished, jobs, outcomes)
            stack.enter_context(dask.config.set({TRIM_KEY: None}))
            cluster = stack.enter_context(LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                                       dashboard_address=":0", preload=[WORKER_PRELOAD]))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout="10s"))
            except (OSError, TimeoutError, ValueError) as exc:
                raise ToolError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with "
                                "'dask scheduler' and a worker with 'dask worker ADDRESS'") from None
        futures = {}
        for index, job in enumerate(jobs):
            progress.started(job)
            futures[client.submit(task, job, engine_concurrency, retries=retries, pure=False,
                                  key=f"audioessay-render-{index}-{job.script.name}")] = index
        try:
            for future in as_completed(futures):
                index = futures[future]
                outcomes[index] = _result(future, jobs[index])
                progress.finished(outcomes[index])
        except KeyboardInterrupt:  # closing the cluster now stops renders: no warnings about it
            logging.getLogger("distributed").setLevel(logging.ERROR)
            raise
        return [outcomes[i] for i in range(len(jobs))]


def _clean_unfinished(jobs: list[Job], outcomes: dict[int, Outcome]) -> None:
    for index, job in enumerate(jobs):
        if index not in outcomes:
            clean_parts(job)


def _count(scheduler: str) -> int:
    try:
        count = int(scheduler.removeprefix("local:"))
    except ValueError:
        count = 0
    if count < 1:
        raise InputError(f"--scheduler {scheduler}: local:N needs a number of workers N >= 1")
    return count


def _result(future: Any, job: Job) -> Outcome:
    try:
        return future.result()
    except _Retry as exc:  # retries spent: the last failure stands
        return exc.outcome
    except Exception as exc:  # the worker died each time (KilledWorker), or the task could not run
        return failed(job, f"the cluster could not render it ({type(exc).__name__}: {str(exc)[:200]})", 1)


def task(job: Job, engine_concurrency: int | None = None) -> Outcome:
    """On a worker: render `job`, under its online engine's semaphore when there is a cap."""
    from audioessay.util.malloc import one_arena

    one_arena()  # as the CLI does (util/malloc.py); idempotent
    with _engine_lease(job, engine_concurrency):
        outcome = run_job(job)
    if outcome.status == FAILED and outcome.exit_code == ENGINE_FAILURE:
        raise _Retry(outcome)
    return outcome


@contextlib.contextmanager
def _engine_lease(job: Job, cap: int | None):
    name = _online_engine(job) if cap else None
    if name is None:
        yield
        return
    from distributed import Semaphore

    with Semaphore(max_leases=cap, name=f"audioessay-engine-{name}"):
        yield


def _online_engine(job: Job) -> str | None:
    """The engine an episode asks for, when it is an online one (auto: the first online one tried)."""
    from audioessay.speech import engines

    try:
        script = load(job)
    except Exception:
        return None  # the render reports it
    name = script.voice.engine
    if name == "auto":
        name = next((n for n in engines.AUTO_ORDER if n in engines.names() and engines.spec(n).online), "")
    return name if name in engines.names() and engines.spec(name).online else None
