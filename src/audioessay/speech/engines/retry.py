"""The one retry loop every online engine uses: attempts, backoff, deadline, cancellation.

An engine brings what only it knows: one `attempt`, a `classify` that turns what the
attempt raised into a Failure (or None: not a failure we know, let it show), and a
`give_up` that words the final error. The loop brings the rest: retries + 1 attempts,
exponential backoff with full jitter capped at max_backoff (Retry-After included), one
overall deadline, waits that end as soon as `cancelled` is set, and "retry once, then
say so" for failures that will not go away (an offline machine stays offline).
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from audioessay.errors import EngineError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """How hard to try: `retries` extra attempts after the first; waits of full jitter
    below backoff * 2**n, capped at max_backoff; every attempt and wait within `deadline`
    seconds (None: no deadline)."""

    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    deadline: float | None = 60.0


@dataclass(frozen=True)
class Failure:
    """One failed attempt, as the engine classified it. `kind` picks the engine's message."""

    kind: str
    detail: str
    retry_after: float | None = None  # seconds the service asked us to wait
    retryable: bool = True
    once: bool = False  # retry at most once: it will not go away by waiting


class Cancelled(EngineError):
    """The caller's `cancelled` event was set (another request failed, or Ctrl-C)."""

    def __init__(self) -> None:
        super().__init__("request cancelled")


def attempts(n: int) -> str:
    """'1 attempt', '3 attempts': how the engines' messages count tries."""
    return f"{n} attempt{'s' if n != 1 else ''}"


def delay(policy: Retry, n: int, retry_after: float | None = None,
          jitter: Callable[[float, float], float] | None = None) -> float:
    """The wait after failed attempt `n` (0-based): Retry-After when the service sent one,
    else full jitter, uniform in [0, backoff * 2**n]; never above max_backoff."""
    if retry_after is not None:
        return min(policy.max_backoff, retry_after)
    # Full jitter spreads the retries of many clients over the whole window.
    return (jitter or random.uniform)(0, min(policy.max_backoff, policy.backoff * 2**n))


def run(
    attempt: Callable[[float], T],
    classify: Callable[[Exception], Failure | None],
    give_up: Callable[[Failure, int], Exception],
    policy: Retry,
    *,
    cancelled: threading.Event | None = None,
    sleep: Callable[[float], object] | None = None,
    clock: Callable[[], float] = time.monotonic,
    jitter: Callable[[float, float], float] | None = None,
    what: str = "",
) -> T:
    """`attempt(seconds_left)` until it returns, at most policy.retries + 1 times.

    `seconds_left` is what remains of the deadline (math.inf without one); the attempt
    should bound its own waits by it. A failure `classify` does not know is raised as it
    is; the last failure is raised as `give_up(failure, attempts_made)`. There is no
    retry of a failure that is not retryable, none whose wait would pass the deadline,
    and no second retry of a `once` failure. Cancelled is raised before any attempt once
    `cancelled` is set; waits use `sleep`, by default `cancelled.wait` (setting the event
    ends them at once) or time.sleep. `what` names the request in debug logs.
    """
    wait = sleep if sleep is not None else (cancelled.wait if cancelled is not None else time.sleep)
    end = clock() + policy.deadline if policy.deadline is not None else math.inf
    tries = policy.retries + 1
    for n in range(tries):
        if cancelled is not None and cancelled.is_set():
            raise Cancelled()
        try:
            return attempt(end - clock())
        except Cancelled:
            raise
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            error = exc
        log.debug("attempt %d/%d%s failed: %s", n + 1, tries, what, failure.detail)
        if not failure.retryable or n + 1 == tries or (failure.once and n >= 1):
            raise give_up(failure, n + 1) from error
        pause = delay(policy, n, failure.retry_after, jitter)
        if clock() + pause >= end:
            raise give_up(failure, n + 1) from error  # no time left for another try
        wait(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def probe(request: Callable[[], object], service: str) -> tuple[bool, str]:
    """One quick request (the caller gives it no retries and a short timeout): is the
    service usable? (usable, why), for `auto` to choose an engine."""
    start = time.monotonic()
    try:
        request()
    except EngineError as exc:
        return False, f"{service} unreachable: {exc.message}"
    return True, f"{service} answered in {time.monotonic() - start:.1f} s"
