"""Google Translate's voice through the gTTS library, with timeouts, retries and parallel requests."""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING

from audioessay.config.engines import EngineSpec, register
from audioessay.speech.engines.base import Engine
from audioessay.config.options import Bool, Number, Text
from audioessay.config.settings import Group, setting
from audioessay.speech.engines import voices as _voices

if TYPE_CHECKING:
    import numpy as np
    from pydub import AudioSegment

GTTS_RATE = 24000  # what Google returns: 24 kHz mono MP3
MAX_CHARS = 100  # gTTS.GOOGLE_TTS_MAX_CHARS: longer text would be several requests
_TRANSPORT = "how requests are sent, not what they say"


@dataclasses.dataclass(frozen=True)
class GttsVoice(Group):
    """gtts's own keys (voice.gtts.KEY; the older voice.KEY spelling still works)."""

    key = "voice.gtts"
    doc = "gtts engine"
    tld: str = setting(Text("com", "Google host for gtts, e.g. com or co.kr"))
    slow: bool = setting(Bool(False, "gtts slow reading"))
    concurrency: int = setting(Number(4, "gtts requests in flight", minimum=1, maximum=16, integer=True),
                               affects=False, why=_TRANSPORT)
    rate_limit: float = setting(Number(0.0, "gtts requests per second, 0 = unlimited", minimum=0, maximum=100),
                                affects=False, why=_TRANSPORT)
    timeout: float = setting(Number(20.0, "gtts read timeout per request, seconds", minimum=1, maximum=300, unit="s"),
                             affects=False, why=_TRANSPORT)
    retries: int = setting(Number(4, "gtts retries after a failed request", minimum=0, maximum=10, integer=True),
                           affects=False, why=_TRANSPORT)
    deadline: float = setting(Number(60.0, "gtts: most time one request (up to 100 characters) may take, "
                                           "retries included, seconds", minimum=5, maximum=600, unit="s"),
                              affects=False, why=_TRANSPORT)


def client_settings(group: GttsVoice):
    from audioessay.speech.engines.gtts_client import GttsSettings

    return GttsSettings(tld=group.tld, slow=group.slow, read_timeout=group.timeout, retries=group.retries,
                        deadline=group.deadline)


class GttsEngine(Engine):
    name = "gtts"

    def __init__(self, group: GttsVoice, *, speed: float = 1.0, client=None):
        """`client` (a GttsSettings) replaces what `group` says about the transport (tests)."""
        from audioessay.speech.engines.gtts_client import RateLimiter

        self.version = _gtts_version()
        self.group = group
        self.client = client or client_settings(group)
        self.speed = speed
        self.concurrency = group.concurrency
        self.limiter = RateLimiter(group.rate_limit or None)

    def settings(self) -> dict[str, object]:
        c = self.client
        return {"lang": c.lang, "tld": c.tld, "slow": c.slow, "speed": self.speed}

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        """One sentence: sent in pieces that end at clause or word boundaries, each trimmed
        to within a few ms of its speech and joined to the next with a short crossfade."""
        from audioessay.dsp.convert import from_float, join_pieces
        from audioessay.speech.engines.gtts_client import fetch_mp3
        from audioessay.errors import EngineError
        from audioessay.text.split import pieces

        parts = []
        for piece in pieces(text, MAX_CHARS):
            if not any(ch.isalnum() for ch in piece):
                continue  # gTTS refuses punctuation alone
            try:
                mp3 = fetch_mp3(piece, self.client, limiter=self.limiter, cancelled=cancelled)
            except EngineError as exc:
                raise EngineError(exc.message, text=text) from exc
            parts.append(self._decode(mp3, text))
        return from_float(join_pieces(parts, GTTS_RATE), GTTS_RATE)

    def _decode(self, mp3: bytes, text: str = "") -> np.ndarray:
        import numpy as np

        from audioessay.dsp.decode import decode_mp3
        from audioessay.errors import EngineError, ToolError

        try:
            samples = decode_mp3(mp3, GTTS_RATE) if self.speed == 1.0 else _decode_tempo(mp3, self.speed)
        except (ToolError, EngineError) as exc:
            raise EngineError(f"Google answered with data that is not MP3 audio ({len(mp3)} bytes: {exc.message}); "
                              "the service may have changed, upgrade gTTS or use --engine espeak", text=text) from exc
        return np.asarray(samples, np.float32)[:, 0]


def _decode_tempo(mp3: bytes, speed: float) -> np.ndarray:
    """gTTS has no speed control beyond `slow`; ffmpeg's atempo changes tempo, not pitch."""
    import numpy as np

    from audioessay.util import ffmpeg

    out = ffmpeg.run(["-i", "pipe:0", "-af", f"atempo={speed}", "-f", "f32le", "-ac", "1",
                      "-ar", str(GTTS_RATE), "pipe:1"], input=mp3)
    return np.frombuffer(out, dtype="<f4").reshape(-1, 1)


def _gtts_version() -> str:
    from importlib.metadata import version

    return version("gTTS")


def _probe(group: GttsVoice) -> tuple[bool, str]:
    from audioessay.speech.engines.gtts_client import probe

    return probe(client_settings(group))


SPEC = register(EngineSpec(
    name="gtts", doc="Google Translate's Korean voice (online)", settings=GttsVoice,
    create=lambda voice, group: GttsEngine(group, speed=voice.speed),
    max_chars=MAX_CHARS, native_rate=GTTS_RATE, online=True, probe=_probe,
    legacy_keys=("tld", "slow", "concurrency", "rate_limit", "timeout", "retries"),
    catalogue=lambda online: _voices.gtts_catalogue(online),
))
