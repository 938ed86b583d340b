"""Two-pass mastering after ITU-R BS.1770 / EBU R 128, in bounded memory.

Pass 1 (`measure_stems`) reads the mix's blocks once and keeps only the K-weighted
energy of every 100 ms, separately for the voice and the bed, and the running true
peak. From that, `plan_gain` picks the voice gain that brings the programme to the
target loudness. Pass 2 (`Mastered.blocks`) regenerates the blocks, applies the gain,
runs the look-ahead true-peak limiter across block boundaries and meters what it
hands on (the encoder's input). Nothing holds the whole episode.

`measure` and `master` do the same for an array in memory (tests, short clips).
Samples are float arrays shaped (frames, channels).
"""

from __future__ import annotations

import dataclasses
import math
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from audioessay.dsp import meter
from audioessay.dsp.convert import as_frames
from audioessay.config.groups import Mastering
from audioessay.dsp.limiter import Limiter
from audioessay.mix.stems import Stems

MP3_MARGIN_DB = 1.0  # headroom under the ceiling: MP3 encoding adds overshoots of up to about 0.6 dB
BLOCK = 1 << 15  # frames per block when an array in memory is streamed
VERIFY_LU = 0.1  # the encoded file may be this far off the target before pass 2 is redone
VERIFY_PEAK_DB = 0.1  # and its true peak must be this far under the ceiling (ffmpeg rounds to 0.1)
log = logging.getLogger("audioessay.master.loudness")


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness in LUFS and true peak in dBTP; -inf for digital silence."""

    integrated_lufs: float
    true_peak_dbtp: float
    range_lu: float = 0.0

    def __str__(self) -> str:
        return f"{self.integrated_lufs:.1f} LUFS, {self.true_peak_dbtp:.1f} dBTP"


# --- pass 1 ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """What pass 1 keeps: K-weighted energy per 100 ms of each stem, and the unmastered
    mix's true peak (linear)."""

    rate: int
    channels: int
    voice_steps: np.ndarray
    bed_steps: np.ndarray
    true_peak: float
    frames: int

    def lufs(self, voice_gain: float) -> float:
        """Integrated loudness of voice * voice_gain + bed (the stems are uncorrelated,
        so their energies add)."""
        steps = self.voice_steps * voice_gain ** 2 + self.bed_steps
        return meter.integrated(meter.block_energies(steps, round(meter.STEP * self.rate)))


def measure_stems(blocks: Iterable[Stems], rate: int, channels: int) -> Measurement:
    """Pass 1: loudness material and true peak from the blocks, filter state carried."""
    voice_m = meter.LoudnessMeter(rate, 1)
    bed_m = meter.LoudnessMeter(rate, channels)
    peak_m = meter.TruePeakMeter(channels)
    peak, frames, has_bed = 0.0, 0, False
    for block in blocks:
        voice_m.add(block.voice)
        if block.bed is not None:
            has_bed = True
            if block.bed_weighted is not None:
                bed_m.add_weighted(block.bed_weighted)
            else:
                bed_m.add(block.bed)
        mix = block.mixed(1.0, channels)
        # Only stretches that could beat the running peak are oversampled.
        peak = max(peak, float(peak_m.envelope(mix, floor=peak).max(initial=0.0)))
        frames += len(block.voice)
    tail = peak_m.envelope(np.zeros((2 * meter.TruePeakMeter.DELAY, channels)), floor=peak)
    peak = max(peak, float(tail.max(initial=0.0)))
    # A mono voice sent to every channel counts once per channel (channel weights are 1).
    voice = np.asarray(voice_m.steps) * channels
    bed = np.asarray(bed_m.steps) if has_bed else np.zeros_like(voice)
    bed = np.concatenate([bed, np.zeros(max(0, len(voice) - len(bed)))])[:len(voice)]
    return Measurement(rate, channels, voice, bed, peak, frames)


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


# --- pass 2 ------------------------------------------------------------------------


class Mastered:
    """Pass 2: `blocks()` yields the mastered mix block by block (gain, then the limiter)
    and meters it; after it is exhausted, `after` holds its loudness and true peak and
    `limited` the share of frames the limiter pulled down by more than 3 dB."""

    def __init__(self, stems: Iterable[Stems], rate: int, channels: int, voice_gain: float, settings: Mastering,
                 gain: float = 1.0, margin_db: float = MP3_MARGIN_DB, metered: bool = True):
        self.stems, self.rate, self.channels = stems, rate, channels
        self.metered = metered  # off when the encoded file is measured instead
        self.voice_gain, self.gain = voice_gain, gain
        self.ceiling = 10.0 ** ((settings.true_peak - margin_db) / 20.0)
        self.after: Loudness | None = None
        self.limited = 0.0
        self._peak = 0.0

    def blocks(self) -> Iterator[np.ndarray]:
        loud = meter.LoudnessMeter(self.rate, self.channels)
        peaks = meter.TruePeakMeter(self.channels)
        limiter = Limiter(self.rate, self.channels, self.ceiling)
        self._peak = 0.0
        for block in self.stems:
            x = block.mixed(self.voice_gain, self.channels).astype(np.float64) * self.gain
            yield from self._metered(limiter.push(x), loud, peaks)
        yield from self._metered(limiter.flush(), loud, peaks)
        tail = peaks.envelope(np.zeros((2 * meter.TruePeakMeter.DELAY, self.channels)), floor=self._peak)
        peak = max(self._peak, float(tail.max(initial=0.0)))
        self.after = Loudness(loud.integrated(), meter.to_db(peak),
                              meter.loudness_range(np.asarray(loud.steps), loud.step))
        self.limited = limiter.stats[0] / max(1, limiter.stats[1])

    def _metered(self, out: np.ndarray, loud: meter.LoudnessMeter, peaks: meter.TruePeakMeter) -> Iterator[np.ndarray]:
        if len(out) and self.metered:
            loud.add(out)
            self._peak = max(self._peak, float(peaks.envelope(out, floor=self._peak).max(initial=0.0)))
        if len(out):
            yield out.astype(np.float32)


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


def master_to_file(measured: Measurement, settings: Mastering, encode: Callable[[Gain], Loudness],
                   previous: Gain | None = None) -> tuple[Loudness, Loudness, Gain]:
    """Pass 2 into the encoder (`encode(gain)` writes the file and returns what its decoded
    audio measures), with the loudness closed on the file: if that is more than
    VERIFY_LU off the target, or its true peak over the ceiling, pass 2 runs once more
    with the difference made up. Returns (before, after, the gain used)."""
    before = Loudness(measured.lufs(1.0), meter.to_db(measured.true_peak))
    gain = first_gain(measured, settings, previous)
    for attempt in range(2):
        after = encode(gain)
        log.info("pass 2: the file measures %.2f LUFS, %.2f dBTP", after.integrated_lufs, after.true_peak_dbtp)
        off = settings.loudness - after.integrated_lufs
        over = after.true_peak_dbtp - (settings.true_peak - VERIFY_PEAK_DB)  # the encoder's own overshoot
        if attempt or not math.isfinite(off) or (abs(off) <= VERIFY_LU and over <= 0):
            break
        gain = dataclasses.replace(gain, overall=gain.overall * 10 ** (off / 20),
                                   margin_db=gain.margin_db + max(0.0, over + VERIFY_PEAK_DB))
    return before, after, dataclasses.replace(gain, file_lufs=after.integrated_lufs)


# --- arrays in memory ----------------------------------------------------------------


def _as_stems(x: np.ndarray) -> Iterator[Stems]:
    """A whole array as a stream of 'voice' blocks (each channel metered as it is)."""
    for i in range(0, len(x), BLOCK):
        yield Stems(x[i:i + BLOCK], None)


def measure(samples: np.ndarray, rate: int) -> Loudness:
    """Integrated loudness (BS.1770 gated) and 4x-oversampled true peak of an array.
    Audio shorter than one 400 ms gating block reads -inf LUFS."""
    x = as_frames(samples)
    loud = meter.LoudnessMeter(rate, x.shape[1])
    peaks = meter.TruePeakMeter(x.shape[1])
    peak = 0.0
    for i in range(0, len(x), BLOCK):
        block = x[i:i + BLOCK]
        loud.add(block)
        peak = max(peak, float(peaks.envelope(block, floor=peak).max(initial=0.0)))
    tail = peaks.envelope(np.zeros((2 * meter.TruePeakMeter.DELAY, x.shape[1])), floor=peak)
    peak = max(peak, float(tail.max(initial=0.0)))
    return Loudness(loud.integrated(), meter.to_db(peak))


def master(samples: np.ndarray, rate: int, settings: Mastering) -> tuple[np.ndarray, Loudness, Loudness]:
    """Gain `samples` to `settings.loudness` LUFS, limit true peaks to `settings.true_peak`
    dBTP, through the same two passes as an episode. Returns (mastered float32, before,
    after). Silent or too-short input is returned unchanged, with before == after."""
    x = as_frames(samples)
    before = measure(x, rate)
    if not math.isfinite(before.integrated_lufs):
        return x.copy(), before, before
    channels = x.shape[1]
    # Each channel is its own 'voice' here: measure the array as it is.
    loud_m = meter.LoudnessMeter(rate, channels)
    for i in range(0, len(x), BLOCK):
        loud_m.add(x[i:i + BLOCK])
    gain = 10 ** ((settings.loudness - loud_m.integrated()) / 20)
    out, after = _master_array(x, rate, gain, settings)
    # Limiting takes a little loudness: one more pass with that made up (limited again).
    if abs(after.integrated_lufs - settings.loudness) > 0.05:
        gain *= 10 ** ((settings.loudness - after.integrated_lufs) / 20)
        out, after = _master_array(x, rate, gain, settings)
    return out, before, after


def _master_array(x: np.ndarray, rate: int, gain: float, settings: Mastering) -> tuple[np.ndarray, Loudness]:
    channels = x.shape[1]

    def stems() -> Iterator[Stems]:
        for i in range(0, len(x), BLOCK):
            yield Stems(np.zeros((len(x[i:i + BLOCK]), 1), np.float32), x[i:i + BLOCK] * np.float32(gain))

    m = Mastered(stems(), rate, channels, 0.0, settings)
    out = np.concatenate(list(m.blocks()) or [np.zeros((0, channels), np.float32)])
    assert m.after is not None
    return out, m.after
