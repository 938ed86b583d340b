"""A robust request layer over the real edge-tts library (Microsoft Edge's read-aloud voices).

edge-tts builds the SSML, opens the WebSocket, computes the Sec-MS-GEC token
and parses the answer; this module adds what a long render needs: an endpoint
override, a stall timeout, retries with backoff within an overall deadline and
cancellation (the shared loop in retry.py), a check that the stream really ended,
and errors that say what probably went wrong and what to do about it.

edge-tts is async (aiohttp). `fetch` runs it in a private event loop in the
calling thread, so callers stay synchronous and use threads for concurrency.

One setting, the environment variable AUDIOESSAY_EDGE_URL, replaces Microsoft's
endpoint (tests point it at tests/fake_edge.py): a ws:// or wss:// URL such as
ws://127.0.0.1:8765/consumer/speech/synthesize/readaloud/edge/v1. The voice list
is then fetched from the URL next to it: http(s)://same-host/.../readaloud/voices/list.
Word offsets are the service's, relative to the start of the MP3 stream.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple, cast

import aiohttp
import edge_tts
from edge_tts import communicate as _communicate
from edge_tts import constants as _constants
from edge_tts import voices as _voices
from edge_tts.data_classes import TTSConfig
from edge_tts.exceptions import (
    NoAudioReceived,
    SkewAdjustmentError,
    UnexpectedResponse,
    UnknownResponse,
    WebSocketError,
)

from audioessay.errors import EngineError
from audioessay.speech.engines import retry
from audioessay.speech.engines.retry import Cancelled, Failure, Retry, attempts, run

log = logging.getLogger("audioessay.edge")

ENDPOINT_ENV = "AUDIOESSAY_EDGE_URL"  # replaces Microsoft's WebSocket URL (tests point it at a fake)
DEFAULT_VOICE = "ko-KR-SunHiNeural"
# edge-tts splits text at 4096 bytes of XML-escaped UTF-8 into separate requests. One of our
# pieces must stay one request (one stream, one set of word offsets), so take the worst case:
# '&' escapes to 5 bytes ('&amp;'); Korean is 3 bytes a character. 800 * 5 = 4000 < 4096.
MAX_CHARS = 800
_TICKS_PER_MS = 10_000  # the service counts time in 100 ns ticks
_POLL_S = 0.05  # how often a running request looks at its `cancelled` event
_FALLBACK = "use --engine espeak to render offline"


@dataclass(frozen=True)
class EdgeSettings:
    """Which voice to ask for and how hard to try."""

    voice: str = DEFAULT_VOICE
    rate: str = "+0%"  # edge's form: '+25%', '-10%'; see rate_for()
    pitch: str = "+0Hz"  # edge's form: '+12Hz'; see pitch_hz()
    connect_timeout: float = 3.05  # TCP connect (the handshake counts as reading)
    read_timeout: float = 15.0  # longest wait for the next piece of the answer
    total_deadline: float = 60.0  # one fetch, every attempt and wait included
    retries: int = 3  # extra attempts after the first one
    backoff: float = 0.5  # base of the exponential backoff, seconds
    max_backoff: float = 8.0  # cap on any single wait, Retry-After included

    def retry(self) -> Retry:
        return Retry(self.retries, self.backoff, self.max_backoff, self.total_deadline)


class Word(NamedTuple):
    """One word boundary the service reported, relative to the start of the MP3."""

    offset_ms: float
    duration_ms: float
    text: str


@dataclass(frozen=True)
class EdgeAudio:
    """What one request brought back: MP3 bytes (24 kHz, 48 kbit/s, mono) and word timings."""

    mp3: bytes
    words: tuple[Word, ...]


# --- endpoint --------------------------------------------------------------

_LIBRARY_URL = _constants.WSS_URL  # Microsoft's, as edge-tts ships it
_LIBRARY_VOICES_URL = _constants.VOICE_LIST


def endpoint() -> str:
    """The WebSocket URL: $AUDIOESSAY_EDGE_URL (e.g. ws://127.0.0.1:PORT/.../edge/v1), else Microsoft's.

    edge-tts appends '&ConnectionId=...&Sec-MS-GEC=...', so a URL without a query gets
    the library's TrustedClientToken added.
    """
    url = os.environ.get(ENDPOINT_ENV, "").strip()
    if not url:
        return _LIBRARY_URL
    if "?" not in url:
        url += f"?TrustedClientToken={_constants.TRUSTED_CLIENT_TOKEN}"
    return url


def voices_endpoint() -> str:
    """The voice list URL. With $AUDIOESSAY_EDGE_URL set it is derived the way Microsoft's
    two URLs relate: http(s) instead of ws(s), and '../voices/list' next to '.../edge/v1'."""
    if not os.environ.get(ENDPOINT_ENV, "").strip():
        return _LIBRARY_VOICES_URL
    parts = urllib.parse.urlsplit(endpoint())
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    path = urllib.parse.urljoin(parts.path, "../voices/list")
    query = f"trustedclienttoken={_constants.TRUSTED_CLIENT_TOKEN}"
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, query, ""))


def _point_library_at(url: str, voices_url: str) -> None:
    """edge-tts has no URL parameter: it formats these module constants into every
    connect. We set exactly these two. Their value depends on the environment alone,
    so concurrent requests always write the same value."""
    _communicate.WSS_URL = url
    _voices.VOICE_LIST = voices_url


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


# --- voice settings --------------------------------------------------------

def rate_for(speed: float) -> str:
    """Our speed factor (0.5..2.0) as edge's rate: 1.25 -> '+25%', 0.8 -> '-20%'."""
    if not 0.5 <= speed <= 2.0:
        raise ValueError(f"speed must be between 0.5 and 2.0, got {speed}")
    return f"{round((speed - 1) * 100):+d}%"


def pitch_hz(hz: float) -> str:
    """A pitch offset in Hz as edge's string (edge-tts only accepts the '+NHz' form):
    15 -> '+15Hz', -8.4 -> '-8Hz'."""
    return f"{round(hz):+d}Hz"


# --- one attempt -----------------------------------------------------------

class _Communicate(edge_tts.Communicate):
    """edge-tts' Communicate with float timeouts (the library insists on whole seconds)."""

    def __init__(self, text: str, settings: EdgeSettings):
        super().__init__(text, settings.voice, rate=settings.rate, pitch=settings.pitch,
                         boundary="WordBoundary")
        self.session_timeout = aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout)


class _Truncated(Exception):
    """The stream closed before turn.end: edge-tts returns what it got without complaint."""


class _Stalled(Exception):
    """Nothing arrived for a whole read timeout."""


class _DeadlineExceeded(Exception):
    """The overall deadline passed while waiting."""


async def _next(stream, timeout: float, cancelled: threading.Event | None):
    """The stream's next chunk, giving up after `timeout` s or when `cancelled` is set."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(stream.__anext__())
    end = loop.time() + timeout
    try:
        while True:
            step = end - loop.time() if cancelled is None else min(_POLL_S, end - loop.time())
            done, _ = await asyncio.wait({task}, timeout=max(0.0, step))
            if done:
                return task.result()
            if cancelled is not None and cancelled.is_set():
                raise Cancelled()
            if loop.time() >= end:
                raise asyncio.TimeoutError()
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _speak(text: str, settings: EdgeSettings, deadline: float,
                 cancelled: threading.Event | None) -> EdgeAudio:
    comm = _Communicate(text, settings)
    stream = comm.stream()
    audio = bytearray()
    words: list[Word] = []
    try:
        while True:
            left = deadline - time.monotonic()
            wait = min(settings.read_timeout, left)
            try:
                chunk = await _next(stream, wait, cancelled)
            except StopAsyncIteration:
                break
            except asyncio.TimeoutError:
                raise (_DeadlineExceeded() if left <= settings.read_timeout else _Stalled()) from None
            if chunk["type"] == "audio":
                audio += chunk["data"]
            elif chunk["type"] == "WordBoundary":
                words.append(Word(chunk["offset"] / _TICKS_PER_MS, chunk["duration"] / _TICKS_PER_MS,
                                  chunk["text"]))
    finally:
        await stream.aclose()
    # On turn.end edge-tts moves the bytes of the turn into this counter; a stream that
    # closed early leaves it behind what we received.
    if len(audio) != comm.state["cumulative_audio_bytes"]:
        raise _Truncated(f"{len(audio)} bytes in")
    return EdgeAudio(bytes(audio), tuple(words))


# --- failures --------------------------------------------------------------

_NO_ROUTE = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)


def _retry_after(exc: aiohttp.ClientResponseError) -> float | None:
    """Retry-After in seconds; the HTTP-date form is ignored."""
    value = exc.headers.get("Retry-After", "").strip() if exc.headers else ""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _classify(exc: BaseException, settings: EdgeSettings) -> Failure | None:
    """What went wrong, as a Failure; None for what we do not know (a bug: let it show).
    An offline machine stays offline and a wrong voice stays wrong: those retry once."""
    if isinstance(exc, _DeadlineExceeded):
        return Failure("deadline", "no complete answer", retryable=False)
    if isinstance(exc, _Stalled):
        return Failure("timeout", f"no data for {settings.read_timeout:g}s")
    if isinstance(exc, _Truncated):
        return Failure("broken", f"the audio stream ended before turn.end, {exc}")
    if isinstance(exc, NoAudioReceived):
        return Failure("noaudio", "turn ended without audio", once=True)
    if isinstance(exc, SkewAdjustmentError):  # a 403 without a usable Date header
        return Failure("rejected", "HTTP 403", retryable=False)
    if isinstance(exc, aiohttp.WSServerHandshakeError | aiohttp.ClientResponseError):
        detail = f"HTTP {exc.status}"  # aiohttp's message ("Invalid response status") adds nothing
        if exc.status == 403:
            return Failure("rejected", detail, retryable=False)
        if exc.status == 429:
            return Failure("rate", detail, _retry_after(exc))
        if exc.status >= 500:
            return Failure("server", detail, _retry_after(exc))
        return Failure("endpoint", detail, retryable=False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, socket.gaierror):
            return Failure("offline", "host name could not be resolved", once=True)
        code = exc.os_error.errno
        if code in _NO_ROUTE:
            return Failure("offline", os.strerror(code).lower(), once=True)
        return Failure("connect", os.strerror(code).lower() if code else "connection failed")
    if isinstance(exc, getattr(aiohttp, "SocketTimeoutError", ())):  # aiohttp >= 3.10
        return Failure("timeout", f"no data for {settings.read_timeout:g}s")
    if isinstance(exc, aiohttp.ServerTimeoutError | asyncio.TimeoutError):
        return Failure("timeout", f"connect timed out after {settings.connect_timeout:g}s")
    if isinstance(exc, aiohttp.ClientError | WebSocketError | ConnectionError):
        return Failure("broken", f"the connection dropped ({type(exc).__name__})")
    if isinstance(exc, UnexpectedResponse | UnknownResponse | json.JSONDecodeError | KeyError):
        return Failure("protocol", f"{type(exc).__name__}: {exc}", retryable=False)
    return None


# What each kind of failure means and what to do; filled in with str.format.
_GIVE_UP = {
    "connect": "cannot connect to {host} ({detail}; offline?) after {tries}; check your network "
               "connection and proxy settings, or {fallback}",
    "offline": "cannot reach {host} ({detail}; offline?) after {tries}; check your network "
               "connection, or {fallback}",
    "rejected": "the speech service refused the connection ({detail}) after {tries}: rate limited, "
                "or the service changed its token rules; wait a few minutes and retry, upgrade "
                "edge-tts (pip install -U edge-tts), or {fallback}",
    "rate": "rate limited by the speech service ({detail}) after {tries}; wait a few minutes and "
            "retry, lower the concurrency, or {fallback}",
    "server": "speech service error ({detail}) after {tries}; the service is having trouble, "
              "retry later or {fallback}",
    "endpoint": "{host} did not open a speech stream ({detail}); the endpoint changed? upgrade "
                "edge-tts (pip install -U edge-tts), check $" + ENDPOINT_ENV + ", or {fallback}",
    "broken": "{detail} ({host}, {tries}); the connection is unstable, retry, or {fallback}",
    "noaudio": "no audio received for voice {voice!r} ({tries}); check the voice name "
               "(audioessay voices --engine edge) and the rate {rate!r} and pitch {pitch!r}, or "
               "{fallback}",
    "timeout": "timed out: {detail} waiting for {host} ({tries}); the network is slow or the "
               "service is stalling, check your network or {fallback}",
    "deadline": "timed out: {detail} from {host} within the {deadline:g}s deadline ({tries}); "
                "the network is slow or the service is stalling, check your network or {fallback}",
    "protocol": "edge-tts did not understand the answer from {host} ({detail}); upgrade edge-tts "
                "(pip install -U edge-tts) or {fallback}",
}


def _give_up(f: Failure, tries: int, host: str, settings: EdgeSettings) -> EngineError:
    return EngineError(_GIVE_UP[f.kind].format(
        tries=attempts(tries), detail=f.detail, host=host, voice=settings.voice, rate=settings.rate,
        pitch=settings.pitch, deadline=settings.total_deadline, fallback=_FALLBACK))


# --- fetch -----------------------------------------------------------------

def fetch(
    text: str,
    settings: EdgeSettings,
    *,
    cancelled: threading.Event | None = None,
    sleep: Callable[[float], object] | None = None,
) -> EdgeAudio:
    """MP3 and word timings for `text` (<= MAX_CHARS) from one edge request, retried on
    transient failures, all within `settings.total_deadline`.

    Raises ValueError for empty or over-long text and for a malformed voice/rate/pitch,
    EngineError with a one-line cause when every attempt failed, and Cancelled (an
    EngineError) soon after `cancelled` is set. Backoff waits use `sleep`, by default
    `cancelled.wait` (so setting the event cuts them short) or time.sleep.
    """
    if not text or not text.strip():
        raise ValueError("text to speak is empty")
    if len(text) > MAX_CHARS:
        raise ValueError(f"text is {len(text)} chars; edge takes at most {MAX_CHARS} per request "
                         "(chunk it first)")
    TTSConfig(settings.voice, settings.rate, "+0%", settings.pitch, "WordBoundary")  # ValueError if malformed
    url = endpoint()
    host = _host(url)

    def attempt(left: float) -> EdgeAudio:
        _point_library_at(url, voices_endpoint())
        log.debug("edge %s voice=%s rate=%s pitch=%s (%d chars)", url, settings.voice, settings.rate,
                  settings.pitch, len(text))
        return asyncio.run(_speak(text, settings, time.monotonic() + left, cancelled))

    return run(attempt, lambda exc: _classify(exc, settings),
               lambda failure, tries: _give_up(failure, tries, host, settings),
               settings.retry(), cancelled=cancelled, sleep=sleep, what=f" for {len(text)} chars")


def probe(settings: EdgeSettings, timeout: float = 2.0) -> tuple[bool, str]:
    """One quick request with no retries: is the edge service (or $AUDIOESSAY_EDGE_URL) usable?"""
    quick = replace(settings, retries=0, connect_timeout=timeout, read_timeout=timeout,
                    total_deadline=timeout)
    return retry.probe(lambda: fetch("안녕", quick), "Microsoft Edge TTS")


def fetch_voice_list(timeout: float = 3.0) -> list[dict]:
    """The live voice list (edge-tts' list_voices: dicts with ShortName, Gender, Locale,
    FriendlyName, ...), one try within `timeout` seconds. Raises EngineError."""
    url, voices_url = endpoint(), voices_endpoint()
    _point_library_at(url, voices_url)

    async def get() -> list[dict]:
        voices = await asyncio.wait_for(_voices.list_voices(), timeout)
        # edge-tts declares list[Voice] (a TypedDict), but it is the service's JSON unchecked;
        # edge_voice_list reads it as plain dicts with .get
        return cast(list[dict], voices)

    try:
        return list(asyncio.run(get()))
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc, asyncio.TimeoutError):
            detail = f"no answer within {timeout:g}s"
        elif isinstance(exc, ValueError):  # not JSON
            detail = f"the answer is not a voice list ({exc})"
        else:
            failure = _classify(exc, replace(EdgeSettings(), connect_timeout=timeout))
            if failure is None:
                raise
            detail = failure.detail
        raise EngineError(f"edge voice list unavailable from {_host(voices_url)}: {detail}") from exc
