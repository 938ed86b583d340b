"""The one retry loop of the online engines, on a fake clock: exact waits, no real sleeping."""

from __future__ import annotations

import math
import random
import threading

import pytest

from audioessay.errors import EngineError
from audioessay.speech.engines.retry import Cancelled, Failure, Retry, attempts, delay, run


class Clock:
    """time.monotonic and sleep for the loop: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Boom(Exception):
    """What the fake attempt raises; its args[0] is the Failure to classify it as."""


class Service:
    """An attempt that fails with the queued Failures (each costing `cost` seconds of the
    clock, never more than is left), then answers 'ok'."""

    def __init__(self, clock: Clock, failures: list[Failure], cost: float = 0.0):
        self.clock, self.failures, self.cost = clock, list(failures), cost
        self.left: list[float] = []  # what each attempt was told remains of the deadline

    def __call__(self, left: float) -> str:
        self.left.append(left)
        self.clock.now += min(self.cost, left)
        if self.failures:
            raise Boom(self.failures.pop(0))
        return "ok"


def classify(exc: Exception) -> Failure | None:
    return exc.args[0] if isinstance(exc, Boom) else None


def give_up(failure: Failure, tries: int) -> EngineError:
    return EngineError(f"{failure.kind}: {failure.detail} ({attempts(tries)})")


def go(service: Service, policy: Retry, clock: Clock, **kw):
    return run(service, classify, give_up, policy, sleep=clock.sleep, clock=clock, **kw)


BLIP = Failure("server", "HTTP 503")
NO_JITTER = dict(jitter=lambda a, b: b)  # always the longest wait of the window


def test_success_after_transient_failures():
    clock = Clock()
    service = Service(clock, [BLIP, BLIP])
    assert go(service, Retry(retries=3, backoff=1, max_backoff=8, deadline=None), clock, **NO_JITTER) == "ok"
    assert len(service.left) == 3 and clock.slept == [1, 2]


def test_attempts_are_retries_plus_one_and_the_last_failure_is_given_up_on():
    clock = Clock()
    service = Service(clock, [BLIP] * 10)
    with pytest.raises(EngineError, match=r"^server: HTTP 503 \(4 attempts\)$") as info:
        go(service, Retry(retries=3, backoff=0.1, deadline=None), clock)
    assert len(service.left) == 4 and len(clock.slept) == 3
    assert isinstance(info.value.__cause__, Boom)  # the last failure stays attached for debugging


def test_deadline_is_honoured():
    """Each attempt costs 3 s of a 10 s deadline; a wait costs nothing (backoff 0)."""
    clock = Clock()
    service = Service(clock, [BLIP] * 10, cost=3)
    with pytest.raises(EngineError, match=r"\(4 attempts\)"):
        go(service, Retry(retries=10, backoff=0, max_backoff=0, deadline=10), clock)
    assert service.left == [10, 7, 4, 1]  # each attempt is told what remains
    assert clock.now == 10  # and nothing runs past the deadline


def test_no_wait_that_would_pass_the_deadline():
    clock = Clock()
    service = Service(clock, [Failure("rate", "HTTP 429", retry_after=30)] * 3)
    with pytest.raises(EngineError, match=r"rate: HTTP 429 \(1 attempt\)"):
        go(service, Retry(retries=3, max_backoff=60, deadline=20), clock)
    assert clock.slept == [] and len(service.left) == 1


def test_without_a_deadline_attempts_are_told_infinity():
    clock = Clock()
    service = Service(clock, [BLIP], cost=1000)
    assert go(service, Retry(retries=1, backoff=0, deadline=None), clock) == "ok"
    assert service.left == [math.inf, math.inf]


def test_retry_after_is_honoured_and_capped():
    clock = Clock()
    service = Service(clock, [Failure("rate", "429", retry_after=3), Failure("server", "503", retry_after=0.02),
                              Failure("rate", "429", retry_after=100)])
    assert go(service, Retry(retries=4, backoff=0.01, max_backoff=5, deadline=None), clock) == "ok"
    assert clock.slept == [3, 0.02, 5]


def test_non_retryable_failure_is_not_retried():
    clock = Clock()
    service = Service(clock, [Failure("client", "HTTP 403", retryable=False), BLIP])
    with pytest.raises(EngineError, match=r"client: HTTP 403 \(1 attempt\)"):
        go(service, Retry(retries=5), clock)
    assert len(service.left) == 1 and clock.slept == []


def test_a_once_failure_is_retried_once_then_given_up_on():
    clock = Clock()
    offline = Failure("offline", "host name could not be resolved", once=True)
    service = Service(clock, [offline] * 5)
    with pytest.raises(EngineError, match=r"offline: .* \(2 attempts\)"):
        go(service, Retry(retries=5, backoff=0.01), clock)
    assert len(service.left) == 2 and len(clock.slept) == 1


def test_unknown_exception_is_raised_as_it_is():
    clock = Clock()

    def attempt(left: float) -> str:
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError, match="a bug"):
        run(attempt, classify, give_up, Retry(retries=5), sleep=clock.sleep, clock=clock)
    assert clock.slept == []


def test_cancelled_before_the_first_attempt_sends_nothing():
    clock = Clock()
    service = Service(clock, [])
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        go(service, Retry(), clock, cancelled=stop)
    assert service.left == []


def test_cancel_during_a_wait_starts_no_new_attempt():
    clock = Clock()
    service = Service(clock, [BLIP] * 5)
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        stop.set()  # Ctrl-C (or another request's failure) arrives during the wait

    with pytest.raises(Cancelled):
        run(service, classify, give_up, Retry(retries=5, backoff=0.01), cancelled=stop, sleep=sleep, clock=clock)
    assert len(service.left) == 1


def test_cancel_ends_a_real_backoff_wait_at_once():
    """The default wait is on `cancelled` itself: a 600 s Retry-After ends when it is set."""
    stop, failed = threading.Event(), threading.Event()
    outcome: list[BaseException] = []

    def attempt(left: float) -> str:
        failed.set()
        raise Boom(Failure("rate", "HTTP 429", retry_after=600))

    def loop() -> None:
        try:
            run(attempt, classify, give_up, Retry(retries=3, max_backoff=600, deadline=None), cancelled=stop)
        except BaseException as exc:  # noqa: BLE001  # handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    failed.wait()
    stop.set()
    worker.join(timeout=30)  # only a guard against hanging for 600 s; it ends at once
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)


def test_jitter_window_doubles_up_to_the_cap():
    clock = Clock()
    windows: list[tuple[float, float]] = []

    def jitter(a: float, b: float) -> float:
        windows.append((a, b))
        return b / 2

    service = Service(clock, [BLIP] * 5)
    assert go(service, Retry(retries=5, backoff=1, max_backoff=5, deadline=None), clock, jitter=jitter) == "ok"
    assert windows == [(0, 1), (0, 2), (0, 4), (0, 5), (0, 5)]
    assert clock.slept == [0.5, 1, 2, 2.5, 2.5]


def test_full_jitter_stays_within_bounds_and_fills_the_window():
    policy = Retry(backoff=0.5, max_backoff=8)
    draw = random.Random(7).uniform
    for n in range(8):
        cap = min(8, 0.5 * 2**n)
        waits = [delay(policy, n, jitter=draw) for _ in range(500)]
        assert all(0 <= w <= cap for w in waits)
        assert min(waits) < 0.1 * cap and max(waits) > 0.9 * cap  # full jitter, not a fixed wait


def test_attempts_counts_in_words():
    assert [attempts(n) for n in (1, 2, 5)] == ["1 attempt", "2 attempts", "5 attempts"]
