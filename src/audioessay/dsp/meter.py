"""Loudness and true peak after ITU-R BS.1770-4, measured block by block.

Everything here streams: a `LoudnessMeter` or `TruePeakMeter` is fed consecutive
blocks (float arrays shaped (frames, channels)) and carries its filter state
across them, so an episode is never held whole. numpy only: no scipy import on
the render path.

Names follow the standard: K-weighting (a high shelf then the RLB high-pass),
gating blocks of T_g = 400 ms overlapping by 75 %, the absolute gate
Gamma_a = -70 LKFS and the relative gate 10 LU under the ungated mean.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

T_G = 0.4  # gating block, seconds
STEP = 0.1  # gating blocks start every 100 ms (75 % overlap)
GAMMA_A = -70.0  # absolute gate, LKFS
RELATIVE_GATE = -10.0  # relative gate, LU under the absolutely gated loudness
OFFSET = -0.691  # the constant in BS.1770's loudness formula
OVERSAMPLE = 4  # true peak: 4x oversampling (BS.1770-4 Annex 2)
_TAPS_PER_PHASE = 12  # 48 taps in all, as in Annex 2


# --- filters -----------------------------------------------------------------


def biquad_shelf(rate: int, gain_db: float = 4.0, fc: float = 1500.0, q: float = 1 / math.sqrt(2)):
    """The K-weighting pre-filter (high shelf), RBJ cookbook form (as pyloudnorm designs it)."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    c, s = math.cos(w0), 2 * math.sqrt(a) * alpha
    b = (a * ((a + 1) + (a - 1) * c + s), -2 * a * ((a - 1) + (a + 1) * c), a * ((a + 1) + (a - 1) * c - s))
    den = ((a + 1) - (a - 1) * c + s, 2 * ((a - 1) - (a + 1) * c), (a + 1) - (a - 1) * c - s)
    return b, den


def biquad_highpass(rate: int, fc: float, q: float):
    """A second-order high-pass (RBJ cookbook); BS.1770's RLB filter is fc 38 Hz, Q 0.5."""
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    c = math.cos(w0)
    return ((1 + c) / 2, -(1 + c), (1 + c) / 2), (1 + alpha, -2 * c, 1 - alpha)


def impulse_response(stages, length: int = 1 << 15, tolerance: float = 1e-7) -> np.ndarray:
    """The cascade of biquads as an FIR: its impulse response, cut where what is left
    of it is below `tolerance` (the poles decay geometrically, so the cut is exact
    to far better than the meter needs)."""
    h = np.zeros(length)
    h[0] = 1.0
    for b, a in stages:
        b0, b1, b2 = (x / a[0] for x in b)
        a1, a2 = a[1] / a[0], a[2] / a[0]
        y = np.empty(length)
        x1 = x2 = y1 = y2 = 0.0
        for n, x in enumerate(h.tolist()):  # runs once per rate and filter: cached by callers
            v = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            y[n] = v
            x2, x1, y2, y1 = x1, x, y1, v
        h = y
    tail = np.cumsum(np.abs(h[::-1]))[::-1]
    keep = int(np.argmax(tail < tolerance)) or length
    return h[:keep]


@lru_cache(maxsize=8)
def k_weighting(rate: int) -> np.ndarray:
    return impulse_response([biquad_shelf(rate), biquad_highpass(rate, 38.0, 0.5)])


class FIRStream:
    """y = h * x, block by block (FFT overlap-save in float32); the last len(h)-1 input
    frames are the filter state carried to the next block. Blocks are filtered in chunks
    of one transform length, a power of two about 8x the filter: for BS.1770's 3,510 taps
    at 44.1 kHz that is 32,768, 3.6x faster than one transform as long as a block of
    345,600 frames (cache-sized transforms; each output frame costs the same FFT work)."""

    def __init__(self, h: np.ndarray, channels: int):
        self.h = np.asarray(h, dtype=np.float64)
        self.state = np.zeros((len(self.h) - 1, channels), np.float32)
        self.size = max(1 << 15, 1 << (8 * len(self.h) - 1).bit_length())
        self._spectrum = np.fft.rfft(self.h, self.size)[:, None].astype(np.complex64)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n, keep, size = len(x), len(self.state), self.size
        buf = np.concatenate([self.state, np.asarray(x, np.float32).reshape(n, -1)])
        out = np.empty((n, buf.shape[1]), np.float32)
        chunk = size - keep
        for lo in range(0, n, chunk):
            seg = buf[lo: lo + keep + chunk]
            y = np.fft.irfft(np.fft.rfft(seg, size, axis=0) * self._spectrum, size, axis=0)
            out[lo: lo + len(seg) - keep] = y[keep: len(seg)]
        if keep:
            self.state = buf[len(buf) - keep:]
        return out


@lru_cache(maxsize=256)
def fft_size(n: int) -> int:
    """The smallest 5-smooth number (2^a * 3^b * 5^c) >= n: a length numpy's FFT does fast."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            best = min(best, p35 << max(0, (-(-n // p35) - 1).bit_length()))
            p35 *= 3
        p5 *= 5
    return best


# --- integrated loudness -------------------------------------------------------


class LoudnessMeter:
    """Integrated loudness (and loudness range) of a stream of blocks.

    Keeps only the K-weighted energy of each 100 ms step (a few floats per second of
    audio): a 400 ms gating block is four consecutive steps."""

    def __init__(self, rate: int, channels: int):
        self.rate, self.channels = rate, channels
        self.filter = FIRStream(k_weighting(rate), channels)
        self.step = round(STEP * rate)
        self._partial = 0.0
        self._filled = 0
        self.steps: list[float] = []  # summed K-weighted energy (channel weights 1) per 100 ms

    def add(self, x: np.ndarray) -> None:
        self.add_weighted(self.filter(np.asarray(x).reshape(len(x), -1)))

    def add_weighted(self, y: np.ndarray) -> None:
        """Blocks already through the K-weighting filter."""
        if y.shape[1] <= 2:  # the same float32 sums, without numpy's slow reduction over a tiny axis
            e = np.square(y[:, 0])
            if y.shape[1] == 2:
                e += np.square(y[:, 1])
        else:
            e = np.square(y).sum(axis=1)
        pos = 0
        while pos < len(e):
            take = min(self.step - self._filled, len(e) - pos)
            self._partial += float(e[pos:pos + take].sum())
            self._filled += take
            pos += take
            if self._filled == self.step:
                self.steps.append(self._partial)
                self._partial, self._filled = 0.0, 0

    def block_energies(self) -> np.ndarray:
        """Mean square per 400 ms gating block (z_j, summed over channels)."""
        return block_energies(np.asarray(self.steps), self.step)

    def integrated(self) -> float:
        return integrated(self.block_energies())


def block_energies(steps: np.ndarray, step_frames: int) -> np.ndarray:
    per = round(T_G / STEP)
    if len(steps) < per:
        return np.zeros(0)
    c = np.concatenate([[0.0], np.cumsum(steps)])
    return (c[per:] - c[:-per]) / (per * step_frames)


def loudness_of(z: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return OFFSET + 10 * np.log10(z)


def integrated(z: np.ndarray) -> float:
    """BS.1770 gated loudness from the gating blocks' mean squares z_j: -inf if none pass."""
    if len(z) == 0:
        return -math.inf
    lj = loudness_of(z)
    above_a = z[lj >= GAMMA_A]
    if len(above_a) == 0:
        return -math.inf
    gamma_r = float(loudness_of(above_a.mean())) + RELATIVE_GATE
    gated = z[(lj >= GAMMA_A) & (lj > gamma_r)]
    return float(loudness_of(gated.mean())) if len(gated) else -math.inf


def loudness_range(steps: np.ndarray, step_frames: int) -> float:
    """EBU Tech 3342 loudness range (LU) from 100 ms step energies: 3 s short-term
    blocks, gated at -70 LKFS and 20 LU under their mean, 10th to 95th percentile."""
    per = round(3.0 / STEP)
    if len(steps) < per:
        return 0.0
    c = np.concatenate([[0.0], np.cumsum(steps)])
    z = (c[per:] - c[:-per]) / (per * step_frames)
    lj = loudness_of(z)
    z = z[lj >= GAMMA_A]
    if len(z) == 0:
        return 0.0
    lj = loudness_of(z)
    lj = lj[lj >= float(loudness_of(z.mean())) - 20.0]
    lo, hi = np.percentile(lj, [10, 95])
    return float(hi - lo)


# --- true peak -----------------------------------------------------------------


@lru_cache(maxsize=1)
def interpolator() -> tuple[np.ndarray, float]:
    """The 4x interpolation filter (48 taps, Kaiser-windowed sinc, gain 4 so each phase
    passes the signal at unity) as (phases, taps), and the most it can raise a peak
    (its largest per-phase L1 norm)."""
    n = np.arange(OVERSAMPLE * _TAPS_PER_PHASE) - (OVERSAMPLE * _TAPS_PER_PHASE - 1) / 2
    h = np.sinc(n / OVERSAMPLE) * np.kaiser(len(n), 5.0)
    h *= OVERSAMPLE / h.sum()
    phases = np.stack([h[k::OVERSAMPLE] for k in range(OVERSAMPLE)])
    return phases, float(np.abs(phases).sum(axis=1).max()) * 1.001


class TruePeakMeter:
    """Per-frame true peak (the largest |value| of the 4x oversampled signal around each
    input frame, over channels), block by block. The last few input frames are carried.

    The envelope it returns lags the input by `DELAY` frames (the interpolator's half
    length); `envelope(x, floor)` only oversamples stretches that could reach `floor`
    (tested per `CHUNK` frames from the start of each block)."""

    DELAY = _TAPS_PER_PHASE // 2
    CHUNK = 2048
    RUN = 1 << 13  # frames oversampled at once (temporaries of ~1 MB: fast, and bounded)

    def __init__(self, channels: int):
        self.state = np.zeros((_TAPS_PER_PHASE - 1, channels))
        self.phases, self.bound = interpolator()
        self.weights = np.ascontiguousarray(self.phases[:, ::-1])  # (phases, taps): y_k[i] = weights[k] . x[i:i + taps]

    def envelope(self, x: np.ndarray, floor: float = 0.0) -> np.ndarray:
        """(len(x),) true-peak values for the frames [start - DELAY, end - DELAY) of the stream."""
        if x.ndim != 2 or x.shape[1] != self.state.shape[1]:
            raise ValueError(f"envelope needs blocks shaped (frames, {self.state.shape[1]}), got {x.shape}: "
                             "reshape mono audio to (frames, 1)")
        n, taps, d, keep = len(x), _TAPS_PER_PHASE, self.DELAY, len(self.state)
        buf = np.empty((keep + n, self.state.shape[1]))
        buf[:keep], buf[keep:] = self.state, x  # one copy, converted to float64 on the way
        self.state = buf[n:].copy()
        sample = _abs_peak(buf)
        # frame i of the output covers buf[i : i + taps]: its centre is i + DELAY - 1 ... i + DELAY.
        # A skipped chunk keeps the sample peak at its centre.
        out = sample[d:d + n].copy()
        for lo, hi in self._live_runs(sample, n, floor):
            for a in range(lo, hi, self.RUN):
                b = min(hi, a + self.RUN)
                # The interpolated grid sits between the samples (48 taps: no centre tap), so
                # the samples themselves count too: a true peak is never below the sample peak.
                best = np.maximum(out[a:b], sample[a + d - 1:b + d - 1])
                for c in range(buf.shape[1]):
                    np.maximum(best, self._oversampled_peak(buf[a:b + taps - 1, c]), out=best)
                out[a:b] = best
        return out

    def _live_runs(self, sample: np.ndarray, n: int, floor: float) -> list[tuple[int, int]]:
        """[lo, hi) stretches of whole chunks whose inputs (chunk plus taps - 1 frames)
        could reach `floor` once oversampled."""
        if n == 0:
            return []
        starts = np.arange(0, n, self.CHUNK)
        if floor > 0:
            ends = np.minimum(starts + self.CHUNK, n)
            peak = np.maximum.reduceat(sample[:n], starts)
            after = sample[ends[:, None] + np.arange(_TAPS_PER_PHASE - 1)].max(axis=1)
            live = ~(np.maximum(peak, after) * self.bound < floor)
        else:
            live = np.ones(len(starts), bool)
        edges = np.flatnonzero(np.diff(np.concatenate([[False], live, [False]]).astype(np.int8)))
        bounds = np.append(starts, n)
        return [(int(bounds[i]), int(bounds[j])) for i, j in zip(edges[::2], edges[1::2])]

    def _oversampled_peak(self, seg: np.ndarray) -> np.ndarray:
        """max over the 4 phases of |interpolated value| for each 12-frame window of `seg` (1-D):
        the windows as 12 shifted rows, one (4, 12) @ (12, m) product, then 3 row maxima."""
        taps = _TAPS_PER_PHASE
        m = len(seg) - taps + 1
        rows = np.empty((taps, m))
        for j in range(taps):
            rows[j] = seg[j:j + m]
        y = self.weights @ rows
        np.abs(y, out=y)
        best = y[0]
        for k in range(1, len(y)):
            np.maximum(best, y[k], out=best)
        return best


def _abs_peak(buf: np.ndarray) -> np.ndarray:
    """|buf| maximised over channels, (frames,)."""
    peak = np.abs(buf[:, 0])
    for c in range(1, buf.shape[1]):
        np.maximum(peak, np.abs(buf[:, c]), out=peak)
    return peak


def true_peak(x: np.ndarray) -> float:
    """True peak of a whole (short) array, linear."""
    x = np.asarray(x).reshape(len(x), -1)
    meter = TruePeakMeter(x.shape[1])
    env = meter.envelope(np.concatenate([x, np.zeros((TruePeakMeter.DELAY * 2, x.shape[1]))]))
    return float(env.max(initial=0.0))


def to_db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else -math.inf
