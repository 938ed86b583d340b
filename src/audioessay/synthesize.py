"""Plan -> Clips: every utterance voiced once, through the cache, at the output rate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydub import AudioSegment

from audioessay.audio import resample, trim
from audioessay.cache import Cache, cache_key
from audioessay.engines.base import Engine
from audioessay.errors import EngineError
from audioessay.plan import Plan


@dataclass(frozen=True)
class Clips:
    audio: tuple[AudioSegment, ...]  # one per utterance, mono 16-bit at the output rate
    synthesized: int  # distinct utterances the engine voiced in this run
    reused: int  # distinct utterances taken from the cache


def synthesize(plan: Plan, engine: Engine, cache: Cache, rate: int,
               progress: Callable[[int], None] | None = None) -> Clips:
    """Voice each distinct spoken text once; reuse cached audio; keep finished work on failure."""
    advance = progress or (lambda n: None)
    settings = dict(engine.settings())
    keys = [cache_key(engine.name, engine.version, settings, u.spoken) for u in plan.utterances]
    uses: dict[str, int] = {}
    for key, u in zip(keys, plan.utterances):
        if u.spoken.strip():
            uses[key] = uses.get(key, 0) + 1
    text_of = {key: u.spoken for key, u in zip(keys, plan.utterances)}

    found: dict[str, AudioSegment] = {}
    missing: list[str] = []
    for key in uses:
        audio = cache.get(key)
        if audio is None:
            missing.append(key)
        else:
            found[key] = audio
            advance(uses[key])
    reused = len(found)

    def done(index: int, audio: AudioSegment) -> None:
        key = missing[index]
        audio = trim(audio)
        cache.put(key, audio)  # saved at once, so an interrupted render resumes from here
        found[key] = audio
        advance(uses[key])

    if missing:
        try:
            engine.synthesize_many([text_of[k] for k in missing], done)
        except EngineError as exc:
            raise _located(exc, plan) from exc

    at_rate: dict[str, AudioSegment] = {k: resample(a.set_channels(1), rate) for k, a in found.items()}
    silent = AudioSegment.silent(0, frame_rate=rate)
    clips = tuple(at_rate.get(key, silent) if u.spoken.strip() else silent
                  for key, u in zip(keys, plan.utterances))
    advance(sum(1 for u in plan.utterances if not u.spoken.strip()))
    return Clips(clips, synthesized=len(missing), reused=reused)


def _located(exc: EngineError, plan: Plan) -> EngineError:
    """The same error, naming the section and sentence that failed."""
    text = getattr(exc, "text", None)
    for u in plan.utterances:
        if text is not None and u.spoken == text:
            title = plan.script.sections[u.section].title
            where = f"section {u.section + 1} ({title}), sentence {u.text[:40]!r}"
            return EngineError(f"{where}: {exc.format_message()}")
    return exc
