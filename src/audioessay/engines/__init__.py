"""TTS engines behind one interface, and the choice between them."""

from __future__ import annotations

from audioessay.engines.base import Engine
from audioessay.script import Voice

__all__ = ["Engine", "choose"]


def choose(voice: Voice) -> tuple[Engine, str]:
    """Return the engine for `voice.engine` and a short reason for the choice.

    `auto` probes Google's endpoint once (short timeout) and falls back to the
    embedded espeak voice; one episode is always voiced by a single engine.
    """
    if voice.engine == "espeak":
        return _espeak(voice), "espeak (requested)"
    from audioessay.engines.gtts_client import GttsSettings, probe

    settings = GttsSettings(tld=voice.tld, slow=voice.slow, read_timeout=voice.timeout, retries=voice.retries)
    if voice.engine == "gtts":
        return _gtts(voice, settings), "gtts (requested)"
    ok, why = probe(settings)
    if ok:
        return _gtts(voice, settings), f"gtts ({why})"
    return _espeak(voice), f"espeak, the embedded offline voice ({why})"


def _espeak(voice: Voice) -> Engine:
    from audioessay.engines.espeak import EspeakEngine

    return EspeakEngine(speed=voice.speed)


def _gtts(voice: Voice, settings) -> Engine:
    from audioessay.engines.gtts import GttsEngine

    return GttsEngine(settings, speed=voice.speed, concurrency=voice.concurrency,
                      rate_limit=voice.rate_limit)
