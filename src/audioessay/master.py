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
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

OVERSAMPLE = 4  # BS.1770-4 Annex 2: 4x oversampling for true peak at 44.1/48 kHz
MP3_MARGIN_DB = 0.3  # headroom under the ceiling: MP3 encoding adds small overshoots
LOOKAHEAD_MS = 5.0  # the limiter reaches full reduction this long before a peak
HOLD_MS = 40.0  # and holds it this long after, so dense peaks don't flutter
RELEASE_MS = 150.0  # then recovers gradually over about this long

_CHUNK = 1 << 18  # frames per oversampling chunk, to bound memory
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
    x = _as_frames(samples)
    return Loudness(_integrated(x, rate), _to_db(float(_true_peak_envelope(x).max(initial=0.0))))


def master(
    samples: np.ndarray,
    rate: int,
    *,
    target_lufs: float = -16.0,
    ceiling_dbtp: float = -1.0,
) -> tuple[np.ndarray, Loudness, Loudness]:
    """Gain `samples` to `target_lufs`, limit true peaks to `ceiling_dbtp`.

    Returns (mastered, before, after). The limiter aims MP3_MARGIN_DB under the
    ceiling so the encoded MP3 still measures under it. Silent (or too short to
    measure) input is returned unchanged, with before == after.
    """
    x = _as_frames(samples)
    before = measure(x, rate)
    if not math.isfinite(before.integrated_lufs):
        return x.copy(), before, before

    ceiling = 10.0 ** ((ceiling_dbtp - MP3_MARGIN_DB) / 20.0)
    env = _true_peak_envelope(x)  # envelope scales linearly with gain, so compute once
    gain_db = target_lufs - before.integrated_lufs
    out = x
    # Limiting lowers loudness a little; one make-up round brings it back.
    for _ in range(3):
        g = 10.0 ** (gain_db / 20.0)
        out = x * (g * _limiter_gain(env * g, ceiling, rate))[:, None]
        lufs = _integrated(out, rate)
        if abs(lufs - target_lufs) < 0.1:
            break
        gain_db += target_lufs - lufs
    out = out.astype(np.float32, copy=False)
    after = measure(out, rate)
    if after.true_peak_dbtp > ceiling_dbtp - MP3_MARGIN_DB / 2:
        # Gain changes alter inter-sample peaks slightly; a final trim fixes rare cases.
        trim = 10.0 ** ((ceiling_dbtp - MP3_MARGIN_DB - after.true_peak_dbtp) / 20.0)
        out = (out * trim).astype(np.float32)
        after = measure(out, rate)
    return out, before, after


def _limiter_gain(peak_env: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """Per-frame gain (<= 1) so that peak_env * gain <= ceiling everywhere.

    Vectorised lookahead limiter: the required gain is held with a sliding
    minimum over [t - hold, t + lookahead], smoothed by two short boxcars that
    fit inside the lookahead (so the smoothed gain still meets every peak), and
    released through a longer trailing average.
    """
    need = np.minimum(1.0, ceiling / np.maximum(peak_env, 1e-12))
    if need.min() >= 1.0:
        return np.ones_like(need)
    look = max(2, int(rate * LOOKAHEAD_MS / 1000))
    half = look // 2
    hold = int(rate * HOLD_MS / 1000)
    release = int(rate * RELEASE_MS / 1000)
    held = _window(minimum_filter1d, need, before=hold, after=look)
    # Two trailing boxcars, total support [t - 2*half, t] within the lookahead.
    smooth = _window(uniform_filter1d, held, before=half, after=0)
    smooth = _window(uniform_filter1d, smooth, before=half, after=0)
    slow = _window(uniform_filter1d, smooth, before=release, after=0)
    return np.minimum(smooth, slow)


def _window(filt, x: np.ndarray, *, before: int, after: int) -> np.ndarray:
    """y[t] = filt over x[t - before : t + after + 1], with gain 1.0 beyond the ends."""
    size = before + after + 1
    padded = np.concatenate([np.ones(before, x.dtype), x, np.ones(after, x.dtype)])
    full = filt(padded, size=size, mode="nearest")
    return full[size // 2 : size // 2 + len(x)]


def _true_peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per input frame, the largest |sample| of the 4x oversampled signal across channels."""
    n = len(x)
    env = np.zeros(n, dtype=np.float32)
    if n == 0:
        return env
    h = _filter()
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        lo, hi = max(0, start - _PAD), min(n, stop + _PAD)
        up = resample_poly(x[lo:hi], OVERSAMPLE, 1, axis=0, window=h)
        up = np.abs(up[(start - lo) * OVERSAMPLE : (stop - lo) * OVERSAMPLE]).max(axis=1)
        env[start:stop] = up.reshape(-1, OVERSAMPLE).max(axis=1)
    # The original samples are true-peak candidates too (the filter is not exactly interpolating).
    return np.maximum(env, np.abs(x).max(axis=1))


def _filter() -> np.ndarray:
    global _TP_FILTER
    if _TP_FILTER is None:
        from scipy.signal import firwin

        _TP_FILTER = firwin(48, 1.0 / OVERSAMPLE, window=("kaiser", 5.0)).astype(  # resample_poly scales by 4
            np.float32
        )
    return _TP_FILTER


def _integrated(x: np.ndarray, rate: int) -> float:
    if len(x) < int(0.4 * rate) + 1 or not np.any(x):
        return -math.inf
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        lufs = float(pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64, copy=False)))
    return lufs if math.isfinite(lufs) else -math.inf


def _as_frames(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        return x[:, None]
    if x.ndim != 2:
        raise ValueError(f"audio must be shaped (frames, channels), got {x.shape}")
    return x


def _to_db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else -math.inf
