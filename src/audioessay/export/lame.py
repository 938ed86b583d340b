"""Encode the mastered mix to MP3 (constant bitrate) by streaming PCM into ffmpeg, and
measure an encoded file with ffmpeg's own EBU R128 meter.

LAME's CBR presets scale the input by LAME_SCALE (0.95, -0.45 dB) before encoding;
`encode_stream` divides it back out, so the decoded file plays at the level it was
given. (`measure_file` is how the render checks that.)
"""

from __future__ import annotations

import math
import re
import shlex
import subprocess
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from audioessay.util import ffmpeg
from audioessay.errors import ToolError

LAME_SCALE = 0.95
log = logging.getLogger(__name__)


def encode_stream(blocks: Iterable[np.ndarray], rate: int, channels: int, bitrate_kbps: int, path: Path) -> None:
    """Write float32 blocks shaped (frames, channels) as a CBR MP3 at `path` (no tags yet),
    level-preserving (see LAME_SCALE). The blocks are piped into ffmpeg as they come."""
    argv = [ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error",
            "-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0",
            "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-ar", str(rate), "-ac", str(channels),
            "-id3v2_version", "0", "-f", "mp3", "-y", str(path)]
    log.info("%s", shlex.join(argv))
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        raise ToolError(f"could not start ffmpeg ({exc}); check FFMPEG_BINARY or PATH") from exc
    assert proc.stdin is not None
    scale = np.float32(1.0 / LAME_SCALE)
    try:
        for block in blocks:
            if block.shape[1] != channels:
                raise ValueError(f"block has {block.shape[1]} channels, the encoder was given {channels}")
            proc.stdin.write(np.ascontiguousarray(block * scale, dtype="<f4").tobytes())
        proc.stdin.close()
    except BrokenPipeError:
        pass  # ffmpeg stopped early: its exit status and message say why
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    err = proc.stderr.read() if proc.stderr else b""
    if proc.wait() != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ToolError(f"ffmpeg failed (exit {proc.returncode}): {' / '.join(tail) or 'no message'}")


def encode(samples: np.ndarray, rate: int, path: Path, bitrate_kbps: int) -> None:
    """An array in memory as a CBR MP3 (see encode_stream)."""
    encode_stream([samples], rate, samples.shape[1], bitrate_kbps, path)


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
