"""Gain curves for look-ahead peak control, shared by the voice chain and the limiter.

A gain is decided per block of DECIMATE frames from the 'need' (the largest gain
that keeps that block's peak under the ceiling) and interpolated between block
centres. Everything is sliding minima and boxcars, so a stream computed with enough
context on either side equals the whole-array result.
"""

from __future__ import annotations

import numpy as np

DECIMATE = 16  # frames per gain decision


def gain_curve(need: np.ndarray, half: int, hold: int, release: int) -> np.ndarray:
    """Smoothed gain per block (<= need everywhere, also between block centres): the
    need is held with a sliding minimum over [t - hold - 1, t + 2*half + 1], smoothed by
    two trailing boxcars of `half` blocks (inside the look-ahead, so the smoothed gain
    still meets every peak), and released through a trailing average of `release`
    blocks. Beyond the ends the need is 1.0."""
    held = _window_min(need, before=hold + 1, after=2 * half + 1)
    smooth = _trailing_mean(_trailing_mean(held, half), half)
    return np.minimum(smooth, _trailing_mean(smooth, release))


def block_need(peaks: np.ndarray, ceiling: float | np.ndarray) -> np.ndarray:
    """Per block of DECIMATE frames (the last one padded): the gain its peak allows."""
    n = len(peaks)
    padded = np.zeros(-(-n // DECIMATE) * DECIMATE, peaks.dtype)  # float32 in: half the bytes to reduce
    padded[:n] = peaks
    block = padded.reshape(-1, DECIMATE)
    while block.shape[1] > 1:  # halving maxima: numpy is slow reducing many short rows
        half = block.shape[1] // 2
        block = np.maximum(block[:, :half], block[:, half:2 * half])
    block = block[:, 0].astype(np.float64)  # maxima are exact in any width; the ratio in float64
    return np.minimum(1.0, ceiling / np.maximum(block, 1e-12))


def frame_gain(gains: np.ndarray, n: int) -> np.ndarray:
    """Per-block gains to per-frame gains, linear between block centres."""
    centres = np.arange(len(gains)) * DECIMATE + (DECIMATE - 1) / 2
    return np.interp(np.arange(n, dtype=np.float64), centres, gains)


def _window_min(x: np.ndarray, *, before: int, after: int) -> np.ndarray:
    padded = np.concatenate([np.ones(before), x, np.ones(after)])
    if not (padded < 1.0).any():
        return np.ones(len(x))
    return sliding_min(padded, before + after + 1)


def sliding_min(a: np.ndarray, w: int) -> np.ndarray:
    """min(a[i:i + w]) for every i (van Herk / Gil-Werman: running minima forwards and
    backwards within blocks of w, so the cost does not grow with w)."""
    n = len(a)
    if w <= 1 or n < w:
        return a.copy() if w <= 1 else np.zeros(0)
    b = np.concatenate([a, np.full(-n % w, np.inf)]).reshape(-1, w)
    ahead = np.minimum.accumulate(b, axis=1).ravel()  # min of the block up to here
    behind = np.minimum.accumulate(b[:, ::-1], axis=1)[:, ::-1].ravel()  # from here to the block end
    return np.minimum(behind[:n - w + 1], ahead[w - 1:n])


def _trailing_mean(x: np.ndarray, n: int) -> np.ndarray:
    """Mean of x[t - n .. t] (n + 1 values), 1.0 before the start."""
    c = np.concatenate([[0.0], np.cumsum(np.concatenate([np.ones(n), x]) - 1.0)])
    return 1.0 + (c[n + 1:] - c[:-n - 1]) / (n + 1)
