"""Run a batch's jobs on this machine: each episode in a worker process of a pool.

Worker processes are started with "spawn" (no copy of the parent's threads or locks), one
per episode (max_tasks_per_child=1): a process that rendered an episode keeps what glibc
did not give back, and a fresh one held 430 MB at two jobs where reused ones held 480
(bench_batch); the start-up (about 0.3 s) overlaps the other job. At most `workers` jobs are handed out at a time, so
"running" is exact and a job is never queued behind a slow one in a busy worker.

A failure stays with its episode: an error is that job's Outcome; a worker that dies
(killed, out of memory) breaks the pool, which is started again, and the jobs it was
running are tried once more (a job that kills its worker twice fails).

Ctrl-C (or SIGTERM): each running worker gets SIGTERM, which its render takes as Ctrl-C
(temporaries removed, the old MP3 untouched); after GRACE_S whatever is left is killed,
and the temporaries of the renders that did not finish are removed here. Then
KeyboardInterrupt goes on to the caller (the CLI exits 130).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from audioessay.batch.jobs import INTERRUPTED, Job, Outcome, Progress, clean_parts, failed, run_job

PEAK_BYTES = 300 << 20  # one render's peak memory, a bound up to two-hour episodes (docs/batch.md)
GRACE_S = 5.0  # after Ctrl-C, how long a worker may take to remove its temporaries
_busy = False  # in a worker: a job is running (a stop signal interrupts it) or not (exit)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo (Linux), in bytes; None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_workers(count: int) -> int:
    """min(cores, available memory / PEAK_BYTES, jobs), at least 1."""
    memory = available_memory()
    by_memory = count if memory is None else memory // PEAK_BYTES
    return max(1, min(cores(), by_memory, count))


def run(jobs: list[Job], workers: int, progress: Progress | None = None) -> list[Outcome]:
    """Render every job, `workers` at a time; outcomes in the jobs' order."""
    progress = progress or Progress()
    if workers <= 1:
        return [_serial(job, progress) for job in jobs]
    return _Pool(jobs, min(workers, len(jobs)), progress).run()


def _serial(job: Job, progress: Progress) -> Outcome:
    progress.started(job)
    outcome = run_job(job)
    progress.finished(outcome)
    return outcome


class _Pool:
    def __init__(self, jobs: list[Job], workers: int, progress: Progress):
        self.jobs, self.workers, self.progress = jobs, workers, progress
        self.todo = list(range(len(jobs)))  # indexes not handed out yet, next first
        self.outcomes: dict[int, Outcome] = {}
        self.running: dict[Future, int] = {}
        self.broke: set[int] = set()  # jobs that were running when a worker died
        self.executor: ProcessPoolExecutor | None = None

    def run(self) -> list[Outcome]:
        try:
            while self.todo or self.running:
                self._hand_out()
                done, _ = wait(self.running, return_when=FIRST_COMPLETED)
                for future in done:
                    self._collect(future)
        except BaseException:
            self._stop()
            raise
        self._shutdown()
        return [self.outcomes[i] for i in range(len(self.jobs))]

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_start,
                                   max_tasks_per_child=1)

    def _hand_out(self) -> None:
        while self.todo and len(self.running) < self.workers:
            if self.executor is None:
                self.executor = self._new_executor()
            index = self.todo.pop(0)
            if index not in self.broke:
                self.progress.started(self.jobs[index])
            self.running[self.executor.submit(_work, self.jobs[index])] = index

    def _collect(self, future: Future) -> None:
        index = self.running.pop(future)
        job = self.jobs[index]
        try:
            outcome = future.result()
        except BrokenProcessPool:
            self._broken()
            if index in self.broke:
                outcome = failed(job, "the worker process rendering it died (killed, or out of memory?)", 1)
            else:
                self.broke.add(index)
                self.todo.insert(0, index)
                return
        except Exception as exc:  # the job could not reach its worker (it does not pickle?)
            outcome = failed(job, f"internal error ({type(exc).__name__}: {str(exc)[:200]})", 70)
        self.outcomes[index] = outcome
        self.progress.finished(outcome)
        if outcome.exit_code == INTERRUPTED:
            # A worker took a Ctrl-C: the user's, which this process may not see (started with
            # SIGINT ignored, as `cmd &` in a script is). Stop everything, not just that episode.
            raise KeyboardInterrupt

    def _broken(self) -> None:
        """The pool is unusable: the next job starts a new one."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    def _shutdown(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)

    def _stop(self) -> None:
        """Ctrl-C: stop every worker so that no render leaves a partial file."""
        main = threading.current_thread() is threading.main_thread()
        if main:  # a second Ctrl-C must not cut this short
            saved = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            # The pool keeps its processes in a private dict; nothing public sends them a signal.
            processes = list((getattr(self.executor, "_processes", None) or {}).values())
            for p in processes:
                with contextlib.suppress(OSError):
                    os.kill(p.pid, signal.SIGTERM)
            # Wait for the processes, not the futures: one worker's exit breaks the pool, which
            # fails every future at once while the other workers are still removing temporaries.
            deadline = time.monotonic() + GRACE_S
            for p in processes:
                p.join(timeout=max(0.0, deadline - time.monotonic()))
            # The pool may have started a worker since (one per episode): kill those too.
            processes += [p for p in (getattr(self.executor, "_processes", None) or {}).values()
                          if p not in processes]
            for p in processes:
                with contextlib.suppress(OSError):
                    p.kill()
            for p in processes:
                p.join(timeout=1)
            for index in self.running.values():  # every writer is gone: what is left of theirs goes
                clean_parts(self.jobs[index])
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)
        finally:
            if main:
                signal.signal(signal.SIGINT, saved)


# ---- in the worker process ----------------------------------------------------------------

def _worker_start() -> None:
    from audioessay.util.malloc import one_arena

    one_arena()  # as the CLI does (util/malloc.py)
    _die_with_parent()
    _arm()


def _die_with_parent() -> None:
    """On Linux, the kernel kills this worker when the thread that started it (the pool's
    manager, in the command) ends: after Ctrl-C the command exits at once, and a worker
    the pool started meanwhile must not outlive it, holding its pipes open."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the command died before that took effect
        os._exit(INTERRUPTED)


def _arm() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop_signal)


def _stop_signal(signum, frame) -> None:
    if not _busy:
        os._exit(INTERRUPTED)  # idle: nothing to clean up
    for s in (signal.SIGINT, signal.SIGTERM):  # one stop is enough: let the cleanup finish
        signal.signal(s, _ignore)  # not SIG_IGN: a signal already on its way would raise OSError
    raise KeyboardInterrupt


def _ignore(signum, frame) -> None:
    pass


def _work(job: Job) -> Outcome:
    global _busy
    _busy = True
    try:
        return run_job(job)
    except KeyboardInterrupt:
        return failed(job, "interrupted", INTERRUPTED)
    finally:
        _busy = False
        _arm()
