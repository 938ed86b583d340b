"""The engine registry: every TTS engine's name, settings group and limits, looked up by name.

Engines are found through the `audioessay.engines` entry points, so an engine may ship as
a package of its own; the built-in ones register the same way (pyproject.toml)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from audioessay.config.settings import Group


@dataclass(frozen=True)
class EngineSpec:
    """What the registry knows of an engine before creating it."""

    name: str
    doc: str
    settings: type[Group]  # the engine's own keys, under voice.<name> in a script
    create: Callable[[Any, Any], Any]  # (Voice, settings group) -> speech.engines.base.Engine
    max_chars: int | None = None  # longest spoken text one request may carry
    native_rate: int = 0  # the rate its audio comes at (0: decided when loaded)
    online: bool = False
    paid: bool = False  # charged per character: `auto` never picks it; only a script or --engine does
    probe: Callable[[Any], tuple[bool, str]] | None = None  # (settings) -> (usable?, why)
    legacy_keys: tuple[str, ...] = ()  # settings keys also accepted directly under voice:
    supports: frozenset[str] = frozenset()  # shared Voice keys it honours besides speed: "name", "pitch"
    voice_names: Callable[[], list[str]] | None = None  # the names `voice.name` may take (None: any)
    default_name: str = ""  # the voice used when voice.name is empty
    # (ask the service?) -> (its voices as speech.engines.voices.VoiceInfo, whether usable now or why not);
    # `audioessay voices` lists what every registered engine returns here.
    catalogue: Callable[[bool], tuple[list[Any], str]] | None = None

    def voice_problem(self, name: str, pitch: int) -> tuple[str, str] | None:
        """(key, why) when this engine cannot honour `name`/`pitch`, else None."""
        if name and "name" not in self.supports:
            return "name", f"the {self.name} engine has one voice; remove voice.name or choose another engine"
        if pitch and "pitch" not in self.supports:
            return "pitch", f"the {self.name} engine cannot change pitch; remove voice.pitch or choose another engine"
        if name and self.voice_names is not None:
            known = self.voice_names()
            if name not in known:
                import difflib

                close = difflib.get_close_matches(name, known, n=3)
                hint = f"did you mean {', '.join(close)}?" if close else "see: audioessay voices --engine " + self.name
                return "name", f"{self.name} has no voice {name!r}; {hint}"
        return None


_REGISTRY: dict[str, EngineSpec] = {}
_LOADED = False
GROUP = "audioessay.engines"  # the entry-point group an engine package declares itself in


def _load_entry_points() -> None:
    """Every engine installed (the built-in ones too) declares an entry point whose
    object is its EngineSpec; loading it imports the engine's module."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        spec = ep.load()
        if not isinstance(spec, EngineSpec) or spec.name != ep.name:
            raise TypeError(f"entry point {ep.name} = {ep.value} in {GROUP} is not the EngineSpec named {ep.name!r}")
        register(spec)


def register(spec: EngineSpec) -> EngineSpec:
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"engine {spec.name!r} is registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered() -> dict[str, EngineSpec]:
    _load_entry_points()
    return dict(sorted(_REGISTRY.items()))


def names() -> tuple[str, ...]:
    return tuple(registered())


def spec(name: str) -> EngineSpec:
    try:
        return registered()[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(names())}") from None
