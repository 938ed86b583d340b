"""Music beds: decode a file and lay it over the episode's frames, looped at its natural length.

A bed that does not loop seamlessly loops through a crossfaded seam, and a looping
bed is tied to the sections' starts (each picks up the loop at its own point).
All audio is float32 shaped (frames, channels) at the output rate, at the file's
own level; `Bed.read` makes any block on demand, so no array as long as the episode
is made. The bed's level over time (ducking) is ducking.py's.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from audioessay.util import ffmpeg
from audioessay.dsp import meter
from audioessay.dsp.convert import as_frames, to_frames
from audioessay.errors import ToolError
from audioessay.config.groups import Music


class BedError(ValueError):
    """The music file cannot serve as a bed; the message says why, in audio terms.
    (The caller adds where in the script the file was named.)"""


SILENCE_DBFS = -60.0  # a bed whose peak is under this is treated as silent
PROBE_SECONDS = 120  # how much of a music file is decoded to check it before synthesis
DEFAULT_CROSSFADE_MS = 1500  # the seam of a bed that does not loop seamlessly
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
        self.offset = to_frames(m.offset, rate)
        if self.loop:
            if m.crossfade is None:
                xfade_ms = 0 if seamless(bed, rate) else DEFAULT_CROSSFADE_MS
            else:
                xfade_ms = m.crossfade
            self.xfade = min(to_frames(xfade_ms, rate), len(bed) // 2)
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
            span = to_frames(SECTION_XFADE_MS + SECTION_SETTLE_MS, self.rate)
            points = np.arange(0, n, hop)
            energy = np.mean(np.square(self.unit, dtype=np.float64), axis=1)
            c = np.concatenate([[0.0], np.cumsum(np.concatenate([energy, energy, energy]))])
            # mean energy over the `span` frames before each point (the loop wraps)
            level = (c[points + n] - c[points + n - min(span, n)]) / min(span, n)
            self._quiet = points[level <= np.median(level)]
        return self._quiet

    def _xfade_for(self, lo: int, hi: int) -> int:
        return max(1, min(to_frames(SECTION_XFADE_MS, self.rate), (hi - lo) // 3))

    def _settle_for(self, lo: int, hi: int) -> int:
        return min(to_frames(SECTION_SETTLE_MS, self.rate), (hi - lo) // 3)

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


# --- internals ---------------------------------------------------------------------


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
