"""Loudness measurement and mastering after ITU-R BS.1770 / EBU R 128.

`measure` reads integrated loudness (LUFS, via pyloudnorm) and true peak
(dBTP, 4x oversampled). `master` gains a mix to a target loudness, then runs a
lookahead true-peak limiter so the result stays under a ceiling.

Samples are float32 arrays shaped (frames, channels) (1-D is taken as mono).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from audioessay.audio import as_frames
from audioessay.groups import Mastering
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

OVERSAMPLE = 4  # BS.1770-4 Annex 2: 4x oversampling for true peak at 44.1/48 kHz
MP3_MARGIN_DB = 0.3  # headroom under the ceiling: MP3 encoding adds small overshoots
LOOKAHEAD_MS = 5.0  # the limiter reaches full reduction this long before a peak
HOLD_MS = 40.0  # and holds it this long after, so dense peaks don't flutter
RELEASE_MS = 150.0  # then recovers gradually over about this long

_CHUNK = 1 << 18  # frames per oversampling chunk, to bound memory
_BLOCK = 1024  # frames per block when deciding where to oversample
_DECIMATE = 16  # the limiter computes its gain per this many frames
_PAD = 32  # input frames of context each side of a chunk (filter half-length is 6)
# 48-tap interpolation filter (12 taps per phase), as in BS.1770-4 Annex 2.
_TP_FILTER = None


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness in LUFS and true peak in dBTP; -inf for digital silence."""

    integrated_lufs: float
    true_peak_dbtp: float

    def __str__(self) -> str:
        return f"{self.integrated_lufs:.1f} LUFS, {self.true_peak_dbtp:.1f} dBTP"


def measure(samples: np.ndarray, rate: int) -> Loudness:
    """Integrated loudness (BS.1770 gated, pyloudnorm) and 4x-oversampled true peak.

    Audio shorter than one 400 ms gating block has no integrated loudness and
    reads -inf LUFS.
    """
    x = as_frames(samples)
    return Loudness(_integrated(x, rate), _true_peak_db(x))


def master(samples: np.ndarray, rate: int, settings: Mastering) -> tuple[np.ndarray, Loudness, Loudness]:
    """Gain `samples` to `settings.loudness` LUFS, limit true peaks to `settings.true_peak` dBTP.

    Returns (mastered float32 (frames, channels), before, after). The limiter
    aims MP3_MARGIN_DB under the ceiling so the encoded MP3 still measures
    under it. Silent (or too short to measure) input is returned unchanged,
    with before == after.
    """
    target_lufs, ceiling_dbtp = settings.loudness, settings.true_peak
    x = as_frames(samples)
    before = measure(x, rate)
    if not math.isfinite(before.integrated_lufs):
        return x.copy(), before, before

    ceiling = 10.0 ** ((ceiling_dbtp - MP3_MARGIN_DB) / 20.0)
    gain_db = target_lufs - before.integrated_lufs
    slack_db = 4.0  # most make-up gain allowed to win back what limiting takes
    # The limiter only needs the envelope where it could exceed the ceiling.
    env = _true_peak_envelope(x, floor=ceiling / 10.0 ** ((gain_db + slack_db) / 20.0))
    peaks = _block_reduce(env, np.max, fill=0.0)
    # Limiting lowers loudness; make-up rounds run at block rate on the
    # K-weighted energy, so each costs little. pyloudnorm has the last word.
    energy = _block_reduce(np.square(_k_weighted(x, rate)).sum(axis=1), np.sum, fill=0.0)
    offset = before.integrated_lufs - _gated_lufs(energy, rate)
    first_db = gain_db
    for _ in range(6):
        g = 10.0 ** (gain_db / 20.0)
        gain_blocks = g * _limiter_blocks(peaks * g, ceiling, rate)
        estimate = _gated_lufs(energy * np.square(gain_blocks), rate) + offset
        if abs(estimate - target_lufs) < 0.05:
            break
        gain_db = min(gain_db + target_lufs - estimate, first_db + slack_db)
    out = x * _to_frames(gain_blocks, len(x))[:, None]
    after = measure(out, rate)
    # A constant trim: corrects the estimate's small error, and any inter-sample
    # peak the varying gain created; never past the ceiling.
    trim_db = min(target_lufs - after.integrated_lufs, ceiling_dbtp - MP3_MARGIN_DB - after.true_peak_dbtp)
    if abs(trim_db) > 0.02:
        out *= np.float32(10.0 ** (trim_db / 20.0))
        # Loudness and peak scale exactly with a constant gain.
        after = Loudness(after.integrated_lufs + trim_db, after.true_peak_dbtp + trim_db)
    return out, before, after


def _limiter_blocks(block_peaks: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """Gain per block of _DECIMATE frames (<= 1) so every block's peak * gain <= ceiling,
    and so that linear interpolation between block centres stays under it too.

    Vectorised lookahead limiter: the required gain is held with a sliding
    minimum over [t - hold, t + lookahead] (widened by a block each side for
    the interpolation), smoothed by two short boxcars that fit inside the
    lookahead (so the smoothed gain still meets every peak), and released
    through a longer trailing average.
    """
    need = np.minimum(1.0, ceiling / np.maximum(block_peaks, 1e-12))
    if need.min() >= 1.0:
        return need
    block_rate = rate / _DECIMATE
    half = max(1, math.ceil(block_rate * LOOKAHEAD_MS / 2000))
    hold = math.ceil(block_rate * HOLD_MS / 1000)
    release = math.ceil(block_rate * RELEASE_MS / 1000)
    held = _window(minimum_filter1d, need, before=hold + 1, after=2 * half + 1)
    # Two trailing boxcars: total support [t - 2*half, t], inside the lookahead.
    smooth = _window(uniform_filter1d, held, before=half, after=0)
    smooth = _window(uniform_filter1d, smooth, before=half, after=0)
    slow = _window(uniform_filter1d, smooth, before=release, after=0)
    return np.minimum(smooth, slow)


def _block_reduce(a: np.ndarray, fn, *, fill: float) -> np.ndarray:
    """fn over consecutive blocks of _DECIMATE frames of a 1-D array (last block padded)."""
    nb = -(-len(a) // _DECIMATE)
    padded = np.full(nb * _DECIMATE, fill, dtype=np.float64)
    padded[: len(a)] = a
    return fn(padded.reshape(nb, _DECIMATE), axis=1)


def _to_frames(gain_blocks: np.ndarray, n: int) -> np.ndarray:
    """Linear interpolation of per-block gains to per-frame gains, between block centres."""
    centres = np.arange(len(gain_blocks)) * _DECIMATE + (_DECIMATE - 1) / 2
    return np.interp(np.arange(n, dtype=np.float64), centres, gain_blocks).astype(np.float32)


def _k_weighted(x: np.ndarray, rate: int) -> np.ndarray:
    """The signal through pyloudnorm's BS.1770 K-weighting filters."""
    out = _dithered(x)
    for stage in pyloudnorm.Meter(rate)._filters.values():
        for ch in range(out.shape[1]):
            out[:, ch] = stage.apply_filter(out[:, ch])
    return out


def _gated_lufs(block_energy: np.ndarray, rate: int) -> float:
    """BS.1770 gated loudness from summed K-weighted energy per _DECIMATE-frame block
    (an estimate: gating blocks are rounded to whole blocks). Channel weights are 1."""
    size = max(1, round(0.4 * rate / _DECIMATE))
    step = max(1, round(0.1 * rate / _DECIMATE))
    csum = np.concatenate([[0.0], np.cumsum(block_energy)])
    starts = np.arange(0, len(block_energy) - size + 1, step)
    if len(starts) == 0:
        return -math.inf
    z = (csum[starts + size] - csum[starts]) / (size * _DECIMATE)
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(z)
    gated = z[loud >= -70.0]
    if len(gated) == 0:
        return -math.inf
    relative = -0.691 + 10 * np.log10(gated.mean()) - 10.0
    gated = z[(loud >= -70.0) & (loud > relative)]
    return -0.691 + 10 * math.log10(gated.mean()) if len(gated) else -math.inf


def _window(filt, x: np.ndarray, *, before: int, after: int) -> np.ndarray:
    """y[t] = filt over x[t - before : t + after + 1], with gain 1.0 beyond the ends."""
    size = before + after + 1
    padded = np.concatenate([np.ones(before, x.dtype), x, np.ones(after, x.dtype)])
    full = filt(padded, size=size, mode="nearest")
    return full[size // 2 : size // 2 + len(x)]


def _true_peak_envelope(x: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Per input frame, the largest |sample| of the 4x oversampled signal across channels.

    Only stretches that could reach `floor` are oversampled (interpolation can
    raise a peak by at most _L1 times the nearby sample peak); elsewhere the
    envelope is the plain sample peak, which is below `floor` anyway.
    """
    n = len(x)
    env = _channel_max(np.abs(x)) if n else np.zeros(0, dtype=np.float32)
    if n == 0:
        return env
    h, bound = _filter()
    nblocks = -(-n // _BLOCK)
    block_peak = np.zeros(nblocks * _BLOCK, dtype=np.float32)
    block_peak[:n] = env
    block_peak = block_peak.reshape(nblocks, _BLOCK).max(axis=1)
    # A block's interpolated values also depend on its neighbours' edge samples.
    near = np.maximum(block_peak, np.maximum(np.r_[0, block_peak[:-1]], np.r_[block_peak[1:], 0]))
    hot = near * bound >= floor
    # Oversample each run of consecutive hot blocks, in bounded chunks.
    edges = np.flatnonzero(np.diff(np.r_[0, hot.astype(np.int8), 0]))
    for run_start, run_stop in zip(edges[::2] * _BLOCK, np.minimum(edges[1::2] * _BLOCK, n)):
        for start in range(run_start, run_stop, _CHUNK):
            stop = min(run_stop, start + _CHUNK)
            lo, hi = max(0, start - _PAD), min(n, stop + _PAD)
            up = resample_poly(x[lo:hi], OVERSAMPLE, 1, axis=0, window=h)
            up = _channel_max(np.abs(up[(start - lo) * OVERSAMPLE : (stop - lo) * OVERSAMPLE]))
            # Elementwise maxima of strided views: far faster than .max(axis=1) over 4 columns.
            for k in range(OVERSAMPLE):
                np.maximum(env[start:stop], up[k::OVERSAMPLE], out=env[start:stop])
    return env


def _filter() -> tuple[np.ndarray, float]:
    """The interpolation filter and the most it can amplify a peak (max per-phase L1 norm)."""
    global _TP_FILTER
    if _TP_FILTER is None:
        from scipy.signal import firwin

        h = firwin(48, 1.0 / OVERSAMPLE, window=("kaiser", 5.0))  # resample_poly scales by 4
        bound = max(float(np.abs(h[k::OVERSAMPLE]).sum()) * OVERSAMPLE for k in range(OVERSAMPLE))
        _TP_FILTER = (h.astype(np.float32), bound * 1.001)
    return _TP_FILTER


def _channel_max(a: np.ndarray) -> np.ndarray:
    out = a[:, 0]
    if a.shape[1] == 1:
        return out
    out = out.copy()
    for c in range(1, a.shape[1]):
        np.maximum(out, a[:, c], out=out)
    return out


def _true_peak_db(x: np.ndarray) -> float:
    # True peak >= sample peak, so only stretches that could beat the sample peak need oversampling.
    sample_peak = float(np.abs(x).max(initial=0.0))
    return _to_db(float(_true_peak_envelope(x, floor=sample_peak).max(initial=0.0)))


def _integrated(x: np.ndarray, rate: int) -> float:
    if len(x) < int(0.4 * rate) + 1 or not np.any(x):
        return -math.inf
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        # A -240 dBFS Nyquist-rate dither keeps the K-weighting filters out of
        # subnormal numbers in digital silence, which would make them 10x slower.
        lufs = float(pyloudnorm.Meter(rate).integrated_loudness(_dithered(x)))
    return lufs if math.isfinite(lufs) else -math.inf


def _dithered(x: np.ndarray) -> np.ndarray:
    """float64 copy plus a -240 dBFS Nyquist-rate dither: keeps the K-weighting
    filters out of subnormal numbers in digital silence (10x slower there)."""
    out = x.astype(np.float64)
    out[::2] += 1e-12
    out[1::2] -= 1e-12
    return out




def _to_db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else -math.inf
