"""What pass 2 applies, and how the file it made corrects it (pure functions).

`first_gain` picks the gain from pass 1's measurement (or keeps a previous render's);
`correction` reads what the encoded file measured and says whether pass 2 must run
again and with which gain. The loop that encodes and measures is the renderer's
(episode/pass2.py).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from audioessay.config.groups import Mastering
from audioessay.dsp import meter
from audioessay.master.loudness import Loudness
from audioessay.master.measure import Measurement

MP3_MARGIN_DB = 1.0  # headroom under the ceiling: MP3 encoding adds overshoots of up to about 0.6 dB
VERIFY_LU = 0.1  # the encoded file may be this far off the target before pass 2 is redone
VERIFY_PEAK_DB = 0.1  # and its true peak must be this far under the ceiling (ffmpeg rounds to 0.1)


@dataclass(frozen=True)
class Gain:
    """What pass 2 applies: the voice's gain against the bed, the gain on the mix, and
    the limiter's margin under the true-peak ceiling; with the pass-1 loudness at that
    voice gain and what the file then measured (so a re-render can keep it)."""

    voice: float
    overall: float = 1.0
    margin_db: float = MP3_MARGIN_DB
    planned_lufs: float = math.nan
    file_lufs: float = math.nan

    def tag(self) -> str:
        return f"{self.voice!r} {self.overall!r} {self.margin_db!r} {self.planned_lufs!r} {self.file_lufs!r}"

    @classmethod
    def parse(cls, text: str | None) -> Gain | None:
        try:
            v = [float(x) for x in (text or "").split()]
        except ValueError:
            return None
        if len(v) != 5 or not all(math.isfinite(x) for x in v) or v[0] <= 0 or v[1] <= 0:
            return None
        return cls(*v)

    def material(self, settings: Mastering) -> str:
        """What the mastered audio depends on, for cache keys."""
        return f"{self.voice!r}|{self.overall!r}|{self.margin_db!r}|{settings.true_peak!r}"

    def ceiling(self, settings: Mastering) -> float:
        """The limiter's ceiling (linear): the true-peak limit less the margin."""
        return 10.0 ** ((settings.true_peak - self.margin_db) / 20.0)


def plan_gain(m: Measurement, target_lufs: float) -> float:
    """The voice gain (linear) that brings voice + bed to `target_lufs`; 0 if silent."""
    voice_alone = meter.integrated(meter.block_energies(m.voice_steps, round(meter.STEP * m.rate)))
    if not math.isfinite(voice_alone):
        return 0.0
    gain_db = target_lufs - voice_alone
    for _ in range(8):  # the bed adds a little: converge on the sum
        off = target_lufs - m.lufs(10 ** (gain_db / 20))
        if abs(off) < 0.005:
            break
        gain_db += off
    return 10 ** (gain_db / 20)


def first_gain(measured: Measurement, settings: Mastering, previous: Gain | None = None) -> Gain:
    """The gain for pass 2. A previous render's is kept while the file it made, moved by
    how much the mix's loudness changed since, stays within VERIFY_LU of the target: an
    edit then changes only the audio it touched. Otherwise the gain is planned afresh."""
    if previous is not None:
        now = measured.lufs(previous.voice)
        if math.isfinite(now) and abs(previous.file_lufs + now - previous.planned_lufs - settings.loudness) <= VERIFY_LU:
            return dataclasses.replace(previous, planned_lufs=now)
    voice = plan_gain(measured, settings.loudness)
    return Gain(voice, planned_lufs=measured.lufs(voice))


def correction(gain: Gain, after: Loudness, settings: Mastering) -> Gain | None:
    """The gain to run pass 2 again with, when the file made with `gain` measures
    (`after`) more than VERIFY_LU off the target or its true peak over the ceiling less
    VERIFY_PEAK_DB (the encoder's own overshoot): the loudness difference made up on
    the mix, the overshoot added to the limiter's margin. None when the file is right
    (or silent: nothing to correct)."""
    off = settings.loudness - after.integrated_lufs
    over = after.true_peak_dbtp - (settings.true_peak - VERIFY_PEAK_DB)
    if not math.isfinite(off) or (abs(off) <= VERIFY_LU and over <= 0):
        return None
    return dataclasses.replace(gain, overall=gain.overall * 10 ** (off / 20),
                               margin_db=gain.margin_db + max(0.0, over + VERIFY_PEAK_DB))

