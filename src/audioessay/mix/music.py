"""Music beds: decode, loop at their natural length, and set their level over time.

All audio is float32 shaped (frames, channels) at the output rate. Speech positions
come only from the Timeline's spans; nothing here listens to the audio to find speech.
Every level is computed per block on demand (`Bed.read`, `Levels.gain`): no array
as long as the episode is made.

The level model (README, "Music, ducking and loudness"): levels are loudness in the
finished episode. The voice sits at the target (`mastering.loudness`). Under speech
the bed sits `music.under` LU below it, or at `music.volume - music.duck` when an
absolute `music.volume` is given; in pauses longer than `music.bridge` it rises by
`music.duck`; the music-only intro and outro play at `mastering.loudness + music.solo`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioessay.util import ffmpeg
from audioessay.dsp import meter
from audioessay.dsp.convert import as_frames
from audioessay.errors import ToolError
from audioessay.config.groups import Music, SectionMusic


class BedError(ValueError):
    """The music file cannot serve as a bed; the message says why, in audio terms.
    (The caller adds where in the script the file was named.)"""


SILENCE_DBFS = -60.0  # a bed whose peak is under this is treated as silent
PROBE_SECONDS = 120  # how much of a music file is decoded to check it before synthesis
DEFAULT_CROSSFADE_MS = 1500  # the seam of a bed that does not loop seamlessly
GRID = 32  # frames between the points where the bed's gain is computed
SECTION_XFADE_MS = 1000  # a looping bed crossfades into each section's own point over this,
SECTION_SETTLE_MS = 500  # ending this long before the section starts (so a section's last
# frames do not depend on its length: the encoder's context for the next one stays the same)
GOLDEN = 0.6180339887498949  # sections pick up the loop this far apart: evenly spread, never repeating


def load_bed(path: str | Path, rate: int, channels: int = 2, seconds: float | None = None) -> np.ndarray:
    """Decode an ffmpeg-readable file to float32 (frames, channels) at `rate`: the
    first `seconds` of it, or all of it.

    Raises BedError if the file is missing, cannot be decoded, or is silent.
    """
    path = Path(path)
    if not path.is_file():
        raise BedError(f"music file not found: {path}; check the path (relative to the script)")
    try:
        bed = _decode(path, rate, channels, seconds)
    except ToolError as exc:
        raise BedError(
            f"music file could not be decoded: {path} ({exc}); use an audio file such as MP3, OGG, WAV or FLAC"
        ) from exc
    if len(bed) == 0:
        raise BedError(f"music file has no audio: {path}; use an audio file such as MP3, OGG, WAV or FLAC")
    peak = float(np.abs(bed).max())
    if peak < 10.0 ** (SILENCE_DBFS / 20.0):
        raise BedError(f"music file is silent: {path} (peak below {SILENCE_DBFS:.0f} dBFS); "
                       "use a file with audible music, or set music: none")
    return bed


def check_bed(path: str | Path, rate: int, channels: int = 2) -> None:
    """Before synthesis: the file exists, decodes, and is audible (its first minutes)."""
    load_bed(path, rate, channels, seconds=PROBE_SECONDS)


def seamless(bed: np.ndarray, rate: int) -> bool:
    """Does the bed loop without a seam? The wrap from its last frame to its first is an
    ordinary step for its neighbourhood (no click), and the level changes across it no
    more than it does anywhere inside the bed (a downbeat may be loud; a fade is not)."""
    bed = as_frames(bed)
    span = min(len(bed) // 4, rate // 20)  # 50 ms
    if span < 8:
        return False
    around = np.concatenate([bed[-span:], bed[:span]])
    steps = np.abs(np.diff(around, axis=0)).max(axis=1)
    if steps[span - 1] > 2 * np.delete(steps, span - 1).max() + 1e-6:
        return False
    n = len(bed) // span * span
    windows = np.mean(np.square(bed[:n], dtype=np.float64).reshape(-1, span, bed.shape[1]), axis=(1, 2))
    levels = 10 * np.log10(windows + 1e-20)
    wrap = abs(levels[0] - 10 * math.log10(float(np.mean(np.square(bed[-span:], dtype=np.float64))) + 1e-20))
    inside = np.abs(np.diff(levels)).max(initial=0.0)
    return bool(wrap <= inside + 1.0)


class Bed:
    """The music laid over the episode's frames: played from `m.offset`, looped at its
    natural length (or through a crossfaded seam when it needs one), at the file's own
    level. `read(a, b)` gives frames [a, b)."""

    def __init__(self, samples: np.ndarray, rate: int, m: Music, *, cut: bool = False):
        """`cut`: `samples` are only the part of a longer file the episode reaches, so
        they are played straight through (never looped)."""
        bed = as_frames(samples)
        if len(bed) == 0:
            raise ValueError("bed is empty")
        self.rate, self.loop = rate, m.loop and not cut
        self.bed = bed
        self.offset = _frames(m.offset, rate)
        if self.loop:
            if m.crossfade is None:
                xfade_ms = 0 if seamless(bed, rate) else DEFAULT_CROSSFADE_MS
            else:
                xfade_ms = m.crossfade
            self.xfade = min(_frames(xfade_ms, rate), len(bed) // 2)
            self.unit = _loop_unit(bed, self.xfade)
            self.offset %= len(self.unit)
        else:
            if self.offset >= len(bed):
                raise BedError(
                    f"music offset {m.offset} ms is past the end of the music ({len(bed) * 1000 // rate} ms); "
                    "use a smaller offset or enable looping")
            self.xfade, self.unit = 0, bed
        self.loudness = _loudness(self.unit, rate)
        self.cuts: list[int] = []
        self._quiet: np.ndarray | None = None
        self._identity = _identity(m, cut, bed, self.offset, self.xfade, self.loop)

    def anchor(self, cuts: Sequence[int]) -> None:
        """Tie a looping bed to the sections: from each cut (a section's start) the loop
        plays from that section's own point, (offset + k * GOLDEN * loop) for section k,
        crossfaded in (equal gain) over the SECTION_XFADE_MS before the cut. An edit that changes one
        section's length then leaves the bed under every other section as it was.
        A bed that plays once (no loop, or longer than the episode) runs straight on."""
        if self.loop:
            self.cuts = sorted(c for c in cuts if c > 0)
            self._quiet_points()  # once, before copies share it

    def weighted(self) -> Bed:
        """The same bed, laid out the same way, with its samples through the BS.1770
        K-weighting filter (the loop filtered around its seam, as it plays)."""
        import copy

        h = meter.k_weighting(self.rate)
        twin = copy.copy(self)
        twin.bed = meter.FIRStream(h, self.channels)(self.bed)
        if self.unit is self.bed:
            twin.unit = twin.bed if not self.loop else _circular(self.unit, h)
        else:
            twin.unit = _circular(self.unit, h)
        return twin

    def identity(self) -> str:
        """What the bed's samples are made from (for the mix's part keys)."""
        return self._identity

    def placement(self, lo: int, hi: int) -> str:
        """Which bed frames play in part [lo, hi) (for the mix's part keys)."""
        if not self.cuts:
            return f"straight {lo}"
        k = bisect.bisect_right(self.cuts, lo)
        nxt = self._phase(k + 1) if k < len(self.cuts) else None
        return f"part {self._phase(k) if k else 'head'} {nxt} {self._xfade_for(lo, hi)} {self._settle_for(lo, hi)}"

    @classmethod
    def open(cls, path: str | Path, rate: int, channels: int, m: Music, episode_frames: int) -> Bed:
        """Decode only as much of the file as the episode can use (a long bed is cut)."""
        seconds = (m.offset + 1000) / 1000 + episode_frames / rate
        samples = load_bed(path, rate, channels, seconds=seconds)
        return cls(samples, rate, m, cut=len(samples) >= round(seconds * rate) - rate // 100)

    @property
    def channels(self) -> int:
        return self.bed.shape[1]

    def end(self, n_frames: int) -> int:
        """Where the music stops: the episode's end, or the bed's if it does not loop."""
        return n_frames if self.loop else min(n_frames, len(self.bed) - self.offset)

    def read(self, a: int, b: int) -> np.ndarray:
        if not self.cuts:
            return self._straight(a, b)
        out = np.zeros((b - a, self.channels), np.float32)
        edges = [0, *self.cuts, max(b, self.cuts[-1] + 1)]
        for k, (lo, hi) in enumerate(zip(edges, edges[1:])):
            s, e = max(a, lo), min(b, hi)
            if s >= e:
                continue
            out[s - a:e - a] = self._straight(s, e) if k == 0 else self._loop_from(self._phase(k) + s - lo, e - s)
            if k < len(self.cuts):  # crossfade into the next section's point, settled before it
                n, settle = self._xfade_for(lo, hi), self._settle_for(lo, hi)
                x0 = hi - settle - n
                fs = max(s, x0)
                if fs < e:
                    u = np.clip((np.arange(fs, e) - x0 + 0.5) / n, 0.0, 1.0) * (math.pi / 2)
                    nxt = self._loop_from(self._phase(k + 1) - (hi - fs), e - fs)
                    # Equal gain (sin^2 + cos^2 = 1): two points of the same pad are alike, so an
                    # equal-power fade would swell by up to 3 dB in the pause.
                    fade = np.square(np.sin(u))[:, None].astype(np.float32)
                    out[fs - a:e - a] = out[fs - a:e - a] * (1 - fade) + nxt * fade
                    out[max(fs, hi - settle) - a:e - a] = nxt[max(fs, hi - settle) - fs:]
        return out

    def _phase(self, k: int) -> int:
        """Where section k picks up the loop: near offset + k * GOLDEN of the loop, at a
        point where what plays into it (the crossfade and settle before the section) is
        no louder than the loop's median, so a section pause never swells."""
        n = len(self.unit)
        target = (self.offset + round(k * GOLDEN * n)) % n
        quiet = self._quiet_points()
        if not len(quiet):
            return target
        gap = np.abs(quiet - target)
        return int(quiet[np.argmin(np.minimum(gap, n - gap))])

    def _quiet_points(self) -> np.ndarray:
        if self._quiet is None:
            n, hop = len(self.unit), max(1, self.rate // 10)
            span = _frames(SECTION_XFADE_MS + SECTION_SETTLE_MS, self.rate)
            points = np.arange(0, n, hop)
            energy = np.mean(np.square(self.unit, dtype=np.float64), axis=1)
            c = np.concatenate([[0.0], np.cumsum(np.concatenate([energy, energy, energy]))])
            # mean energy over the `span` frames before each point (the loop wraps)
            level = (c[points + n] - c[points + n - min(span, n)]) / min(span, n)
            self._quiet = points[level <= np.median(level)]
        return self._quiet

    def _xfade_for(self, lo: int, hi: int) -> int:
        return max(1, min(_frames(SECTION_XFADE_MS, self.rate), (hi - lo) // 3))

    def _settle_for(self, lo: int, hi: int) -> int:
        return min(_frames(SECTION_SETTLE_MS, self.rate), (hi - lo) // 3)

    def _loop_from(self, src: int, n: int) -> np.ndarray:
        """n frames of the loop from position src (any integer: taken modulo the loop)."""
        out = np.empty((n, self.channels), np.float32)
        pos, src = 0, src % len(self.unit)
        while pos < n:
            take = min(n - pos, len(self.unit) - src)
            out[pos:pos + take] = self.unit[src:src + take]
            pos, src = pos + take, 0
        return out

    def _straight(self, a: int, b: int) -> np.ndarray:
        out = np.zeros((b - a, self.channels), np.float32)
        pos = a
        while pos < b:
            src = pos + self.offset
            if src < self.xfade:  # the very first pass plays the bed's true head, not the seam
                take = min(b - pos, self.xfade - src)
                out[pos - a:pos - a + take] = self.bed[src:src + take]
            elif self.loop:
                src %= len(self.unit)
                take = min(b - pos, len(self.unit) - src)
                out[pos - a:pos - a + take] = self.unit[src:src + take]
            else:
                take = min(b - pos, max(0, len(self.bed) - src))
                out[pos - a:pos - a + take] = self.bed[src:src + take]
                break  # silence after the end
            pos += take
        return out


@dataclass(frozen=True)
class Segment:
    start: int
    stop: int
    v0: float
    v1: float
    shape: str  # "cos" (raised cosine) or "linear"


class Curve:
    """A piecewise function of the frame: ramps between held values. Values before the
    first segment are the first segment's v0; after a segment, its v1 holds."""

    def __init__(self, segments: list[Segment], initial: float):
        self.segments = sorted((s for s in segments if s.stop > s.start), key=lambda s: s.start)
        self.starts = np.array([s.start for s in self.segments], np.int64)
        self.initial = initial
        self._start, self._stop = self.starts, np.array([s.stop for s in self.segments], np.int64)
        self._v0 = np.array([s.v0 for s in self.segments], np.float64)
        self._v1 = np.array([s.v1 for s in self.segments], np.float64)
        self._cos = np.array([s.shape == "cos" for s in self.segments], bool)

    def material(self, lo: int, hi: int) -> str:
        """The segments that decide the values in [lo, hi], relative to lo."""
        first = int(np.searchsorted(self.starts, lo, side="right")) - 1
        last = int(np.searchsorted(self.starts, hi, side="right"))
        held = f"{self.initial!r}" if first < 0 else ""
        parts = []
        for s in self.segments[max(first, 0):last]:
            if s.stop <= lo:  # a ramp already over: only where it ended counts
                parts.append(f"{s.v1!r}")
            else:
                parts.append(f"{s.start - lo},{s.stop - lo},{s.v0!r},{s.v1!r},{s.shape}")
        return held + ";".join(parts)

    def at(self, t: np.ndarray) -> np.ndarray:
        """The value at each frame in `t`."""
        if not self.segments:
            return np.full(len(t), self.initial, np.float64)
        j = np.searchsorted(self.starts, t, side="right") - 1  # the last segment starting at or before t
        seg = np.maximum(j, 0)
        start, stop = self._start[seg], self._stop[seg]
        u = np.clip((t - start + 1) / (stop - start), 0.0, 1.0)
        u = np.where(self._cos[seg], 0.5 - 0.5 * np.cos(np.pi * u), u)
        return np.where(j < 0, self.initial, self._v0[seg] + (self._v1[seg] - self._v0[seg]) * u)


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
        self.fade_in = min(_frames(m.fade_in, rate), music_end // 2)
        self.fade_out = min(_frames(m.fade_out, rate), music_end - self.fade_in)
        self.db = _level_curve(_merged(spans, _frames(m.bridge, rate)), n_frames, rate, m, plan,
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
    trans, attack, release = (_frames(x, rate) for x in (m.transition, m.attack, m.release))
    first, last = spans[0][0], spans[-1][1]
    segs = [Segment(max(0, first - trans), first, lead, plan.under, "cos")]
    for (_, end), (start, _) in zip(spans, spans[1:]):
        gap = start - end
        up, down = release, attack
        if up + down > gap:  # a short bridge: both ramps shrink in proportion
            up, down = gap * release // max(1, release + attack), gap * attack // max(1, release + attack)
        segs.append(Segment(end, end + up, plan.under, plan.bridge, "cos"))
        segs.append(Segment(start - down, start, plan.bridge, plan.under, "cos"))
    segs.append(Segment(last, min(n, last + trans), plan.under, tail, "cos"))
    return Curve(segs, lead)


def _section_curve(sections: Sequence[tuple[int, int, SectionMusic | None]], reference: float, rate: int) -> Curve:
    """Gain on the bed per section: 1.0 by default, 0.0 under `music: none`, the level
    difference to `reference` under `music: {volume: dB}`; changes ramp (linearly) over
    the 500 ms before the section's first words."""
    ramp = _frames(500, rate)
    segs, previous = [], 1.0
    for start, _stop, sm in sections:
        level = None if sm is None else sm.volume
        gain = 1.0 if level is None else 0.0 if level == -math.inf else 10 ** ((level - reference) / 20)
        if gain != previous:
            a = max(0, start - ramp)
            segs.append(Segment(max(0, a - ramp), a, previous, gain, "linear"))
        previous = gain
    if previous != 1.0 and sections:  # the outro plays at the bed's own level
        end = sections[-1][1]
        segs.append(Segment(end, end + ramp, previous, 1.0, "linear"))
    return Curve(segs, 1.0)


def _loop_unit(bed: np.ndarray, xfade: int) -> np.ndarray:
    """One loop period (len(bed) - xfade frames) whose head is the bed's tail
    crossfaded into its head, so repeating it has no seam step."""
    if xfade <= 0:
        return bed
    t = (np.arange(xfade, dtype=np.float64) / xfade) * (math.pi / 2)
    fade_in, fade_out = np.sin(t)[:, None], np.cos(t)[:, None]  # equal power: sin^2 + cos^2 = 1
    unit = np.empty((len(bed) - xfade, bed.shape[1]), dtype=np.float32)
    unit[:xfade] = bed[-xfade:] * fade_out + bed[:xfade] * fade_in
    unit[xfade:] = bed[xfade:-xfade]
    return unit


def _circular(unit: np.ndarray, h: np.ndarray) -> np.ndarray:
    """A loop through a filter, as it sounds repeating: its steady state."""
    reps = -(-len(h) // len(unit)) + 1
    y = meter.FIRStream(h, unit.shape[1])(np.concatenate([unit] * reps))
    return np.ascontiguousarray(y[len(y) - len(unit):])


def _identity(m: Music, cut: bool, bed: np.ndarray, offset: int, xfade: int, loop: bool) -> str:
    """A bed that loops is its samples; one cut from a longer file is that file, by name,
    size and time (the part keys then hold where in it each part reads)."""
    import hashlib

    h = hashlib.blake2b(f"{offset}|{xfade}|{loop}|{cut}|{bed.shape[1]}".encode(), digest_size=16)
    if cut:
        st = Path(m.file).stat()
        h.update(f"{Path(m.file).resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    else:
        h.update(np.ascontiguousarray(bed).tobytes())
    return h.hexdigest()


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


def _loudness(x: np.ndarray, rate: int) -> float:
    """The bed's own integrated loudness (a bed shorter than a gating block: by RMS)."""
    m = meter.LoudnessMeter(rate, x.shape[1])
    m.add(x)
    lufs = m.integrated()
    if math.isfinite(lufs):
        return lufs
    return float(meter.loudness_of(float(np.mean(np.square(x, dtype=np.float64)) * x.shape[1]) + 1e-20))


def _decode(path: Path, rate: int, channels: int, seconds: float | None) -> np.ndarray:
    """ffmpeg.decode, stopped after `seconds` of output (-t) so a long file costs only what is used."""
    limit = ["-t", f"{seconds:.3f}"] if seconds is not None else []
    out = ffmpeg.run(["-i", str(path), *limit, "-f", "f32le", "-acodec", "pcm_f32le", "-ac", str(channels),
                      "-ar", str(rate), "pipe:1"])
    return np.frombuffer(out, dtype="<f4").reshape(-1, channels).copy()


def _rms_db(x: np.ndarray) -> float:
    return 10 * math.log10(float(np.mean(np.square(x, dtype=np.float64))) + 1e-20)


def _frames(ms: float, rate: int) -> int:
    return int(round(ms * rate / 1000.0))
