"""NAVER CLOVA Voice Premium (online, paid): Korean-native speakers with emotion control.

One documented form POST per text (clova_client).

Mapping of the shared voice keys (CLOVA's scales run the other way round):
  voice.speed (factor 0.5..2.0) -> speed = round(-5 * log2(factor)), clamped to -5..5
                                   (CLOVA: -5 is 2x faster, 5 is 0.5x; 1.0 -> 0, 2.0 -> -5)
  voice.pitch (Hz shift)        -> pitch = round(-hz / 8), clamped to -5..5
                                   (CLOVA: -5 is 1.2x higher, 5 is 0.8x lower)
"""

from __future__ import annotations

import dataclasses
import io
import threading
from typing import TYPE_CHECKING

from audioessay.config.engines import EngineSpec, register
from audioessay.config.options import Number, Text
from audioessay.config.settings import Group, setting
from audioessay.speech.engines.base import Engine

if TYPE_CHECKING:
    from pydub import AudioSegment

CLOVA_RATE = 24000  # format=wav at sampling-rate 24000 (the service's default)
DEFAULT_VOICE = "nara"
MAX_CHARS = 2000
_TRANSPORT = "how requests are sent, not what they say"
VERSION = "tts-premium/v1"


@dataclasses.dataclass(frozen=True)
class ClovaVoice(Group):
    """clova's own keys (voice.clova.KEY). The speaker is voice.name."""

    key = "voice.clova"
    doc = "clova engine"
    emotion: int = setting(Number(0, "clova emotion: 0 neutral, 1 sad, 2 happy (nara; the v* speakers also 3 angry)",
                                  minimum=0, maximum=3, integer=True))
    emotion_strength: int = setting(Number(1, "clova emotion strength: 0 weak, 1 normal, 2 strong (v* speakers)",
                                           minimum=0, maximum=2, integer=True))
    volume: int = setting(Number(0, "clova volume: -5 (0.5x) .. 5 (1.5x)", minimum=-5, maximum=5, integer=True))
    format: str = setting(Text("wav", "clova audio format asked for: wav (lossless) or mp3"))
    concurrency: int = setting(Number(2, "clova requests in flight", minimum=1, maximum=16, integer=True),
                               affects=False, why=_TRANSPORT)
    timeout: float = setting(Number(20.0, "clova read timeout per request, seconds", minimum=1, maximum=300,
                                    unit="s"), affects=False, why=_TRANSPORT)
    deadline: float = setting(Number(60.0, "clova: most time one request may take, retries included, seconds",
                                     minimum=2, maximum=600, unit="s"), affects=False, why=_TRANSPORT)
    retries: int = setting(Number(3, "clova retries after a failed request", minimum=0, maximum=10, integer=True),
                           affects=False, why=_TRANSPORT)


def client_settings(group: ClovaVoice, name: str, speed: float, pitch: int):
    from audioessay.speech.engines.clova_client import ClovaSettings, pitch_for, speed_for

    fmt = group.format if group.format in ("wav", "mp3") else "wav"
    return ClovaSettings(speaker=name or DEFAULT_VOICE, speed=speed_for(speed), pitch=pitch_for(pitch),
                         volume=group.volume, emotion=group.emotion, emotion_strength=group.emotion_strength,
                         format=fmt, sampling_rate=CLOVA_RATE, timeout=group.timeout, retries=group.retries,
                         deadline=group.deadline)


class ClovaEngine(Engine):
    name = "clova"
    version = VERSION

    def __init__(self, group: ClovaVoice, *, voice: str = "", speed: float = 1.0, pitch: int = 0):
        self.client = client_settings(group, voice, speed, pitch)
        self.concurrency = group.concurrency

    def settings(self) -> dict[str, object]:
        c = self.client  # what changes the sound; never the credentials
        return {"speaker": c.speaker, "speed": c.speed, "pitch": c.pitch, "volume": c.volume,
                "emotion": c.emotion, "emotion_strength": c.emotion_strength if c.emotion else 1,
                "format": c.format}

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        from pydub import AudioSegment

        from audioessay.dsp.convert import from_float, trim_bounds
        from audioessay.errors import EngineError, ToolError
        from audioessay.speech.engines.clova_client import fetch
        from audioessay.text.split import pieces

        out = AudioSegment.silent(0, frame_rate=CLOVA_RATE)
        for piece in pieces(text, MAX_CHARS):
            if not any(ch.isalnum() for ch in piece):
                continue
            try:
                data = fetch(piece, self.client, cancelled=cancelled)
            except EngineError as exc:
                raise EngineError(exc.message, text=text) from exc
            try:
                samples = _decode(data, self.client.format)
            except (ToolError, EngineError, ValueError) as exc:
                raise EngineError(f"clova: the service answered with data that is not "
                                  f"{self.client.format.upper()} audio ({len(data)} bytes)", text=text) from exc
            if len(samples) == 0 or float(abs(samples).max()) < 1e-4:
                raise EngineError(f"clova: the service returned silence for {piece[:30]!r}", text=text)
            audio = from_float(samples, CLOVA_RATE)
            start, end = trim_bounds(audio)
            out += audio[start:end]
        return out


def _decode(data: bytes, fmt: str):
    import numpy as np

    if fmt == "mp3":
        from audioessay.dsp.decode import decode_mp3

        return np.asarray(decode_mp3(data, CLOVA_RATE), np.float32)
    import wave

    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError("not 16-bit PCM")
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
        rate = w.getframerate()
    mono = frames.mean(axis=1).astype(np.float32) / 32768.0
    if rate != CLOVA_RATE:  # the service was asked for CLOVA_RATE; resample anything else
        idx = np.linspace(0, len(mono) - 1, max(1, round(len(mono) * CLOVA_RATE / rate)))
        mono = np.interp(idx, np.arange(len(mono)), mono).astype(np.float32)
    return mono.reshape(-1, 1)


def _names() -> list[str]:
    from audioessay.speech.engines.clova_client import SPEAKERS

    return [name for name, *_ in SPEAKERS]


def _catalogue(online: bool):
    from audioessay.speech.engines.clova_client import SPEAKERS, missing
    from audioessay.speech.engines.voices import VoiceInfo

    voices = [VoiceInfo("clova", name, gender, "ko-KR", desc) for name, gender, desc in SPEAKERS]
    why = missing()
    return voices, why or "credentials set (paid per character)"


def _probe(group: ClovaVoice) -> tuple[bool, str]:
    from audioessay.speech.engines.clova_client import probe

    return probe()


SPEC = register(EngineSpec(
    name="clova", doc="NAVER CLOVA Voice Premium, Korean speakers (online, paid)", settings=ClovaVoice,
    create=lambda voice, group: ClovaEngine(group, voice=voice.name, speed=voice.speed, pitch=voice.pitch),
    max_chars=MAX_CHARS, native_rate=CLOVA_RATE, online=True, paid=True, probe=_probe,
    supports=frozenset({"name", "pitch"}), voice_names=_names, default_name=DEFAULT_VOICE,
    catalogue=_catalogue,
))
