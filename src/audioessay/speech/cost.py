"""What a render would cost before anything is spent: characters, cache hits, requests.

The characters an engine would be sent, what the sentence cache already holds, and the
requests left to make. Pure: it asks no service and needs no credentials (engines are
created, never called)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audioessay.speech.cache import Cache
from audioessay.speech.engines.base import Engine
from audioessay.speech.plan import Plan
from audioessay.speech.synthesize import sentence_key


@dataclass(frozen=True)
class Cost:
    engine: str
    sentences: int  # distinct spoken sentences
    characters: int  # what the engine receives for all of them (engine.prepare)
    cached_sentences: int
    cached_characters: int
    requests: int  # for the sentences not cached, each split by the engine's max_chars

    @property
    def to_send(self) -> int:
        return self.characters - self.cached_characters

    def lines(self) -> list[str]:
        return [f"engine {self.engine}: {self.sentences} sentences, {self.characters} characters",
                f"  already in the cache: {self.cached_sentences} sentences, {self.cached_characters} characters",
                f"  would send: {self.to_send} characters in {self.requests} requests"]


def estimate(plan: Plan, voiced_by: Sequence[Engine], cache: Cache | None,
             max_chars: Sequence[int | None]) -> list[Cost]:
    """One Cost per engine name used by `plan` (voiced_by[i] and max_chars[i] for voice i).
    Each distinct sentence counts once, as synthesize voices it once."""
    from audioessay.text.split import pieces

    seen: set[str] = set()
    totals: dict[str, list[int]] = {}
    for u in plan.utterances:
        if not u.spoken.strip():
            continue
        engine = voiced_by[u.voice]
        key = sentence_key(engine, u.spoken)
        if key in seen:
            continue
        seen.add(key)
        sent = engine.prepare(u.spoken)
        t = totals.setdefault(engine.name, [0, 0, 0, 0, 0])
        t[0] += 1
        t[1] += len(sent)
        if cache is not None and cache.enabled and not cache.refresh and cache.path_for(key).exists():
            t[2] += 1
            t[3] += len(sent)
            continue
        limit = max_chars[u.voice]
        parts = pieces(sent, limit) if limit else [sent]
        t[4] += sum(1 for p in parts if any(ch.isalnum() for ch in p))
    return [Cost(name, *t) for name, t in totals.items()]
