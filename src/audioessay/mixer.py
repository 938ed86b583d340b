"""The episode as blocks: `Mixdown.block(a, b)` makes frames [a, b) of the mix on demand.

The frame layout (`Track`) comes from clip lengths and pauses alone. A block reads
the clips it overlaps (through a `ClipSource`), runs each through the voice chain,
places them, and adds the bed at its level for those frames. Nothing as long as the
episode is ever allocated, so memory stays flat however long the episode is.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from audioessay import voicechain
from audioessay.master import Stems
from audioessay.music import Bed, Levels

BLOCK = 1 << 16  # frames per block (about 1.5 s at 44.1 kHz)


class ClipSource(Protocol):
    """Clips by index at one native rate: their lengths without decoding, their samples on demand."""

    rate: int

    def __len__(self) -> int: ...

    def length(self, i: int) -> int: ...

    def samples(self, i: int) -> np.ndarray: ...


class SegmentClips:
    """The Clips of synthesis (pydub AudioSegments, mono 16-bit) as a ClipSource."""

    def __init__(self, audio: Sequence, rate: int):
        self.audio, self.rate = audio, rate

    def __len__(self) -> int:
        return len(self.audio)

    def length(self, i: int) -> int:
        return len(self.audio[i].raw_data) // 2

    def samples(self, i: int) -> np.ndarray:
        return np.frombuffer(self.audio[i].raw_data, dtype="<i2").astype(np.float32) / 32768.0


@dataclass(frozen=True)
class Track:
    """Where every clip sits, in frames at the output rate."""

    rate: int
    frames: int
    starts: tuple[int, ...]  # per clip
    lengths: tuple[int, ...]


class Mixdown:
    """Frames [a, b) of the episode, as stems (voice, bed) for mastering."""

    def __init__(self, track: Track, clips: ClipSource, channels: int, bed: Bed | None = None,
                 levels: Levels | None = None, room_tone_db: float | None = None):
        self.track, self.clips, self.channels = track, clips, channels
        self.bed, self.levels = bed, levels
        self.room_tone = None if room_tone_db is None or bed is not None else 10 ** (room_tone_db / 20)
        self._order = sorted(range(len(track.starts)), key=lambda i: track.starts[i])
        self._starts = [track.starts[i] for i in self._order]
        self._longest = max(track.lengths, default=0)
        self._ready: OrderedDict[int, np.ndarray] = OrderedDict()  # processed clips, most recent last

    @property
    def frames(self) -> int:
        return self.track.frames

    def stems(self, block: int = BLOCK) -> Iterator[Stems]:
        """The whole episode, block after block."""
        for a in range(0, self.frames, block):
            yield self.block(a, min(self.frames, a + block))

    def block(self, a: int, b: int) -> Stems:
        voice = np.zeros((b - a, 1), np.float32)
        lo = bisect.bisect_left(self._starts, a - self._longest)
        hi = bisect.bisect_left(self._starts, b)
        for i in self._order[lo:hi]:
            start, length = self.track.starts[i], self.track.lengths[i]
            if start + length <= a or length == 0:
                continue
            clip = self._clip(i)
            s, e = max(a, start), min(b, start + length)
            voice[s - a:e - a, 0] += clip[s - start:e - start]
        bed = None
        if self.bed is not None and self.levels is not None:
            bed = self.bed.read(a, b) * self.levels.gain(a, b)[:, None].astype(np.float32)
        elif self.room_tone is not None:
            bed = room_tone(a, b, self.track.rate, self.channels, self.room_tone)
        return Stems(voice, bed)

    def to_array(self, voice_gain: float = 1.0) -> np.ndarray:
        """The whole mix in memory (tests and short clips only)."""
        parts = [s.mixed(voice_gain, self.channels) for s in self.stems()]
        return np.concatenate(parts) if parts else np.zeros((0, self.channels), np.float32)

    def _clip(self, i: int) -> np.ndarray:
        clip = self._ready.get(i)
        if clip is None:
            clip = voicechain.process(self.clips.samples(i), self.clips.rate, self.track.rate)
            clip = clip[: self.track.lengths[i]]
            self._ready[i] = clip
            while len(self._ready) > 16:  # only clips that straddle a block edge are reused
                self._ready.popitem(last=False)
        else:
            self._ready.move_to_end(i)
        return clip


def room_tone(a: int, b: int, rate: int, channels: int, level: float) -> np.ndarray:
    """Soft pink-ish noise at `level` RMS for frames [a, b): made per second of the
    episode from a seed, so every pass (and any block split) hears the same noise."""
    out = np.empty((b - a, channels), np.float32)
    pos = a
    while pos < b:
        second = pos // rate
        tile = _tone_tile(second, rate, channels)
        lo = pos - second * rate
        take = min(b - pos, rate - lo)
        out[pos - a:pos - a + take] = tile[lo:lo + take] * np.float32(level)
        pos += take
    return out


def _tone_tile(second: int, rate: int, channels: int) -> np.ndarray:
    rng = np.random.default_rng(1_000_003 + second)
    spectrum = np.fft.rfft(rng.standard_normal((rate, channels)), axis=0)
    f = np.arange(len(spectrum))[:, None]
    spectrum /= np.sqrt(np.maximum(f, 20))  # -3 dB per octave: pink, not hiss
    x = np.fft.irfft(spectrum, rate, axis=0)
    return (x / np.sqrt(np.mean(np.square(x)))).astype(np.float32)
