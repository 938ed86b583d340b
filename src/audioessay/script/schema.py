"""The whole script's declaration: every key and how it is validated, from config/groups.py.

The loader validates with it; `audioessay init` takes its keys (and their order)
from it. It imports nothing from the rest of script/.
"""

from __future__ import annotations

from typing import Any

from audioessay.config import engines
from audioessay.config.groups import (AudioFormat, Episode, Layout, Mastering, Pauses, Reading, Tags, Voice,
                                      VoiceOverride)
from audioessay.config.options import Context, Schema


class VoiceOption(Schema):
    """`voice:`: the shared Voice keys, plus each registered engine's own keys under its
    name (voice.gtts.tld), plus the older flat spelling of an engine's legacy keys (voice.tld)."""

    def __init__(self) -> None:
        super().__init__({}, doc="voice")

    def validate(self, value: Any, path: tuple, ctx: Context) -> dict[str, Any]:
        specs = engines.registered()
        self.fields = {**Voice.schema_fields(),
                       **{name: s.settings.schema() for name, s in specs.items()},
                       **{k: s.settings.schema_fields()[k] for s in specs.values() for k in s.legacy_keys},
                       "dialogue": VoiceOverride(None, "the voice of sentences that are wholly a quotation "
                                                       "(engine, name, speed, pitch); unset: the narrator's")}
        out = super().validate(value, path, ctx)
        raw = value if isinstance(value, dict) else {}
        for spec in specs.values():
            given = raw.get(spec.name)
            nested: dict = given if isinstance(given, dict) else {}
            for key in spec.legacy_keys:
                if key in raw and raw[key] is not None:
                    if key in nested:
                        ctx.problem(path + (key,), f"given twice (also as {spec.name}.{key}); keep one")
                    out[spec.name] = {**(out.get(spec.name) or {}), key: out[key]}
        return out


def script_schema() -> Schema:
    """The whole script, from the groups' declarations."""
    return Schema({
        **Tags.schema_fields(),
        **Reading.schema_fields(),
        "voice": VoiceOption(),
        "pauses": Pauses.schema(),
        **Layout.schema_fields(),
        "mastering": Mastering.schema(),
        "audio": AudioFormat.schema(),
        **Episode.schema_fields(),
    })


def script_keys() -> tuple[str, ...]:
    """The script's top-level keys, in the README's order."""
    return tuple(script_schema().fields)
