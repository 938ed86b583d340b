"""Google Translate's voice through the gTTS library, with timeouts, retries and parallel requests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np
from pydub import AudioSegment

from audioessay import ffmpeg
from audioessay.audio import from_float, trim
from audioessay.engines.base import Engine
from audioessay.errors import EngineError
from audioessay.engines.gtts_client import MAX_CHARS, GttsSettings, RateLimiter, fetch_mp3
from audioessay.text.split import pieces

GTTS_RATE = 24000  # what Google returns: 24 kHz mono MP3


class GttsEngine(Engine):
    name = "gtts"

    def __init__(self, settings: GttsSettings, *, speed: float = 1.0, concurrency: int = 4,
                 rate_limit: float | None = None):
        import gtts

        self.version = getattr(gtts, "__version__", None) or _gtts_version()
        self.client = settings
        self.speed = speed
        self.concurrency = concurrency
        self.limiter = RateLimiter(rate_limit or None)

    def settings(self) -> dict[str, object]:
        c = self.client
        return {"lang": c.lang, "tld": c.tld, "slow": c.slow, "speed": self.speed}

    def synthesize(self, text: str) -> AudioSegment:
        """One sentence: sent in pieces that end at clause or word boundaries, joined gaplessly."""
        parts = [AudioSegment.silent(0, frame_rate=GTTS_RATE)]
        for piece in pieces(text, MAX_CHARS):
            if not any(ch.isalnum() for ch in piece):
                continue  # gTTS refuses punctuation alone
            try:
                mp3 = fetch_mp3(piece, self.client, limiter=self.limiter)
            except EngineError as exc:
                exc.text = text  # lets the caller name the sentence
                raise
            parts.append(trim(self._decode(mp3)))
        out = parts[0]
        for part in parts[1:]:
            out += part
        return out

    def synthesize_many(self, texts: Sequence[str],
                        on_result: Callable[[int, AudioSegment], None]) -> None:
        """Bounded concurrency; results handed over (in this thread) as they finish."""
        if self.concurrency <= 1:
            return super().synthesize_many(texts, on_result)
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="gtts")
        try:
            pending = {pool.submit(self.synthesize, t): i for i, t in enumerate(texts)}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    on_result(index, future.result())  # re-raises the engine's error
        finally:
            # On failure stop at once: queued work is dropped, and a request still in
            # flight ends on its own timeout without holding up the error message.
            pool.shutdown(wait=False, cancel_futures=True)

    def _decode(self, mp3: bytes) -> AudioSegment:
        args_rate = GTTS_RATE
        samples = ffmpeg.decode(mp3, args_rate) if self.speed == 1.0 else _decode_tempo(mp3, self.speed)
        return from_float(np.asarray(samples), args_rate)


def _decode_tempo(mp3: bytes, speed: float) -> np.ndarray:
    """gTTS has no speed control beyond `slow`; ffmpeg's atempo changes tempo, not pitch."""
    out = ffmpeg.run(["-i", "pipe:0", "-af", f"atempo={speed}", "-f", "f32le", "-ac", "1",
                      "-ar", str(GTTS_RATE), "pipe:1"], input=mp3)
    return np.frombuffer(out, dtype="<f4").reshape(-1, 1)


def _gtts_version() -> str:
    from importlib.metadata import version

    return version("gTTS")
