"""ffmpeg's own EBU R 128 meter over a finished file: the independent reading `check` reports."""

from __future__ import annotations

import logging
import math
import re
import shlex
import subprocess
from pathlib import Path

from audioessay.errors import ToolError
from audioessay.util import ffmpeg

log = logging.getLogger(__name__)


_SUMMARY = {"I": r"I:\s+(-?[\d.]+|-inf) LUFS", "LRA": r"LRA:\s+(-?[\d.]+) LU",
            "peak": r"Peak:\s+(-?[\d.]+|-inf) dBFS"}


def measure_file(path: Path, start_ms: int = 0, length_ms: int | None = None) -> tuple[float, float, float]:
    """(integrated LUFS, true peak dBTP, loudness range LU) of an audio file, or of the
    stretch [start_ms, start_ms + length_ms), by ffmpeg's ebur128 filter (its samples
    stay in ffmpeg)."""
    span = (["-ss", f"{start_ms / 1000:.3f}"] if start_ms else []) + \
        (["-t", f"{length_ms / 1000:.3f}"] if length_ms is not None else [])
    argv = [ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
            *span, "-i", ffmpeg.file_input(path), "-map", "0:a:0", "-vn", "-af", "ebur128=peak=true",
            "-f", "null", "-"]
    log.info("%s", shlex.join(argv))
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or "Summary:" not in proc.stderr:
        raise ToolError(f"ffmpeg could not measure {path} (exit {proc.returncode}); check the file")
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    values = []
    for key in ("I", "peak", "LRA"):
        found = re.search(_SUMMARY[key], summary)
        values.append(float(found.group(1)) if found else -math.inf)
    return values[0], values[1], values[2]
