"""The episode in parts, and pass 1 over them: what did not change comes from the cache.

Each section (with the pause after it) is measured, mastered, encoded and checked on
its own.

A part's stems depend only on its key (`Mixdown.part_keys`). Pass 1 (`measure`, here)
keeps each part's loudness material under that key. Pass 2 (encode.py) keeps, per
part and mastering gain, the first and last frames of audio it hands the encoder (the
context of its neighbours' spans), and per part with its neighbours, the MP3 spans it
became and what those frames measure when decoded. After a one-sentence edit with the
gain kept, only the edited part is mixed, mastered, encoded and decoded again; every
other part is a list of spans the encoder copies.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from audioessay.master.measure import Measurement, join, measure_stems
from audioessay.mix.assemble import Mix
from audioessay.mix.mixer import BLOCK, Mixdown
from audioessay.mix.stems import Stems

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parts:
    """The episode cut into parts: the mixdown that makes their stems, each part's
    [start, stop) frames, and its key (None: not cached)."""

    mixdown: Mixdown
    bounds: tuple[tuple[int, int], ...]
    keys: tuple[str | None, ...]
    rate: int
    channels: int

    @classmethod
    def of(cls, mix: Mix, keyed: bool = True) -> Parts:
        """`mix` in its parts, keyed (`Mixdown.part_keys`) when their products are cached."""
        bounds = tuple(mix.mixdown.track.parts())
        keys = tuple(mix.mixdown.part_keys()) if keyed else (None,) * len(bounds)
        return cls(mix.mixdown, bounds, keys, mix.rate, mix.channels)

    def __len__(self) -> int:
        return len(self.bounds)

    def mixed(self, i: int, stop: int | None = None, *, mixdown: Mixdown | None = None) -> Iterator[Stems]:
        """Part i's stems (up to frame `stop`) from `mixdown` (another thread's view) or
        the episode's own."""
        lo, hi = self.bounds[i]
        source = self.mixdown if mixdown is None else mixdown
        return source.stems(start=lo, stop=hi if stop is None else stop)


@dataclass(frozen=True)
class Record:
    """A part as encoded: its spans, and its decoded frames' K-weighted energy (one value
    per encode.BIN samples) and true peak."""

    spans: tuple[tuple[str, int], ...]
    energy: np.ndarray
    peak: float


class Store:
    """Part entries in the span cache's folder (removed with it by `cache prune`).

    A folder that cannot be written is only a slower render: the first failure goes to
    `failed` (the Cache's, which warns once) and nothing more is written."""

    def __init__(self, root: Path | None, failed: Callable[[OSError], None] | None = None):
        self.root = root
        self.failed = failed
        self.writable = root is not None

    def _load(self, name: str) -> dict[str, np.ndarray] | None:
        if self.root is None:
            return None
        path = self.root / name
        try:
            if not path.is_file():
                return None
            with np.load(path, allow_pickle=False) as data:
                out = {k: data[k] for k in data.files}
        except Exception:  # a torn or foreign file is only a miss
            return None
        with contextlib.suppress(OSError):  # last use, for `cache prune` (not in a read-only cache)
            os.utime(path)
        return out

    def _save(self, name: str, **arrays: Any) -> None:
        if self.root is None or not self.writable:
            return
        path = self.root / name
        tmp = path.with_name(f".{name}.{os.getpid()}.part")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                np.savez(f, allow_pickle=False, **arrays)
            os.replace(tmp, path)
        except OSError as exc:
            self.writable = False
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            if self.failed is not None:
                self.failed(exc)
            else:
                log.warning("could not save %s to %s (%s)", name, self.root, exc)

    def measure(self, key: str) -> Measurement | None:
        d = self._load(f"{key}.measure.npz")
        if d is None:
            return None
        rate, channels, frames = (int(x) for x in d["shape"])
        return Measurement(rate, channels, d["voice"], d["bed"], float(d["peak"]), frames)

    def put_measure(self, key: str, m: Measurement) -> None:
        self._save(f"{key}.measure.npz", voice=m.voice_steps, bed=m.bed_steps, peak=np.float64(m.peak),
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


# --- pass 1 -------------------------------------------------------------------------


class Spill:
    """The stems pass 1 mixed, kept on disk (float16: 2 bytes a sample, its rounding
    66 dB under the signal) so pass 2 reads them instead of mixing again.

    Keeping them is only a saving: with no folder (None), or once a write fails (a full
    disk), the parts not kept are mixed again in pass 2, to the same samples."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.parts: dict[int, bool] = {}  # part -> has a bed

    def keep(self, i: int, stems: Iterator[Stems]) -> Iterator[Stems]:
        """`stems` passed through, written down on the way (while the disk takes them)."""
        kept = _Kept(self.folder, i) if self.folder is not None else None
        done = False
        try:
            for block in stems:
                if kept is not None:
                    kept.write(block)
                yield block
            done = kept is not None and kept.close()
        finally:
            if kept is not None and not done:
                kept.drop(None)
        if done and kept is not None:
            self.parts[i] = kept.has_bed

    @staticmethod
    def rounded(s: Stems) -> Stems:
        """Stems as they come back from the spill (pass 2 masters the same audio either way)."""
        return Stems(s.voice.astype(np.float16).astype(np.float32),
                     None if s.bed is None else s.bed.astype(np.float16).astype(np.float32))

    def stems(self, i: int, channels: int, block: int = BLOCK) -> Iterator[Stems] | None:
        if i not in self.parts or self.folder is None:
            return None
        return self._read(self.folder, i, channels, block)

    def _read(self, folder: Path, i: int, channels: int, block: int) -> Iterator[Stems]:
        has_bed = self.parts[i]
        with open(folder / f"{i}.voice", "rb") as voice, open(folder / f"{i}.bed", "rb") as bed:
            while raw := voice.read(block * 2):
                v = np.frombuffer(raw, np.float16).astype(np.float32).reshape(-1, 1)
                b = np.frombuffer(bed.read(len(v) * channels * 2), np.float16).astype(np.float32)
                yield Stems(v, b.reshape(len(v), channels) if has_bed else None)


class _Kept:
    """One part's stem files as pass 1 writes them; a write that fails removes them."""

    def __init__(self, folder: Path, i: int):
        self.paths = (folder / f"{i}.voice", folder / f"{i}.bed")
        self.files: list[Any] = []
        self.has_bed = False
        try:
            for path in self.paths:
                self.files.append(open(path, "wb"))
        except OSError as exc:
            self.drop(exc)

    def write(self, block: Stems) -> None:
        if not self.files:
            return
        try:
            self.files[0].write(block.voice.astype(np.float16).tobytes())
            if block.bed is not None:
                self.has_bed = True
                self.files[1].write(block.bed.astype(np.float16).tobytes())
        except OSError as exc:
            self.drop(exc)

    def close(self) -> bool:
        """Whether the whole part is on disk (a full disk may refuse the last bytes here)."""
        if not self.files:
            return False
        try:
            for f in self.files:
                f.close()
        except OSError as exc:
            self.drop(exc)
            return False
        return True

    def drop(self, exc: OSError | None) -> None:
        """Not kept (pass 2 mixes the part again): the files go, freeing what they held."""
        if exc is not None:
            log.info("could not keep pass 1's stems in %s (%s); pass 2 mixes them again", self.paths[0].parent, exc)
        for f in self.files:
            with contextlib.suppress(OSError):
                f.close()
        self.files = []
        for path in self.paths:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def measure(parts: Parts, store: Store, spill: Spill | None = None, workers: int = 2) -> Measurement:
    """Pass 1 over every part, each taken from the store when its key is there; the
    others are mixed (into `spill`, if given) and measured on `workers` threads
    (numpy's transforms and matrix products run outside the GIL)."""
    found: list[Measurement | None] = [store.measure(k) if k else None for k in parts.keys]
    todo = [i for i, m in enumerate(found) if m is None]
    if todo:
        # On Ctrl-C or an error the workers stop at their next block (a `with` would wait
        # for every part they were measuring: seconds, on a long episode).
        stop = threading.Event()
        pool = ThreadPoolExecutor(max(1, min(workers, len(todo))), thread_name_prefix="pass1")
        try:
            for i, m in zip(todo, pool.map(partial(_measure_part, parts, store=store, spill=spill, stop=stop),
                                           todo)):
                found[i] = m
        except BaseException:
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    return join([m for m in found if m is not None], parts.rate, parts.channels)


class _Stopped(Exception):
    """A pass-1 worker was told to stop (the render is ending)."""


def _until(stop: threading.Event, blocks: Iterator[Stems]) -> Iterator[Stems]:
    for block in blocks:
        if stop.is_set():
            raise _Stopped
        yield block


def _measure_part(parts: Parts, i: int, store: Store, spill: Spill | None,
                  stop: threading.Event | None = None) -> Measurement:
    stems = parts.mixed(i, mixdown=parts.mixdown.view())
    if stop is not None:
        stems = _until(stop, stems)
    m = measure_stems(spill.keep(i, stems) if spill else stems, parts.rate, parts.channels)
    key = parts.keys[i]
    if key:
        store.put_measure(key, m)
    return m
