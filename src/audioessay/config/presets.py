"""Named delivery presets: what an episode is mastered to and what `check` holds it to.

Data only. `mastering.preset` (config/groups.py) takes a preset's loudness and true peak
when the script gives none; `check` (publish/check.py) reads the whole preset.
"""

from __future__ import annotations

from dataclasses import dataclass

from audioessay.errors import InputError


@dataclass(frozen=True)
class Preset:
    name: str
    doc: str  # the figures and where they come from
    loudness: float  # integrated loudness target, LUFS (ITU-R BS.1770)
    tolerance: float  # LU either side of the target that still passes (twice that warns)
    true_peak: float  # ceiling, dBTP
    bitrates: tuple[int, int]  # kbps, lowest and highest the delivery expects
    sample_rates: tuple[int, ...]  # Hz
    # ACX's own measures (unweighted, ungated, in dBFS), None where the delivery has none:
    rms: tuple[float, float] | None = None  # RMS of the whole file, lowest and highest
    sample_peak: float | None = None  # highest sample
    noise_floor: float | None = None  # RMS of the quietest half second


PODCAST = Preset(
    name="podcast",
    doc="Apple Podcasts' audio requirements (podcasters.apple.com/support/893-audio-requirements): "
        "-16 LKFS ±1 dB, true peak at most -1 dBFS; AES TD1004 (loudness for streaming and network "
        "file playback) also gives -1 dBTP. 64-192 kbps, 44.1 or 48 kHz.",
    loudness=-16.0, tolerance=1.0, true_peak=-1.0, bitrates=(64, 192), sample_rates=(44100, 48000),
)

AUDIOBOOK = Preset(
    name="audiobook",
    doc="ACX (Audible) audio submission requirements: each file -23 to -18 dB RMS, peaks at most -3 dB, "
        "noise floor at most -60 dB RMS, MP3 of 192 kbps or more at 44.1 kHz (set audio.bitrate). "
        "ACX measures RMS and sample peaks, not LUFS; mastering to -19 LUFS under a -3 dBTP ceiling (the "
        "true peak is never below the sample peak) puts narration near -20 dB RMS. The noise floor is "
        "measured as ACX Check does: the RMS of the quietest half second (pauses, the head and tail; "
        "digital silence passes it, room_tone gives ACX the room tone it asks for). Not checked: "
        "0.5-1 s of room tone at the head and 1-5 s at the tail, 120 minutes at most per file, CBR.",
    loudness=-19.0, tolerance=2.0, true_peak=-3.0, bitrates=(192, 320), sample_rates=(44100,),
    rms=(-23.0, -18.0), sample_peak=-3.0, noise_floor=-60.0,
)

DEFAULT = PODCAST.name  # also what `check` assumes of a file that does not say
PRESETS: dict[str, Preset] = {p.name: p for p in (PODCAST, AUDIOBOOK)}


def named(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise InputError(f"no delivery preset {name!r}; use one of {', '.join(PRESETS)}") from None
