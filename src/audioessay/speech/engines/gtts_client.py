"""A robust request layer over the real gTTS library.

gTTS packages the request, sends it with `requests` and parses the answer;
this module adds what a long render needs: an endpoint override, timeouts,
retries with backoff within a deadline (the shared loop in retry.py), rate
limiting, and errors that say what probably went wrong and what to do about it.
"""

from __future__ import annotations

import binascii
import logging
import os
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
from audioessay.speech.engines import retry
from audioessay.speech.engines.retry import Failure, Retry, attempts, run

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
    deadline: float = 60.0  # one fetch, every attempt and wait included

    def retry(self) -> Retry:
        return Retry(self.retries, self.backoff, self.max_backoff, self.deadline)

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


class _DeadlineExceeded(Exception):
    """The fetch's deadline passed before or during an attempt."""


def _retry_after(rsp: requests.Response) -> float | None:
    """Retry-After in seconds; the HTTP-date form is rare for this API and ignored."""
    value = rsp.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _cause(exc: BaseException) -> BaseException | None:
    """The requests exception behind `exc`: gTTS raises gTTSError with it as __context__."""
    return exc if isinstance(exc, requests.RequestException) else exc.__context__


def _reason(cause: BaseException) -> object:
    inner = cause.args[0] if cause.args else None
    return getattr(inner, "reason", inner)  # MaxRetryError wraps the real reason


def _timeout(exc: BaseException) -> str | None:
    """'connect' or 'read' when `exc` is a timeout of that kind, else None."""
    cause = _cause(exc)
    if isinstance(cause, requests.ConnectTimeout):
        return "connect"
    if isinstance(cause, requests.Timeout):
        return "read"
    if isinstance(cause, requests.ConnectionError) and isinstance(_reason(cause), ReadTimeoutError):
        return "read"  # read timeout while the body streamed
    return None


def _classify(exc: BaseException, settings: GttsSettings) -> Failure | None:
    """Turn what gTTS raised into a failure kind (None: not a failure we know). gTTS keeps
    the HTTP response in gTTSError.rsp, and the underlying requests exception as __context__."""
    if isinstance(exc, _DeadlineExceeded):
        return Failure("deadline", "no complete answer", retryable=False)
    if isinstance(exc, _NoAudio):
        return Failure("malformed", str(exc))
    if not isinstance(exc, gTTSError | requests.RequestException):
        return None
    rsp = getattr(exc, "rsp", None)
    if rsp is not None:
        status, reason = rsp.status_code, rsp.reason
        if status == 200:
            return Failure("malformed", "HTTP 200 without an audio stream")
        detail = f"HTTP {status} {reason}"
        if status == 429:
            return Failure("rate", detail, _retry_after(rsp))
        if status >= 500:
            return Failure("server", detail, _retry_after(rsp) if status == 503 else None)
        return Failure("client", detail, retryable=False)
    which = _timeout(exc)
    if which == "connect":
        return Failure("timeout", f"connect timed out after {settings.connect_timeout:g}s")
    if which == "read":
        return Failure("timeout", f"timed out after {settings.read_timeout:g}s")
    cause = _cause(exc)
    if isinstance(cause, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return Failure("broken", "connection broke mid-answer")
    if isinstance(cause, requests.ConnectionError):
        reason = _reason(cause)
        if isinstance(reason, ProtocolError):  # connected, then aborted/reset
            return Failure("broken", "connection dropped mid-request")
        if isinstance(reason, NameResolutionError):  # no DNS: offline, not a blip; one quick retry
            return Failure("offline", "host name could not be resolved", once=True)
        return Failure("connect", "connection failed")
    return Failure("connect", str(exc) or type(exc).__name__)


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
    "deadline": "timed out: {detail} from {host} within the {deadline:g}s deadline ({tries}); "
                "the network is slow or the service is stalling, check your network or {fallback}",
}


def _give_up(f: Failure, tries: int, host: str, settings: GttsSettings) -> EngineError:
    template = _GIVE_UP.get(f.kind, _GIVE_UP["connect"])  # "offline" reads like "connect"
    return EngineError(template.format(
        tries=attempts(tries), detail=f.detail, host=host, lang=settings.lang, tld=settings.tld,
        deadline=settings.deadline, fallback=_FALLBACK))


def _attempt(text: str, settings: GttsSettings, url: str, until: float) -> bytes:
    """One request, its timeouts cut short so that it ends by `until` (time.monotonic)."""
    left = until - time.monotonic()
    if left <= 0:
        raise _DeadlineExceeded()
    connect, read = min(settings.connect_timeout, left), min(settings.read_timeout, left)
    tts = _EndpointTTS(
        text,
        url,
        lang=settings.lang,
        tld=settings.tld,
        slow=settings.slow,
        lang_check=False,  # lang_check would fetch Google's language list over the network
        timeout=(connect, read),
    )
    log.debug("POST %s (%d chars)", url, len(text))
    try:
        audio = b"".join(tts.stream())
    except AssertionError as exc:  # gTTS asserts when nothing speakable is left
        raise ValueError(f"nothing speakable in {text[:30]!r}: {exc}") from exc
    except (binascii.Error, UnicodeDecodeError) as exc:  # the audio line was garbage
        raise _NoAudio(f"undecodable answer ({exc})") from exc
    except (gTTSError, requests.RequestException) as exc:
        which = _timeout(exc)  # a timeout the deadline shortened is the deadline's
        if (which == "connect" and connect < settings.connect_timeout) or (
                which == "read" and read < settings.read_timeout):
            raise _DeadlineExceeded() from exc
        raise
    if not audio:  # the answer had no rpc line at all
        raise _NoAudio("HTTP 200 with an empty audio stream")
    return audio


def fetch_mp3(
    text: str,
    settings: GttsSettings,
    *,
    sleep: Callable[[float], object] | None = None,
    limiter: RateLimiter | None = None,
    cancelled: threading.Event | None = None,
) -> bytes:
    """MP3 bytes for `text` (<= 100 chars) from one gTTS request, retried on transient
    failures, all within `settings.deadline` seconds.

    Raises ValueError for empty or over-long text, EngineError when every attempt failed,
    and Cancelled (an EngineError) once `cancelled` is set (another request failed, or
    Ctrl-C): backoff waits end and no new attempt starts. `limiter` (optional) is waited
    on before every attempt, retries included. Backoff waits use `sleep` (tests).
    """
    if not text or not text.strip():
        raise ValueError("text to speak is empty")
    if len(text) > MAX_CHARS:
        raise ValueError(f"text is {len(text)} chars; gTTS takes at most {MAX_CHARS} per request (chunk it first)")
    url = settings.url()
    host = urllib.parse.urlsplit(url).netloc or url

    def attempt(left: float) -> bytes:
        until = time.monotonic() + left
        if limiter is not None:
            limiter.wait()
        return _attempt(text, settings, url, until)

    return run(attempt, lambda exc: _classify(exc, settings),
               lambda failure, tries: _give_up(failure, tries, host, settings),
               settings.retry(), cancelled=cancelled, sleep=sleep, what=f" for {len(text)} chars")


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
    return retry.probe(lambda: fetch_mp3("안녕", quick), "Google TTS")
