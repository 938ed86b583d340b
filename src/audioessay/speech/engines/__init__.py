"""TTS engines: creating the one a script asks for, and the choice `auto` makes between them."""

from __future__ import annotations

from audioessay.config.engines import EngineSpec, names, register, registered, spec, unregister
from audioessay.speech.engines.base import Engine

__all__ = ["Engine", "EngineSpec", "create", "names", "register", "registered", "resolve", "spec",
           "unregister"]

# What `auto` tries for a new episode: the first usable online engine, else the offline one.
# (An existing episode keeps the engine that voiced it: see resolve.)
AUTO_ORDER = ("edge", "gtts", "espeak")


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
        if s is None or s.paid:  # a paid engine is used only when named
            continue
        if s.probe is None:
            return name, f"{name}, the embedded offline voice ({'; '.join(reasons) or 'no online engine'})"
        ok, why = s.probe(engine_settings.get(name) or s.settings())
        if ok:
            return name, f"{name} ({why})"
        reasons.append(why)
    raise ValueError("no engine in AUTO_ORDER works offline")  # pragma: no cover
