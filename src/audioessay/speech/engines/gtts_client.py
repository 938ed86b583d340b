"""A robust request layer over the real gTTS library.

gTTS packages the request, sends it with `requests` and parses the answer;
this module adds what a long render needs: an endpoint override, timeouts,
retries with backoff, rate limiting, bounded concurrency, and errors that say
what probably went wrong and what to do about it.
"""

from __future__ import annotations

import binascii
import logging
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace

import requests
from gtts import gTTS, gTTSError
from gtts.utils import _translate_url
from urllib3.exceptions import NameResolutionError, ProtocolError, ReadTimeoutError

from audioessay.errors import EngineError

log = logging.getLogger("audioessay.gtts")

ENDPOINT_ENV = "AUDIOESSAY_GTTS_URL"  # replaces Google's endpoint URL (tests point it at a fake)
MAX_CHARS = gTTS.GOOGLE_TTS_MAX_CHARS  # 100: longer text makes gTTS split it into several requests
_RPC_PATH = "_/TranslateWebserverUi/data/batchexecute"
_FALLBACK = "use --engine espeak to render offline"


@dataclass(frozen=True)
class GttsSettings:
    """How to reach Google TTS and how hard to try."""

    lang: str = "ko"
    tld: str = "com"
    slow: bool = False
    endpoint: str | None = None  # None -> $AUDIOESSAY_GTTS_URL -> Google's URL for `tld`
    connect_timeout: float = 3.05
    read_timeout: float = 20.0
    retries: int = 4  # extra attempts after the first one
    backoff: float = 0.5  # base of the exponential backoff, seconds
    max_backoff: float = 16.0  # cap on any single wait, Retry-After included

    def url(self) -> str:
        return (
            self.endpoint
            or os.environ.get(ENDPOINT_ENV)
            or _translate_url(tld=self.tld, path=_RPC_PATH)
        )


class _EndpointTTS(gTTS):
    """gTTS with its request URL replaced; packaging, sending and parsing stay gTTS's own."""

    def __init__(self, text: str, endpoint: str, **kwargs):
        super().__init__(text, **kwargs)
        self._endpoint = endpoint

    def _prepare_requests(self):
        prepared = super()._prepare_requests()
        for pr in prepared:
            pr.url = self._endpoint
        return prepared


class _NoAudio(Exception):
    """A 200 answer gTTS could not turn into audio bytes."""


class _Cancelled(Exception):
    """The render gave up (another request failed, or Ctrl-C): no new attempt."""


@dataclass(frozen=True)
class _Failure:
    """One failed attempt, classified."""

    kind: str  # "rate" | "server" | "client" | "connect" | "timeout" | "broken" | "malformed"
    detail: str
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        return self.kind != "client"


def _retry_after(rsp: requests.Response) -> float | None:
    """Retry-After in seconds; the HTTP-date form is rare for this API and ignored."""
    value = rsp.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _classify(exc: BaseException, settings: GttsSettings) -> _Failure:
    """Turn what gTTS raised into a failure kind. gTTS keeps the HTTP response in
    gTTSError.rsp, and the underlying requests exception as __context__."""
    if isinstance(exc, _NoAudio):
        return _Failure("malformed", str(exc))
    rsp = getattr(exc, "rsp", None)
    if rsp is not None:
        status, reason = rsp.status_code, rsp.reason
        if status == 200:
            return _Failure("malformed", "HTTP 200 without an audio stream")
        detail = f"HTTP {status} {reason}"
        if status == 429:
            return _Failure("rate", detail, _retry_after(rsp))
        if status >= 500:
            return _Failure("server", detail, _retry_after(rsp) if status == 503 else None)
        return _Failure("client", detail)
    cause = exc if isinstance(exc, requests.RequestException) else exc.__context__
    if isinstance(cause, requests.ConnectTimeout):
        return _Failure("timeout", f"connect timed out after {settings.connect_timeout:g}s")
    if isinstance(cause, requests.Timeout):
        return _Failure("timeout", f"timed out after {settings.read_timeout:g}s")
    if isinstance(cause, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return _Failure("broken", "connection broke mid-answer")
    if isinstance(cause, requests.ConnectionError):
        inner = cause.args[0] if cause.args else None
        reason = getattr(inner, "reason", inner)  # MaxRetryError wraps the real reason
        if isinstance(reason, ReadTimeoutError):  # read timeout while the body streamed
            return _Failure("timeout", f"timed out after {settings.read_timeout:g}s")
        if isinstance(reason, ProtocolError):  # connected, then aborted/reset
            return _Failure("broken", "connection dropped mid-request")
        if isinstance(reason, NameResolutionError):  # no DNS: offline, not a blip
            return _Failure("offline", "host name could not be resolved")
        return _Failure("connect", "connection failed")
    return _Failure("connect", str(exc) or type(exc).__name__)


# What each kind of failure means and what to do; filled in with str.format.
_GIVE_UP = {
    "rate": "rate limited by Google (HTTP 429) after {tries}; wait a few minutes and retry, "
            "lower the request rate/concurrency, or {fallback}",
    "server": "Google TTS server error ({detail}) after {tries}; the service is having trouble, "
              "retry later or {fallback}",
    "client": "Google TTS rejected the request ({detail}); check the language ({lang!r}) and tld "
              "({tld!r}), upgrade gTTS (pip install -U gTTS), or {fallback}",
    "timeout": "{detail} waiting for {host} ({tries}); the network is slow or the service is "
               "stalling, check your network or {fallback}",
    "broken": "connection to {host} kept breaking mid-answer ({tries}); the network is unstable, "
              "check your network and retry, or {fallback}",
    "malformed": "the endpoint answered without audio (API changed?) after {tries}; "
                 "upgrade gTTS (pip install -U gTTS) or {fallback}",
    "connect": "cannot reach {host} (offline?) after {tries}; check your network connection "
               "and proxy settings, or {fallback}",
}


def _give_up(f: _Failure, attempts: int, host: str, settings: GttsSettings) -> EngineError:
    template = _GIVE_UP.get(f.kind, _GIVE_UP["connect"])  # "offline" reads like "connect"
    return EngineError(template.format(
        tries=f"{attempts} attempt{'s' if attempts != 1 else ''}", detail=f.detail, host=host,
        lang=settings.lang, tld=settings.tld, fallback=_FALLBACK))


def _attempt(text: str, settings: GttsSettings, url: str) -> bytes:
    tts = _EndpointTTS(
        text,
        url,
        lang=settings.lang,
        tld=settings.tld,
        slow=settings.slow,
        lang_check=False,  # lang_check would fetch Google's language list over the network
        timeout=(settings.connect_timeout, settings.read_timeout),
    )
    log.debug("POST %s (%d chars)", url, len(text))
    try:
        audio = b"".join(tts.stream())
    except AssertionError as exc:  # gTTS asserts when nothing speakable is left
        raise ValueError(f"nothing speakable in {text[:30]!r}: {exc}") from exc
    except (binascii.Error, UnicodeDecodeError) as exc:  # the audio line was garbage
        raise _NoAudio(f"undecodable answer ({exc})") from exc
    if not audio:  # the answer had no rpc line at all
        raise _NoAudio("HTTP 200 with an empty audio stream")
    return audio


def _fetch(
    text: str,
    settings: GttsSettings,
    *,
    sleep: Callable[[float], object],
    limiter: RateLimiter | None,
    cancelled: threading.Event | None,
) -> bytes:
    if not text or not text.strip():
        raise ValueError("text to speak is empty")
    if len(text) > MAX_CHARS:
        raise ValueError(f"text is {len(text)} chars; gTTS takes at most {MAX_CHARS} per request (chunk it first)")
    url = settings.url()
    host = urllib.parse.urlsplit(url).netloc or url
    attempts = settings.retries + 1
    for attempt in range(attempts):
        if cancelled is not None and cancelled.is_set():
            raise _Cancelled()
        if limiter is not None:
            limiter.wait()
        try:
            return _attempt(text, settings, url)
        except (gTTSError, requests.RequestException, _NoAudio) as exc:
            failure = _classify(exc, settings)
        log.debug("attempt %d/%d for %d chars failed: %s", attempt + 1, attempts, len(text), failure.detail)
        if not failure.retryable or (failure.kind == "offline" and attempt >= 1):
            # An offline machine stays offline: one quick retry, then say so (well under 10 s).
            raise _give_up(failure, attempt + 1, host, settings)
        if attempt + 1 == attempts:
            raise _give_up(failure, attempts, host, settings)
        if failure.retry_after is not None:
            delay = min(settings.max_backoff, failure.retry_after)
        else:  # full jitter: spread retries of many clients over the whole window
            delay = random.uniform(0, min(settings.max_backoff, settings.backoff * 2**attempt))
        sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def fetch_mp3(
    text: str,
    settings: GttsSettings,
    *,
    sleep: Callable[[float], None] | None = None,
    limiter: RateLimiter | None = None,
    cancelled: threading.Event | None = None,
) -> bytes:
    """MP3 bytes for `text` (<= 100 chars) from one gTTS request, retried on transient failures.

    Raises ValueError for empty or over-long text, EngineError when every attempt failed.
    `limiter` (optional) is waited on before every attempt, retries included. Once
    `cancelled` is set (another request failed, or Ctrl-C), backoff waits end and no
    new attempt starts.
    """
    wait: Callable[[float], object] = sleep if sleep is not None else (
        cancelled.wait if cancelled is not None else time.sleep)
    return _fetch(text, settings, sleep=wait, limiter=limiter, cancelled=cancelled)


class RateLimiter:
    """At most `per_second` request starts per second, across threads (None/0 = unlimited)."""

    def __init__(self, per_second: float | None):
        if per_second is not None and per_second < 0:
            raise ValueError(f"per_second must be >= 0, got {per_second}")
        self._interval = 1.0 / per_second if per_second else 0.0
        self._lock = threading.Lock()
        self._next = 0.0  # monotonic time of the next free slot

    def wait(self) -> None:
        if not self._interval:
            return
        with self._lock:  # reserve a slot under the lock, sleep outside it
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)


def probe(settings: GttsSettings, timeout: float = 2.0) -> tuple[bool, str]:
    """One quick request with no retries: is Google TTS (or the configured endpoint) usable?"""
    quick = replace(settings, retries=0, connect_timeout=timeout, read_timeout=timeout)
    start = time.monotonic()
    try:
        fetch_mp3("안녕", quick)
    except EngineError as exc:
        return False, f"Google TTS unreachable: {exc.message}"
    return True, f"Google TTS answered in {time.monotonic() - start:.1f} s"
