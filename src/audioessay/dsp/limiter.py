"""Look-ahead true-peak limiter over a stream of blocks (the gain curves of dynamics.py)."""

from __future__ import annotations

import math

import numpy as np

from audioessay.dsp import meter
from audioessay.dsp.dynamics import DECIMATE, block_need, frame_gain, gain_curve

LOOKAHEAD_MS = 5.0  # the limiter reaches full reduction this long before a peak
HOLD_MS = 40.0  # and holds it this long after, so dense peaks don't flutter
RELEASE_MS = 150.0  # then recovers gradually over about this long


class Limiter:
    """Look-ahead true-peak limiter over a stream: `push(block)` returns the frames whose
    gain is decided (the output lags the input by the look-ahead), `flush()` the rest.
    The same as `gain_curve` over the whole signal, block boundaries included."""

    def __init__(self, rate: int, channels: int, ceiling: float):
        block_rate = rate / DECIMATE
        self.half = max(1, math.ceil(block_rate * LOOKAHEAD_MS / 2000))
        self.hold = math.ceil(block_rate * HOLD_MS / 1000)
        self.release = math.ceil(block_rate * RELEASE_MS / 1000)
        self.past = self.release + 2 * self.half + self.hold + 4  # blocks of history a gain depends on
        self.ahead = 2 * self.half + 3  # and of future
        self.ceiling = ceiling
        self.channels = channels
        self.peaks = meter.TruePeakMeter(channels)
        self.skip = meter.TruePeakMeter.DELAY  # the envelope lags the audio by this much
        self.audio = np.zeros((0, channels))  # frames not yet handed on
        self.env = np.zeros(0)  # true peak of those frames (aligned)
        self.need = np.ones(self.past)  # per block: history, then the pending blocks
        self.done = 0  # blocks handed on
        self.reduced = np.zeros(0)  # gain reduction (dB) of every frame handed on, recent only
        self.limited = 0  # frames handed on with over 3 dB of reduction
        self.handed_on = 0  # frames handed on

    def push(self, x: np.ndarray) -> np.ndarray:
        env = self.peaks.envelope(x, floor=self.ceiling)
        if self.skip:
            cut = min(self.skip, len(env))
            env, self.skip = env[cut:], self.skip - cut
        self.audio = np.concatenate([self.audio, x])
        self.env = np.concatenate([self.env, env])
        return self._emit(final=False)

    def flush(self) -> np.ndarray:
        n = len(self.audio)
        env = self.peaks.envelope(np.zeros((2 * meter.TruePeakMeter.DELAY, self.channels)), floor=self.ceiling)
        self.env = np.concatenate([self.env, env[self.skip:]])[:n]
        pad = -n % DECIMATE
        self.audio = np.concatenate([self.audio, np.zeros((pad, self.channels))])
        self.env = np.concatenate([self.env, np.zeros(pad)])
        out = self._emit(final=True)
        return out[: len(out) - pad] if pad else out

    def _emit(self, *, final: bool) -> np.ndarray:
        whole = min(len(self.env), len(self.audio)) // DECIMATE  # pending blocks with a known peak
        known = len(self.need) - self.past  # of which need is already computed
        if whole > known:
            self.need = np.concatenate([self.need, block_need(self.env[known * DECIMATE: whole * DECIMATE],
                                                              self.ceiling)])
        ready = whole if final else whole - self.ahead
        if ready <= 0:
            return np.zeros((0, self.channels))
        need = self.need if not final else np.concatenate([self.need, np.ones(self.ahead)])
        g = gain_curve(need, self.half, self.hold, self.release)
        # block centres: history blocks -1 and onwards; frames of pending blocks 0..ready-1
        gains = g[self.past - 1: self.past + ready + 1]
        if gains.min() >= 1.0:  # nothing to limit here (the usual case): the audio as it is
            per_frame = np.ones(ready * DECIMATE)
            out = self.audio[: ready * DECIMATE].copy()
        else:  # the curve from history block -1 on; its first block is not handed on
            per_frame = frame_gain(gains, (ready + 1) * DECIMATE)[DECIMATE:]
            out = self.audio[: ready * DECIMATE] * per_frame[:, None]
        self.limited += int(np.count_nonzero(per_frame < 10 ** (-3 / 20)))
        self.handed_on += len(per_frame)
        self.audio = self.audio[ready * DECIMATE:]
        self.env = self.env[ready * DECIMATE:]
        self.need = self.need[ready:]
        self.done += ready
        return out
