"""Inspect a finished MP3 against podcast delivery targets: loudness, peak, format, tags."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3

from audioessay import ffmpeg
from audioessay.errors import InputError
from audioessay.export.id3 import ImageInfo, cover_problems, read_tags

TARGET_LUFS = -16.0
MAX_TRUE_PEAK_DBTP = -1.0
BITRATE_KBPS = (64, 192)
SAMPLE_RATES = (44100, 48000)


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
        info = MP3(str(mp3_path)).info
    except (MutagenError, OSError) as exc:
        raise InputError(f"{mp3_path}: not a readable MP3 ({exc}); check the path or re-render it") from exc
    tags = read_tags(mp3_path)
    lufs, peak = measure_loudness(mp3_path)
    from audioessay.balance import balance_rows  # loudness range; music-only intro/outro level

    return [
        _loudness_row(lufs),
        _peak_row(peak),
        _sample_rate_row(info.sample_rate),
        _bitrate_row(info.bitrate),
        _channels_row(info.channels),
        _duration_row(info.length),
        _tags_row(tags),
        _cover_row(tags["cover"]),
        _chapters_row(tags),
        *balance_rows(mp3_path, tags["chapters"], lufs),
    ]


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
    streamed so long episodes never sit in memory."""
    out = ffmpeg.run(
        [
            "-i", str(path),
            "-af", "ebur128=peak=true:metadata=1,ametadata=mode=print:file='pipe\\:1'",
            "-f", "null", "-",
        ]
    )  # fmt: skip
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


def _tags_row(tags: dict) -> Row:
    missing = [key for key in ("title", "artist", "album") if not tags[key]]
    if missing:
        return Row("tags", "missing " + ", ".join(missing), "fail", "re-render with title, author and show set")
    return Row("tags", tags["title"], "pass", "title, artist, album")


def _cover_row(cover: dict | None) -> Row:
    if cover is None:
        return Row("cover", "none", "warn", "directories want a 1400-3000 px square cover")
    value = f"{cover['width']}x{cover['height']} {cover['mime']}"
    info = ImageInfo(cover["mime"], cover["width"], cover["height"], cover["mode"]) if cover["width"] else None
    problems = cover_problems(info)
    if problems:
        return Row("cover", value, "fail", "; ".join(problems))
    return Row("cover", value, "pass", "square RGB, 1400-3000 px")


def _chapters_row(tags: dict) -> Row:
    count = len(tags["chapters"])
    if count == 0:
        return Row("chapters", "0", "warn", "no CHAP frames")
    if not tags["toc"]:
        return Row("chapters", str(count), "warn", "CHAP frames without a CTOC table of contents")
    return Row("chapters", str(count), "pass", "CHAP + CTOC")
