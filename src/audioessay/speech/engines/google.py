"""Google Cloud Text-to-Speech (online, paid): Neural2, WaveNet, Standard and Chirp 3 HD Korean voices.

One documented JSON POST per text (google_client), LINEAR16 at 24 kHz: lossless WAV.

Limits (Google's quotas page): 5,000 bytes of input text per request, and Korean takes
3 bytes a character in UTF-8, so texts are cut by their UTF-8 size (MAX_BYTES, with a margin)
and MAX_CHARS = 1,600 characters; 1,000 requests a minute per project (Chirp 3 HD fewer).

Mapping of the shared voice keys:
  voice.speed (factor 0.5..2.0) -> speakingRate = the same factor (the API's range 0.25..2.0)
  voice.pitch (Hz shift)        -> pitch = 12 * log2((200 + hz) / 200) semitones, to 0.1
                                   (the API's range -20..20; +50 Hz -> +3.9, -50 Hz -> -5.0)
Chirp 3 HD voices take no pitch: a script that asks for one gets a load error (exit 2).
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

GOOGLE_RATE = 24000  # sampleRateHertz asked for (the Korean voices' natural rate)
DEFAULT_VOICE = "ko-KR-Neural2-A"
MAX_BYTES = 4800  # UTF-8 bytes of text per request: the documented 5,000 with a margin
MAX_CHARS = MAX_BYTES // 3  # 1,600 Korean characters (3 bytes each)
_TRANSPORT = "how requests are sent, not what they say"
VERSION = "texttospeech/v1"
_NAME = re.compile(r"^[a-z]{2,3}-[A-Z]{2}-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+$")


@dataclasses.dataclass(frozen=True)
class GoogleVoice(Group):
    """google's own keys (voice.google.KEY). The voice is voice.name."""

    key = "voice.google"
    doc = "google engine"
    volume_gain_db: float = setting(Number(0.0, "google volume gain, dB (-96 .. 16; +6 is about twice the amplitude)",
                                           minimum=-96, maximum=16, unit="dB"))
    concurrency: int = setting(Number(4, "google requests in flight", minimum=1, maximum=16, integer=True),
                               affects=False, why=_TRANSPORT)
    timeout: float = setting(Number(20.0, "google read timeout per request, seconds", minimum=1, maximum=300,
                                    unit="s"), affects=False, why=_TRANSPORT)
    deadline: float = setting(Number(60.0, "google: most time one request may take, retries included, seconds",
                                     minimum=2, maximum=600, unit="s"), affects=False, why=_TRANSPORT)
    retries: int = setting(Number(3, "google retries after a failed request", minimum=0, maximum=10, integer=True),
                           affects=False, why=_TRANSPORT)


def client_settings(group: GoogleVoice, name: str, speed: float, pitch: int):
    from audioessay.speech.engines.google_client import GoogleSettings, rate_for, semitones_for, takes_pitch

    name = name or DEFAULT_VOICE
    return GoogleSettings(name=name, speaking_rate=rate_for(speed),
                          pitch=semitones_for(pitch) if takes_pitch(name) else 0.0,
                          volume_gain_db=float(group.volume_gain_db), sample_rate=GOOGLE_RATE,
                          timeout=group.timeout, retries=group.retries, deadline=group.deadline)


class GoogleEngine(Engine):
    name = "google"
    version = VERSION

    def __init__(self, group: GoogleVoice, *, voice: str = "", speed: float = 1.0, pitch: int = 0):
        self.client = client_settings(group, voice, speed, pitch)
        self.concurrency = group.concurrency

    def settings(self) -> dict[str, object]:
        c = self.client  # what changes the sound; never the credentials
        return {"voice": c.name, "speaking_rate": c.speaking_rate, "pitch": c.pitch,
                "volume_gain_db": c.volume_gain_db, "encoding": "LINEAR16", "rate": c.sample_rate}

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        from pydub import AudioSegment

        from audioessay.dsp.convert import from_float, trim_bounds
        from audioessay.errors import EngineError
        from audioessay.speech.engines.google_client import fetch
        from audioessay.text.split import pieces

        out = AudioSegment.silent(0, frame_rate=GOOGLE_RATE)
        for piece in pieces(text, MAX_BYTES, measure=utf8_len):
            if not any(ch.isalnum() for ch in piece):
                continue
            try:
                data = fetch(piece, self.client, cancelled=cancelled)
            except EngineError as exc:
                raise EngineError(exc.message, text=text) from exc
            try:
                samples = decode_linear16(data, self.client.sample_rate)
            except (ValueError, EOFError) as exc:
                raise EngineError(f"google: the service answered with data that is not LINEAR16 audio "
                                  f"({len(data)} bytes)", text=text) from exc
            if len(samples) == 0 or float(abs(samples).max()) < 1e-4:
                raise EngineError(f"google: the service returned silence for {piece[:30]!r}", text=text)
            audio = from_float(samples, GOOGLE_RATE)
            start, end = trim_bounds(audio)
            out += audio[start:end]
        return out


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def decode_linear16(data: bytes, rate: int = GOOGLE_RATE):
    """LINEAR16 as the service sends it (a WAV file; bare 16-bit PCM at `rate` also read)
    -> float32 mono samples at GOOGLE_RATE, shape (n, 1). Lossless at the asked-for rate."""
    import wave

    import numpy as np

    if data[:4] == b"RIFF":
        with wave.open(io.BytesIO(data)) as w:
            if w.getsampwidth() != 2:
                raise ValueError("not 16-bit PCM")
            frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
            rate = w.getframerate()
    else:
        if len(data) % 2:
            raise ValueError("odd length for 16-bit PCM")
        frames = np.frombuffer(data, dtype="<i2").reshape(-1, 1)
    mono = frames.mean(axis=1).astype(np.float32) / 32768.0
    if rate != GOOGLE_RATE:  # the service was asked for GOOGLE_RATE; resample anything else
        idx = np.linspace(0, len(mono) - 1, max(1, round(len(mono) * GOOGLE_RATE / rate)))
        mono = np.interp(idx, np.arange(len(mono)), mono).astype(np.float32)
    return mono.reshape(-1, 1)


def _names() -> list[str]:
    from audioessay.speech.engines.google_client import VOICES

    return [name for name, *_ in VOICES]


def _catalogue(online: bool):
    """The built-in Korean list offline; the service's own list when a credential is set and
    it answers (asking is free: no characters are billed)."""
    from audioessay.errors import EngineError
    from audioessay.speech.engines.google_client import VOICES, missing, voice_list
    from audioessay.speech.engines.voices import VoiceInfo

    builtin = [VoiceInfo("google", name, gender, "ko-KR", desc) for name, gender, desc in VOICES]
    why = missing()
    if why:
        return builtin, why
    if not online:
        return builtin, "credentials set (paid per character); list not checked (--offline)"
    try:
        live = voice_list(timeout=3.0)
    except EngineError as exc:
        return builtin, f"credentials set, but the voice list did not come ({exc.message})"
    voices = [VoiceInfo("google", name, gender, "ko-KR", desc) for name, gender, desc in live]
    return voices or builtin, "credentials set (paid per character)"


def _probe(group: GoogleVoice) -> tuple[bool, str]:
    from audioessay.speech.engines.google_client import probe

    return probe()


@dataclasses.dataclass(frozen=True)
class _GoogleSpec(EngineSpec):
    def voice_problem(self, name: str, pitch: int) -> tuple[str, str] | None:
        from audioessay.speech.engines.google_client import takes_pitch

        # Any voice the service knows is fine: the built-in list is only what we know offline.
        if name and not _NAME.match(name):
            return "name", (f"{name!r} is not a Google voice name (like ko-KR-Neural2-A); "
                            "see: audioessay voices --engine google")
        if pitch and not takes_pitch(name or DEFAULT_VOICE):
            return "pitch", (f"Google's Chirp 3 HD voices take no pitch; remove voice.pitch or choose "
                             f"a Neural2, WaveNet or Standard voice (such as {DEFAULT_VOICE})")
        return None


SPEC = register(_GoogleSpec(
    name="google", doc="Google Cloud Text-to-Speech, Korean Neural2/WaveNet/Chirp 3 HD voices (online, paid)",
    settings=GoogleVoice,
    create=lambda voice, group: GoogleEngine(group, voice=voice.name, speed=voice.speed, pitch=voice.pitch),
    max_chars=MAX_CHARS, native_rate=GOOGLE_RATE, online=True, paid=True, probe=_probe,
    supports=frozenset({"name", "pitch"}), voice_names=_names, default_name=DEFAULT_VOICE,
    catalogue=_catalogue,
))
