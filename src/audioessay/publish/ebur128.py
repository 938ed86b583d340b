"""The one meter over a finished file: ffmpeg's EBU R 128 filter and sample statistics, one decode.

It is the independent reading `check` reports (never the numbers the render computed).

One ffmpeg run gives the integrated loudness, true peak and loudness range (ebur128's
summary), the sample peak, and the unweighted RMS of every 100 ms block (astats, reset
per block: ebur128 with metadata hands on 100 ms frames at any sample rate). The blocks
give the RMS of the whole file and its noise floor as ACX Check measures it: the RMS of
the quietest half second.
"""

from __future__ import annotations

import logging
import math
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from audioessay.errors import ToolError
from audioessay.util import ffmpeg

log = logging.getLogger(__name__)

FLOOR_BLOCKS = 5  # 100 ms blocks in the half second ACX Check takes the noise floor over

_FILTER = ("ebur128=peak=true+sample:metadata=1,"  # metadata=1: 100 ms frames out
           "ametadata=mode=delete,"  # its per-frame keys: only the block statistics are printed
           "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level+Number_of_samples,"
           "ametadata=mode=print:file='pipe\\:1'")
_SUMMARY = {"I": r"I:\s+(-?[\d.]+|-inf) LUFS", "LRA": r"LRA:\s+(-?[\d.]+) LU",
            "sample": r"Sample peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS",
            "true": r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS"}
_BLOCK = re.compile(r"^lavfi\.astats\.Overall\.RMS_level=(-?[\d.]+|-?inf|nan)\s*\n"
                    r"lavfi\.astats\.Overall\.Number_of_samples=([\d.]+)$", re.MULTILINE)


@dataclass(frozen=True)
class Reading:
    integrated: float  # LUFS, gated (ITU-R BS.1770)
    true_peak: float  # dBTP, 4x oversampled
    loudness_range: float  # LU (EBU Tech 3342)
    sample_peak: float  # dBFS, the highest sample
    rms: float  # dBFS, unweighted and ungated over the whole stretch (ACX's "RMS")
    noise_floor: float | None  # dBFS, RMS of the quietest half second; None when shorter


def measure_file(path: Path, start_ms: int = 0, length_ms: int | None = None) -> Reading:
    """The reading of an audio file, or of its stretch [start_ms, start_ms + length_ms).
    Audio only (`-vn`: an embedded cover is never decoded); the samples stay in ffmpeg.
    Raises ToolError when ffmpeg is missing or cannot decode the file."""
    span = (["-ss", f"{start_ms / 1000:.3f}"] if start_ms else []) + \
        (["-t", f"{length_ms / 1000:.3f}"] if length_ms is not None else [])
    argv = [ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
            *span, "-i", ffmpeg.file_input(path), "-map", "0:a:0", "-vn", "-af", _FILTER, "-f", "null", "-"]
    log.info("%s", shlex.join(argv))
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", check=False)
    except OSError as exc:
        raise ToolError(f"could not start ffmpeg ({exc}); check FFMPEG_BINARY or PATH") from exc
    if proc.returncode != 0 or "Summary:" not in proc.stderr:
        tail = " / ".join(proc.stderr.strip().splitlines()[-2:]) or "no message"
        raise ToolError(f"ffmpeg could not measure {path} (exit {proc.returncode}: {tail}); check the file")
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]

    def value(key: str) -> float:
        found = re.search(_SUMMARY[key], summary)
        return float(found.group(1)) if found else -math.inf

    rms, floor = _block_levels(proc.stdout)
    return Reading(value("I"), value("true"), value("LRA"), value("sample"), rms, floor)


def _block_levels(printed: str) -> tuple[float, float | None]:
    """(RMS of all blocks, RMS of the quietest FLOOR_BLOCKS whole blocks in a row) in dBFS,
    from astats' per-block lines; the power of each block is its mean square."""
    blocks = [(_power(level), float(count)) for level, count in _BLOCK.findall(printed)]
    samples = sum(n for _, n in blocks)
    rms = _db(sum(p * n for p, n in blocks) / samples) if samples else -math.inf
    whole = max((n for _, n in blocks), default=0.0)  # a block's full size; the last may be shorter
    powers = [p for p, n in blocks if n == whole]
    if len(powers) < FLOOR_BLOCKS:
        return rms, None
    windows = (sum(powers[i:i + FLOOR_BLOCKS]) / FLOOR_BLOCKS for i in range(len(powers) - FLOOR_BLOCKS + 1))
    return rms, _db(min(windows))


def _power(level_db: str) -> float:
    value = float(level_db)
    return 0.0 if math.isnan(value) else 10 ** (value / 10)  # -inf (digital silence) gives 0


def _db(power: float) -> float:
    return 10 * math.log10(power) if power > 0 else -math.inf
