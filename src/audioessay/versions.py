"""Versions of everything whose change alters an episode's bytes; every one reaches the episode digest.

Bump one when its stage makes different bytes from the same inputs: every episode
rendered before is then rendered again (`tests/test_versions.py` bumps each).
"""

from __future__ import annotations

PACKAGE = "0.1.0"  # the release (pyproject.toml reads it from here)
TEXT = "4"  # text/: normalization and splitting (espeak's respelling: its PRONUNCIATION, in its identity)
VOICE_CHAIN = "1"  # mix/voicechain.py: high-pass, peak control, edge fades
MIX = "1"  # mix/: layout, bed, ducking, room tone (also in every part key)
MASTERING = "1"  # master/ and dsp/limiter.py: gain, limiter
ENCODER = "1"  # export/mp3.py: LAME settings, spans, the Info frame
TAGS = "2"  # export/id3.py and export/tags.py: the frames written (2: AUDIOESSAY_TARGET)
CAPTIONS = "1"  # export/sidecars.py: VTT and SRT layout
CHAPTERS = "1.2.0"  # Podcasting 2.0 chapters JSON, written into the file
TRANSCRIPT = "1.0.0"  # Podcasting 2.0 JSON transcript, written into the file


def output() -> dict[str, str]:
    """Every output version by name (read when called, so a bump is always seen)."""
    g = globals()
    return {name.lower(): g[name] for name in _NAMES}


_NAMES = ("PACKAGE", "TEXT", "VOICE_CHAIN", "MIX", "MASTERING", "ENCODER", "TAGS", "CAPTIONS", "CHAPTERS", "TRANSCRIPT")
