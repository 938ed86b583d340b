"""Pass 1 of mastering (ITU-R BS.1770 / EBU R 128), in bounded memory.

`measure_stems` reads the mix's blocks once and keeps only the K-weighted energy of
every 100 ms, separately for the voice and the bed, and the sample peak: enough to say
what the programme measures at any voice gain (`Measurement.lufs`). Peaks are pass 2's
business (its limiter and the check of the encoded file measure true peaks), so pass 1
does not oversample: that was 6 % of a cold render's CPU, for a figure nothing read.
Samples are float arrays shaped (frames, channels).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from audioessay.dsp import meter
from audioessay.master.loudness import Loudness
from audioessay.mix.stems import Stems


@dataclass(frozen=True)
class Measurement:
    """What pass 1 keeps: K-weighted energy per 100 ms of each stem, and the unmastered
    mix's sample peak (linear; its true peak is at least this)."""

    rate: int
    channels: int
    voice_steps: np.ndarray
    bed_steps: np.ndarray
    peak: float
    frames: int

    def lufs(self, voice_gain: float) -> float:
        """Integrated loudness of voice * voice_gain + bed (the stems are uncorrelated,
        so their energies add)."""
        steps = self.voice_steps * voice_gain ** 2 + self.bed_steps
        return meter.integrated(meter.block_energies(steps, round(meter.STEP * self.rate)))

    def loudness(self) -> Loudness:
        """The unmastered mix (voice at its own level) as a Loudness (its peak: the sample peak)."""
        return Loudness(self.lufs(1.0), meter.to_db(self.peak))


def measure_stems(blocks: Iterable[Stems], rate: int, channels: int) -> Measurement:
    """Pass 1: loudness material and sample peak from the blocks, filter state carried."""
    voice_m = meter.LoudnessMeter(rate, 1)
    bed_m = meter.LoudnessMeter(rate, channels)
    peak, frames, has_bed = 0.0, 0, False
    for block in blocks:
        voice_m.add(block.voice)
        if block.bed is not None:
            has_bed = True
            if block.bed_weighted is not None:
                bed_m.add_weighted(block.bed_weighted)
            else:
                bed_m.add(block.bed)
        peak = max(peak, float(np.abs(block.mixed(1.0, channels)).max(initial=0.0)))
        frames += len(block.voice)
    # A mono voice sent to every channel counts once per channel (channel weights are 1).
    voice = np.asarray(voice_m.steps) * channels
    bed = np.asarray(bed_m.steps) if has_bed else np.zeros_like(voice)
    bed = np.concatenate([bed, np.zeros(max(0, len(voice) - len(bed)))])[:len(voice)]
    return Measurement(rate, channels, voice, bed, peak, frames)


def join(parts: Sequence[Measurement], rate: int, channels: int) -> Measurement:
    """The episode's measurement from its parts' (each part's last partial 100 ms is
    dropped: at most a part's worth of 100 ms of pause out of the whole)."""
    if not parts:
        return Measurement(rate, channels, np.zeros(0), np.zeros(0), 0.0, 0)
    return Measurement(rate, channels, np.concatenate([p.voice_steps for p in parts]),
                       np.concatenate([p.bed_steps for p in parts]), max(p.peak for p in parts),
                       sum(p.frames for p in parts))
