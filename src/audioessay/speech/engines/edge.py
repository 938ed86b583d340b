"""Microsoft's neural voices through the edge-tts library (online), on top of edge_client."""

from __future__ import annotations

import dataclasses
import re
import threading
from typing import TYPE_CHECKING

from audioessay.config.engines import EngineSpec, register
from audioessay.speech.engines.base import Engine
from audioessay.config.options import Number
from audioessay.config.settings import Group, setting
from audioessay.speech.engines import voices as _voices

if TYPE_CHECKING:
    from pydub import AudioSegment

EDGE_RATE = 24000  # what the service returns: 24 kHz mono MP3
DEFAULT_VOICE = "ko-KR-SunHiNeural"
MAX_CHARS = 800  # edge_client.MAX_CHARS: one request, one stream
_TRANSPORT = "how requests are sent, not what they say"
_NAME = re.compile(r"^[a-z]{2,3}-[A-Z]{2}-\w+Neural$")


@dataclasses.dataclass(frozen=True)
class EdgeVoice(Group):
    """edge's own keys (voice.edge.KEY). The voice itself is voice.name."""

    key = "voice.edge"
    doc = "edge engine"
    concurrency: int = setting(Number(4, "edge requests in flight", minimum=1, maximum=16, integer=True),
                               affects=False, why=_TRANSPORT)
    timeout: float = setting(Number(15.0, "edge: longest wait for the next part of an answer, seconds",
                                    minimum=1, maximum=300, unit="s"), affects=False, why=_TRANSPORT)
    deadline: float = setting(Number(60.0, "edge: most time one sentence may take, retries included, seconds",
                                     minimum=5, maximum=600, unit="s"), affects=False, why=_TRANSPORT)
    retries: int = setting(Number(3, "edge retries after a failed request", minimum=0, maximum=10, integer=True),
                           affects=False, why=_TRANSPORT)


def client_settings(group: EdgeVoice, name: str, speed: float, pitch: int):
    from audioessay.speech.engines.edge_client import EdgeSettings, pitch_hz, rate_for

    return EdgeSettings(voice=name or DEFAULT_VOICE, rate=rate_for(speed), pitch=pitch_hz(pitch),
                        read_timeout=group.timeout, total_deadline=group.deadline, retries=group.retries)


class EdgeEngine(Engine):
    name = "edge"

    def __init__(self, group: EdgeVoice, *, voice: str = "", speed: float = 1.0, pitch: int = 0, client=None):
        """`client` (an EdgeSettings) replaces what the script says about the transport (tests)."""
        from importlib.metadata import version

        self.version = version("edge-tts")
        self.client = client or client_settings(group, voice, speed, pitch)
        self.concurrency = group.concurrency
        self._words: dict[str, tuple[tuple[int, int, str], ...]] = {}
        self._words_lock = threading.Lock()

    def words(self, text: str) -> tuple[tuple[int, int, str], ...]:
        with self._words_lock:
            return self._words.get(text, ())

    def settings(self) -> dict[str, object]:
        c = self.client
        return {"voice": c.voice, "rate": c.rate, "pitch": c.pitch}

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        """One sentence: pieces of at most MAX_CHARS joined, each decoded and trimmed."""
        from pydub import AudioSegment

        from audioessay.dsp.convert import from_float, trim_bounds
        from audioessay.dsp.decode import decode_mp3
        from audioessay.speech.engines.edge_client import fetch
        from audioessay.errors import EngineError, ToolError
        from audioessay.text.split import pieces

        out = AudioSegment.silent(0, frame_rate=EDGE_RATE)
        words: list[tuple[int, int, str]] = []
        for piece in pieces(text, MAX_CHARS):
            if not any(ch.isalnum() for ch in piece):
                continue
            try:
                got = fetch(piece, self.client, cancelled=cancelled)
            except EngineError as exc:
                raise EngineError(exc.message, text=text) from exc
            try:
                samples = decode_mp3(got.mp3, EDGE_RATE)
            except (ToolError, EngineError) as exc:
                raise EngineError(f"the edge service answered with data that is not MP3 audio ({exc.message}); "
                                  "upgrade edge-tts or use --engine espeak", text=text) from exc
            if len(samples) == 0 or float(abs(samples).max()) < 1e-4:
                raise EngineError(f"the edge service returned silence for {piece[:30]!r}", text=text)
            piece_audio = from_float(samples, EDGE_RATE)
            start, end = trim_bounds(piece_audio)
            at = len(out)  # where this piece begins in the sentence, ms
            for w in got.words:  # the service's word boundaries, moved onto the joined audio
                a, b = round(w.offset_ms) - start, round(w.offset_ms + w.duration_ms) - start
                if b > 0 and a < end - start:
                    words.append((at + max(0, a), at + min(end - start, b), w.text))
            out += piece_audio[start:end]
        with self._words_lock:
            self._words[text] = tuple(words)
        return out


def _names() -> list[str]:
    from audioessay.speech.engines.voices import edge_builtin

    return [v.name for v in edge_builtin()]


def _probe(group: EdgeVoice) -> tuple[bool, str]:
    from audioessay.speech.engines.edge_client import probe

    return probe(client_settings(group, "", 1.0, 0))


@dataclasses.dataclass(frozen=True)
class _EdgeSpec(EngineSpec):
    def voice_problem(self, name: str, pitch: int) -> tuple[str, str] | None:
        # Any voice the service knows is fine: the built-in list is only what we know offline.
        if name and not _NAME.match(name):
            return "name", (f"{name!r} is not an edge voice name (like ko-KR-InJoonNeural); "
                            "see: audioessay voices --engine edge")
        return None


SPEC = register(_EdgeSpec(
    name="edge", doc="Microsoft's neural voices through edge-tts (online)", settings=EdgeVoice,
    create=lambda voice, group: EdgeEngine(group, voice=voice.name, speed=voice.speed, pitch=voice.pitch),
    max_chars=MAX_CHARS, native_rate=EDGE_RATE, online=True, probe=_probe,
    supports=frozenset({"name", "pitch"}), voice_names=_names, default_name=DEFAULT_VOICE,
    catalogue=lambda online: _voices.edge_catalogue(online),
))
