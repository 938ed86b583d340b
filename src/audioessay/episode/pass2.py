"""Pass 2 closed on the file: encode, measure the file, and encode once more if it is off.

master/gain.py decides the gains (pure functions); this module runs them.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from audioessay.config.groups import Mastering
from audioessay.master.gain import Gain, correction, first_gain
from audioessay.master.loudness import Loudness
from audioessay.master.measure import Measurement
from audioessay.episode.encode import Encoded, Output, encode
from audioessay.episode.parts import Parts, Spill

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pass2:
    """What pass 2 did: the mix's loudness before and the file's after, the gain used
    (with what the file measured, for the next render), how many times the episode
    was encoded (1, or 2 when the first file was off), and the last encode's work."""

    before: Loudness
    after: Loudness
    gain: Gain
    encodes: int
    last: Encoded


def run(parts: Parts, measured: Measurement, settings: Mastering, out: Output, spill: Spill | None = None,
        previous: Gain | None = None) -> Pass2:
    """Master and encode the parts into `out.path` at the first gain (a previous
    render's, while it holds); if the file then measures more than VERIFY_LU off the
    target, or its true peak over the ceiling, encode once more with the gain corrected."""
    gain = first_gain(measured, settings, previous)
    done = _encode(parts, gain, settings, out, spill)
    encodes = 1
    redo = correction(gain, done.after, settings)
    if redo is not None:
        gain = redo
        done = _encode(parts, gain, settings, out, spill)
        encodes = 2
    return Pass2(measured.loudness(), done.after, dataclasses.replace(gain, file_lufs=done.after.integrated_lufs),
                    encodes, done)


def _encode(parts: Parts, gain: Gain, settings: Mastering, out: Output, spill: Spill | None) -> Encoded:
    done = encode(parts, gain, settings, out, spill)
    log.info("pass 2: %d parts made, %d reused; %d of %d spans encoded; limiter over 3 dB on %.2f%% of frames",
             done.made, done.reused, done.stats.encoded, done.stats.span_count, 100 * done.limited)
    log.info("pass 2: the file measures %.2f LUFS, %.2f dBTP", done.after.integrated_lufs,
             done.after.true_peak_dbtp)
    return done
