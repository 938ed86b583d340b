"""Microsoft Azure AI Speech (online, paid): the licensed neural voices, SunHi, InJoon and more.

One documented SSML POST per text (azure_client), answered as 24 kHz 16-bit mono PCM WAV,
so nothing is lost in decoding. These are the voices edge reaches unofficially: an episode
moved from `edge` to `azure` with the same voice.name keeps its voice, now under licence.

Mapping of the shared voice keys onto SSML <prosody> (the same strings edge sends):
  voice.speed (factor 0.5..2.0) -> rate  = "+N%", N = round((speed - 1) * 100)
                                   (1.0 -> "+0%", 1.25 -> "+25%", 0.5 -> "-50%", 2.0 -> "+100%";
                                   Azure takes -50%..+100%, i.e. 0.5x..2x: the whole range)
  voice.pitch (Hz shift, -50..50) -> pitch = "+NHz" relative to the voice's own (20 -> "+20Hz")
An attribute left at its neutral value is not sent, nor <prosody> when both are: Microsoft
bills the markup inside <voice> as characters.
"""

from __future__ import annotations

import dataclasses
import io
import re
import threading
from typing import TYPE_CHECKING

from audioessay.config.engines import EngineSpec, register
from audioessay.config.options import Number
from audioessay.config.settings import Group, setting
from audioessay.speech.engines.base import Engine

if TYPE_CHECKING:
    from pydub import AudioSegment

AZURE_RATE = 24000  # riff-24khz-16bit-mono-pcm
DEFAULT_VOICE = "ko-KR-SunHiNeural"
# Korean text per request: ~3 UTF-8 bytes a syllable keeps the SSML near 3 KB, below our
# 5,000-byte budget (azure_client.MAX_SSML_BYTES) and the service's 10 minutes of audio.
MAX_CHARS = 1000
_TRANSPORT = "how requests are sent, not what they say"
_NAME = re.compile(r"^[a-z]{2,3}-[A-Z]{2}-[\w:]+Neural$")
VERSION = "cognitiveservices/v1"


@dataclasses.dataclass(frozen=True)
class AzureVoice(Group):
    """azure's own keys (voice.azure.KEY). The voice itself is voice.name."""

    key = "voice.azure"
    doc = "azure engine"
    concurrency: int = setting(Number(2, "azure requests in flight", minimum=1, maximum=16, integer=True),
                               affects=False, why=_TRANSPORT)
    timeout: float = setting(Number(20.0, "azure read timeout per request, seconds", minimum=1, maximum=300,
                                    unit="s"), affects=False, why=_TRANSPORT)
    deadline: float = setting(Number(60.0, "azure: most time one request may take, retries included, seconds",
                                     minimum=2, maximum=600, unit="s"), affects=False, why=_TRANSPORT)
    retries: int = setting(Number(3, "azure retries after a failed request", minimum=0, maximum=10, integer=True),
                           affects=False, why=_TRANSPORT)


def client_settings(group: AzureVoice, name: str, speed: float, pitch: int):
    from audioessay.speech.engines.azure_client import AzureSettings, pitch_for, rate_for

    return AzureSettings(voice=name or DEFAULT_VOICE, rate=rate_for(speed), pitch=pitch_for(pitch),
                         timeout=group.timeout, retries=group.retries, deadline=group.deadline)


def split(text: str, fits) -> list[str]:
    """`text` in pieces of at most MAX_CHARS whose SSML `fits`; a piece still too big (much
    markup to escape) is halved again."""
    from audioessay.text.split import pieces

    out: list[str] = []
    todo = pieces(text, MAX_CHARS)
    while todo:
        piece = todo.pop(0)
        if fits(piece) or len(piece) <= 1:
            out.append(piece)
        else:
            todo[:0] = pieces(piece, max(1, len(piece) // 2))
    return out


class AzureEngine(Engine):
    name = "azure"
    version = VERSION

    def __init__(self, group: AzureVoice, *, voice: str = "", speed: float = 1.0, pitch: int = 0):
        self.client = client_settings(group, voice, speed, pitch)
        self.concurrency = group.concurrency

    def settings(self) -> dict[str, object]:
        c = self.client  # what changes the sound; never the key or the region
        from audioessay.speech.engines.azure_client import OUTPUT_FORMAT

        return {"voice": c.voice, "rate": c.rate, "pitch": c.pitch, "format": OUTPUT_FORMAT}

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        from pydub import AudioSegment

        from audioessay.dsp.convert import from_float, trim_bounds
        from audioessay.errors import EngineError
        from audioessay.speech.engines.azure_client import MAX_SSML_BYTES, fetch, ssml_bytes

        out = AudioSegment.silent(0, frame_rate=AZURE_RATE)
        for piece in split(text, lambda p: ssml_bytes(p, self.client) <= MAX_SSML_BYTES):
            if not any(ch.isalnum() for ch in piece):
                continue
            try:
                data = fetch(piece, self.client, cancelled=cancelled)
            except EngineError as exc:
                raise EngineError(exc.message, text=text) from exc
            try:
                samples = decode_wav(data)
            except (ValueError, EOFError) as exc:
                raise EngineError(f"azure: the service answered with data that is not WAV audio "
                                  f"({len(data)} bytes)", text=text) from exc
            if len(samples) == 0 or float(abs(samples).max()) < 1e-4:
                raise EngineError(f"azure: the service returned silence for {piece[:30]!r}", text=text)
            audio = from_float(samples, AZURE_RATE)
            start, end = trim_bounds(audio)
            out += audio[start:end]
        return out


def decode_wav(data: bytes):
    """16-bit PCM WAV bytes -> float32 samples (n, 1) at AZURE_RATE, losslessly when the
    service sent AZURE_RATE (it was asked to)."""
    import wave

    import numpy as np

    try:
        w = wave.open(io.BytesIO(data))
    except wave.Error as exc:
        raise ValueError(str(exc)) from exc
    with w:
        if w.getsampwidth() != 2:
            raise ValueError("not 16-bit PCM")
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
        rate = w.getframerate()
    mono = frames.mean(axis=1).astype(np.float32) / 32768.0
    if rate != AZURE_RATE:
        idx = np.linspace(0, len(mono) - 1, max(1, round(len(mono) * AZURE_RATE / rate)))
        mono = np.interp(idx, np.arange(len(mono)), mono).astype(np.float32)
    return mono.reshape(-1, 1)


def _builtin():
    from audioessay.speech.engines.azure_client import VOICES
    from audioessay.speech.engines.voices import VoiceInfo

    return [VoiceInfo("azure", name, gender, "ko-KR", desc) for name, gender, desc in VOICES]


def _names() -> list[str]:
    return [v.name for v in _builtin()]


def _catalogue(online: bool):
    """The built-in Korean list offline or without credentials; the service's Korean voices
    when the key is set and it answers."""
    from audioessay.errors import EngineError
    from audioessay.speech.engines.azure_client import fetch_voice_list, missing
    from audioessay.speech.engines.voices import VoiceInfo

    why = missing()
    if why:
        return _builtin(), why
    if not online:
        return _builtin(), "credentials set (paid per character); not checked (--offline)"
    try:
        raw = fetch_voice_list(timeout=3.0)
    except EngineError as exc:
        return _builtin(), f"unreachable now ({exc.message.removeprefix('azure: ')})"
    voices = [VoiceInfo("azure", v["ShortName"], str(v.get("Gender", "")).lower(), str(v.get("Locale", "")),
                        str(v.get("LocalName") or v.get("DisplayName") or ""))
              for v in raw if v.get("ShortName") and str(v.get("Locale", "")).startswith("ko-")]
    if not voices:
        return _builtin(), "reachable (paid per character); the service listed no Korean voices"
    return voices, "reachable (paid per character)"


def _probe(group: AzureVoice) -> tuple[bool, str]:
    from audioessay.speech.engines.azure_client import probe

    return probe()


@dataclasses.dataclass(frozen=True)
class _AzureSpec(EngineSpec):
    def voice_problem(self, name: str, pitch: int) -> tuple[str, str] | None:
        # Any voice the service knows is fine: the built-in list is only the Korean ones.
        if name and not _NAME.match(name):
            return "name", (f"{name!r} is not an azure voice name (like ko-KR-SunHiNeural); "
                            "see: audioessay voices --engine azure")
        return None


SPEC = register(_AzureSpec(
    name="azure", doc="Microsoft Azure AI Speech, licensed neural voices (online, paid)", settings=AzureVoice,
    create=lambda voice, group: AzureEngine(group, voice=voice.name, speed=voice.speed, pitch=voice.pitch),
    max_chars=MAX_CHARS, native_rate=AZURE_RATE, online=True, paid=True, probe=_probe,
    supports=frozenset({"name", "pitch"}), voice_names=_names, default_name=DEFAULT_VOICE,
    catalogue=_catalogue,
))
