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
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audioessay.dsp import meter
from audioessay.export.mp3 import (DECODER_DELAY, ENCODER_DELAY, LEAD_FRAMES, TAIL_FRAMES, EncodeStats,
                                        LAME_SCALE, Reuse, encode_stream)
from audioessay.config.groups import Mastering
from audioessay.master.loudness import Gain, Loudness, Mastered, Measurement, measure_stems
from audioessay.mix.stems import Stems
from audioessay.mix.mixer import BLOCK, FRAME_GRID

log = logging.getLogger(__name__)

PREROLL_FRAMES = 2  # MP3 frames decoded before each run of frames, so its first decodes whole
BIN = 144  # samples per energy value kept for a decoded part (an eighth of a frame: steps
# of 100 ms are then cut from it within 3 ms, wherever an edit moves the part)
DECODE_FRAMES = 512  # frames decoded at a time (about 13 s at 44.1 kHz)


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

    def _save(self, name: str, **arrays: Any) -> None:
        if self.root is None:
            return
        path = self.root / name
        tmp = path.with_name(f".{name}.{os.getpid()}.part")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                np.savez(f, allow_pickle=False, **arrays)
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


class Spill:
    """The stems pass 1 mixed, kept on disk (float16: 2 bytes a sample, its rounding
    66 dB under the signal) so pass 2 reads them instead of mixing again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.parts: dict[int, bool] = {}  # part -> has a bed

    def keep(self, i: int, stems: Iterator[Stems]) -> Iterator[Stems]:
        """`stems` passed through, written down on the way."""
        has_bed = False
        with open(self.folder / f"{i}.voice", "wb") as voice, open(self.folder / f"{i}.bed", "wb") as bed:
            for block in stems:
                voice.write(block.voice.astype(np.float16).tobytes())
                if block.bed is not None:
                    has_bed = True
                    bed.write(block.bed.astype(np.float16).tobytes())
                yield block
        self.parts[i] = has_bed

    @staticmethod
    def rounded(s: Stems) -> Stems:
        """Stems as they come back from the spill (pass 2 masters the same audio either way)."""
        return Stems(s.voice.astype(np.float16).astype(np.float32),
                     None if s.bed is None else s.bed.astype(np.float16).astype(np.float32))

    def stems(self, i: int, channels: int, block: int = BLOCK) -> Iterator[Stems] | None:
        if i not in self.parts:
            return None
        return self._read(i, channels, block)

    def _read(self, i: int, channels: int, block: int) -> Iterator[Stems]:
        has_bed = self.parts[i]
        with open(self.folder / f"{i}.voice", "rb") as voice, open(self.folder / f"{i}.bed", "rb") as bed:
            while raw := voice.read(block * 2):
                v = np.frombuffer(raw, np.float16).astype(np.float32).reshape(-1, 1)
                b = np.frombuffer(bed.read(len(v) * channels * 2), np.float16).astype(np.float32)
                yield Stems(v, b.reshape(len(v), channels) if has_bed else None)


def measure(mix, keys: Sequence[str | None], store: Store, spill: Spill | None = None,
            workers: int = 2) -> Measurement:
    """Pass 1 over every part, each taken from the store when its key is there; the
    others are mixed (into `spill`, if given) and measured on `workers` threads
    (numpy's transforms and matrix products run outside the GIL)."""
    parts = mix.mixdown.track.parts()
    found: list[Measurement | None] = [store.measure(k) if k else None for k in keys]

    def one(i: int) -> Measurement:
        lo, hi = parts[i]
        stems = mix.mixdown.view().stems(start=lo, stop=hi)
        m = measure_stems(spill.keep(i, stems) if spill else stems, mix.rate, mix.channels)
        key = keys[i]
        if key:
            store.put_measure(key, m)
        return m

    todo = [i for i, m in enumerate(found) if m is None]
    if todo:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max(1, min(workers, len(todo))), thread_name_prefix="pass1") as pool:
            for i, m in zip(todo, pool.map(one, todo)):
                found[i] = m
    return join([m for m in found if m is not None], mix.rate, mix.channels)


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
           store: Store, segment_cache: Path | None, *, reuse: bool = True, spill: Spill | None = None) -> Encoded:
    """Pass 2 into the MP3 at `path`: each part mastered (gain, then its own limiter) and
    encoded, or copied as the spans it was encoded to before; then every new part's
    frames decoded from the file and measured."""
    rate, channels = mix.rate, mix.channels
    spf = 1152 if rate >= 32000 else 576
    head_n, tail_n = TAIL_FRAMES * spf, LEAD_FRAMES * spf
    parts = mix.mixdown.track.parts()
    shortest = (LEAD_FRAMES + TAIL_FRAMES + 1) * FRAME_GRID
    level = gain.material(settings)
    key2 = [_digest(k, level, rate, channels) if k and hi - lo >= shortest else None
            for k, (lo, hi) in zip(keys, parts)]
    scale = np.float32(1.0 / LAME_SCALE)
    stored = {i: e for i, k in enumerate(key2) if k and reuse and (e := store.edges(k)) is not None
              and len(e[0]) == head_n and len(e[1]) == tail_n}

    def mastered(stems: Iterator[Stems], count: bool = True) -> Iterator[np.ndarray]:
        m = Mastered(stems, rate, channels, gain.voice, settings, gain.overall, gain.margin_db, metered=False)
        frames = 0
        for block in m.blocks():
            frames += len(block)
            yield block * scale
        if count:
            limited[0] += round(m.limited * frames)
            limited[1] += frames

    def head(i: int) -> np.ndarray:
        """Part i's first frames as the encoder gets them (its first block mastered alone:
        the limiter looks only milliseconds ahead)."""
        if i in stored:
            return stored[i][0]
        lo, hi = parts[i]
        first = next(iter(stems_of(i, mix.mixdown.view(), stop=min(hi, lo + BLOCK))))
        return np.concatenate(list(mastered(iter([first]), False)))[:head_n]

    def stems_of(i: int, mixdown, stop: int | None = None) -> Iterator[Stems]:
        """Part i's stems as pass 1 kept them, or mixed again and rounded the same way."""
        kept = spill.stems(i, channels) if spill else None
        if kept is not None:
            return kept
        lo, hi = parts[i]
        return (Spill.rounded(s) for s in mixdown.stems(start=lo, stop=hi if stop is None else stop))

    # A part's record is keyed by its own audio and the edges of its neighbours' (the
    # context its first and last spans were encoded with): an edit in one part leaves
    # the records of the parts around it valid unless its own edges changed.
    rkey: list[str | None] = [None] * len(parts)
    known: set[int] = set()
    limited = [0, 0]

    def items() -> Iterator[np.ndarray | Reuse]:
        before = "start"  # digest of the previous part's last frames
        for i, (lo, hi) in enumerate(parts):
            after = _edge(head(i + 1)) if i + 1 < len(parts) else "end"
            rkey[i] = _digest(before, key2[i], after, bitrate) if key2[i] else None
            rk = rkey[i]
            rec = store.record(rk) if rk and reuse and i in stored else None
            if rec is not None:
                known.add(i)
                records[i] = rec
                before = _edge(stored[i][1])
                yield Reuse(hi - lo, rec.spans, *stored[i])
                continue
            stems = stems_of(i, mix.mixdown)
            first: list[np.ndarray] = []
            got, last = 0, np.zeros((0, channels), np.float32)
            for out in mastered(stems):
                if got < head_n:
                    first.append(out[:head_n - got])
                got += len(out)
                last = np.concatenate([last, out])[-tail_n:]
                yield out
            before = _edge(last)
            own = key2[i]
            if own and got >= head_n + tail_n:
                store.put_edges(own, np.concatenate(first), last)

    records: dict[int, Record] = {}
    stats = encode_stream(items(), rate, channels, bitrate, path, segment_cache=segment_cache,
                          cuts=[lo for lo, _ in parts[1:]])
    by_part = _spans_by_part(stats, parts)
    offsets = np.concatenate([[0], np.cumsum(stats.sizes)]).astype(np.int64) + stats.info_bytes
    frame_at = np.concatenate([[0], np.cumsum([n for _, _, n in stats.spans])]).astype(np.int64)

    def record(i: int) -> Record:
        """A new part's record: its frames decoded from the file and measured."""
        spans = by_part[i]
        first = int(frame_at[stats.spans.index(spans[0])]) if spans else 0
        with open(path, "rb") as f:
            e, p = _measure_frames(f, offsets, first, sum(n for _, _, n in spans), rate, channels)
        rec = Record(tuple((k, n) for _, k, n in spans), e, p)
        rk = rkey[i]
        if rk:
            store.put_record(rk, rec)
        return rec

    from concurrent.futures import ThreadPoolExecutor

    todo = [i for i in range(len(parts)) if i not in known]
    with ThreadPoolExecutor(2, thread_name_prefix="measure") as pool:  # decoding runs outside the GIL
        made = dict(zip(todo, pool.map(record, todo)))
    records.update(made)
    ordered = [records[i] for i in range(len(parts))]
    energy = [r.energy for r in ordered]
    peak = max((r.peak for r in ordered), default=0.0)
    after = file_loudness(np.concatenate(energy) if energy else np.zeros(0), peak, rate, stats.samples)
    return Encoded(after, stats, len(parts) - len(known), len(known), limited[0] / max(1, limited[1]))


def _edge(x: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(x, np.float32).tobytes(), digest_size=20).hexdigest()


def _spans_by_part(stats: EncodeStats, parts: list[tuple[int, int]]) -> list[list[tuple[int, str, int]]]:
    out: list[list[tuple[int, str, int]]] = [[] for _ in parts]
    starts = [lo for lo, _ in parts]
    import bisect

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
    from audioessay.dsp.decode import decode_mp3

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
