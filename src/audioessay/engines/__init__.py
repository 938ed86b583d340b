"""TTS engines: a registry each engine module adds itself to, and the choice between them."""

from __future__ import annotations

from audioessay.engines.base import Engine, EngineSpec, register, registered, unregister

__all__ = ["Engine", "EngineSpec", "create", "names", "register", "registered", "resolve", "spec",
           "unregister"]

# The built-in engines register themselves on import (their heavy imports are deferred).
from audioessay.engines import edge as _edge  # noqa: E402,F401
from audioessay.engines import espeak as _espeak  # noqa: E402,F401
from audioessay.engines import gtts as _gtts  # noqa: E402,F401

# What `auto` tries for a new episode: the first usable online engine, else the offline one.
# (An existing episode keeps the engine that voiced it: see resolve.)
AUTO_ORDER = ("edge", "gtts", "espeak")


def names() -> tuple[str, ...]:
    return tuple(registered())


def spec(name: str) -> EngineSpec:
    try:
        return registered()[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(names())}") from None


def create(name: str, voice, engine_settings: dict) -> Engine:
    """The engine `name` speaking with `voice` (the shared keys) and its own settings group."""
    s = spec(name)
    return s.create(voice, engine_settings.get(name) or s.settings())


def resolve(requested: str, engine_settings: dict, pinned: str | None = None) -> tuple[str, str]:
    """(engine name, why) for `voice.engine`. `auto` keeps `pinned` (the engine that voiced
    the existing episode) without probing, else takes the first usable engine of AUTO_ORDER
    (online ones are probed once, with a short timeout)."""
    if requested != "auto":
        return requested, f"{requested} (requested)"
    if pinned is not None and pinned in registered():
        return pinned, f"{pinned} (it voiced this episode before; auto keeps it)"
    reasons: list[str] = []
    for name in AUTO_ORDER:
        s = registered().get(name)
        if s is None:
            continue
        if s.probe is None:
            return name, f"{name}, the embedded offline voice ({'; '.join(reasons) or 'no online engine'})"
        ok, why = s.probe(engine_settings.get(name) or s.settings())
        if ok:
            return name, f"{name} ({why})"
        reasons.append(why)
    raise ValueError("no engine in AUTO_ORDER works offline")  # pragma: no cover
