"""One block of the mix before mastering: the voice and the bed, kept apart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Stems:
    """One block of the mix before mastering: the voice (mono, after its chain) and the
    bed (already at its level; None when there is no music). Same number of frames."""

    voice: np.ndarray  # (frames, 1)
    bed: np.ndarray | None  # (frames, channels)
    bed_weighted: np.ndarray | None = None  # the bed through the K-weighting filter, if known

    def mixed(self, voice_gain: float, channels: int) -> np.ndarray:
        v = self.voice * np.float32(voice_gain)
        out = np.repeat(v, channels, axis=1) if channels > 1 else v.copy()
        if self.bed is not None:
            out += self.bed
        return out
