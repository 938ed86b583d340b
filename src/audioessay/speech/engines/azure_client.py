"""Microsoft Azure AI Speech over plain HTTPS (REST), through the shared retry loop (retry.run).

One documented SSML POST per text. The key is sent as a header only: never in a message,
a log line or a cache key.

    POST {base}/cognitiveservices/v1          (body: SSML, Content-Type: application/ssml+xml)
    Ocp-Apim-Subscription-Key: AZURE_SPEECH_KEY
    X-Microsoft-OutputFormat: riff-24khz-16bit-mono-pcm   (a WAV file: decoded losslessly)
    GET  {base}/cognitiveservices/voices/list

    base = https://{AZURE_SPEECH_REGION}.tts.speech.microsoft.com, or AUDIOESSAY_AZURE_URL.

Limits (Microsoft's "Speech service quotas and limits"): at most 10 minutes of audio per
HTTP request (longer audio is cut off without an error), at most 50 <voice>/<audio> tags,
64 KB of SSML per turn; F0 (free) allows 20 transactions per 60 s, S0 200 per second by
default. We stay far below: one <voice>, at most MAX_SSML_BYTES of SSML (the engine splits
the text first), a few requests in flight.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from audioessay.errors import EngineError
from audioessay.speech.engines.retry import Failure, Retry, attempts, run

ENDPOINT_ENV = "AUDIOESSAY_AZURE_URL"  # scheme://host:port, for tests and private endpoints
KEY_ENV, REGION_ENV = "AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION"
SYNTH_PATH = "/cognitiveservices/v1"
VOICES_PATH = "/cognitiveservices/voices/list"
OUTPUT_FORMAT = "riff-24khz-16bit-mono-pcm"
RATE = 24000
USER_AGENT = "audioessay"
# Our own budget for one request's SSML, in UTF-8 bytes: far below the documented 64 KB and
# the 10 minutes of audio one HTTP request may produce (1,000 Korean syllables ~ 3 minutes).
MAX_SSML_BYTES = 5000

# Azure's Korean (ko-KR) prebuilt neural voices: name, gender, description.
VOICES = (
    ("ko-KR-SunHiNeural", "female", "SunHi: Korean (default)"),
    ("ko-KR-InJoonNeural", "male", "InJoon: Korean"),
    ("ko-KR-BongJinNeural", "male", "BongJin: Korean"),
    ("ko-KR-GookMinNeural", "male", "GookMin: Korean"),
    ("ko-KR-JiMinNeural", "female", "JiMin: Korean"),
    ("ko-KR-SeoHyeonNeural", "female", "SeoHyeon: Korean"),
    ("ko-KR-SoonBokNeural", "female", "SoonBok: Korean"),
    ("ko-KR-YuJinNeural", "female", "YuJin: Korean"),
    ("ko-KR-HyunsuMultilingualNeural", "male", "Hyunsu: Korean, multilingual"),
)


@dataclass(frozen=True)
class AzureSettings:
    voice: str = "ko-KR-SunHiNeural"
    rate: str = "+0%"  # prosody rate, relative: -50% .. +100% (0.5x .. 2x)
    pitch: str = "+0Hz"  # prosody pitch, relative in Hz
    timeout: float = 20.0
    retries: int = 3
    deadline: float = 60.0


def missing() -> str:
    """'' when the key (and the region, unless AUDIOESSAY_AZURE_URL is set) are set, else what to set."""
    names = [KEY_ENV] if not os.environ.get(KEY_ENV) else []
    if not os.environ.get(ENDPOINT_ENV) and not os.environ.get(REGION_ENV):
        names.append(REGION_ENV)
    return "set " + " and ".join(names) if names else ""


def base() -> str:
    override = os.environ.get(ENDPOINT_ENV)
    if override:
        return override.rstrip("/")
    return f"https://{os.environ.get(REGION_ENV, '').strip().lower()}.tts.speech.microsoft.com"


def rate_for(speed: float) -> str:
    """voice.speed (a factor, 0.5..2.0) -> prosody rate as a relative percentage, the form
    edge uses too: 1.25 -> '+25%', 0.8 -> '-20%', 2.0 -> '+100%', 0.5 -> '-50%'."""
    if not 0.5 <= speed <= 2.0:
        raise ValueError(f"speed must be between 0.5 and 2.0, got {speed}")
    return f"{round((speed - 1) * 100):+d}%"


def pitch_for(hz: float) -> str:
    """voice.pitch (a shift in Hz) -> prosody pitch, relative in Hz: 15 -> '+15Hz', -8 -> '-8Hz'."""
    return f"{round(hz):+d}Hz"


def ssml(text: str, s: AzureSettings) -> str:
    """The SSML document for `text` (XML-escaped) in s.voice at s.rate and s.pitch.

    Microsoft bills every character inside <voice> except the <speak> and <voice> tags
    themselves, markup included ("Billable characters"), so <prosody> and each of its
    attributes are sent only when they change something: ~45 characters saved a request."""
    attrs = "".join(f" {name}={quoteattr(value)}" for name, value, neutral in
                    (("rate", s.rate, "+0%"), ("pitch", s.pitch, "+0Hz")) if value != neutral)
    inner = f"<prosody{attrs}>{escape(text)}</prosody>" if attrs else escape(text)
    return (f'<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="ko-KR">'
            f'<voice name={quoteattr(s.voice)}>{inner}</voice></speak>')


def ssml_bytes(text: str, s: AzureSettings) -> int:
    return len(ssml(text, s).encode("utf-8"))


class _HttpFailure(Exception):
    def __init__(self, failure: Failure):
        super().__init__(failure.detail)
        self.failure = failure


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _message(body: bytes) -> str:
    """What the service said, short and on one line (its JSON error message, or plain text)."""
    try:
        text = body.decode("utf-8", "replace").strip()
    except AttributeError:
        return ""
    try:
        err = json.loads(text).get("error", {})
        text = str(err.get("message", "")) if isinstance(err, dict) else str(err)
    except (ValueError, AttributeError):
        pass
    return " ".join(text.split())[:160]


def _classify_status(status: int, body: bytes, retry_after: str | None) -> Failure:
    msg = _message(body)
    low = msg.lower()
    if "quota" in low and status in (401, 403, 429):  # F0's monthly allowance, or a billing limit
        return Failure("quota", f"HTTP {status} {msg}".rstrip(), retryable=False)
    if status in (401, 403):
        return Failure("key", f"HTTP {status}", retryable=False)
    if status == 429:
        return Failure("rate", "HTTP 429 (rate limited)", retry_after=_retry_after(retry_after))
    if status == 400:
        return Failure("bad", f"HTTP 400 {msg}".rstrip(), retryable=False)
    if status >= 500:
        return Failure("server", f"HTTP {status}", retry_after=_retry_after(retry_after))
    return Failure("http", f"HTTP {status} {msg}".rstrip(), retryable=False)


def _korean() -> str:
    return ", ".join(name for name, *_ in VOICES)


def _give_up_for(voice: str):
    def give_up(failure: Failure, n: int) -> EngineError:
        tried = attempts(n)
        causes = {
            "key": f"azure: the service rejected the key ({failure.detail}); check {KEY_ENV} and that "
                   f"{REGION_ENV} is the Speech resource's region",
            "quota": f"azure: quota or billing exhausted ({failure.detail}); the free F0 tier's monthly "
                     "characters are used up, or the subscription's spending limit is reached",
            "rate": f"azure: still rate limited after {tried} ({failure.detail}); lower voice.azure.concurrency",
            "server": f"azure: the service failed after {tried} ({failure.detail}); try again later",
            "unreachable": f"azure: the service is unreachable after {tried} ({failure.detail}); "
                           f"check the network, {REGION_ENV} or {ENDPOINT_ENV}",
            "empty": f"azure: the service answered with no audio after {tried} (does voice {voice} "
                     f"exist in this region?); Korean voices: {_korean()}",
            "bad": f"azure: the service refused the request ({failure.detail}), most often a voice it does "
                   f"not know: {voice}; Korean voices: {_korean()}",
        }
        return EngineError(causes.get(failure.kind, f"azure: the request failed ({failure.detail})"))
    return give_up


def _classify_exception(exc: Exception) -> Failure | None:
    import requests

    if isinstance(exc, _HttpFailure):
        return exc.failure
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure("unreachable", "timed out")
    if isinstance(exc, requests.exceptions.RequestException):
        return Failure("unreachable", type(exc).__name__)  # the exception text may carry the URL only
    return None


def _require_credentials() -> str:
    why = missing()
    if why:
        raise EngineError(f"azure: {why} (the Speech resource's Keys and Endpoint page in the Azure portal)")
    return os.environ[KEY_ENV]


def fetch(text: str, s: AzureSettings, *, cancelled: threading.Event | None = None) -> bytes:
    """The WAV bytes (24 kHz, 16-bit, mono) for `text` (its SSML at most MAX_SSML_BYTES)."""
    import requests

    key = _require_credentials()
    body = ssml(text, s).encode("utf-8")
    if len(body) > MAX_SSML_BYTES:  # the caller splits first; this is a guard, not a path
        raise EngineError(f"azure: {len(body)} bytes of SSML in one request (limit {MAX_SSML_BYTES})", text=text)
    headers = {"Ocp-Apim-Subscription-Key": key, "Content-Type": "application/ssml+xml",
               "X-Microsoft-OutputFormat": OUTPUT_FORMAT, "User-Agent": USER_AGENT}
    url = base() + SYNTH_PATH

    def attempt(left: float) -> bytes:
        timeout = max(0.5, min(s.timeout, left))
        r = requests.post(url, data=body, headers=headers, timeout=(min(5.0, timeout), timeout))
        if r.status_code != 200:
            raise _HttpFailure(_classify_status(r.status_code, r.content, r.headers.get("Retry-After")))
        if not r.content:
            raise _HttpFailure(Failure("empty", "empty body"))
        return r.content

    return run(attempt, _classify_exception, _give_up_for(s.voice),
               Retry(retries=s.retries, deadline=s.deadline), cancelled=cancelled, what=" (azure)")


def fetch_voice_list(timeout: float = 3.0) -> list[dict]:
    """The service's voice list (every locale), one quick request without retries."""
    import requests

    key = _require_credentials()
    headers = {"Ocp-Apim-Subscription-Key": key, "User-Agent": USER_AGENT}

    def attempt(left: float) -> list[dict]:
        r = requests.get(base() + VOICES_PATH, headers=headers, timeout=(min(3.0, timeout), timeout))
        if r.status_code != 200:
            raise _HttpFailure(_classify_status(r.status_code, r.content, r.headers.get("Retry-After")))
        try:
            data = r.json()
        except ValueError:
            raise _HttpFailure(Failure("http", "the voice list is not JSON", retryable=False)) from None
        if not isinstance(data, list):
            raise _HttpFailure(Failure("http", "the voice list is not a JSON list", retryable=False))
        return [v for v in data if isinstance(v, dict)]

    return run(attempt, _classify_exception, _give_up_for(""), Retry(retries=0, deadline=timeout + 1))


def probe() -> tuple[bool, str]:
    """Usable? Without credentials no: and nothing is sent (a paid service is never probed
    by spending characters)."""
    why = missing()
    return (False, why) if why else (True, "credentials set")
