"""Encode a stream of blocks to one gapless CBR MP3, in spans kept in the cache.

The episode is cut into fixed spans of `span_frames` MP3 frames. Each span is
encoded by LAME (through ffmpeg) with a few frames of the real audio before and after
it, and only its own frames are kept; the bit reservoir is off, so no frame borrows
bytes from a neighbour, and the frame grid is the one a single encode of the whole
episode would have. Joined, the spans decode like one encode. One Xing/LAME "Info"
frame at the front carries the frame count, a seek table, the encoder delay and the
end padding, so players trim to the exact sample count.

A span's frames are cached (with their CRC and a digest) under a hash of the PCM
they were made from (with its context) and the encoder's settings: after an edit only spans whose audio changed
are encoded again. Consecutive spans to encode share one ffmpeg run; up to `workers`
runs encode at once.

LAME's CBR presets scale their input by LAME_SCALE (0.95, -0.45 dB) before encoding;
the caller divides it back out (`to_encoder`), so the file decodes at the level given.

MP3 facts used (LAME through ffmpeg, checked by the tests): a frame holds 1152
samples (576 below 32 kHz); decoded sample d is input sample d - 1105 (LAME's 576
samples of encoder delay plus the decoder's 529); an encode of T samples has
ceil((T + 1105) / 1152) frames.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import shlex
import struct
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from audioessay import versions
from audioessay.util import ffmpeg
from audioessay.errors import OutputError, ToolError

log = logging.getLogger(__name__)

LAME_SCALE = 0.95  # what LAME's CBR presets multiply their input by
ENCODER_DELAY = 576  # LAME's own delay, as written in the LAME tag
DECODER_DELAY = 529  # added by every MP3 decoder (528 + 1 in ffmpeg's terms)
LEAD_FRAMES = 4  # context encoded before a span (filterbank, MDCT overlap, psy state)
TAIL_FRAMES = 3  # context after it (LAME looks ahead before it decides a frame)
SPAN_FRAMES = 1024  # about 27 s at 44.1 kHz
RUN_SPANS = 8  # spans one ffmpeg run encodes at most, so runs can overlap (a run costs 50 ms to start)
SUFFIX = ".mp3seg"
_DIGEST = 16  # bytes of blake2b at the end of a cached span (over its frames and CRC)
_CRC = 2  # the frames' CRC-16, kept before the digest (the Info frame's CRC combines them)


@dataclass(frozen=True)
class EncodeStats:
    """What encode_stream did."""

    samples: int  # per channel, as given; the file decodes to exactly this many
    frames: int  # MP3 audio frames written after the Info frame
    span_count: int  # spans the episode was cut into
    encoded: int  # spans encoded in this call
    reused: int  # spans taken from the span cache
    encoder_runs: int  # ffmpeg processes started to encode
    bytes: int = 0  # size of the MP3 written (no ID3 tag yet)
    spans: tuple[tuple[int, str, int], ...] = ()  # (first sample, key, frames) of every span, in order
    sizes: tuple[int, ...] = ()  # bytes of every audio frame after the Info frame
    info_bytes: int = 0  # size of the Info frame at the front
    cache_error: OSError | None = None  # the first write into span_cache that failed (no more were tried)


@dataclass(frozen=True)
class Reuse:
    """In the stream given to encode_stream: a stretch encoded before (its spans, found in
    the span cache) instead of its samples. `head` and `tail` are its first
    TAIL_FRAMES and last LEAD_FRAMES frames of audio: the context its neighbours' spans
    are keyed and encoded with. It must begin at a cut."""

    samples: int
    spans: tuple[tuple[str, int], ...]  # (key, frames)
    head: np.ndarray
    tail: np.ndarray


def frame_samples(rate: int) -> int:
    """Samples (per channel) in one MP3 frame: 1152, or 576 below 32 kHz."""
    return 1152 if rate >= 32000 else 576


def edge_lengths(rate: int) -> tuple[int, int]:
    """Samples in a Reuse's `head` and `tail` at `rate`. The span before a stretch is
    encoded with TAIL_FRAMES frames of what follows it (the stretch's head), the span
    after it with LEAD_FRAMES frames of what precedes it (the stretch's tail)."""
    spf = frame_samples(rate)
    return TAIL_FRAMES * spf, LEAD_FRAMES * spf


def to_encoder(block: np.ndarray) -> np.ndarray:
    """Float32 audio as LAME must get it to decode at its level: divided by LAME_SCALE."""
    return block * _FROM_LAME_SCALE


_FROM_LAME_SCALE = np.float32(1.0 / LAME_SCALE)


class MissingSpan(LookupError):
    """A Reuse names a span the span cache no longer holds."""


def encode_stream(blocks: Iterable[np.ndarray | Reuse], rate: int, channels: int, bitrate_kbps: int,
                  path: Path, *, span_cache: Path | None = None,
                  span_frames: int = SPAN_FRAMES, cuts: Iterable[int] = (),
                  workers: int | None = None) -> EncodeStats:
    """Write float32 `blocks` (each shaped (frames, channels), any length) as one CBR MP3
    at `path` (no ID3 tag). Spans found in `span_cache` are reused, new ones stored.
    A `Reuse` among the blocks stands for a stretch whose spans are known (MissingSpan
    if one is gone).

    `cuts`: sample positions (multiples of the MP3 frame: 1152, or 576 below 32 kHz) where
    a span must begin, e.g. section starts: audio that only moved, by whole frames, from
    one cut to another is still found in the cache. `workers`: ffmpeg runs at once
    (default: one per usable core)."""
    if span_frames < LEAD_FRAMES:
        raise ValueError(f"span_frames must be at least {LEAD_FRAMES}")
    fmt = _Format(rate, channels, bitrate_kbps)
    if not workers:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="audioessay-seg-") as scratch:
        store = _Store(Path(span_cache) if span_cache else None, Path(scratch))
        plan = _Encoder(fmt, span_frames, cuts, store, workers, Path(scratch))
        try:
            total = plan.consume(blocks)
            spans = plan.finish()
        except BaseException:  # an error, or Ctrl-C: no encoder outlives the call
            plan.abort()
            raise
        size = _join(fmt, spans, total, Path(path))
    return EncodeStats(samples=total, frames=sum(s.frames for s in spans), span_count=len(spans),
                       encoded=plan.encoded, reused=len(spans) - plan.encoded,
                       encoder_runs=plan.runs, bytes=size,
                       spans=tuple((s.start, s.key, s.frames) for s in spans),
                       sizes=tuple(n for s in spans for n in s.sizes), info_bytes=len(_info_template(fmt)),
                       cache_error=store.error)


# --- the format -------------------------------------------------------------

@dataclass(frozen=True)
class _Format:
    rate: int
    channels: int
    bitrate: int

    @property
    def spf(self) -> int:
        return frame_samples(self.rate)

    def frames_for(self, samples: int) -> int:
        """Frames a whole encode of `samples` has (LAME writes two at least; with one
        after the Info frame, ffmpeg does not recognise the file)."""
        return max(2, -(-(samples + ENCODER_DELAY + DECODER_DELAY) // self.spf))

    def key_material(self) -> bytes:
        return f"{versions.ENCODER}|{_encoder_version()}|{self.rate}|{self.channels}|{self.bitrate}|" \
               f"{LEAD_FRAMES}|{TAIL_FRAMES}".encode()

    def encode_args(self) -> list[str]:
        return ["-f", "f32le", "-ar", str(self.rate), "-ac", str(self.channels), "-i", "pipe:0",
                "-c:a", "libmp3lame", "-b:a", f"{self.bitrate}k", "-reservoir", "0",
                "-ar", str(self.rate), "-ac", str(self.channels)]


@lru_cache(maxsize=4)
def _encoder_version() -> str:
    """ffmpeg's version line: a new LAME may encode differently, so it is in every key."""
    return ffmpeg.run(["-version"]).decode("utf-8", "replace").splitlines()[0]


# --- MP3 frames ---------------------------------------------------------------

_BITRATES = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def frame_sizes(data: bytes | memoryview) -> list[int]:
    """Sizes of the consecutive Layer III frames that make up `data` exactly.
    Raises ValueError if `data` is anything else (a torn or foreign file)."""
    sizes = []
    pos, end = 0, len(data)
    while pos < end:
        size = frame_size(data[pos:pos + 4], pos)
        if pos + size > end:
            raise ValueError(f"truncated frame at byte {pos}")
        sizes.append(size)
        pos += size
    return sizes


def frame_size(header: bytes | memoryview, at: int = 0) -> int:
    """Bytes in the Layer III frame whose 4-byte header is `header`."""
    if len(header) < 4:
        raise ValueError(f"truncated frame header at byte {at}")
    b1, b2 = header[1], header[2]
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    if header[0] != 0xFF or (b1 & 0xE0) != 0xE0 or layer != 1 or version == 1:
        raise ValueError(f"no Layer III frame header at byte {at}")
    kbps = _BITRATES[3 if version == 3 else 2][b2 >> 4]
    rate = _RATES[version][(b2 >> 2) & 3] if (b2 >> 2) & 3 < 3 else 0
    if not kbps or not rate:
        raise ValueError(f"bad bitrate or sample rate in the frame at byte {at}")
    return (144 if version == 3 else 72) * kbps * 1000 // rate + ((b2 >> 1) & 1)


# --- the span store --------------------------------------------------------

@dataclass
class _Span:
    """One span: where its frames are and how many there are."""

    index: int
    start: int  # first input sample it stands for (a multiple of the frame size)
    key: str
    frames: int  # frames it must have
    file: Path | None = None  # set once its frames are on disk
    sizes: list[int] = field(default_factory=list)
    crc: int = 0  # CRC-16 of its frames


class _Store:
    """Cached spans: `<key>.mp3seg` = frames + a blake2b digest of them, written atomically.

    A span cache that cannot be written only costs time: after the first write that
    fails (`error`, for the caller to report) spans are kept in `scratch` instead."""

    def __init__(self, root: Path | None, scratch: Path):
        self.root = root
        self.scratch = scratch
        self.error: OSError | None = None
        if root is not None:
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.error = exc  # encode without caching

    def find(self, span: _Span) -> bool:
        """Whether a valid cached copy exists; if so `span` now points at it."""
        if self.root is None:
            return False
        path = self.root / f"{span.key}{SUFFIX}"
        try:
            if not path.is_file():  # never open a FIFO or device left in the cache
                return False
            blob = path.read_bytes()
        except OSError:
            return False
        with contextlib.suppress(OSError):  # last use, for `cache prune` (not in a read-only cache)
            os.utime(path)
        body, digest = memoryview(blob)[:-_DIGEST], blob[-_DIGEST:]
        if len(blob) <= _DIGEST + _CRC or hashlib.blake2b(body, digest_size=_DIGEST).digest() != digest:
            return False
        frames = body[:-_CRC]
        try:
            sizes = frame_sizes(frames)
        except ValueError:
            return False
        if len(sizes) != span.frames:
            return False
        span.file, span.sizes, span.crc = path, sizes, int.from_bytes(body[-_CRC:], "little")
        return True

    def put(self, span: _Span, frames: bytes, sizes: list[int]) -> None:
        span.sizes, span.crc = sizes, crc16(frames)
        sealed = frames + span.crc.to_bytes(_CRC, "little")
        sealed += hashlib.blake2b(sealed, digest_size=_DIGEST).digest()
        if self.root is not None and self.error is None:
            path = self.root / f"{span.key}{SUFFIX}"
            tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
            try:  # a cache entry: no fsync, a torn file fails its digest and is made again
                tmp.write_bytes(sealed)
                os.replace(tmp, path)
                span.file = path
                return
            except OSError as exc:
                log.info("could not save an MP3 span to %s (%s)", self.root, exc)
                self.error = exc
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
        span.file = self.scratch / f"{span.index}{SUFFIX}"
        span.file.write_bytes(sealed)


# --- encoding runs --------------------------------------------------------------

class _Run:
    """One ffmpeg process encoding consecutive spans (plus context) to a scratch file.
    A thread feeds its stdin from a queue, so the caller never waits on the encoder
    unless `workers` runs are already busy."""

    def __init__(self, fmt: _Format, start: int, scratch: Path, number: int):
        self.fmt = fmt
        self.start = start  # first input sample fed (a multiple of spf)
        self.spans: list[_Span] = []
        self.out = scratch / f"run{number}.mp3"
        argv = [ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error",
                *fmt.encode_args(), "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3",
                "-y", str(self.out)]
        log.info("%s", shlex.join(argv))
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL)
        except OSError as exc:
            raise ToolError(f"could not start ffmpeg ({exc}); check FFMPEG_BINARY") from exc
        self.todo: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._feed, name="mp3-run", daemon=True)
        self.thread.start()

    def write(self, samples: np.ndarray) -> None:
        if len(samples):
            self.todo.put(np.ascontiguousarray(samples, dtype="<f4").tobytes())

    def close(self) -> None:
        self.todo.put(None)

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (chunk := self.todo.get()) is not None:
                stdin.write(chunk)
        except BaseException as exc:  # ffmpeg died early; its stderr says why
            self.error = exc
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def wait(self) -> bytes:
        """The run's encoded frames (after ffmpeg has exited cleanly)."""
        self.thread.join()
        assert self.proc.stderr is not None
        err = self.proc.stderr.read()  # ffmpeg logs errors only: a few lines at most
        self.proc.wait()
        if self.proc.returncode != 0 or self.error is not None:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ToolError(f"ffmpeg failed to encode MP3 (exit {self.proc.returncode}): "
                            f"{' / '.join(tail) or self.error or 'no message'}")
        return self.out.read_bytes()

    def kill(self) -> None:
        self.proc.kill()
        self.close()
        self.proc.wait()
        self.thread.join(timeout=2)


class _Samples:
    """The blocks received so far that are still needed, addressed by absolute sample."""

    def __init__(self, channels: int):
        self.channels = channels
        self.parts: list[np.ndarray] = []
        self.start = 0  # absolute index of parts[0][0]
        self.end = 0

    def add(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float32)
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise ValueError(f"blocks must be shaped (frames, {self.channels}), got {block.shape}")
        if len(block):
            self.parts.append(block)
            self.end += len(block)

    def take(self, a: int, b: int) -> np.ndarray:
        """Samples [a, b) (both within what is kept)."""
        if b <= a:
            return np.zeros((0, self.channels), np.float32)
        if a < self.start or b > self.end:
            raise IndexError(f"samples {a}..{b} are not buffered ({self.start}..{self.end})")
        if len(self.parts) > 1:
            self.parts = [np.concatenate(self.parts)]
        return self.parts[0][a - self.start: b - self.start]

    def drop_before(self, a: int) -> None:
        a = min(a, self.end)
        if a <= self.start:
            return
        whole = self.take(self.start, self.end)
        self.parts = [whole[a - self.start:].copy()] if self.end > a else []
        self.start = a


class _Encoder:
    """Cuts the stream into spans, finds them in the store or sends them to runs."""

    def __init__(self, fmt: _Format, span_frames: int, cuts: Iterable[int], store: _Store,
                 workers: int, scratch: Path):
        self.fmt = fmt
        self.L = span_frames * fmt.spf
        self.cuts = sorted({c for c in cuts if c > 0})
        if any(c % fmt.spf for c in self.cuts):
            raise ValueError(f"cuts must be multiples of {fmt.spf} samples (one MP3 frame)")
        self.before = LEAD_FRAMES * fmt.spf  # context encoded before a span
        self.after = TAIL_FRAMES * fmt.spf  # and after it
        self.store = store
        self.workers = max(1, workers)
        self.scratch = scratch
        self.buf = _Samples(fmt.channels)
        self.spans: list[_Span] = []
        self.next = 0  # first sample of the next span
        self.run: _Run | None = None  # the run still taking spans
        self.run_fed = 0  # samples fed to it so far (absolute end)
        self.busy: list[_Run] = []  # closed runs, oldest first
        self.encoded = 0
        self.runs = 0
        self.material = fmt.key_material()

    def _end_of(self, a: int) -> int:
        """Where the span starting at sample `a` ends: a full span, or the next cut."""
        b = a + self.L
        for c in self.cuts:
            if a < c < b:
                return c
        return b

    # the stream

    def consume(self, blocks: Iterable[np.ndarray | Reuse]) -> int:
        for block in blocks:
            if isinstance(block, Reuse):
                self._reuse(block)
                continue
            self.buf.add(block)
            while self.buf.end >= self._end_of(self.next) + self.after:
                self._decide(total=None)
        total = self.buf.end
        while self.next // self.fmt.spf < self.fmt.frames_for(total):
            self._decide(total=total)
        if self.run is not None:
            self._close(total=total)
        return total

    def _reuse(self, part: Reuse) -> None:
        """Spans before the part are decided with its head as their context; then its own
        spans are taken as they are, and its tail is the context of what follows."""
        start, spf = self.buf.end, self.fmt.spf
        if start % spf or (start and start not in self.cuts):
            raise ValueError(f"a reused stretch must begin at a cut, not at sample {start}")
        if (len(part.head), len(part.tail)) != edge_lengths(self.fmt.rate):
            raise ValueError("a reused stretch needs its first TAIL_FRAMES and last LEAD_FRAMES of audio")
        self.buf.add(part.head)
        while self.next < start:
            self._decide(total=None)
        if self.run is not None:
            self._close(total=None)
        for key, frames in part.spans:
            span = _Span(len(self.spans), self.next, key, frames)
            if not self.store.find(span):
                raise MissingSpan(key)
            self.spans.append(span)
            self.next += frames * spf
        end = start + part.samples
        self.buf = _Samples(self.fmt.channels)
        self.buf.start = self.buf.end = end - len(part.tail)
        self.buf.add(part.tail)

    def _decide(self, total: int | None) -> None:
        """The next span's audio (with context) is all here: reuse it or encode it."""
        end = total if total is not None else self.buf.end
        spf = self.fmt.spf
        a = self.next
        b = self._end_of(a)
        last, frames = False, b // spf - a // spf
        if total is not None and b // spf >= self.fmt.frames_for(total):
            last, frames = True, self.fmt.frames_for(total) - a // spf  # to the stream's end
        span = _Span(len(self.spans), a, self._key(a, b, end, last, frames), frames)
        self.spans.append(span)
        self.next = b
        if self.store.find(span):
            if self.run is not None:
                self._close(total=total)
        else:
            self.encoded += 1
            if self.run is None:
                self._open(a)
            assert self.run is not None
            self.run.spans.append(span)
            self.run.write(self.buf.take(max(a, self.run_fed), min(b, end)))
            self.run_fed = min(b, end)
            if len(self.run.spans) >= RUN_SPANS and not last:
                self._close(total=total)
        self.buf.drop_before(max(0, b - self.before))

    def _key(self, a: int, b: int, end: int, last: bool, frames: int) -> str:
        core = self.buf.take(a, min(b, end))
        h = hashlib.blake2b(self.material, digest_size=20)
        h.update(struct.pack("<qq?", min(a, self.before), frames, last))
        h.update(self.buf.take(max(0, a - self.before), a).tobytes())
        h.update(hashlib.blake2b(np.ascontiguousarray(core).data, digest_size=20).digest())
        h.update(self.buf.take(min(b, end), min(b + self.after, end)).tobytes())
        return h.hexdigest()

    # runs

    def _open(self, a: int) -> None:
        while len(self.busy) >= self.workers:
            self._collect(self.busy.pop(0))
        start = max(0, a - self.before)
        self.runs += 1
        self.run = _Run(self.fmt, start, self.scratch, self.runs)
        self.run_fed = min(a, self.buf.end)
        self.run.write(self.buf.take(start, self.run_fed))

    def _close(self, total: int | None) -> None:
        run = self.run
        assert run is not None
        end = total if total is not None else self.buf.end
        run.write(self.buf.take(self.run_fed, min(self.run_fed + self.after, end)))
        run.close()
        self.busy.append(run)
        self.run = None

    def _collect(self, run: _Run) -> None:
        """Split a finished run's frames into its spans and store them."""
        data = run.wait()
        try:
            sizes = frame_sizes(data)
        except ValueError as exc:
            raise ToolError(f"ffmpeg wrote something that is not plain MP3 frames ({exc})") from exc
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        for span in run.spans:
            a = (span.start - run.start) // self.fmt.spf  # the run's frame 0 is at run.start
            b = a + span.frames
            if b > len(sizes):
                raise ToolError(f"ffmpeg encoded {len(sizes)} frames where {b} were expected; "
                                "is FFMPEG_BINARY an ffmpeg with libmp3lame?")
            self.store.put(span, data[offsets[a]:offsets[b]], sizes[a:b])
        run.out.unlink(missing_ok=True)

    def finish(self) -> list[_Span]:
        while self.busy:
            self._collect(self.busy.pop(0))
        return self.spans

    def abort(self) -> None:
        for run in [*self.busy, *([self.run] if self.run else [])]:
            run.kill()


# --- the file -------------------------------------------------------------------

def _join(fmt: _Format, spans: list[_Span], samples: int, path: Path) -> int:
    """Info frame + every span's frames, written to `path`; returns the size."""
    info = _info_template(fmt)
    sizes = [s for span in spans for s in span.sizes]
    audio_bytes = sum(sizes)
    frames = len(sizes)
    crc = 0
    try:
        with open(path, "wb") as out:
            out.write(bytes(len(info)))  # the Info frame is written last, when all is known
            for span in spans:
                assert span.file is not None
                blob = span.file.read_bytes()[:-_DIGEST - _CRC]
                crc = crc16_combine(crc, span.crc, len(blob))
                out.write(blob)
            padding = frames * fmt.spf - ENCODER_DELAY - samples
            out.seek(0)
            out.write(_info_frame(info, fmt, frames, sizes, len(info) + audio_bytes,
                                  padding, crc))
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror}); free some space or choose "
                          "another place with -o") from exc
    return len(info) + audio_bytes


@lru_cache(maxsize=8)
def _info_template(fmt: _Format) -> bytes:
    """The Info frame ffmpeg writes for these settings (fields patched by _info_frame)."""
    with tempfile.TemporaryDirectory(prefix="audioessay-info-") as tmp:
        out = Path(tmp) / "t.mp3"
        ffmpeg.run([*fmt.encode_args(), "-id3v2_version", "0", "-f", "mp3", "-y", str(out)],
                   input=bytes(4 * fmt.channels * fmt.spf))
        data = out.read_bytes()
    frame = data[:frame_size(data[:4])]
    x = _info_offset(frame)
    if frame[x:x + 4] not in (b"Info", b"Xing") or len(frame) < x + 156:
        raise ToolError("this ffmpeg writes no Xing/Info header; use the bundled one "
                        "(unset FFMPEG_BINARY)")
    return frame


def _info_offset(frame: bytes | bytearray) -> int:
    """Where the tag starts: after the 4-byte header and the (empty) side information."""
    mpeg1 = (frame[1] >> 3) & 3 == 3
    mono = frame[3] >> 6 == 3
    return 4 + (17 if mono else 32) if mpeg1 else 4 + (9 if mono else 17)


def _info_frame(template: bytes, fmt: _Format, frames: int, sizes: list[int], total_bytes: int,
                padding: int, music_crc: int) -> bytes:
    frame = bytearray(template)
    x = _info_offset(frame)
    frame[x:x + 4] = b"Info"  # constant bitrate
    frame[x + 4:x + 8] = struct.pack(">I", 0x0F)  # frames, bytes, TOC and quality present
    frame[x + 8:x + 16] = struct.pack(">II", frames, total_bytes)
    frame[x + 16:x + 116] = _toc(sizes, len(template), total_bytes)
    lame = x + 120  # the LAME extension: encoder string, then fixed fields
    # libmp3lame is LAME 3.100; ffmpeg's own "Lavc..." string is not read by mutagen,
    # which then reports the length without the delay and padding.
    frame[lame:lame + 9] = b"LAME3.100"
    if not 0 <= padding < 4096:
        raise ToolError(f"end padding {padding} does not fit the LAME tag")
    frame[lame + 21:lame + 24] = ((ENCODER_DELAY << 12) | padding).to_bytes(3, "big")
    frame[lame + 28:lame + 32] = struct.pack(">I", total_bytes)
    frame[lame + 32:lame + 34] = struct.pack(">H", music_crc)
    frame[lame + 34:lame + 36] = struct.pack(">H", crc16(bytes(frame[:lame + 34])))
    return bytes(frame)


def _toc(sizes: list[int], first: int, total: int) -> bytes:
    """Xing seek table: for each percent of the duration, where it starts (of 256)."""
    if not sizes:
        return bytes(100)
    starts = np.concatenate([[0], np.cumsum(sizes)]) + first
    at = starts[(np.arange(100) * len(sizes)) // 100]
    return bytes(np.minimum(at * 256 // total, 255).astype(np.uint8))


# --- CRC-16 (poly 0x8005, reflected: LAME's "CRC-16 ANSI") ---------------------------

def _table() -> np.ndarray:
    t = np.zeros(256, np.uint32)
    for b in range(256):
        c = b
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        t[b] = c
    return t


_T = _table()
_LANES = 4096


def crc16(data: bytes | memoryview) -> int:
    """CRC-16/ARC of `data`: lanes of bytes run side by side in numpy, then are combined."""
    buf = np.frombuffer(data, np.uint8)
    n = len(buf)
    if n < 2 * _LANES:
        return _crc16_bytes(buf)
    width = n // _LANES  # bytes per lane; the remainder is handled after
    lanes = buf[: width * _LANES].reshape(_LANES, width)
    c = np.zeros(_LANES, np.uint32)
    for k in range(width):
        c = (c >> 8) ^ _T[(c ^ lanes[:, k]) & 0xFF]
    lo, hi = _byte_tables(width)  # "feed `width` zero bytes" as two table lookups
    crc = 0
    for lane in c.tolist():
        crc = lo[crc & 0xFF] ^ hi[crc >> 8] ^ lane
    return crc16_combine(crc, _crc16_bytes(buf[width * _LANES:]), n - width * _LANES)


def _crc16_bytes(buf: np.ndarray) -> int:
    """The same CRC one byte at a time (short data)."""
    crc = 0
    for b in buf.tolist():
        crc = (crc >> 8) ^ int(_T[(crc ^ b) & 0xFF])
    return crc


def crc16_combine(crc_a: int, crc_b: int, len_b: int) -> int:
    """CRC of A + B from the CRCs of A and B (zero initial value makes CRC linear)."""
    return _zeros(len_b, crc_a) ^ crc_b


def _zeros(n: int, crc: int) -> int:
    """The CRC register after feeding `n` zero bytes to `crc` (square-and-multiply)."""
    result = crc
    for bit in range(n.bit_length()):
        if n >> bit & 1:
            result = _apply(_power(bit), result)
    return result


@lru_cache(maxsize=16)
def _byte_tables(n: int) -> tuple[list[int], list[int]]:
    lo = [_zeros(n, b) for b in range(256)]
    hi = [_zeros(n, b << 8) for b in range(256)]
    return lo, hi


@lru_cache(maxsize=64)
def _power(bit: int) -> tuple[int, ...]:
    """The linear map "feed 2**bit zero bytes", as the images of the 16 basis vectors."""
    if bit == 0:
        return tuple(_one_zero(1 << i) for i in range(16))
    half = _power(bit - 1)
    return tuple(_apply(half, _apply(half, 1 << i)) for i in range(16))


def _one_zero(c: int) -> int:
    return (c >> 8) ^ int(_T[c & 0xFF])


def _apply(m: tuple[int, ...], v: int) -> int:
    out = 0
    i = 0
    while v:
        if v & 1:
            out ^= m[i]
        v >>= 1
        i += 1
    return out


def iter_blocks(samples: np.ndarray, size: int = 65536) -> Iterator[np.ndarray]:
    """A whole array as blocks, for callers that have one (and for tests)."""
    for i in range(0, len(samples), size):
        yield samples[i:i + size]
