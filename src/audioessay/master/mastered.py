"""Pass 2 of mastering, block by block: the gain, then the look-ahead true-peak limiter."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from audioessay.config.groups import Mastering
from audioessay.dsp.limiter import Limiter
from audioessay.master.gain import Gain
from audioessay.mix.stems import Stems


class Mastered:
    """`blocks()` yields the mastered mix block by block: the voice at its gain over the
    bed, the overall gain, then the limiter (its look-ahead carried across blocks).
    Once it is exhausted, `frames` says how many frames it yielded and `limited` the
    share of them the limiter pulled down by more than 3 dB."""

    def __init__(self, stems: Iterable[Stems], rate: int, channels: int, gain: Gain, settings: Mastering):
        self.stems, self.rate, self.channels = stems, rate, channels
        self.gain = gain
        self.ceiling = gain.ceiling(settings)
        self.frames = 0
        self.limited = 0.0

    def blocks(self) -> Iterator[np.ndarray]:
        limiter = Limiter(self.rate, self.channels, self.ceiling)
        self.frames = 0
        for block in self.stems:
            x = block.mixed(self.gain.voice, self.channels).astype(np.float64) * self.gain.overall
            yield from self._handed_on(limiter.push(x))
        yield from self._handed_on(limiter.flush())
        self.limited = limiter.limited / max(1, limiter.handed_on)

    def _handed_on(self, out: np.ndarray) -> Iterator[np.ndarray]:
        if len(out):
            self.frames += len(out)
            yield out.astype(np.float32)
