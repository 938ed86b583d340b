"""The episode's own ID3 TXXX frames: every name declared once, and the frames a render writes.

`render` writes them, `feed`, `site` and `check` read them; nobody spells a name twice.
"""

from __future__ import annotations

import uuid

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
FEED = (GUID, EPISODE_TYPE, SEASON, LINK, IMAGE)  # the frames the feed reads


def episode_frames(script: Script, stored: dict[str, str]) -> dict[str, str]:
    """Frames the feed reads: the episode GUID (made once, then kept from the previous
    MP3 on every re-render), and the episode's type, season, page and artwork."""
    t = script.tags
    frames = {GUID: stored.get(GUID) or str(uuid.uuid4()), EPISODE_TYPE: t.episode_type}
    if t.season is not None:
        frames[SEASON] = str(t.season)
    if t.link:
        frames[LINK] = t.link
    if t.image:
        frames[IMAGE] = t.image
    return frames
