"""What `check` holds an episode to: the preset and loudness it was mastered to.

The command line wins, then the episode's own TARGET tag (written by the render), then the
podcast preset for a file that does not say.
"""

from __future__ import annotations

from dataclasses import dataclass

from audioessay.config.groups import Mastering
from audioessay.config.options import Invalid
from audioessay.config.presets import DEFAULT, Preset, named
from audioessay.errors import InputError
from audioessay.export import tags as txxx


@dataclass(frozen=True)
class Target:
    preset: Preset
    loudness: float  # LUFS
    true_peak: float  # dBTP ceiling
    source: str  # where the loudness came from, as the loudness row says it


def resolve(tag: str | None, preset: str | None = None, loudness: float | None = None) -> Target:
    """The target from the TARGET frame's text `tag` (None: no such frame), overridden by
    `preset` (its own numbers) and then `loudness` given on the command line."""
    tagged = txxx.parse_target(tag)
    if preset is not None:
        chosen = named(preset)
        target = Target(chosen, chosen.loudness, chosen.true_peak, f"--preset {chosen.name}")
    elif tagged is not None:
        name, lufs, peak = tagged
        target = Target(named(name), lufs, peak, f"{txxx.TARGET} tag, {name}")
    else:
        why = f"no {txxx.TARGET} tag" if tag is None else f"{txxx.TARGET} {tag[:40]!r} not understood"
        chosen = named(DEFAULT)
        target = Target(chosen, chosen.loudness, chosen.true_peak, f"{chosen.name} default: {why}")
    if loudness is None:
        return target
    try:
        lufs = Mastering.schema_fields()["loudness"].check(loudness)
    except Invalid as exc:
        raise InputError(f"target loudness: {exc}; give LUFS like -16") from None
    return Target(target.preset, lufs, target.true_peak, f"--target, {target.preset.name}")
