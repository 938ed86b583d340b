"""Ducking: the music bed's level over time, as a gain per frame.

The level model (README, "Music, ducking and loudness"): levels are loudness in the
finished episode. The voice sits at the target (`mastering.loudness`). Under speech
the bed sits `music.under` LU below it, or at `music.volume - music.duck` when an
absolute `music.volume` is given; in pauses longer than `music.bridge` it rises by
`music.duck`; the music-only intro and outro play at `mastering.loudness + music.solo`.
A section's `music:` then moves the bed under that section (`music: none` silences it).

Speech positions are frame spans from the layout (mixer.Track), the same that place
the clips; nothing here listens to the audio to find speech. Gains are computed per
block on demand (`Levels.gain`): no array as long as the episode is made.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from audioessay.config.groups import Music, SectionMusic
from audioessay.dsp.convert import to_frames

GRID = 32  # frames between the points where the bed's gain is computed


@dataclass(frozen=True)
class Ramp:
    """A piece of a level curve: from v0 at frame `start` to v1 at `stop`."""

    start: int
    stop: int
    v0: float
    v1: float
    shape: str  # "cos" (raised cosine) or "linear"


class Curve:
    """A piecewise function of the frame: ramps between held values. Before the first
    ramp the value is `initial`; after a ramp, its v1 holds."""

    def __init__(self, ramps: list[Ramp], initial: float):
        self.ramps = sorted((r for r in ramps if r.stop > r.start), key=lambda r: r.start)
        self.starts = np.array([r.start for r in self.ramps], np.int64)
        self.initial = initial
        self._start, self._stop = self.starts, np.array([r.stop for r in self.ramps], np.int64)
        self._v0 = np.array([r.v0 for r in self.ramps], np.float64)
        self._v1 = np.array([r.v1 for r in self.ramps], np.float64)
        self._cos = np.array([r.shape == "cos" for r in self.ramps], bool)

    def material(self, lo: int, hi: int) -> str:
        """The ramps that decide the values in [lo, hi], relative to lo."""
        first = int(np.searchsorted(self.starts, lo, side="right")) - 1
        last = int(np.searchsorted(self.starts, hi, side="right"))
        held = f"{self.initial!r}" if first < 0 else ""
        parts = []
        for r in self.ramps[max(first, 0):last]:
            if r.stop <= lo:  # a ramp already over: only where it ended counts
                parts.append(f"{r.v1!r}")
            else:
                parts.append(f"{r.start - lo},{r.stop - lo},{r.v0!r},{r.v1!r},{r.shape}")
        return held + ";".join(parts)

    def at(self, t: np.ndarray) -> np.ndarray:
        """The value at each frame in `t`."""
        if not self.ramps:
            return np.full(len(t), self.initial, np.float64)
        j = np.searchsorted(self.starts, t, side="right") - 1  # the last ramp starting at or before t
        k = np.maximum(j, 0)
        start, stop = self._start[k], self._stop[k]
        u = np.clip((t - start + 1) / (stop - start), 0.0, 1.0)
        u = np.where(self._cos[k], 0.5 - 0.5 * np.cos(np.pi * u), u)
        return np.where(j < 0, self.initial, self._v0[k] + (self._v1[k] - self._v0[k]) * u)


@dataclass(frozen=True)
class LevelPlan:
    """The bed's levels in the finished episode, LUFS."""

    under: float  # under speech
    bridge: float  # in pauses longer than music.bridge
    solo: float  # the music-only intro and outro

    @classmethod
    def of(cls, m: Music, target_lufs: float) -> LevelPlan:
        under = m.volume - m.duck if m.volume is not None else target_lufs - m.under
        return cls(under=under, bridge=under + m.duck, solo=target_lufs + m.solo)


class Levels:
    """The bed's gain per frame: level over time (ducking, bridges, intro and outro),
    the sections' overrides, and the fades at the music's ends."""

    def __init__(self, spans: list[tuple[int, int]], n_frames: int, music_end: int, bed_lufs: float, rate: int,
                 m: Music, plan: LevelPlan, intro: int, outro: int,
                 sections: Sequence[tuple[int, int, SectionMusic | None]] = ()):
        self.n, self.music_end = n_frames, music_end
        self.bed_lufs = bed_lufs
        self.fade_in = min(to_frames(m.fade_in, rate), music_end // 2)
        self.fade_out = min(to_frames(m.fade_out, rate), music_end - self.fade_in)
        self.db = _level_curve(_merged(spans, to_frames(m.bridge, rate)), n_frames, rate, m, plan,
                               intro > 0, outro > 0)
        self.mask = _section_curve(sections, plan.bridge, rate)

    def gain(self, a: int, b: int) -> np.ndarray:
        """Linear gain for frames [a, b): computed every GRID frames of the episode (the
        curves are smooth) and interpolated between, the same whatever the block."""
        grid = np.arange(a - a % GRID, b + GRID, GRID)
        t = grid.astype(np.float64)
        g = np.power(10.0, (self.db.at(t) - self.bed_lufs) / 20.0) * self.mask.at(t)
        if self.fade_in:
            g *= np.where(t < self.fade_in, _raised_cosine(np.minimum(t, self.fade_in), self.fade_in), 1.0)
        if self.fade_out:
            left = np.clip(self.music_end - t, 0, self.fade_out)
            g *= np.where(t >= self.music_end - self.fade_out, _raised_cosine(left, self.fade_out), 1.0)
        frames = np.arange(a, b)
        out = np.interp(frames, grid, g)
        out[frames >= self.music_end] = 0.0
        return out

    def material(self, lo: int, hi: int) -> str:
        """Everything `gain` reads for frames [lo, hi) (lo on the GRID), relative to lo:
        equal material gives equal gains wherever the part lies (for the mix's part keys)."""
        fade_in = self.fade_in - lo if lo < self.fade_in + GRID else None
        reach = hi + 2 * GRID  # the last grid point `gain` reads for the part
        end = self.music_end - lo if self.music_end - self.fade_out <= reach else "after"
        return (f"{self.bed_lufs!r}|{fade_in}|{self.fade_out}|{end}|"
                f"{self.db.material(lo, reach)}|{self.mask.material(lo, reach)}")


# --- internals ---------------------------------------------------------------------


def _level_curve(spans: list[tuple[int, int]], n: int, rate: int, m: Music, plan: LevelPlan,
                 has_intro: bool, has_outro: bool) -> Curve:
    lead = plan.solo if has_intro else plan.under
    tail = plan.solo if has_outro else plan.under
    if not spans:
        return Curve([], lead)
    trans, attack, release = (to_frames(x, rate) for x in (m.transition, m.attack, m.release))
    first, last = spans[0][0], spans[-1][1]
    ramps = [Ramp(max(0, first - trans), first, lead, plan.under, "cos")]
    for (_, end), (start, _) in zip(spans, spans[1:]):
        gap = start - end
        up, down = release, attack
        if up + down > gap:  # a short bridge: both ramps shrink in proportion
            up, down = gap * release // max(1, release + attack), gap * attack // max(1, release + attack)
        ramps.append(Ramp(end, end + up, plan.under, plan.bridge, "cos"))
        ramps.append(Ramp(start - down, start, plan.bridge, plan.under, "cos"))
    ramps.append(Ramp(last, min(n, last + trans), plan.under, tail, "cos"))
    return Curve(ramps, lead)


def _section_curve(sections: Sequence[tuple[int, int, SectionMusic | None]], reference: float, rate: int) -> Curve:
    """Gain on the bed per section: 1.0 by default, 0.0 under `music: none`, the level
    difference to `reference` under `music: {volume: dB}`; changes ramp (linearly) over
    the 500 ms before the section's first words."""
    ramp = to_frames(500, rate)
    ramps: list[Ramp] = []
    previous = 1.0
    for start, _stop, sm in sections:
        level = None if sm is None else sm.volume
        gain = 1.0 if level is None else 0.0 if level == -math.inf else 10 ** ((level - reference) / 20)
        if gain != previous:
            a = max(0, start - ramp)
            ramps.append(Ramp(max(0, a - ramp), a, previous, gain, "linear"))
        previous = gain
    if previous != 1.0 and sections:  # the outro plays at the bed's own level
        end = sections[-1][1]
        ramps.append(Ramp(end, end + ramp, previous, 1.0, "linear"))
    return Curve(ramps, 1.0)


def _raised_cosine(t: np.ndarray, n: int) -> np.ndarray:
    """Rising from exactly 0 at t = 0 towards 1 at t = n."""
    return 0.5 - 0.5 * np.cos(np.pi * t / n)


def _merged(spans: list[tuple[int, int]], min_gap: int) -> list[tuple[int, int]]:
    """Spans (frames) sorted, with gaps shorter than min_gap joined."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if b < a:
            raise ValueError(f"speech span ends before it starts: {a}..{b} frames")
        if merged and a - merged[-1][1] < min_gap:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]
