"""Inspect a finished MP3 against its delivery target: loudness, peaks, format, tags, balance.

The target is the preset and loudness the episode was mastered to (target.py); every level
comes from one ffmpeg reading of the file (ebur128.py), the intro and outro from one each.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.mp3 import MPEGInfo

from audioessay.config.presets import Preset
from audioessay.errors import InputError, ToolError
from audioessay.export import tags as txxx
from audioessay.export.id3 import ChapterTag, CoverTag, EpisodeTags, ImageInfo, cover_problems, read_tags
from audioessay.mix.timeline import INTRO, OUTRO
from audioessay.publish import target as targets
from audioessay.publish.ebur128 import Reading, measure_file
from audioessay.util import ffmpeg
from audioessay.util.fsutil import regular_file

MAX_RANGE_LU = 10.0  # spoken word wider than this is hard to follow in a car or on a train
MAX_MUSIC_GAP_LU = 10.0  # a music-only part further under the programme is flagged
MUSIC_ONLY = {INTRO: "intro", OUTRO: "outro"}  # by the chapter titles assembly gives them


class UnreadableMP3(InputError):
    """The file to check is missing, special, damaged or hostile: `check` fails (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Row:
    name: str
    value: str
    status: str  # "pass" | "warn" | "fail"
    note: str = ""


def check(mp3_path: str | Path, *, preset: str | None = None, target: float | None = None) -> list[Row]:
    """One row per delivery check of the MP3 at `mp3_path`, against `preset` and `target`
    LUFS when given, else what its TARGET tag says it was mastered to, else the podcast preset."""
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
    goal = targets.resolve(tags.extra.get(txxx.TARGET) if tags else None, preset, target)
    whole = _measure(mp3_path)
    rows = [
        _loudness_row(whole.integrated, goal),
        _peak_row(whole.true_peak, goal.true_peak),
        *_acx_rows(whole, goal.preset),
        # mutagen sets these from the first frame via __dict__.update, so its types lack them
        _sample_rate_row(info.sample_rate, goal.preset),  # type: ignore[attr-defined]
        _bitrate_row(info.bitrate, goal.preset),  # type: ignore[attr-defined]
        _channels_row(info.channels),  # type: ignore[attr-defined]
        _duration_row(info.length),
    ]
    if tags is None:
        return [*rows, Row("tags", "unreadable", "fail", tag_problem.replace(f"{mp3_path}: ", "", 1))]
    return [*rows, _tags_row(tags), _cover_row(tags.cover), _chapters_row(tags),
            _range_row(whole.loudness_range), *_music_rows(mp3_path, tags.chapters, whole.integrated)]


def _measure(path: Path, start_ms: int = 0, length_ms: int | None = None) -> Reading:
    """The meter's reading of the file (or a stretch of it). A file ffmpeg cannot decode is
    UnreadableMP3 (exit 1); a missing ffmpeg stays a ToolError (exit 4)."""
    ffmpeg.ffmpeg_path()
    try:
        return measure_file(path, start_ms, length_ms)
    except ToolError as exc:
        raise UnreadableMP3(f"{path}: the audio cannot be decoded ({exc.format_message()}); re-render it") from None


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


def _loudness_row(lufs: float, goal: targets.Target) -> Row:
    tolerance = goal.preset.tolerance
    off = abs(lufs - goal.loudness)
    status = "pass" if off <= tolerance else "warn" if off <= 2 * tolerance else "fail"
    note = f"target {goal.loudness:g} LUFS ±{tolerance:g} ({goal.source})"
    if status != "pass":
        note += f"; re-master (off by {off:.1f} LU)" if math.isfinite(off) else "; the file is silent"
    return Row("loudness", f"{lufs:.1f} LUFS", status, note)


def _peak_row(peak_db: float, ceiling: float) -> Row:
    status = "pass" if peak_db <= ceiling else "warn" if peak_db <= 0 else "fail"
    note = f"max {ceiling:g} dBTP"
    if status != "pass":
        note += "; lower the limiter ceiling" if status == "warn" else "; the file clips"
    return Row("true peak", f"{peak_db:.1f} dBTP", status, note)


def _acx_rows(whole: Reading, preset: Preset) -> list[Row]:
    """The preset's own unweighted measures (ACX's RMS, sample peak and noise floor)."""
    rows = []
    if preset.rms is not None:
        low, high = preset.rms
        fine = low <= whole.rms <= high
        note = f"{low:g} to {high:g} dBFS ({preset.name})" + ("" if fine else "; re-master: mastering.loudness")
        rows.append(Row("RMS", f"{whole.rms:.1f} dBFS", "pass" if fine else "fail", note))
    if preset.sample_peak is not None:
        fine = whole.sample_peak <= preset.sample_peak
        rows.append(Row("sample peak", f"{whole.sample_peak:.1f} dBFS", "pass" if fine else "fail",
                        f"max {preset.sample_peak:g} dBFS ({preset.name})" +
                        ("" if fine else "; lower mastering.true_peak")))
    if preset.noise_floor is not None:
        rows.append(_floor_row(whole.noise_floor, preset.noise_floor, preset.name))
    return rows


def _floor_row(floor: float | None, limit: float, preset: str) -> Row:
    note = f"max {limit:g} dBFS RMS over the quietest 0.5 s ({preset})"
    if floor is None:
        return Row("noise floor", "unmeasured", "warn", note + "; the file is shorter than that")
    if not math.isfinite(floor):
        return Row("noise floor", "silence", "pass", note + "; digital silence: room_tone gives room tone")
    fine = floor <= limit
    return Row("noise floor", f"{floor:.1f} dBFS", "pass" if fine else "fail",
               note + ("" if fine else "; the quietest half second is noisy: lower the music bed or room_tone"))


def _sample_rate_row(rate: int, preset: Preset) -> Row:
    status = "pass" if rate in preset.sample_rates else "warn"
    return Row("sample rate", f"{rate} Hz", status, " or ".join(map(str, preset.sample_rates)) + " Hz")


def _bitrate_row(bps: int, preset: Preset) -> Row:
    kbps = round(bps / 1000)
    low, high = preset.bitrates
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


def _range_row(lra: float) -> Row:
    fine = lra <= MAX_RANGE_LU
    note = f"at most {MAX_RANGE_LU:g} LU for speech" + ("" if fine else "; the level swings: check the music levels")
    return Row("loudness range", f"{lra:.1f} LU", "pass" if fine else "warn", note)


def _music_rows(path: Path, chapters: Sequence[ChapterTag], programme_lufs: float) -> list[Row]:
    """Whether a music-only intro or outro is near the programme (a listener should not
    reach for the volume): the meter on each one's stretch."""
    rows = []
    for chap in chapters:
        name = MUSIC_ONLY.get(chap.title)
        if name is None or chap.end_ms <= chap.start_ms:
            continue
        lufs = _measure(path, chap.start_ms, chap.end_ms - chap.start_ms).integrated
        below = programme_lufs - lufs
        fine = math.isfinite(below) and below <= MAX_MUSIC_GAP_LU
        note = f"at most {MAX_MUSIC_GAP_LU:g} LU under the programme"
        if not fine:
            note += "; raise music.solo" if math.isfinite(below) else "; it is silent"
        rows.append(Row(f"{name} music", f"{lufs:.1f} LUFS", "pass" if fine else "warn", note))
    return rows
