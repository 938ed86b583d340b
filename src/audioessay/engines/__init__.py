"""TTS engines: a registry each engine module adds itself to, and the choice between them."""

from __future__ import annotations

from audioessay.engines.base import Engine, EngineSpec, register, registered, unregister

__all__ = ["Engine", "EngineSpec", "choose", "names", "register", "registered", "spec", "unregister"]

# The built-in engines register themselves on import (their heavy imports are deferred).
from audioessay.engines import espeak as _espeak  # noqa: E402,F401
from audioessay.engines import gtts as _gtts  # noqa: E402,F401

AUTO_ORDER = ("gtts", "espeak")  # what `auto` tries: the first usable online engine, else offline


def names() -> tuple[str, ...]:
    return tuple(registered())


def spec(name: str) -> EngineSpec:
    try:
        return registered()[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(names())}") from None


def choose(voice, engine_settings: dict) -> tuple[Engine, str]:
    """Return the engine for `voice.engine` and a short reason for the choice.

    `auto` probes the online engine once (short timeout) and falls back to the
    embedded espeak voice; one episode is always voiced by a single engine.
    """
    def make(name: str) -> Engine:
        s = spec(name)
        return s.create(voice, engine_settings.get(name) or s.settings())

    if voice.engine != "auto":
        return make(voice.engine), f"{voice.engine} (requested)"
    reasons: list[str] = []
    for name in AUTO_ORDER:
        s = spec(name)
        if s.probe is None:
            return make(name), f"{name}, the embedded offline voice ({'; '.join(reasons) or 'no online engine'})"
        ok, why = s.probe(engine_settings.get(name) or s.settings())
        if ok:
            return make(name), f"{name} ({why})"
        reasons.append(why)
    raise ValueError("no engine in AUTO_ORDER works offline")  # pragma: no cover
