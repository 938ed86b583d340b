"""Inspect a finished MP3 against podcast delivery targets: loudness, peak, format, tags."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mutagen.mp3 import MPEGInfo

from audioessay.util import ffmpeg
from audioessay.errors import InputError, ToolError
from audioessay.export.id3 import CoverTag, EpisodeTags, ImageInfo, cover_problems, read_tags
from audioessay.util.fsutil import regular_file

TARGET_LUFS = -16.0
MAX_TRUE_PEAK_DBTP = -1.0
BITRATE_KBPS = (64, 192)
SAMPLE_RATES = (44100, 48000)


class UnreadableMP3(InputError):
    """The file to check is missing, special, damaged or hostile: `check` fails (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Row:
    name: str
    value: str
    status: str  # "pass" | "warn" | "fail"
    note: str = ""


def check(mp3_path: str | Path) -> list[Row]:
    """One row per delivery check of the MP3 at `mp3_path`."""
    mp3_path = Path(mp3_path)
    try:
        regular_file(mp3_path, "MP3")  # a FIFO or /dev/zero would hang mutagen and ffmpeg
    except InputError as exc:
        raise UnreadableMP3(exc.format_message()) from None
    info = _stream_info(mp3_path)
    try:
        tags = read_tags(mp3_path)
    except InputError as exc:
        tags = None
        tag_problem = exc.format_message()
    lufs, peak = measure_loudness(mp3_path)
    from audioessay.publish.balance import balance_rows  # loudness range; music-only intro/outro level

    rows = [
        _loudness_row(lufs),
        _peak_row(peak),
        # mutagen sets these from the first frame via __dict__.update, so its types lack them
        _sample_rate_row(info.sample_rate),  # type: ignore[attr-defined]
        _bitrate_row(info.bitrate),  # type: ignore[attr-defined]
        _channels_row(info.channels),  # type: ignore[attr-defined]
        _duration_row(info.length),
    ]
    if tags is None:
        return [*rows, Row("tags", "unreadable", "fail", tag_problem.replace(f"{mp3_path}: ", "", 1))]
    return [*rows, _tags_row(tags), _cover_row(tags.cover), _chapters_row(tags),
            *balance_rows(mp3_path, tags.chapters, lufs)]


def _stream_info(path: Path) -> MPEGInfo:
    """Rate, bitrate, channels and length from the MPEG frames; the ID3 tag is skipped by its
    header, not parsed, so a hostile tag is reported by the tags row instead."""
    try:
        with open(path, "rb") as f:
            return MPEGInfo(f)
    except Exception as exc:  # mutagen raises its own errors, and others on crafted files
        raise UnreadableMP3(f"{path}: not a readable MP3 ({_first_line(exc)}); check the path or re-render it"
                            ) from None


def _first_line(exc: BaseException) -> str:
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    return text if len(text) <= 120 else text[:117] + "..."


def ok(rows: list[Row]) -> bool:
    """True when no check failed (warnings are allowed)."""
    return all(r.status != "fail" for r in rows)


def format_table(rows: list[Row]) -> str:
    """Aligned text table: check, value, status, note."""
    table = [Row("check", "value", "status", "note"), *rows]
    cells = [(r.name, r.value, r.status) for r in table]
    widths = [max(_display_width(c[i]) for c in cells) for i in range(3)]
    lines = []
    for row, cell in zip(table, cells, strict=True):
        padded = [text + " " * (w - _display_width(text)) for text, w in zip(cell, widths, strict=True)]
        lines.append("  ".join([*padded, row.note]).rstrip())
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_METADATA = re.compile(r"^lavfi\.r128\.(I|true_peak)=(-?[\d.]+|-?inf|nan)$", re.MULTILINE)


def measure_loudness(path: str | Path) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) by ffmpeg's EBU R128 meter,
    streamed so long episodes never sit in memory. Audio only (`-vn`): the embedded cover
    is never decoded. A file ffmpeg cannot decode is UnreadableMP3 (exit 1), not a tool error."""
    ffmpeg.ffmpeg_path()  # a missing ffmpeg stays a ToolError (exit 4)
    try:
        out = ffmpeg.run(
            [
                "-i", ffmpeg.file_input(path), "-vn", "-map", "0:a:0",
                "-af", "ebur128=peak=true:metadata=1,ametadata=mode=print:file='pipe\\:1'",
                "-f", "null", "-",
            ]
        )  # fmt: skip
    except ToolError as exc:
        raise UnreadableMP3(f"{path}: the audio cannot be decoded ({exc.format_message()}); re-render it") from None
    lufs, peak = -math.inf, 0.0
    for key, value in _METADATA.findall(out.decode("utf-8", "replace")):
        if key == "I":
            lufs = float(value)  # running value: the last one covers the whole file
        else:
            peak = max(peak, float(value))
    peak_db = 20 * math.log10(peak) if peak > 0 else -math.inf
    return lufs, peak_db


def _loudness_row(lufs: float) -> Row:
    off = abs(lufs - TARGET_LUFS)
    status = "pass" if off <= 1 else "warn" if off <= 2 else "fail"
    note = f"target {TARGET_LUFS:g} LUFS ±1"
    if status != "pass":
        note += f"; re-master (off by {off:.1f} LU)" if math.isfinite(off) else "; the file is silent"
    return Row("loudness", f"{lufs:.1f} LUFS", status, note)


def _peak_row(peak_db: float) -> Row:
    status = "pass" if peak_db <= MAX_TRUE_PEAK_DBTP else "warn" if peak_db <= 0 else "fail"
    note = f"max {MAX_TRUE_PEAK_DBTP:g} dBTP"
    if status != "pass":
        note += "; lower the limiter ceiling" if status == "warn" else "; the file clips"
    return Row("true peak", f"{peak_db:.1f} dBTP", status, note)


def _sample_rate_row(rate: int) -> Row:
    status = "pass" if rate in SAMPLE_RATES else "warn"
    return Row("sample rate", f"{rate} Hz", status, "44100 or 48000 Hz")


def _bitrate_row(bps: int) -> Row:
    kbps = round(bps / 1000)
    low, high = BITRATE_KBPS
    status = "pass" if low <= kbps <= high else "warn"
    return Row("bitrate", f"{kbps} kbps", status, f"{low}-{high} kbps")


def _channels_row(channels: int) -> Row:
    name = {1: "mono", 2: "stereo"}.get(channels, f"{channels} channels")
    return Row("channels", name, "pass" if channels in (1, 2) else "warn", "mono or stereo")


def _duration_row(seconds: float) -> Row:
    minutes, secs = divmod(round(seconds), 60)
    status = "pass" if seconds > 0 else "fail"
    return Row("duration", f"{minutes}:{secs:02d}", status, "" if status == "pass" else "no audio")


def _tags_row(tags: EpisodeTags) -> Row:
    present = {"title": tags.title, "artist": tags.artist, "album": tags.album}
    missing = [key for key, value in present.items() if not value]
    if missing:
        return Row("tags", "missing " + ", ".join(missing), "fail", "re-render with title, author and show set")
    return Row("tags", tags.title or "", "pass", "title, artist, album")


def _cover_row(cover: CoverTag | None) -> Row:
    if cover is None:
        return Row("cover", "none", "warn", "directories want a 1400-3000 px square cover")
    value = f"{cover.width}x{cover.height} {cover.mime}"
    info = (ImageInfo(cover.mime, cover.width, cover.height, cover.mode)  # size and mode are read together
            if cover.width and cover.height is not None and cover.mode is not None else None)
    problems = cover_problems(info)
    if problems:
        return Row("cover", value, "fail", "; ".join(problems))
    return Row("cover", value, "pass", "square RGB, 1400-3000 px")


def _chapters_row(tags: EpisodeTags) -> Row:
    count = len(tags.chapters)
    if count == 0:
        return Row("chapters", "0", "warn", "no CHAP frames")
    if not tags.toc:
        return Row("chapters", str(count), "warn", "CHAP frames without a CTOC table of contents")
    return Row("chapters", str(count), "pass", "CHAP + CTOC")
