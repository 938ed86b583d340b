"""The episode in parts: each section (with the pause after it) is measured, mastered,
encoded and checked on its own, and what did not change is taken from the cache.

A part's stems depend only on its key (`Mixdown.part_keys`). Pass 1 keeps each part's
loudness material under that key. Pass 2 keeps, per part and mastering gain, the first
and last frames of audio it hands the encoder (the context of its neighbours' spans),
and per part with its neighbours, the MP3 spans it became and what those frames
measure when decoded. After a one-sentence edit with the gain kept, only the edited
part is mixed, mastered, encoded and decoded again; every other part is a list of
spans the encoder copies.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioessay import meter
from audioessay.export.segments import (DECODER_DELAY, ENCODER_DELAY, LEAD_FRAMES, TAIL_FRAMES, EncodeStats,
                                        Reuse, encode_stream)
from audioessay.groups import Mastering
from audioessay.master import Gain, Loudness, Mastered, Measurement, measure_stems
from audioessay.mixer import FRAME_GRID

log = logging.getLogger(__name__)

PREROLL_FRAMES = 2  # MP3 frames decoded before each run of frames, so its first decodes whole
BIN = 144  # samples per energy value kept for a decoded part (an eighth of a frame: steps
# of 100 ms are then cut from it within 3 ms, wherever an edit moves the part)
DECODE_FRAMES = 512  # frames decoded at a time (about 13 s at 44.1 kHz)
SUFFIXES = (".measure.npz", ".edges.npz", ".record.npz")


@dataclass(frozen=True)
class Record:
    """A part as encoded: its spans, and its decoded frames' K-weighted energy (one value
    per BIN samples) and true peak."""

    spans: tuple[tuple[str, int], ...]
    energy: np.ndarray
    peak: float


class Store:
    """Part entries in the segment cache's folder (removed with it by `cache prune`)."""

    def __init__(self, root: Path | None):
        self.root = root

    def _load(self, name: str) -> dict[str, np.ndarray] | None:
        if self.root is None:
            return None
        path = self.root / name
        try:
            if not path.is_file():
                return None
            with np.load(path, allow_pickle=False) as data:
                out = {k: data[k] for k in data.files}
            os.utime(path)  # last use, for `cache prune`
            return out
        except Exception:  # a torn or foreign file is only a miss
            return None

    def _save(self, name: str, **arrays: np.ndarray) -> None:
        if self.root is None:
            return
        path = self.root / name
        tmp = path.with_name(f".{name}.{os.getpid()}.part")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not save %s to %s (%s)", name, self.root, exc)
            tmp.unlink(missing_ok=True)

    def measure(self, key: str) -> Measurement | None:
        d = self._load(f"{key}.measure.npz")
        if d is None:
            return None
        rate, channels, frames = (int(x) for x in d["shape"])
        return Measurement(rate, channels, d["voice"], d["bed"], float(d["peak"]), frames)

    def put_measure(self, key: str, m: Measurement) -> None:
        self._save(f"{key}.measure.npz", voice=m.voice_steps, bed=m.bed_steps, peak=np.float64(m.true_peak),
                   shape=np.array([m.rate, m.channels, m.frames]))

    def edges(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        d = self._load(f"{key}.edges.npz")
        return None if d is None else (d["head"], d["tail"])

    def put_edges(self, key: str, head: np.ndarray, tail: np.ndarray) -> None:
        self._save(f"{key}.edges.npz", head=head, tail=tail)

    def record(self, key: str) -> Record | None:
        d = self._load(f"{key}.record.npz")
        if d is None:
            return None
        spans = tuple((str(k), int(n)) for k, n in zip(d["keys"], d["frames"]))
        return Record(spans, d["energy"], float(d["peak"]))

    def put_record(self, key: str, r: Record) -> None:
        self._save(f"{key}.record.npz", keys=np.array([k for k, _ in r.spans]),
                   frames=np.array([n for _, n in r.spans], np.int64), energy=r.energy, peak=np.float64(r.peak))


def _digest(*parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=20).hexdigest()


# --- pass 1 -------------------------------------------------------------------------


def measure(mix, keys: Sequence[str | None], store: Store) -> Measurement:
    """Pass 1 over every part, each taken from the store when its key is there."""
    found: list[Measurement] = []
    for (lo, hi), key in zip(mix.mixdown.track.parts(), keys):
        m = store.measure(key) if key else None
        if m is None:
            m = measure_stems(mix.mixdown.stems(start=lo, stop=hi), mix.rate, mix.channels)
            if key:
                store.put_measure(key, m)
        found.append(m)
    return join(found, mix.rate, mix.channels)


def join(parts: Sequence[Measurement], rate: int, channels: int) -> Measurement:
    """The episode's measurement from its parts' (each part's last partial 100 ms is
    dropped: at most a part's worth of 100 ms of pause out of the whole)."""
    if not parts:
        return Measurement(rate, channels, np.zeros(0), np.zeros(0), 0.0, 0)
    return Measurement(rate, channels, np.concatenate([p.voice_steps for p in parts]),
                       np.concatenate([p.bed_steps for p in parts]), max(p.true_peak for p in parts),
                       sum(p.frames for p in parts))


# --- pass 2 -------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """What pass 2 wrote: the file's loudness (decoded, part by part), the limiter's
    work, and how many parts were made again."""

    after: Loudness
    stats: EncodeStats
    made: int
    reused: int
    limited: float


def encode(mix, keys: Sequence[str | None], gain: Gain, settings: Mastering, bitrate: int, path: Path,
           store: Store, segment_cache: Path | None, *, reuse: bool = True) -> Encoded:
    """Pass 2 into the MP3 at `path`: each part mastered (gain, then its own limiter) and
    encoded, or copied as the spans it was encoded to before; then every new part's
    frames decoded from the file and measured."""
    from audioessay.export.mp3 import LAME_SCALE

    rate, channels = mix.rate, mix.channels
    spf = 1152 if rate >= 32000 else 576
    head_n, tail_n = TAIL_FRAMES * spf, LEAD_FRAMES * spf
    parts = mix.mixdown.track.parts()
    shortest = (LEAD_FRAMES + TAIL_FRAMES + 1) * FRAME_GRID
    level = gain.material(settings)
    key2 = [_digest(k, level, rate, channels) if k and hi - lo >= shortest else None
            for k, (lo, hi) in zip(keys, parts)]
    around = ["start", *key2, "end"]
    rkey = [_digest(around[i], around[i + 1], around[i + 2], bitrate) if all(around[i:i + 3]) else None
            for i in range(len(parts))]
    known: dict[int, tuple[Record, tuple[np.ndarray, np.ndarray]]] = {}
    for i, rk in enumerate(rkey):
        rec = store.record(rk) if rk and reuse else None
        edges = store.edges(key2[i]) if rec is not None and key2[i] else None
        if rec is not None and edges is not None and len(edges[0]) == head_n and len(edges[1]) == tail_n:
            known[i] = (rec, edges)
    limited = [0, 0]

    def items() -> Iterator[np.ndarray | Reuse]:
        scale = np.float32(1.0 / LAME_SCALE)
        for i, (lo, hi) in enumerate(parts):
            if i in known:
                rec, (head, tail) = known[i]
                yield Reuse(hi - lo, rec.spans, head, tail)
                continue
            m = Mastered(mix.mixdown.stems(start=lo, stop=hi), rate, channels, gain.voice, settings,
                         gain.overall, gain.margin_db, metered=False)
            first: list[np.ndarray] = []
            got, last = 0, np.zeros((0, channels), np.float32)
            for block in m.blocks():
                out = block * scale
                if got < head_n:
                    first.append(out[:head_n - got])
                got += len(out)
                last = np.concatenate([last, out])[-tail_n:]
                yield out
            limited[0] += round(m.limited * (hi - lo))
            limited[1] += hi - lo
            if key2[i] and got >= head_n + tail_n:
                store.put_edges(key2[i], np.concatenate(first), last)

    stats = encode_stream(items(), rate, channels, bitrate, path, segment_cache=segment_cache,
                          cuts=[lo for lo, _ in parts[1:]])
    energy, peak = [], 0.0
    by_part = _spans_by_part(stats, parts)
    offsets = np.concatenate([[0], np.cumsum(stats.sizes)]).astype(np.int64) + stats.info_bytes
    with open(path, "rb") as f:
        for i, spans in enumerate(by_part):
            if i in known:
                rec = known[i][0]
            else:
                first_frame = sum(n for _, _, n in _before(stats.spans, spans))
                count = sum(n for _, _, n in spans)
                s, p = _measure_frames(f, offsets, first_frame, count, rate, channels)
                rec = Record(tuple((k, n) for _, k, n in spans), s, p)
                if rkey[i]:
                    store.put_record(rkey[i], rec)
            energy.append(rec.energy)
            peak = max(peak, rec.peak)
    after = file_loudness(np.concatenate(energy) if energy else np.zeros(0), peak, rate, stats.samples)
    return Encoded(after, stats, len(parts) - len(known), len(known), limited[0] / max(1, limited[1]))


def _spans_by_part(stats: EncodeStats, parts: list[tuple[int, int]]) -> list[list[tuple[int, str, int]]]:
    out: list[list[tuple[int, str, int]]] = [[] for _ in parts]
    starts = [lo for lo, _ in parts]
    import bisect

    for span in stats.spans:
        out[max(0, bisect.bisect_right(starts, span[0]) - 1)].append(span)
    return out


def _before(all_spans: tuple[tuple[int, str, int], ...], spans: list) -> list:
    if not spans:
        return list(all_spans)
    return [s for s in all_spans if s[0] < spans[0][0]]


def _measure_frames(f, offsets: np.ndarray, first: int, count: int, rate: int,
                    channels: int) -> tuple[np.ndarray, float]:
    """Decode frames [first, first + count) of the file and meter them: K-weighted energy
    of every BIN samples, and the true peak. A few hundred frames are decoded at a time, each
    run with PREROLL_FRAMES before it so its first frame decodes whole (no bit
    reservoir: a frame needs only its predecessor's overlap); the preroll before the
    part also settles the meters' filters."""
    from audioessay.decode import decode_mp3

    spf = 1152 if rate >= 32000 else 576
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
