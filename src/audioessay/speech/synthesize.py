"""Plan -> Clips: every utterance voiced once, through the cache, at the engine's own rate.

mix/voicechain.process resamples each clip to the output rate as it is mixed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import logging

from pydub import AudioSegment

if TYPE_CHECKING:
    import numpy as np

from audioessay.dsp.convert import resample, trim_bounds
from audioessay.speech.cache import Cache, cache_key
from audioessay.speech.engines.base import Engine
from audioessay.errors import EngineError
from audioessay.speech.plan import Plan


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clips:
    audio: tuple[AudioSegment, ...]  # one per utterance, mono 16-bit (empty when `source` is set)
    rate: int  # the engine's own sample rate, shared by every clip
    synthesized: int  # distinct utterances the engine voiced in this run
    reused: int  # distinct utterances taken from the cache
    words: tuple[tuple[tuple[int, int, str], ...], ...] = ()  # per utterance, on its clip's clock
    source: CachedClips | None = None  # with a cache: clips read back when mixed, not held


class CachedClips:
    """Clips read from the sentence cache when the mixer needs them (a ClipSource), so a
    book-length episode never holds its speech in memory. Lengths are known up front."""

    def __init__(self, cache: Cache, keys: Sequence[str | None], lengths: Sequence[int], rate: int,
                 held: dict[str, AudioSegment] | None = None):
        """`held`: clips the cache could not store, kept in memory instead."""
        self.cache, self.keys, self.lengths, self.rate = cache, list(keys), list(lengths), rate
        self.held = held or {}

    def __len__(self) -> int:
        return len(self.keys)

    def length(self, i: int) -> int:
        return self.lengths[i]

    def key(self, i: int) -> str | None:
        return self.keys[i] or "silent"  # no key: no speech, zeros

    def samples(self, i: int) -> np.ndarray:
        import numpy as np

        key, n = self.keys[i], self.lengths[i]
        if key is None or n == 0:
            return np.zeros(0, np.float32)
        audio = self.held.get(key)
        if audio is None:
            audio = self.cache.read(key)
        if audio is None:
            raise EngineError(f"the cached audio of utterance {i + 1} went missing during the render "
                              f"(in {self.cache.root}); render again")
        audio = resample(audio.set_channels(1), self.rate)
        x = np.frombuffer(audio.raw_data, dtype="<i2").astype(np.float32) / 32768.0
        return np.pad(x[:n], (0, max(0, n - len(x))))  # a resampled clip may differ by a frame


def synthesize(plan: Plan, engine: Engine | Sequence[Engine], cache: Cache, rate: int,
               progress: Callable[[int], None] | None = None) -> Clips:
    """Voice each distinct spoken text once; reuse cached audio; keep finished work on failure.

    `engine` is one engine, or one per voice of the plan (plan.voices). `rate` is only used
    when nothing is spoken at all (then there is no engine rate)."""
    advance = progress or (lambda n: None)
    voiced_by = [engine] if isinstance(engine, Engine) else list(engine)
    work = _Work.of(plan, voiced_by)
    # With a cache, a clip is not held once it is stored: only its rate and length are
    # kept, and the mixer reads it back when its block comes (CachedClips).
    got = _Gathered(hold_all=not cache.enabled)
    missing = _from_cache(work, cache, got, advance)
    reused = len(got.shapes)
    voicing = _Voicing(work, got, cache, advance)
    try:
        for each in voiced_by:  # one engine at a time; each keeps its own concurrency
            batch = [k for k in missing if work.engine_of[k] is each]
            if batch:
                each.synthesize_many([work.text_of[k] for k in batch], voicing.receiver(batch))
    except EngineError as exc:
        raise _located(exc, plan) from exc
    finally:
        voicing.close()
    failed = voicing.failures()
    if failed:  # the episode is still right; only the next render will redo that work
        log.warning("could not save %d sentence(s) to the cache (%s); check %s",
                    len(failed), failed[0], cache.root)
    advance(sum(1 for u in plan.utterances if not u.spoken.strip()))
    return _clips(plan, work, got, cache, rate, synthesized=len(missing), reused=reused)


@dataclass(frozen=True)
class _Work:
    """Who voices what: each utterance's cache key, and per distinct key its text, its
    engine and how many utterances use it."""

    keys: tuple[str, ...]
    engine_of: dict[str, Engine]
    text_of: dict[str, str]
    uses: dict[str, int]  # only keys with something to speak

    @classmethod
    def of(cls, plan: Plan, voiced_by: Sequence[Engine]) -> _Work:
        keys = tuple(sentence_key(voiced_by[u.voice], u.spoken) for u in plan.utterances)
        uses: dict[str, int] = {}
        for key, u in zip(keys, plan.utterances):
            if u.spoken.strip():
                uses[key] = uses.get(key, 0) + 1
        return cls(keys, {key: voiced_by[u.voice] for key, u in zip(keys, plan.utterances)},
                   {key: u.spoken for key, u in zip(keys, plan.utterances)}, uses)


class _Gathered:
    """What synthesis has so far: every clip's (rate, frames) and word timings, and the
    clips held in memory (all of them without a cache; else only those it could not store)."""

    def __init__(self, *, hold_all: bool):
        self.hold_all = hold_all
        self.shapes: dict[str, tuple[int, int]] = {}
        self.held: dict[str, AudioSegment] = {}
        self.timings: dict[str, tuple[tuple[int, int, str], ...]] = {}

    def add(self, key: str, audio: AudioSegment, words: tuple[tuple[int, int, str], ...]) -> None:
        self.shapes[key] = (audio.frame_rate, len(audio.set_channels(1).raw_data) // 2)
        if self.hold_all:
            self.held[key] = audio
        self.timings[key] = words


def _from_cache(work: _Work, cache: Cache, got: _Gathered, advance: Callable[[int], None]) -> list[str]:
    """Take what the cache holds; return the keys still to be voiced."""
    missing = []
    for key in work.uses:
        audio = cache.get(key)
        if audio is None:
            missing.append(key)
            continue
        got.add(key, audio, cache.get_words(key))
        advance(work.uses[key])
    return missing


class _Voicing:
    """The engines' answers: trimmed, checked, gathered, and written to the cache on one
    background thread (zlib releases the GIL), overlapping the engine's work. Finished
    work is saved even when a later sentence fails."""

    def __init__(self, work: _Work, got: _Gathered, cache: Cache, advance: Callable[[int], None]):
        self.work, self.got, self.cache, self.advance = work, got, cache, advance
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="cache-writer")
        self.writes: list[Future] = []

    def receiver(self, batch: list[str]) -> Callable[[int, AudioSegment], None]:
        """What `Engine.synthesize_many` calls with (index in `batch`, audio)."""
        return lambda index, audio: self.take(batch[index], audio)

    def take(self, key: str, audio: AudioSegment) -> None:
        text, engine = self.work.text_of[key], self.work.engine_of[key]
        start, end = trim_bounds(audio)
        words = shifted(engine.words(text), start, end)
        audio = audio[start:end]
        if len(audio) == 0 and any(ch.isalnum() for ch in text):
            raise EngineError(f"{engine.name} returned silence for speech; retry, or try another "
                              "engine or voice", text=text)
        self.got.add(key, audio, words)
        self.writes.append(self.writer.submit(self._store, key, audio))
        self.writes.append(self.writer.submit(self.cache.put_words, key, words))
        self.advance(self.work.uses[key])

    def _store(self, key: str, audio: AudioSegment) -> None:
        stored = False
        try:
            stored = self.cache.put(key, audio)
        finally:
            if not stored:  # not in the cache: the mixer takes it from memory
                self.got.held[key] = audio

    def close(self) -> None:
        self.writer.shutdown(wait=True)

    def failures(self) -> list[BaseException]:
        return [e for w in self.writes if (e := w.exception()) is not None]


def _clips(plan: Plan, work: _Work, got: _Gathered, cache: Cache, rate: int, *, synthesized: int,
           reused: int) -> Clips:
    """Clips stay at the engine's own rate; each is resampled to the output rate when it
    is mixed (mix/voicechain.process, its high-pass in the same filter). A clip at
    another rate (a cache entry made at another native rate) is brought to this one."""
    native = next((r for r, _ in got.shapes.values()), rate)
    spoken_keys = [key if u.spoken.strip() else None for key, u in zip(work.keys, plan.utterances)]
    words = tuple(got.timings.get(key, ()) if key else () for key in spoken_keys)
    if cache.enabled:
        keys = [key if key in got.shapes else None for key in spoken_keys]
        lengths = [0 if k is None else round(got.shapes[k][1] * native / got.shapes[k][0]) for k in keys]
        return Clips((), native, synthesized=synthesized, reused=reused, words=words,
                     source=CachedClips(cache, keys, lengths, native, held=got.held))
    same = {k: resample(a.set_channels(1), native) for k, a in got.held.items()}
    silent = AudioSegment.silent(0, frame_rate=native)
    clips = tuple(same.get(key, silent) if key else silent for key in spoken_keys)
    return Clips(clips, native, synthesized=synthesized, reused=reused, words=words)


def shifted(words: tuple[tuple[int, int, str], ...], start: int, end: int) -> tuple[tuple[int, int, str], ...]:
    """Word timings moved onto a clip trimmed to [start, end) ms, kept inside it."""
    out = []
    for a, b, w in words:
        a, b = max(0, a - start), min(end - start, b - start)
        if b > a:
            out.append((a, b, w))
    return tuple(out)


def sentence_key(engine: Engine, spoken: str) -> str:
    """The cache key of `spoken` voiced by `engine` (speech/cost.py counts with it too)."""
    return cache_key(engine.name, engine.version, dict(engine.settings()), spoken)


_key = sentence_key  # the older private name


def _located(exc: EngineError, plan: Plan) -> EngineError:
    """The same error, naming the section and sentence that failed."""
    for u in plan.utterances:
        if exc.text is not None and u.spoken == exc.text:
            title = plan.section_titles[u.section]
            where = f"section {u.section + 1} ({title}), sentence {u.text[:40]!r}"
            return EngineError(f"{where}: {exc.format_message()}", text=exc.text)
    return exc
