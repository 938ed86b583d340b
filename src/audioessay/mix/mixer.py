"""The mix as blocks: `Mixdown.block(a, b)` makes frames [a, b) of voice and bed on demand.

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

from audioessay import versions
from audioessay.mix import voicechain
from audioessay.mix.stems import Stems
from audioessay.mix.ducking import Levels
from audioessay.mix.music import Bed

BLOCK = 1 << 16  # frames per block (about 1.5 s at 44.1 kHz)
FRAME_GRID = 1152  # an MP3 frame (two at rates under 32 kHz): sections start on this grid


class ClipSource(Protocol):
    """Clips by index at one native rate: their lengths without decoding, their samples on demand."""

    rate: int

    def __len__(self) -> int: ...

    def length(self, i: int) -> int: ...

    def samples(self, i: int) -> np.ndarray: ...

    def key(self, i: int) -> str | None:
        """What identifies clip i's audio (a cache key), or None if nothing does."""
        ...


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

    def key(self, i: int) -> str | None:
        return None


@dataclass(frozen=True)
class Track:
    """Where every clip sits, in frames at the output rate."""

    rate: int
    frames: int
    starts: tuple[int, ...]  # per clip
    lengths: tuple[int, ...]
    cuts: tuple[int, ...] = ()  # where sections after the first start (multiples of FRAME_GRID)

    def parts(self) -> list[tuple[int, int]]:
        """[start, stop) frames of each part: a section with what follows it up to the
        next one (the first with the intro, the last with the outro)."""
        edges = [0, *(c for c in self.cuts if 0 < c < self.frames), self.frames]
        return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


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
        self._weighted: Bed | None = None

    @property
    def frames(self) -> int:
        return self.track.frames

    def view(self) -> Mixdown:
        """The same mix with its own clip memory, for another thread."""
        import copy

        self._bed_weighted()  # made once, shared
        other = copy.copy(self)
        other._ready = OrderedDict()
        return other

    def stems(self, block: int = BLOCK, start: int = 0, stop: int | None = None) -> Iterator[Stems]:
        """Frames [start, stop) of the episode (all of it by default), block after block."""
        stop = self.frames if stop is None else stop
        for a in range(start, stop, block):
            yield self.block(a, min(stop, a + block))

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
        bed = weighted = None
        if self.bed is not None and self.levels is not None:
            gain = self.levels.gain(a, b)[:, None].astype(np.float32)
            bed = self.bed.read(a, b) * gain
            # The bed's K-weighted twin at the same gain: pass 1 meters it without filtering
            # (the gain moves over hundreds of ms, the filter rings for tens).
            twin = self._bed_weighted()
            weighted = None if twin is None else twin.read(a, b) * gain
        elif self.room_tone is not None:
            bed = self._room_tone(a, b)
        return Stems(voice, bed, weighted)

    def _bed_weighted(self) -> Bed | None:
        """Only for a looping bed (a few seconds to minutes of audio): one played straight
        is as long as the episode, and is filtered block by block instead."""
        if self._weighted is None and self.bed is not None and self.bed.loop:
            self._weighted = self.bed.weighted()
        return self._weighted

    def to_array(self, voice_gain: float = 1.0) -> np.ndarray:
        """The whole mix in memory (tests and short clips only)."""
        parts = [s.mixed(voice_gain, self.channels) for s in self.stems()]
        return np.concatenate(parts) if parts else np.zeros((0, self.channels), np.float32)

    def _room_tone(self, a: int, b: int) -> np.ndarray:
        """Room tone seeded per part, so a part's noise does not depend on where it starts."""
        assert self.room_tone is not None
        out = np.empty((b - a, self.channels), np.float32)
        for k, (lo, hi) in enumerate(self.track.parts()):
            s, e = max(a, lo), min(b, hi)
            if s < e:
                out[s - a:e - a] = room_tone(s - lo, e - lo, self.track.rate, self.channels, self.room_tone, k)
        return out

    def part_keys(self) -> list[str | None]:
        """Per part: a digest of everything its stems are made from (clips and where they
        sit in it, the bed's samples, position and gain, room tone), or None when a clip
        has no key. Equal keys give equal stems, wherever the part lies in the episode."""
        import hashlib

        rate, out = self.track.rate, []
        bed_id = self.bed.identity() if self.bed is not None else ""
        for k, (lo, hi) in enumerate(self.track.parts()):
            h = hashlib.blake2b(f"{versions.MIX}|{versions.VOICE_CHAIN}|{versions.MASTERING}|{rate}|{self.channels}|{hi - lo}|"
                                f"{self.room_tone}|{k if self.room_tone else ''}|{bed_id}".encode(), digest_size=20)
            known = True
            for i in self._order:
                start, length = self.track.starts[i], self.track.lengths[i]
                if start + length <= lo or start >= hi or length == 0:
                    continue
                key = self.clips.key(i)
                known = known and key is not None
                h.update(f"{key}|{start - lo}|{length}|{self.clips.length(i)}|{self.clips.rate};".encode())
            if self.bed is not None and self.levels is not None:
                h.update(self.bed.placement(lo, hi).encode())
                h.update(self.levels.material(lo, hi).encode())
            out.append(h.hexdigest() if known else None)
        return out

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


def room_tone(a: int, b: int, rate: int, channels: int, level: float, part: int = 0) -> np.ndarray:
    """Soft pink-ish noise at `level` RMS for frames [a, b) of a part: made per second
    from a seed, so every pass (and any block split) hears the same noise."""
    out = np.empty((b - a, channels), np.float32)
    pos = a
    while pos < b:
        second = pos // rate
        tile = _tone_tile(second + 1_000_000 * part, rate, channels)
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
