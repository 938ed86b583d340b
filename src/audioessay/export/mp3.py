"""Encode the mastered mix to MP3 (constant bitrate) with the bundled or user's ffmpeg."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audioessay import ffmpeg


def encode(samples: np.ndarray, rate: int, path: Path, bitrate_kbps: int) -> None:
    """Write `samples` (float32, (frames, channels)) as a CBR MP3 at `path` (no tags yet)."""
    channels = samples.shape[1]
    pcm = np.ascontiguousarray(samples, dtype="<f4").tobytes()
    ffmpeg.run([
        "-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-ar", str(rate), "-ac", str(channels),
        "-id3v2_version", "0", "-f", "mp3", "-y", str(path),
    ], input=pcm)
