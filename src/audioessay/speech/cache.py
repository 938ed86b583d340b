"""Content-addressed store of synthesized utterances, one file per cache key.

An entry lives at ``root/ab/abcdef….aec``. Its format is a fixed header
followed by zlib-compressed PCM:

    magic      4s   b"AEAC"
    version    u16  FORMAT_VERSION
    channels   u8
    width      u8   bytes per sample
    rate       u32  frames per second
    frames     u64  frame count
    length     u64  compressed payload length
    sha256     32s  digest of the compressed payload
    key        32s  the entry's own cache key (binary), so a file copied over another is caught

All integers are little-endian. Every field is checked on read; an entry that
fails any check (or is not a regular file) is deleted and reported as a miss.

The folder holds a ``CACHEDIR.TAG`` (the standard cache-directory tag, naming
audioessay), written on the first put. `clear` and `prune` refuse a folder
without it and only ever remove files named like entries.

A cache that cannot be written (the folder is a file, read-only, or on a full disk)
never fails a render: the first write that fails is noted (`failed`, one warning) and
nothing more is written until the next render; reads of a broken cache are misses.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import stat
import struct
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import platformdirs
from pydub import AudioSegment

from audioessay.errors import InputError
from audioessay.util.fsutil import atomic_path, atomic_write

__all__ = [
    "CACHE_ENV",
    "Cache",
    "CacheInfo",
    "cache_key",
    "default_cache_dir",
    "parse_age",
]

log = logging.getLogger(__name__)

CACHE_ENV = "AUDIOESSAY_CACHE_DIR"
SPANS_FOLDER = "segments"  # the MP3 spans and parts (its older name, kept so caches stay valid)
KEY_FORMAT_VERSION = 1  # bump to invalidate every key (cache only: the episode bytes are the same)
FORMAT_VERSION = 2  # 2: the key is stored in the header (cache only: the episode bytes are the same)
MAGIC = b"AEAC"
SUFFIX = ".aec"
ZLIB_LEVEL = 6  # for audio that compresses (silence); speech is stored as it is (see _pack)
STALE_TEMP_S = 3600.0  # a temporary file this old belongs to a dead writer
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # larger than any sentence: not ours, not read
MARKER = "CACHEDIR.TAG"
MARKER_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by audioessay.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)

_HEADER = struct.Struct("<4sHBBIQQ32s32s")
_KEY_RE = re.compile(r"[0-9a-f]{64}")
_ENTRY_RE = re.compile(r"[0-9a-f]{64}" + re.escape(SUFFIX))
_TEMP_RE = re.compile(r"\.[0-9a-f]{64}" + re.escape(SUFFIX) + r"\..+\.part")


def default_cache_dir() -> Path:
    """The cache folder: $AUDIOESSAY_CACHE_DIR if set, else the user's cache folder."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return platformdirs.user_cache_path("audioessay")


def cache_key(engine: str, engine_version: str, settings: Mapping[str, object], text: str) -> str:
    """SHA-256 hex of everything that decides the audio: engine, its version, settings, text.

    `settings` values must be JSON-serializable; key order does not matter.
    """
    canonical = json.dumps(
        {
            "format": KEY_FORMAT_VERSION,
            "engine": engine,
            "engine_version": engine_version,
            "settings": dict(settings),
            "text": text,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    root: Path
    entries: int
    total_bytes: int
    oldest: datetime | None  # least recently used entry (mtime, UTC)
    newest: datetime | None  # most recently used entry (mtime, UTC)


class CorruptEntry(Exception):
    """An entry failed a check on read. Internal: get() turns it into a miss."""


def encode_entry(audio: AudioSegment, key: str) -> bytes:
    pcm = audio.raw_data
    payload = _pack(pcm)
    frames = len(pcm) // (audio.channels * audio.sample_width)
    header = _HEADER.pack(
        MAGIC,
        FORMAT_VERSION,
        audio.channels,
        audio.sample_width,
        audio.frame_rate,
        frames,
        len(payload),
        hashlib.sha256(payload).digest(),
        bytes.fromhex(key),
    )
    return header + payload


def _pack(pcm: bytes) -> bytes:
    """zlib at ZLIB_LEVEL when a quick probe shows the audio halves at least (silence),
    else zlib's stored blocks: speech shrinks only 20 % for 4 s of CPU an hour."""
    probe = pcm[:65536]
    squeezes = len(zlib.compress(probe, 1)) < len(probe) // 2
    return zlib.compress(pcm, ZLIB_LEVEL if squeezes else 0)


def decode_entry(blob: bytes, key: str) -> AudioSegment:
    """Parse and verify one entry stored under `key`; raise CorruptEntry on any mismatch."""
    if len(blob) < 6:
        raise CorruptEntry(f"{len(blob)} bytes is shorter than the header")
    if blob[:4] != MAGIC:
        raise CorruptEntry(f"bad magic {blob[:4]!r}")
    version = int.from_bytes(blob[4:6], "little")
    if version != FORMAT_VERSION:
        raise CorruptEntry(f"format version {version}, expected {FORMAT_VERSION}")
    if len(blob) < _HEADER.size:
        raise CorruptEntry(f"{len(blob)} bytes is shorter than the {_HEADER.size}-byte header")
    _, _, channels, width, rate, frames, length, digest, owner = _HEADER.unpack_from(blob)
    if owner != bytes.fromhex(key):
        raise CorruptEntry(f"entry belongs to key {owner.hex()[:12]}…, not {key[:12]}…")
    if channels < 1 or width not in (1, 2, 3, 4) or rate < 1:
        raise CorruptEntry(f"bad audio parameters: {channels} ch, {width} B, {rate} Hz")
    payload = memoryview(blob)[_HEADER.size :]
    if len(payload) != length:
        raise CorruptEntry(f"payload is {len(payload)} bytes, header says {length}")
    if hashlib.sha256(payload).digest() != digest:
        raise CorruptEntry("payload checksum mismatch")
    try:
        pcm = zlib.decompress(payload)
    except zlib.error as e:
        raise CorruptEntry(f"payload does not decompress: {e}") from e
    if len(pcm) != frames * channels * width:
        raise CorruptEntry(f"{len(pcm)} PCM bytes, header says {frames} frames")
    return AudioSegment(data=pcm, sample_width=width, frame_rate=rate, channels=channels)


class Cache:
    """Per-utterance audio store. `hits` and `misses` count get() results."""

    def __init__(self, root: Path, *, enabled: bool = True, refresh: bool = False):
        self.root = Path(root).expanduser()  # click passes AUDIOESSAY_CACHE_DIR='~/x' unexpanded
        self.enabled = enabled
        self.refresh = refresh
        self.hits = 0
        self.misses = 0
        self.trouble: str | None = None  # why writing stopped in this render (see `failed`)
        self._lock = threading.Lock()
        self._marked = False

    def path_for(self, key: str) -> Path:
        # The key becomes a file name, so anything but a plain digest is refused.
        if not _KEY_RE.fullmatch(key):
            raise ValueError(f"cache key must be 64 lowercase hex digits, got {key!r}")
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> AudioSegment | None:
        """The stored audio for `key`, or None on a miss (also when disabled or refreshing)."""
        path = self.path_for(key)
        audio = self._read(path, key) if self.enabled and not self.refresh else None
        with self._lock:
            if audio is None:
                self.misses += 1
            else:
                self.hits += 1
        return audio

    def read(self, key: str) -> AudioSegment | None:
        """The stored audio for `key` even when refreshing (a render reading back what it
        just stored); None when absent, damaged or the cache is disabled."""
        return self._read(self.path_for(key), key) if self.enabled else None

    @property
    def writable(self) -> bool:
        """Whether entries are written: the cache is on and no write failed in this render."""
        return self.enabled and self.trouble is None

    def put(self, key: str, audio: AudioSegment) -> bool:
        """Store `audio` under `key` atomically; whether it was stored (not when the cache
        is disabled or cannot be written: see `failed`)."""
        path = self.path_for(key)
        if not self.writable:
            return False
        blob = encode_entry(audio, key)
        try:
            self._mark()
            # No fsync: an entry is cheap to recreate, and a torn write fails its checksum.
            with atomic_path(path) as tmp:
                tmp.write_bytes(blob)
        except OSError as exc:
            self.failed(exc)
            return False
        return True

    def put_words(self, key: str, words: Sequence[tuple[int, int, str]]) -> None:
        """Keep an entry's word timings beside it (a small JSON file); no-op when disabled."""
        if not self.writable or not words:
            return
        try:
            with atomic_path(self.path_for(key).with_suffix(".words.json")) as tmp:
                tmp.write_text(json.dumps([list(w) for w in words], ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            self.failed(exc)

    def failed(self, exc: OSError) -> None:
        """A write into the cache folder (an entry, the spans, the parts) failed: the first
        time in a render, warn once (`trouble` says why); nothing more is written until
        `start_render`. Callable from any thread."""
        with self._lock:
            if self.trouble is not None:
                log.info("cache write failed too: %s", exc)
                return
            self.trouble = _unwritable(self.root, exc)
        log.warning("%s", self.trouble)

    def start_render(self) -> None:
        """A new render tries writing again (a cache fixed since the last one is used)."""
        with self._lock:
            self.trouble = None

    def get_words(self, key: str) -> tuple[tuple[int, int, str], ...]:
        """The word timings stored with `key` (() when there are none or they are unreadable)."""
        path = self.path_for(key).with_suffix(".words.json")
        try:
            if not self.enabled or not path.is_file() or path.stat().st_size > 1 << 20:
                return ()
            data = json.loads(path.read_text(encoding="utf-8"))
            return tuple((int(a), int(b), str(w)) for a, b, w in data)
        except (OSError, ValueError, TypeError):
            return ()

    def _mark(self) -> None:
        """Write the cache-directory tag once, so clear/prune know the folder is ours."""
        if self._marked:
            return
        marker = self.root / MARKER
        if not marker.is_file():
            atomic_write(marker, MARKER_TEXT)
        self._marked = True

    def is_marked(self) -> bool:
        """True when the folder carries audioessay's CACHEDIR.TAG."""
        try:
            with open(self.root / MARKER, "rb", opener=_nonblocking) as f:
                return b"created by audioessay" in f.read(4096)
        except OSError:
            return False

    def info(self) -> CacheInfo:
        count = size = 0
        oldest = newest = None
        for _, st in self._guarded(self._entries(), "read"):
            count += 1
            size += st.st_size
            oldest = st.st_mtime if oldest is None else min(oldest, st.st_mtime)
            newest = st.st_mtime if newest is None else max(newest, st.st_mtime)
        return CacheInfo(self.root, count, size, _utc(oldest), _utc(newest))

    @property
    def spans(self) -> Path | None:
        """Where encoded MP3 spans and the parts' records are kept (export/mp3.py, episode/parts.py),
        or None without a cache."""
        return self.root / SPANS_FOLDER if self.enabled else None

    def clear(self) -> int:
        """Remove every entry; return how many were removed."""
        return self._remove(float("inf"))

    def prune(self, older_than_s: float) -> int:
        """Remove entries not used (written or read) for `older_than_s` seconds."""
        if older_than_s < 0:
            raise ValueError(f"age must not be negative, got {older_than_s}")
        return self._remove(time.time() - older_than_s)

    def _remove(self, entry_cutoff: float) -> int:
        """Remove entries last used before `entry_cutoff`; return how many."""
        if not self.root.exists():
            return 0
        if not self.is_marked():
            raise InputError(
                f"{self.root}: not an audioessay cache (no {MARKER} from audioessay), so nothing was removed; "
                "check --cache-dir or AUDIOESSAY_CACHE_DIR (a cache from before this check: delete it by hand)"
            )
        # Temporary files from killed writers go too, once clearly stale, so a
        # writer still running in another process keeps its file.
        temp_cutoff = time.time() - STALE_TEMP_S
        removed = 0
        for path, st in self._guarded(self._entries(include_temp=True), "clean"):
            is_entry = path.endswith(SUFFIX)
            cutoff = entry_cutoff if is_entry else temp_cutoff
            if st.st_mtime < cutoff and self._guarded_unlink(path):
                removed += is_entry
                if is_entry:  # its word timings go with it
                    self._guarded_unlink(path[: -len(SUFFIX)] + ".words.json")
        for path, st in self._guarded(self._span_files(), "clean"):
            if st.st_mtime < entry_cutoff:
                self._guarded_unlink(path)  # encoded spans go with the sentences; not counted
        return removed

    def _span_files(self) -> Iterator[tuple[str, os.stat_result]]:
        folder = self.root / SPANS_FOLDER
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if re.fullmatch(r"\.?[0-9a-f]+\.(mp3seg|measure\.npz|edges\.npz|record\.npz)(\.\d+\.part)?", entry.name):
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    yield entry.path, st

    def _guarded(self, items: Iterator, verb: str) -> Iterator:
        try:
            yield from items
        except OSError as exc:
            raise InputError(self._access_message(verb, exc)) from None

    def _guarded_unlink(self, path: str) -> bool:
        try:
            return _unlink(path)
        except OSError as exc:
            raise InputError(self._access_message("clean", exc)) from None

    def _access_message(self, verb: str, exc: OSError) -> str:
        need = "a folder you may write to (a read-only cache cannot be cleaned)" if verb == "clean" \
            else "a folder you may read"
        return f"cannot {verb} the cache {self.root} ({exc.strerror or exc}); it must be {need}: fix it or " \
               "choose another with --cache-dir"

    def _read(self, path: Path, key: str) -> AudioSegment | None:
        try:
            with open(path, "rb", opener=_nonblocking) as f:  # a FIFO here must not hang the render
                st = os.fstat(f.fileno())
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
                    blob = None
                else:
                    blob = f.read(MAX_ENTRY_BYTES + 1)
        except (FileNotFoundError, NotADirectoryError):  # no entry (or the folder is a file)
            return None
        except OSError as e:  # unreadable: a miss; writing it again will say what is wrong
            log.info("cannot read cache entry %s: %s", path, e)
            return None
        try:
            if blob is None:
                raise CorruptEntry("not a regular file of a sane size")
            audio = decode_entry(blob, key)
        except CorruptEntry as e:
            log.warning("discarding corrupt cache entry %s: %s", path, e)
            with contextlib.suppress(OSError):  # a read-only cache keeps it; it stays a miss
                _unlink(path)
            return None
        # mtime records last use, so prune() keeps what recent renders needed.
        with contextlib.suppress(OSError):
            os.utime(path)
        return audio

    def _entries(self, *, include_temp: bool = False) -> Iterator[tuple[str, os.stat_result]]:
        """(path, stat) of every entry; temporary files too when `include_temp`."""
        # Only names we write are ever listed (and so removed): root/ab/ab….aec, and
        # atomic_path's temporaries .ab….aec.XXXX.part beside them.
        try:
            fanout = [d for d in os.scandir(self.root)
                      if re.fullmatch("[0-9a-f]{2}", d.name) and d.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return
        for folder in fanout:
            try:
                names = os.listdir(folder.path)
            except FileNotFoundError:
                continue
            for name in names:
                ours = _ENTRY_RE.fullmatch(name) or (include_temp and _TEMP_RE.fullmatch(name))
                if not ours or name.lstrip(".")[:2] != folder.name:
                    continue
                path = os.path.join(folder.path, name)
                try:
                    st = os.lstat(path)
                except FileNotFoundError:  # another process removed it meanwhile
                    continue
                yield path, st


def _unwritable(root: Path, exc: OSError) -> str:
    """The one warning of a render whose cache cannot be written."""
    why = exc.strerror or str(exc)
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        why, fix = "a file is where a folder should be", "move that file away"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free some space"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "make it writable"
    else:
        fix = "check the folder"
    return f"cannot write the cache {root} ({why}); this render goes on without caching; " \
           f"{fix}, or choose another folder with --cache-dir (or --no-cache)"


def _unlink(path: str | Path) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:  # another process removed it first
        return False
    return True


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)


def _utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc)


_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_AGE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", re.IGNORECASE)


def parse_age(text: str) -> float:
    """Seconds in an age such as "30d", "12h", "90m", "45s" or "2w"."""
    m = _AGE_RE.fullmatch(text)
    if not m:
        raise ValueError(
            f"invalid age {text!r}: expected a number and a unit "
            "(s, m, h, d or w), for example 30d or 12h"
        )
    return float(m.group(1)) * _AGE_UNITS[m.group(2).lower()]
