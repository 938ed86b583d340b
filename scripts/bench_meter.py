"""Benchmark: the true-peak envelope and K-weighted loudness, old against new.

    python scripts/bench_meter.py [--minutes 10] [--channels 1] [--repeat 3]

A synthetic speech-like signal (noise bursts of a few hundred ms with pauses, at
44.1 kHz) is fed in 65536-frame blocks, as the renderer does, to:

  envelope floor=0        every chunk oversampled (pass-2 metering at the start)
  envelope floor=running  pass-1 measuring (floor = the running peak)
  envelope floor=ceiling  the look-ahead limiter (-1 dBTP ceiling)
  loudness add            LoudnessMeter.add (K-weighting FIR + 100 ms steps)

Times are CPU seconds of this process (BLAS threads included).

`old` is a copy of the implementation before the speed-up (kept below as the
baseline), `new` is audioessay.dsp.meter. Each row prints the best of --repeat runs
for both, their ratio, and the largest relative difference of the results.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from audioessay.dsp import meter  # noqa: E402

BLOCK = 65536
RATE = 44100


# --- the old implementation (baseline, as it was before the speed-up) ----------


class OldFIRStream:
    def __init__(self, h: np.ndarray, channels: int):
        self.h = np.asarray(h, dtype=np.float64)
        self.state = np.zeros((len(self.h) - 1, channels), np.float32)
        self.size = max(1 << 15, 1 << (4 * len(self.h) - 1).bit_length())
        self.spectrum = np.fft.rfft(self.h, self.size)[:, None].astype(np.complex64)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n, keep = len(x), len(self.state)
        buf = np.concatenate([self.state, np.asarray(x, np.float32).reshape(n, -1)])
        out = np.empty((n, buf.shape[1]), np.float32)
        chunk = self.size - keep
        for lo in range(0, n, chunk):
            seg = buf[lo: lo + keep + chunk]
            y = np.fft.irfft(np.fft.rfft(seg, self.size, axis=0) * self.spectrum, self.size, axis=0)
            out[lo: lo + len(seg) - keep] = y[keep: len(seg)]
        if keep:
            self.state = buf[len(buf) - keep:]
        return out


class OldLoudnessMeter(meter.LoudnessMeter):
    def __init__(self, rate: int, channels: int):
        super().__init__(rate, channels)
        self.filter = OldFIRStream(meter.k_weighting(rate), channels)

    def add_weighted(self, y: np.ndarray) -> None:
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


class OldTruePeakMeter:
    DELAY = meter._TAPS_PER_PHASE // 2
    CHUNK = 2048

    def __init__(self, channels: int):
        self.state = np.zeros((meter._TAPS_PER_PHASE - 1, channels))
        self.phases, self.bound = meter.interpolator()
        self.kernel = np.ascontiguousarray(self.phases[:, ::-1].T)

    def envelope(self, x: np.ndarray, floor: float = 0.0) -> np.ndarray:
        buf = np.concatenate([self.state, x.astype(np.float64, copy=False)])
        self.state = buf[len(buf) - len(self.state):]
        n = len(x)
        sample = np.abs(buf).max(axis=1)
        out = np.empty(n)
        taps = meter._TAPS_PER_PHASE
        for lo in range(0, n, self.CHUNK):
            hi = min(n, lo + self.CHUNK)
            near = sample[lo:hi + taps - 1]
            if near.max() * self.bound < floor:
                out[lo:hi] = sample[lo + self.DELAY:hi + self.DELAY]
                continue
            seg = buf[lo:hi + taps - 1]
            best = np.maximum(sample[lo + self.DELAY - 1:hi + self.DELAY - 1], sample[lo + self.DELAY:hi + self.DELAY])
            for c in range(seg.shape[1]):
                windows = np.lib.stride_tricks.sliding_window_view(seg[:, c], taps)
                np.maximum(best, np.abs(windows @ self.kernel).max(axis=1), out=best)
            out[lo:hi] = best
        return out


# --- the benchmark -------------------------------------------------------------


def speech_like(frames: int, channels: int, seed: int = 7) -> np.ndarray:
    """Noise bursts (150-600 ms, a slow pitch-like ripple) with 50-400 ms pauses, peaks near -1 dBFS."""
    rng = np.random.default_rng(seed)
    x = np.zeros((frames, channels), np.float32)
    pos = 0
    while pos < frames:
        n = int(rng.uniform(0.15, 0.6) * RATE)
        t = np.arange(min(n, frames - pos)) / RATE
        shape = np.sin(np.pi * t / (n / RATE)) * (0.6 + 0.4 * np.sin(2 * np.pi * 140 * t))
        x[pos:pos + len(t)] = (0.25 * shape[:, None] * rng.standard_normal((len(t), channels))).astype(np.float32)
        pos += n + int(rng.uniform(0.05, 0.4) * RATE)
    return np.clip(x, -0.89, 0.89)


def run_envelope(cls, x: np.ndarray, mode: str, ceiling: float) -> np.ndarray:
    m = cls(x.shape[1])
    parts, peak = [], 0.0
    for lo in range(0, len(x), BLOCK):
        floor = {"zero": 0.0, "running": peak, "ceiling": ceiling}[mode]
        env = m.envelope(x[lo:lo + BLOCK], floor=floor)
        peak = max(peak, float(env.max(initial=0.0)))
        parts.append(env)
    return np.concatenate(parts)


def run_loudness(cls, x: np.ndarray) -> np.ndarray:
    m = cls(RATE, x.shape[1])
    for lo in range(0, len(x), BLOCK):
        m.add(x[lo:lo + BLOCK])
    return np.asarray(m.steps)


def best_of(repeat: int, fn):
    """Least CPU time (process_time: steadier than wall time on a shared machine) and the result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.process_time()
        result = fn()
        times.append(time.process_time() - t)
    return min(times), result


def rel_diff(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    if mask is not None:
        a, b = a[mask], b[mask]
    scale = np.maximum(np.abs(a), 1e-300)
    return float(np.max(np.abs(a - b) / scale, initial=0.0))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    x = speech_like(int(args.minutes * 60 * RATE), args.channels)
    ceiling = 10 ** (-1.0 / 20)
    print(f"{args.minutes:g} min, {args.channels} ch, {RATE} Hz, blocks of {BLOCK} frames, best of {args.repeat}")
    print(f"{'':26s}{'old s':>9s}{'new s':>9s}{'speed-up':>10s}{'max rel diff':>15s}")
    rows = []
    for mode in ("zero", "running", "ceiling"):
        t_old, a = best_of(args.repeat, lambda: run_envelope(OldTruePeakMeter, x, mode, ceiling))
        t_new, b = best_of(args.repeat, lambda: run_envelope(meter.TruePeakMeter, x, mode, ceiling))
        rows.append((f"envelope floor={mode}", t_old, t_new, rel_diff(a, b)))
    t_old, a = best_of(args.repeat, lambda: run_loudness(OldLoudnessMeter, x))
    t_new, b = best_of(args.repeat, lambda: run_loudness(meter.LoudnessMeter, x))
    rows.append(("loudness add", t_old, t_new, rel_diff(a, b, a > 1e-12)))
    for name, t_old, t_new, diff in rows:
        print(f"{name:26s}{t_old:9.3f}{t_new:9.3f}{t_old / t_new:9.1f}x{diff:15.2e}")
    lo, ln = meter.integrated(meter.block_energies(a, round(0.1 * RATE))), None
    ln = meter.integrated(meter.block_energies(b, round(0.1 * RATE)))
    print(f"integrated loudness: old {lo:.6f} LKFS, new {ln:.6f} LKFS")
    return 0 if math.isfinite(lo) else 1


if __name__ == "__main__":
    raise SystemExit(main())
