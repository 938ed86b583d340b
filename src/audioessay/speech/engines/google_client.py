"""Google Cloud Text-to-Speech over plain HTTPS (REST v1), through the shared retry loop (retry.run).

One documented JSON POST per text. The credential travels as a header only, never in the
URL (where it would land in proxy and server logs), a message, a log line or a cache key.

    POST {base}/v1/text:synthesize     {"input": {"text"}, "voice": {"languageCode", "name"},
                                        "audioConfig": {"audioEncoding": "LINEAR16", ...}}
         -> {"audioContent": base64}   (LINEAR16 comes with a WAV header)
    GET  {base}/v1/voices?languageCode=ko-KR -> {"voices": [{"name", "ssmlGender", ...}]}

Credentials: GOOGLE_API_KEY (header X-Goog-Api-Key), else Application Default Credentials
through google-auth when it is installed (`pip install audioessay[google]`) and a credentials
file is there (GOOGLE_APPLICATION_CREDENTIALS, or the one `gcloud auth application-default
login` writes): an OAuth bearer token. The metadata server of a Google VM is not probed (it
costs seconds where there is none); on a VM point GOOGLE_APPLICATION_CREDENTIALS at a key file.
Errors come as JSON {"error": {"code", "message", "status"}}.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from audioessay.errors import EngineError
from audioessay.speech.engines.retry import Failure, Retry, attempts, run

ENDPOINT_ENV = "AUDIOESSAY_GOOGLE_URL"  # scheme://host:port, for tests and private endpoints
DEFAULT_BASE = "https://texttospeech.googleapis.com"
SYNTH_PATH, VOICES_PATH = "/v1/text:synthesize", "/v1/voices"
KEY_ENV, ADC_ENV = "GOOGLE_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
MAX_BYTES = 5000  # the documented content limit: total bytes of input.text per request (UTF-8)
RATE_RANGE = (0.25, 2.0)  # speakingRate: the v1 reference says [0.25, 2.0] (older pages said 4.0)
PITCH_RANGE = (-20.0, 20.0)  # semitones
REFERENCE_HZ = 200.0  # the voice's own pitch that voice.pitch (a shift in Hz) is measured against

# Korean voices (the docs' voice list, ko-KR): name, gender, description.
VOICES = (
    ("ko-KR-Neural2-A", "female", "Neural2 A: Korean (default)"),
    ("ko-KR-Neural2-B", "female", "Neural2 B: Korean"),
    ("ko-KR-Neural2-C", "male", "Neural2 C: Korean"),
    ("ko-KR-Wavenet-A", "female", "WaveNet A: Korean"),
    ("ko-KR-Wavenet-B", "female", "WaveNet B: Korean"),
    ("ko-KR-Wavenet-C", "male", "WaveNet C: Korean"),
    ("ko-KR-Wavenet-D", "male", "WaveNet D: Korean"),
    ("ko-KR-Standard-A", "female", "Standard A: Korean"),
    ("ko-KR-Standard-B", "female", "Standard B: Korean"),
    ("ko-KR-Standard-C", "male", "Standard C: Korean"),
    ("ko-KR-Standard-D", "male", "Standard D: Korean"),
    ("ko-KR-Chirp3-HD-Aoede", "female", "Chirp 3 HD Aoede: Korean (no pitch control)"),
    ("ko-KR-Chirp3-HD-Kore", "female", "Chirp 3 HD Kore: Korean (no pitch control)"),
    ("ko-KR-Chirp3-HD-Leda", "female", "Chirp 3 HD Leda: Korean (no pitch control)"),
    ("ko-KR-Chirp3-HD-Zephyr", "female", "Chirp 3 HD Zephyr: Korean (no pitch control)"),
    ("ko-KR-Chirp3-HD-Charon", "male", "Chirp 3 HD Charon: Korean (no pitch control)"),
    ("ko-KR-Chirp3-HD-Puck", "male", "Chirp 3 HD Puck: Korean (no pitch control)"),
    ("ko-KR-Chirp3-HD-Fenrir", "male", "Chirp 3 HD Fenrir: Korean (no pitch control)"),
    ("ko-KR-Chirp3-HD-Orus", "male", "Chirp 3 HD Orus: Korean (no pitch control)"),
)


@dataclass(frozen=True)
class GoogleSettings:
    name: str = "ko-KR-Neural2-A"
    speaking_rate: float = 1.0  # 0.25 .. 2.0, a factor
    pitch: float = 0.0  # semitones, -20 .. 20 (never sent for Chirp 3 HD voices)
    volume_gain_db: float = 0.0
    sample_rate: int = 24000
    timeout: float = 20.0
    retries: int = 3
    deadline: float = 60.0

    @property
    def language(self) -> str:
        """The languageCode a voice name starts with (ko-KR-Neural2-A -> ko-KR)."""
        return "-".join(self.name.split("-")[:2])


def takes_pitch(name: str) -> bool:
    """Chirp 3 HD voices accept no pitch parameter."""
    return "-Chirp3-HD-" not in name and "-Chirp-HD-" not in name


def rate_for(speed: float) -> float:
    """voice.speed (a factor, 2 = twice as fast) -> speakingRate: the same factor, clamped."""
    return round(max(RATE_RANGE[0], min(RATE_RANGE[1], speed)), 3)


def semitones_for(hz: int) -> float:
    """voice.pitch (a shift in Hz, as edge reads it) -> pitch in semitones, against a voice
    whose own pitch is REFERENCE_HZ: 12 * log2((200 + hz) / 200), to 0.1, clamped to +-20."""
    st = 12 * math.log2(max(1.0, REFERENCE_HZ + hz) / REFERENCE_HZ)
    return round(max(PITCH_RANGE[0], min(PITCH_RANGE[1], st)), 1) + 0.0  # + 0.0: no -0.0


def base() -> str:
    return (os.environ.get(ENDPOINT_ENV) or DEFAULT_BASE).rstrip("/")


def _adc_file() -> Path | None:
    """The Application Default Credentials file google-auth would read, if there is one."""
    explicit = os.environ.get(ADC_ENV)
    if explicit:
        return Path(explicit)
    config = os.environ.get("CLOUDSDK_CONFIG")
    if config:
        folder = Path(config)
    elif os.name == "nt":
        folder = Path(os.environ.get("APPDATA", "")) / "gcloud"
    else:
        folder = Path.home() / ".config" / "gcloud"
    path = folder / "application_default_credentials.json"
    return path if path.is_file() else None


def _google_auth() -> bool:
    try:
        import google.auth  # noqa: F401
    except ImportError:
        return False
    return True


def missing() -> str:
    """'' when a credential is there, else what to set."""
    if os.environ.get(KEY_ENV):
        return ""
    if _adc_file() is not None and _google_auth():
        return ""
    return f"set {KEY_ENV}"


_adc_lock = threading.Lock()
_adc_cache: dict[str, object] = {}


def _adc_headers(timeout: float) -> dict[str, str]:
    """A bearer token from Application Default Credentials (refreshed when it expires)."""
    import google.auth
    import google.auth.exceptions
    import google.auth.transport.requests

    with _adc_lock:
        where = str(_adc_file())
        creds = _adc_cache.get(where)
        try:
            if creds is None:
                creds, _project = google.auth.default(scopes=[SCOPE])
                _adc_cache[where] = creds
            if not creds.valid:  # type: ignore[attr-defined]
                transport = google.auth.transport.requests.Request()

                def bounded(*args, **kwargs):  # google-auth would wait 120 s for the token endpoint
                    kwargs.setdefault("timeout", timeout)
                    return transport(*args, **kwargs)

                creds.refresh(bounded)  # type: ignore[attr-defined]
        except google.auth.exceptions.DefaultCredentialsError as exc:
            raise _HttpFailure(Failure("adc", type(exc).__name__, retryable=False)) from exc
        except google.auth.exceptions.TransportError as exc:
            raise _HttpFailure(Failure("unreachable", "token endpoint: " + type(exc).__name__)) from exc
        except google.auth.exceptions.RefreshError as exc:  # its text may quote the token endpoint's answer
            raise _HttpFailure(Failure("key", "the credentials could not be refreshed", retryable=False)) from exc
        headers = {"Authorization": f"Bearer {creds.token}"}  # type: ignore[attr-defined]
        project = getattr(creds, "quota_project_id", None)
        if project:
            headers["x-goog-user-project"] = project
        return headers


def _auth_headers(timeout: float) -> dict[str, str]:
    key = os.environ.get(KEY_ENV)
    if key:
        return {"X-Goog-Api-Key": key}
    return _adc_headers(timeout)


class _HttpFailure(Exception):
    def __init__(self, failure: Failure):
        super().__init__(failure.detail)
        self.failure = failure


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _error(body: bytes) -> tuple[str, str]:
    """(status, message) of a Google error body; ('', '') when it is not one."""
    try:
        err = json.loads(body.decode("utf-8")).get("error", {})
        return str(err.get("status", "")), " ".join(str(err.get("message", "")).split())[:160]
    except (ValueError, AttributeError, UnicodeDecodeError):
        return "", ""


def _classify_status(code: int, body: bytes, retry_after: str | None) -> Failure:
    status, msg = _error(body)
    low = msg.lower()
    detail = f"HTTP {code}" + (f" {status}" if status else "")
    if "api key" in low or code == 401 or status == "UNAUTHENTICATED":
        return Failure("key", detail, retryable=False)
    if "billing" in low:
        return Failure("quota", f"{detail}: billing is not enabled for the project", retryable=False)
    if code == 403 and ("disabled" in low or "has not been used" in low):
        return Failure("disabled", detail, retryable=False)
    if code == 403 or status == "PERMISSION_DENIED":
        return Failure("key", detail, retryable=False)
    if code == 429 or status == "RESOURCE_EXHAUSTED":
        if "per day" in low or "quota exceeded" in low:
            return Failure("quota", f"{detail}: {msg}" if msg else detail, retryable=False)
        return Failure("rate", f"{detail} (rate limited)", retry_after=_retry_after(retry_after))
    if code >= 500:
        return Failure("server", detail, retry_after=_retry_after(retry_after))
    if "voice" in low and ("exist" in low or "not found" in low or "unknown" in low or "unsupported" in low):
        return Failure("voice", msg, retryable=False)
    if "longer than the limit" in low:
        return Failure("long", msg, retryable=False)
    return Failure("http", f"{detail}: {msg}" if msg else detail, retryable=False)


def korean_names() -> str:
    return ", ".join(name for name, *_ in VOICES)


def _give_up(failure: Failure, n: int) -> EngineError:
    tried = attempts(n)
    causes = {
        "key": f"google: the service rejected the credentials ({failure.detail}); check {KEY_ENV} "
               "(an API key of a project with the Cloud Text-to-Speech API enabled) or your "
               "Application Default Credentials",
        "adc": f"google: no usable Application Default Credentials ({failure.detail}); set {KEY_ENV} "
               f"or run: gcloud auth application-default login",
        "disabled": f"google: the Cloud Text-to-Speech API is not enabled for the project ({failure.detail}); "
                    "enable texttospeech.googleapis.com in the Google Cloud console",
        "quota": f"google: quota or billing exhausted ({failure.detail}); check the project's quotas and "
                 "billing in the Google Cloud console",
        "rate": f"google: still rate limited after {tried} ({failure.detail}); lower voice.google.concurrency",
        "server": f"google: the service failed after {tried} ({failure.detail}); try again later",
        "unreachable": f"google: the service is unreachable after {tried} ({failure.detail}); "
                       f"check the network or {ENDPOINT_ENV}",
        "empty": f"google: the service answered with no audio after {tried} ({failure.detail})",
        "voice": f"google: the service does not know this voice ({failure.detail}); "
                 f"Korean voices: {korean_names()}",
        "long": f"google: the text is longer than the service accepts ({MAX_BYTES} bytes): {failure.detail}",
    }
    return EngineError(causes.get(failure.kind, f"google: the request failed ({failure.detail})"))


def body_for(text: str, s: GoogleSettings) -> dict:
    """The documented synthesize request for `text`."""
    audio: dict[str, object] = {"audioEncoding": "LINEAR16", "speakingRate": s.speaking_rate,
                                "sampleRateHertz": s.sample_rate}
    if s.pitch and takes_pitch(s.name):
        audio["pitch"] = s.pitch
    if s.volume_gain_db:
        audio["volumeGainDb"] = s.volume_gain_db
    return {"input": {"text": text}, "voice": {"languageCode": s.language, "name": s.name},
            "audioConfig": audio}


def _requests_failure(exc: Exception) -> Failure | None:
    import requests

    if isinstance(exc, _HttpFailure):
        return exc.failure
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure("unreachable", "timed out")
    if isinstance(exc, requests.exceptions.RequestException):
        return Failure("unreachable", type(exc).__name__)  # its text names the URL only, never a header
    return None


def fetch(text: str, s: GoogleSettings, *, cancelled: threading.Event | None = None) -> bytes:
    """The LINEAR16 audio (a WAV file, as the service sends it) for `text` (at most MAX_BYTES)."""
    import requests

    why = missing()
    if why:
        raise EngineError(f"google: {why} (an API key from the Google Cloud console, APIs & Services > "
                          "Credentials), or install audioessay[google] for Application Default Credentials")
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:  # the caller splits first; this is a guard, not a path
        raise EngineError(f"google: {size} bytes of text in one request (limit {MAX_BYTES})", text=text)
    payload = json.dumps(body_for(text, s), ensure_ascii=False).encode("utf-8")

    def attempt(left: float) -> bytes:
        timeout = max(0.5, min(s.timeout, left))
        headers = {"Content-Type": "application/json; charset=utf-8", **_auth_headers(timeout)}
        r = requests.post(base() + SYNTH_PATH, data=payload, headers=headers,
                          timeout=(min(5.0, timeout), timeout))
        if r.status_code != 200:
            raise _HttpFailure(_classify_status(r.status_code, r.content, r.headers.get("Retry-After")))
        if not r.content:
            raise _HttpFailure(Failure("empty", "empty body"))
        try:
            content = json.loads(r.content.decode("utf-8")).get("audioContent") or ""
            audio = base64.b64decode(content, validate=True)
        except (ValueError, AttributeError, UnicodeDecodeError, binascii.Error):
            raise _HttpFailure(Failure("empty", "the answer is not JSON with base64 audioContent")) from None
        if not audio:
            raise _HttpFailure(Failure("empty", "no audioContent"))
        return audio

    return run(attempt, _requests_failure, _give_up, Retry(retries=s.retries, deadline=s.deadline),
               cancelled=cancelled, what=" (google)")


def voice_list(timeout: float = 3.0) -> list[tuple[str, str, str]]:
    """The service's Korean voices (name, gender, description); free to ask (no characters
    are billed). Raises EngineError when there is no credential or no answer."""
    import requests

    why = missing()
    if why:
        raise EngineError(f"google: {why}")

    def attempt(left: float) -> list[tuple[str, str, str]]:
        r = requests.get(base() + VOICES_PATH, params={"languageCode": "ko-KR"},
                         headers=_auth_headers(timeout), timeout=(min(3.0, timeout), timeout))
        if r.status_code != 200:
            raise _HttpFailure(_classify_status(r.status_code, r.content, r.headers.get("Retry-After")))
        try:
            voices = json.loads(r.content.decode("utf-8")).get("voices") or []
        except (ValueError, AttributeError, UnicodeDecodeError):
            raise _HttpFailure(Failure("empty", "the voice list is not JSON")) from None
        out = []
        for v in voices:
            name = str(v.get("name", ""))
            if not name or not any(str(c).startswith("ko") for c in v.get("languageCodes") or []):
                continue
            gender = {"MALE": "male", "FEMALE": "female"}.get(str(v.get("ssmlGender", "")), "")
            kind = name.split("-")[2] if name.count("-") >= 3 else ""
            out.append((name, gender, f"{kind}: Korean" + ("" if takes_pitch(name) else " (no pitch control)")))
        return out

    return run(attempt, _requests_failure, _give_up, Retry(retries=0, deadline=timeout + 1), what=" (google voices)")


def probe() -> tuple[bool, str]:
    """Usable? Without a credential no, and nothing is sent (a paid service is never probed
    by spending characters)."""
    why = missing()
    if why:
        return False, why
    return True, f"{KEY_ENV} set" if os.environ.get(KEY_ENV) else "Application Default Credentials found"
