"""The episode's own ID3 TXXX frames: every name declared once, and the frames a render writes.

`render` writes them, `feed`, `site` and `check` read them; nobody spells a name twice.
"""

from __future__ import annotations

import uuid

from audioessay.config.groups import Mastering
from audioessay.config.presets import PRESETS
from audioessay.script.loader import Script

DIGEST = "AUDIOESSAY_PLAN"  # digest of everything that affects the audio (the up-to-date rule)
ENGINE = "AUDIOESSAY_ENGINE"  # "name version" of the engine that voiced the episode
GAIN = "AUDIOESSAY_GAIN"  # the mastering gain, kept by a re-render while the loudness allows
SIDECARS = "AUDIOESSAY_SIDECARS"  # digest of the sidecars written with this MP3
GUID = "AUDIOESSAY_GUID"  # the episode's permanent identity (the feed's item guid)
EPISODE_TYPE = "AUDIOESSAY_EPISODE_TYPE"  # full, trailer or bonus
SEASON = "AUDIOESSAY_SEASON"
LINK = "AUDIOESSAY_LINK"
IMAGE = "AUDIOESSAY_IMAGE"
LOUDNESS = "LOUDNESS_LUFS"  # what the file measures, integrated
TRUE_PEAK = "TRUE_PEAK_DBTP"  # and its true peak
TARGET = "AUDIOESSAY_TARGET"  # what it was mastered to, "preset LUFS dBTP" (`check` holds it to that)
FEED = (GUID, EPISODE_TYPE, SEASON, LINK, IMAGE)  # the frames the feed reads


def episode_frames(script: Script, stored: dict[str, str]) -> dict[str, str]:
    """Frames the feed reads: the episode GUID (made once, then kept from the previous
    MP3 on every re-render), and the episode's type, season, page and artwork; and the
    target it was mastered to, which `check` reads."""
    t = script.tags
    frames = {GUID: stored.get(GUID) or str(uuid.uuid4()), EPISODE_TYPE: t.episode_type,
              TARGET: target_text(script.mastering)}
    if t.season is not None:
        frames[SEASON] = str(t.season)
    if t.link:
        frames[LINK] = t.link
    if t.image:
        frames[IMAGE] = t.image
    return frames


def target_text(m: Mastering) -> str:
    """The TARGET frame: "podcast -16 -1" (preset, loudness LUFS, true peak dBTP)."""
    return f"{m.preset} {m.loudness:g} {m.true_peak:g}"


def parse_target(text: str | None) -> tuple[str, float, float] | None:
    """(preset, loudness, true peak) from a TARGET frame; None when it is missing, names no
    known preset, or holds numbers a script could not have given."""
    parts = (text or "").split()
    if len(parts) != 3 or parts[0] not in PRESETS:
        return None
    fields = Mastering.schema_fields()
    try:
        loudness = fields["loudness"].check(float(parts[1]))
        true_peak = fields["true_peak"].check(float(parts[2]))
    except ValueError:  # not a number (float), or out of the declared range (Invalid)
        return None
    return parts[0], loudness, true_peak
