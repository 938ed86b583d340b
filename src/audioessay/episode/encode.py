"""Pass 2 at one gain, part by part: mastered and encoded, or copied as encoded before.

Each part is mastered (the gain, then its own limiter) and encoded, or copied as the
spans it was encoded to before; then every new part's frames are decoded from the file
and measured. The loop that closes the loudness on the file is pass2.py.

A part's record (its spans, and what they decode to) is keyed by its own mastered
audio and by the edges of its neighbours': its first span was encoded with the tail
of the part before it as context, its last span with the head of the part after it
(export/mp3.py `edge_lengths`). An edit in one part leaves the records of the parts
around it valid unless its own edges changed.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioessay.config.groups import Mastering
from audioessay.dsp import meter
from audioessay.dsp.decode import decode_mp3
from audioessay.export.mp3 import (DECODER_DELAY, ENCODER_DELAY, LEAD_FRAMES, TAIL_FRAMES, EncodeStats,
                                   MissingSpan, Reuse, edge_lengths, encode_stream, frame_samples, to_encoder)
from audioessay.master.gain import Gain
from audioessay.master.loudness import Loudness
from audioessay.master.mastered import Mastered
from audioessay.mix.mixer import BLOCK, FRAME_GRID, Mixdown
from audioessay.mix.stems import Stems
from audioessay.episode.parts import Parts, Record, Spill, Store

PREROLL_FRAMES = 2  # MP3 frames decoded before each run of frames, so its first decodes whole
BIN = 144  # samples per energy value kept for a decoded part (an eighth of a frame: steps
# of 100 ms are then cut from it within 3 ms, wherever an edit moves the part)
DECODE_FRAMES = 512  # frames decoded at a time (about 13 s at 44.1 kHz)


@dataclass(frozen=True)
class Output:
    """Where pass 2 writes: the MP3 at `path` (`bitrate` kbps), the part entries
    (`store`) and the encoder's span cache (`span_cache`; None: not cached)."""

    path: Path
    bitrate: int
    store: Store
    span_cache: Path | None


@dataclass(frozen=True)
class Encoded:
    """What pass 2 wrote: the file's loudness (decoded, part by part), the limiter's
    work, and how many parts were made again."""

    after: Loudness
    stats: EncodeStats
    made: int
    reused: int
    limited: float


def encode(parts: Parts, gain: Gain, settings: Mastering, out: Output, spill: Spill | None = None) -> Encoded:
    """Pass 2 at `gain` into the MP3 at `out.path`; every part made again if the span
    cache lost a span since its record was written."""
    try:
        return _encode(parts, gain, settings, out, spill, reuse=True)
    except MissingSpan:
        return _encode(parts, gain, settings, out, spill, reuse=False)


def _encode(parts: Parts, gain: Gain, settings: Mastering, out: Output, spill: Spill | None,
            reuse: bool) -> Encoded:
    keys = mastered_keys(parts, gain, settings)
    edges = stored_edges(out.store, keys, parts.rate) if reuse else {}
    stream = _Stream(parts, spill, gain, settings, keys, edges, out)
    stats = encode_stream(stream.items(), parts.rate, parts.channels, out.bitrate, out.path,
                          span_cache=out.span_cache, cuts=[lo for lo, _ in parts.bounds[1:]])
    frames = _FileFrames(out.path, stats, parts)
    todo = [i for i in range(len(parts)) if i not in stream.reused]
    with ThreadPoolExecutor(2, thread_name_prefix="measure") as pool:  # decoding runs outside the GIL
        made = dict(zip(todo, pool.map(frames.record, todo)))
    for i, rec in made.items():
        if (key := stream.record_keys[i]) is not None:
            out.store.put_record(key, rec)
    records = [stream.reused[i] if i in stream.reused else made[i] for i in range(len(parts))]
    after = file_loudness(np.concatenate([r.energy for r in records]) if records else np.zeros(0),
                          max((r.peak for r in records), default=0.0), parts.rate, stats.samples)
    return Encoded(after, stats, len(made), len(stream.reused), stream.limited / max(1, stream.frames))


def mastered_keys(parts: Parts, gain: Gain, settings: Mastering) -> list[str | None]:
    """Per part: a digest of its mastered audio (its stems' key and the gain), or None
    when it is not keyed or too short to have a head and a tail apart."""
    shortest = (LEAD_FRAMES + TAIL_FRAMES + 1) * FRAME_GRID
    level = gain.material(settings)
    return [_digest(k, level, parts.rate, parts.channels) if k and hi - lo >= shortest else None
            for k, (lo, hi) in zip(parts.keys, parts.bounds)]


def stored_edges(store: Store, keys: list[str | None], rate: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The (head, tail) a previous pass 2 kept of each part's mastered audio."""
    sizes = edge_lengths(rate)
    out = {}
    for i, key in enumerate(keys):
        edges = store.edges(key) if key else None
        if edges is not None and (len(edges[0]), len(edges[1])) == sizes:
            out[i] = edges
    return out


class _Stream:
    """What pass 2 hands the encoder (`items()`), part after part: a Reuse for a part
    whose edges and record are known, else its mastered audio. As it goes it fills
    `record_keys` (each part's), `reused` (the records of the parts taken as they
    were) and the limiter's counts (`limited` of `frames` pulled down over 3 dB)."""

    def __init__(self, parts: Parts, spill: Spill | None, gain: Gain, settings: Mastering,
                 keys: list[str | None], edges: dict[int, tuple[np.ndarray, np.ndarray]], out: Output):
        self.parts, self.spill, self.gain, self.settings = parts, spill, gain, settings
        self.keys, self.edges, self.out = keys, edges, out
        self.record_keys: list[str | None] = [None] * len(parts)
        self.reused: dict[int, Record] = {}
        self.limited = 0
        self.frames = 0

    def items(self) -> Iterator[np.ndarray | Reuse]:
        n = len(self.parts)
        before = "start"  # digest of the previous part's tail
        for i, (lo, hi) in enumerate(self.parts.bounds):
            after = _edge(self._head(i + 1)) if i + 1 < n else "end"
            key = self.keys[i]
            self.record_keys[i] = record_key = _digest(before, key, after, self.out.bitrate) if key else None
            record = self.out.store.record(record_key) if record_key and i in self.edges else None
            if record is not None:
                head, tail = self.edges[i]
                self.reused[i] = record
                before = _edge(tail)
                yield Reuse(hi - lo, record.spans, head, tail)
                continue
            audio = _PartAudio(self._mastered(self._stems(i)), self.parts.rate, self.parts.channels)
            yield from audio.blocks()
            self.limited += audio.limited
            self.frames += audio.frames
            before = _edge(audio.tail)
            if key and audio.whole:
                self.out.store.put_edges(key, audio.head, audio.tail)

    def _head(self, i: int) -> np.ndarray:
        """Part i's head as the encoder gets it: its first block mastered alone (the
        limiter looks only milliseconds ahead)."""
        if i in self.edges:
            return self.edges[i][0]
        lo, hi = self.parts.bounds[i]
        stems = self._stems(i, stop=min(hi, lo + BLOCK), mixdown=self.parts.mixdown.view())
        first = next(iter(stems))
        mastered = [to_encoder(b) for b in self._mastered([first]).blocks()]
        return np.concatenate(mastered)[:edge_lengths(self.parts.rate)[0]]

    def _mastered(self, stems: Iterable[Stems]) -> Mastered:
        return Mastered(stems, self.parts.rate, self.parts.channels, self.gain, self.settings)

    def _stems(self, i: int, stop: int | None = None, mixdown: Mixdown | None = None) -> Iterator[Stems]:
        """Part i's stems as pass 1 kept them, or mixed again and rounded the same way."""
        kept = self.spill.stems(i, self.parts.channels) if self.spill else None
        if kept is not None:
            return kept
        return (Spill.rounded(s) for s in self.parts.mixed(i, stop, mixdown=mixdown))


class _PartAudio:
    """A part's mastered audio as the encoder gets it (`to_encoder`); once it has been
    read (`blocks()`), its head and tail (export/mp3.py `edge_lengths`), whether it was
    long enough to have both apart (`whole`), and the limiter's counts."""

    def __init__(self, mastered: Mastered, rate: int, channels: int):
        self.mastered = mastered
        self.head_len, self.tail_len = edge_lengths(rate)
        self.head = np.zeros((0, channels), np.float32)
        self.tail = np.zeros((0, channels), np.float32)
        self.frames = 0
        self.limited = 0

    def blocks(self) -> Iterator[np.ndarray]:
        first: list[np.ndarray] = []
        for block in self.mastered.blocks():
            out = to_encoder(block)
            if self.frames < self.head_len:
                first.append(out[:self.head_len - self.frames])
            self.frames += len(out)
            self.tail = np.concatenate([self.tail, out])[-self.tail_len:]
            yield out
        self.head = np.concatenate(first) if first else self.head
        self.limited = round(self.mastered.limited * self.frames)

    @property
    def whole(self) -> bool:
        return self.frames >= self.head_len + self.tail_len


class _FileFrames:
    """The MP3 just written, as frames: where each starts and which spans each part became."""

    def __init__(self, path: Path, stats: EncodeStats, parts: Parts):
        self.path, self.rate, self.channels = path, parts.rate, parts.channels
        self.spans = _spans_by_part(stats, parts.bounds)
        self.offsets = np.concatenate([[0], np.cumsum(stats.sizes)]).astype(np.int64) + stats.info_bytes
        first_frames = np.concatenate([[0], np.cumsum([n for _, _, n in stats.spans])]).astype(np.int64)
        self.first_frame = {span: int(f) for span, f in zip(stats.spans, first_frames)}

    def record(self, i: int) -> Record:
        """Part i's record: its frames decoded from the file and measured."""
        spans = self.spans[i]
        first = self.first_frame[spans[0]] if spans else 0
        with open(self.path, "rb") as f:
            energy, peak = _measure_frames(f, self.offsets, first, sum(n for _, _, n in spans),
                                           self.rate, self.channels)
        return Record(tuple((k, n) for _, k, n in spans), energy, peak)


def _digest(*parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=20).hexdigest()


def _edge(x: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(x, np.float32).tobytes(), digest_size=20).hexdigest()


def _spans_by_part(stats: EncodeStats, bounds: tuple[tuple[int, int], ...]) -> list[list[tuple[int, str, int]]]:
    out: list[list[tuple[int, str, int]]] = [[] for _ in bounds]
    starts = [lo for lo, _ in bounds]
    for span in stats.spans:
        out[max(0, bisect.bisect_right(starts, span[0]) - 1)].append(span)
    return out


def _measure_frames(f, offsets: np.ndarray, first: int, count: int, rate: int,
                    channels: int) -> tuple[np.ndarray, float]:
    """Decode frames [first, first + count) of the file and meter them: K-weighted energy
    of every BIN samples, and the true peak. A few hundred frames are decoded at a time, each
    run with PREROLL_FRAMES before it so its first frame decodes whole (no bit
    reservoir: a frame needs only its predecessor's overlap); the preroll before the
    part also settles the meters' filters."""
    spf = frame_samples(rate)
    weighting = meter.FIRStream(meter.k_weighting(rate), channels)
    peaks = meter.TruePeakMeter(channels)
    energy, peak = [], 0.0
    for j in range(first, first + count, DECODE_FRAMES):
        pre = min(PREROLL_FRAMES, j)
        end = min(first + count, j + DECODE_FRAMES)
        f.seek(int(offsets[j - pre]))
        x = decode_mp3(f.read(int(offsets[end] - offsets[j - pre])), rate, channels)
        x = np.concatenate([x, np.zeros(((end - j + pre) * spf - len(x), channels), np.float32)])
        if j == first and pre:
            weighting(x[:pre * spf])
            peaks.envelope(x[:pre * spf])
        x = x[pre * spf:]
        y = weighting(x)
        energy.append(np.square(y, dtype=np.float64).sum(axis=1).reshape(-1, BIN).sum(axis=1).astype(np.float32))
        peak = max(peak, float(peaks.envelope(x, floor=peak).max(initial=0.0)))
    tail = peaks.envelope(np.zeros((2 * meter.TruePeakMeter.DELAY, channels)), floor=peak)
    return np.concatenate(energy) if energy else np.zeros(0), max(peak, float(tail.max(initial=0.0)))


def file_loudness(energy: np.ndarray, peak: float, rate: int, samples: int) -> Loudness:
    """The file's loudness from the K-weighted energy of its decoded frames: 100 ms steps
    from the first sample of audio (the decoder's first ENCODER_DELAY + DECODER_DELAY
    samples are the codec's delay, which players skip), then BS.1770 gating."""
    step = round(meter.STEP * rate)
    c = np.concatenate([[0.0], np.cumsum(energy, dtype=np.float64)])
    edges = ENCODER_DELAY + DECODER_DELAY + np.arange(samples // step + 1) * step
    steps = np.diff(np.interp(edges, np.arange(len(c)) * BIN, c))
    return Loudness(meter.integrated(meter.block_energies(steps, step)), meter.to_db(peak),
                    meter.loudness_range(steps, step))
