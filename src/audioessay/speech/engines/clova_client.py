"""NAVER CLOVA Voice Premium over plain HTTPS, through the shared retry loop (retry.run).

One documented form POST per text. Secrets are sent as headers only: never in a message,
a log line or a cache key.

    POST {base}/tts-premium/v1/tts   (form: speaker, text, volume, speed, pitch, emotion,
                                      emotion-strength, format, sampling-rate)
    X-NCP-APIGW-API-KEY-ID: CLOVA_CLIENT_ID     X-NCP-APIGW-API-KEY: CLOVA_CLIENT_SECRET
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass

from audioessay.errors import EngineError
from audioessay.speech.engines.retry import Failure, Retry, attempts, run

ENDPOINT_ENV = "AUDIOESSAY_CLOVA_URL"  # scheme://host:port, for tests and private endpoints
DEFAULT_BASE = "https://naveropenapi.apigw.ntruss.com"
PATH = "/tts-premium/v1/tts"
ID_ENV, SECRET_ENV = "CLOVA_CLIENT_ID", "CLOVA_CLIENT_SECRET"
MAX_CHARS = 2000  # the documented limit for Korean text, in characters

# The documented VS codes (HTTP 400), each as the cause a user reads.
VS_CAUSES = {
    "VS01": "no speaker was sent",
    "VS02": "the service does not know this speaker",
    "VS03": "no speed was sent",
    "VS04": "the speed is out of the service's range",
    "VS05": "no text was sent",
    "VS06": "the text is longer than the service accepts (2,000 characters)",
    "VS07": "the volume is out of the service's range",
    "VS08": "the pitch is out of the service's range",
    "VS09": "a voice parameter (alpha, emotion or end-pitch) is not supported for this speaker",
}

# Korean speakers of CLOVA Voice Premium (the docs' speaker list): name, gender, description.
SPEAKERS = (
    ("nara", "female", "Nara: Korean, emotion 0-2 (default)"),
    ("njinho", "male", "Jinho: Korean"),
    ("nminseo", "female", "Minseo: Korean"),
    ("nyejin", "female", "Yejin: Korean"),
    ("njiyun", "female", "Jiyun: Korean"),
    ("nsinu", "male", "Sinu: Korean"),
    ("nminsang", "male", "Minsang: Korean"),
    ("njihun", "male", "Jihun: Korean"),
    ("nsujin", "female", "Sujin: Korean"),
    ("nkyuwon", "male", "Kyuwon: Korean"),
    ("vara", "female", "Ara (pro): Korean, emotion and strength"),
    ("vmikyung", "female", "Mikyung (pro): Korean, emotion and strength"),
    ("vdain", "female", "Dain (pro): Korean, emotion and strength"),
    ("vyuna", "female", "Yuna (pro): Korean, emotion and strength"),
    ("vgoeun", "female", "Goeun (pro): Korean, emotion and strength"),
    ("vdaeseong", "male", "Daeseong (pro): Korean, emotion and strength"),
    ("mijin", "female", "Mijin: Korean"),
    ("jinho", "male", "Jinho (classic): Korean"),
)


@dataclass(frozen=True)
class ClovaSettings:
    speaker: str = "nara"
    speed: int = 0  # -5 (2x faster) .. 5 (0.5x, slower)
    pitch: int = 0  # -5 (1.2x higher) .. 5 (0.8x lower)
    volume: int = 0
    emotion: int = 0
    emotion_strength: int = 1
    format: str = "wav"
    sampling_rate: int = 24000
    timeout: float = 20.0
    retries: int = 3
    deadline: float = 60.0


def credentials() -> tuple[str, str] | None:
    cid, secret = os.environ.get(ID_ENV, ""), os.environ.get(SECRET_ENV, "")
    return (cid, secret) if cid and secret else None


def missing() -> str:
    """'' when both are set, else what to set."""
    names = [n for n in (ID_ENV, SECRET_ENV) if not os.environ.get(n)]
    return "set " + " and ".join(names) if names else ""


def url() -> str:
    return (os.environ.get(ENDPOINT_ENV) or DEFAULT_BASE).rstrip("/") + PATH


def speed_for(speed: float) -> int:
    """voice.speed (0.5..2.0, a factor: 2 = twice as fast) -> CLOVA speed (-5..5, where -5 is
    2x faster and 5 is 0.5x): each step of 5 is a factor 2, so s = -5 * log2(speed)."""
    return max(-5, min(5, round(-5 * math.log2(speed))))


def pitch_for(hz: int) -> int:
    """voice.pitch (a shift in Hz, as edge reads it) -> CLOVA pitch (-5 = 1.2x higher .. 5 =
    0.8x lower). Against a ~200 Hz voice 1.2x is +40 Hz: one step per 8 Hz, sign reversed."""
    return max(-5, min(5, round(-hz / 8)))


class _HttpFailure(Exception):
    def __init__(self, failure: Failure):
        super().__init__(failure.detail)
        self.failure = failure


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _classify_status(status: int, body: bytes, retry_after: str | None) -> Failure:
    code, msg = "", ""
    try:
        err = json.loads(body.decode("utf-8")).get("error", {})
        code, msg = str(err.get("errorCode", "")), str(err.get("message", ""))
    except (ValueError, AttributeError, UnicodeDecodeError):
        pass
    if code in VS_CAUSES:
        return Failure("vs", f"{code}: {VS_CAUSES[code]}" + (f" ({msg})" if msg else ""), retryable=False)
    if status in (401, 403) or code in ("200", "210"):
        return Failure("key", f"HTTP {status}", retryable=False)
    if status == 429:
        if code == "400" or "quota" in msg.lower():
            return Failure("quota", f"HTTP 429 {msg or 'Quota Exceeded'}", retryable=False)
        return Failure("rate", "HTTP 429 (rate limited)", retry_after=_retry_after(retry_after))
    if status >= 500:
        return Failure("server", f"HTTP {status}", retry_after=_retry_after(retry_after))
    return Failure("http", f"HTTP {status}" + (f" {code} {msg}".rstrip() if code or msg else ""), retryable=False)


def _give_up(failure: Failure, n: int) -> EngineError:
    tried = attempts(n)
    causes = {
        "key": f"clova: the service rejected the key ({failure.detail}); check {ID_ENV} and {SECRET_ENV}, "
               "and that CLOVA Voice is selected for the application in the NCP console",
        "quota": f"clova: quota or billing exhausted ({failure.detail}); check the application's limits "
                 "and CLOVA Voice selection in the NCP console",
        "rate": f"clova: still rate limited after {tried} ({failure.detail}); lower voice.clova.concurrency",
        "server": f"clova: the service failed after {tried} ({failure.detail}); try again later",
        "unreachable": f"clova: the service is unreachable after {tried} ({failure.detail}); "
                       f"check the network or {ENDPOINT_ENV}",
        "empty": f"clova: the service answered with no audio after {tried}",
    }
    if failure.kind == "vs" and failure.detail.startswith("VS02"):
        names = ", ".join(name for name, *_ in SPEAKERS)
        return EngineError(f"clova: {failure.detail}; Korean speakers: {names}")
    return EngineError(causes.get(failure.kind, f"clova: the request failed ({failure.detail})"))


def fetch(text: str, s: ClovaSettings, *, cancelled: threading.Event | None = None) -> bytes:
    """The audio bytes (WAV or MP3, as s.format says) for `text` (at most MAX_CHARS)."""
    import requests

    creds = credentials()
    if creds is None:
        raise EngineError(f"clova: {missing()} (the NCP console's Application key)")
    if len(text) > MAX_CHARS:  # the caller splits first; this is a guard, not a path
        raise EngineError(f"clova: {len(text)} characters in one request (limit {MAX_CHARS})", text=text)
    form = {"speaker": s.speaker, "text": text, "volume": s.volume, "speed": s.speed, "pitch": s.pitch,
            "format": s.format}
    if s.emotion:
        form["emotion"] = s.emotion
        form["emotion-strength"] = s.emotion_strength
    if s.format == "wav":
        form["sampling-rate"] = s.sampling_rate
    headers = {"X-NCP-APIGW-API-KEY-ID": creds[0], "X-NCP-APIGW-API-KEY": creds[1]}

    def attempt(left: float) -> bytes:
        timeout = max(0.5, min(s.timeout, left))
        r = requests.post(url(), data=form, headers=headers, timeout=(min(5.0, timeout), timeout))
        if r.status_code != 200:
            raise _HttpFailure(_classify_status(r.status_code, r.content, r.headers.get("Retry-After")))
        if not r.content:
            raise _HttpFailure(Failure("empty", "empty body"))
        return r.content

    def classify(exc: Exception) -> Failure | None:
        if isinstance(exc, _HttpFailure):
            return exc.failure
        if isinstance(exc, requests.exceptions.Timeout):
            return Failure("unreachable", "timed out")
        if isinstance(exc, requests.exceptions.RequestException):
            return Failure("unreachable", type(exc).__name__)  # the exception text may carry the URL only
        return None

    return run(attempt, classify, _give_up, Retry(retries=s.retries, deadline=s.deadline),
               cancelled=cancelled, what=" (clova)")


def probe() -> tuple[bool, str]:
    """Usable? Without credentials no: and nothing is sent (a paid service is never probed
    by spending characters)."""
    if credentials() is None:
        return False, missing()
    return True, "credentials set"
