"""The voice chain: what every synthesized clip goes through before it meets the bed.

1. a high-pass at 80 Hz (rumble and DC out, so the voice's energy is where it is heard);
2. peak control: peaks more than PEAK_CREST_DB over the sentence's own level are pulled
   down with a short look-ahead, so the episode's true-peak limiter only catches overs
   and never pumps the bed;
3. edge fades: a short equal-power fade-in and a longer fade-out at the clip's own
   ends, so no sentence starts or stops with a click. The clip keeps its length:
   cue times do not move.

A clip is one utterance between pauses, so the chain runs per clip: a block of the mix
is then the same wherever block boundaries fall.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from audioessay.dsp import meter
from audioessay.dsp.convert import resample_float
from audioessay.dsp.dynamics import DECIMATE, block_need, frame_gain, gain_curve

HIGHPASS_HZ = 80.0
PEAK_CREST_DB = 10.0  # peaks may rise this far over the sentence's active RMS
FADE_IN_MS = 8.0
FADE_OUT_MS = 80.0
EDGE_DB = -50.0  # quieter than this under the clip's peak, an edge is silence
LOOKAHEAD_MS = 2.0
HOLD_MS = 10.0
RELEASE_MS = 60.0


def highpass_response(rate: int):
    """The 80 Hz high-pass (second-order Butterworth) as a frequency response, for
    `resample_float`: filtering costs nothing beyond the transform resampling makes."""
    return _response_at(rate)


@lru_cache(maxsize=8)
def _response_at(rate: int):
    b, a = meter.biquad_highpass(rate, HIGHPASS_HZ, 1 / math.sqrt(2))

    @lru_cache(maxsize=16)  # a response is up to 2 MB; clips share some transform sizes
    def at(bins: int, step: float) -> np.ndarray:
        z = np.exp(-2j * np.pi * np.arange(bins) * step / rate)
        return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)

    def response(freqs: np.ndarray) -> np.ndarray:
        return at(len(freqs), float(freqs[1]) if len(freqs) > 1 else 0.0)

    return response


HIGHPASS_TAIL_MS = 60  # how long the high-pass rings: kept clear of the transform's wrap-around


def process(clip: np.ndarray, clip_rate: int, rate: int) -> np.ndarray:
    """A clip (float32, (frames,), at its engine's rate) through the chain at the output
    `rate`: round(frames * rate / clip_rate) frames out."""
    x = np.asarray(clip, np.float32).reshape(-1)
    if len(x) == 0:
        return x
    y = resample_float(x, clip_rate, rate, highpass_response(rate), round(HIGHPASS_TAIL_MS * rate / 1000))
    y = peak_control(y, rate)
    return edge_fades(y, rate)


def active_rms(x: np.ndarray, rate: int) -> float:
    """RMS over the 10 ms windows within 30 dB of the loudest one (the speech, not its gaps)."""
    w = max(1, rate // 100)
    n = len(x) // w * w
    if n == 0:
        return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    ms = np.mean(np.square(x[:n].reshape(-1, w), dtype=np.float64), axis=1)
    active = ms[ms >= ms.max() * 1e-3]
    return float(np.sqrt(active.mean())) if len(active) else 0.0


def peak_control(x: np.ndarray, rate: int) -> np.ndarray:
    rms = active_rms(x, rate)
    if rms <= 0:
        return x
    need = block_need(np.abs(x), rms * 10 ** (PEAK_CREST_DB / 20))
    if need.min() >= 1.0:
        return x
    block_rate = rate / DECIMATE
    g = gain_curve(need, max(1, math.ceil(block_rate * LOOKAHEAD_MS / 2000)),
                   math.ceil(block_rate * HOLD_MS / 1000), math.ceil(block_rate * RELEASE_MS / 1000))
    return (x * frame_gain(g, len(x))).astype(np.float32)


def edge_fades(x: np.ndarray, rate: int) -> np.ndarray:
    """Equal-power (quarter-sine) fade-in over FADE_IN_MS from the first audible frame and
    fade-out over FADE_OUT_MS ending at the last one (what lies outside is the engine's
    edge silence, set to zero); each fade at most a third of the clip."""
    out = x.copy()
    first, last = audible_span(x, rate)
    if last <= first:
        return np.zeros_like(x)
    n_in = min(round(FADE_IN_MS * rate / 1000), (last - first) // 3)
    n_out = min(round(FADE_OUT_MS * rate / 1000), (last - first) // 3)
    out[:first] = 0
    out[last:] = 0
    if n_in:
        out[first:first + n_in] *= np.sin(0.5 * np.pi * (np.arange(n_in) + 0.5) / n_in).astype(np.float32)
    if n_out:
        out[last - n_out:last] *= np.cos(0.5 * np.pi * (np.arange(n_out) + 0.5) / n_out).astype(np.float32)
    return out


def audible_span(x: np.ndarray, rate: int) -> tuple[int, int]:
    """[first, last) frames of the clip whose 1 ms peak is within EDGE_DB of its loudest."""
    w = max(1, rate // 1000)
    n = len(x) // w * w
    if n == 0:
        return 0, len(x)
    peaks = np.abs(x[:n]).reshape(-1, w).max(axis=1)
    loud = np.flatnonzero(peaks >= peaks.max() * 10 ** (EDGE_DB / 20))
    if len(loud) == 0:
        return 0, 0
    return int(loud[0]) * w, min(len(x), (int(loud[-1]) + 1) * w)
