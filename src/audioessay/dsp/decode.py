"""MP3 bytes -> float32 samples inside this process (online engines answer in MP3).

Starting an ffmpeg per piece cost 35-70 ms each and capped gTTS concurrency; the
miniaudio wheel (dr_mp3) decodes a sentence in about 2 ms, sample for sample as
ffmpeg does, and honours a LAME gapless header. Without the wheel, or when the
caller wants another rate (which needs a good resampler), ffmpeg does the work.
"""

from __future__ import annotations

import numpy as np

from audioessay.errors import EngineError


def decode_mp3(data: bytes, rate: int, channels: int = 1) -> np.ndarray:
    """Decode MP3 `data` to float32 samples shaped (frames, channels) at `rate`."""
    try:
        import miniaudio
    except ImportError:
        return _with_ffmpeg(data, rate, channels)
    try:
        sound = miniaudio.mp3_read_f32(data)
    except miniaudio.DecodeError as exc:
        raise _undecodable(data, exc) from exc
    if sound.sample_rate != rate:
        return _with_ffmpeg(data, rate, channels)
    samples = np.frombuffer(sound.samples, dtype=np.float32).reshape(-1, sound.nchannels)
    if not len(samples) and data:
        raise _undecodable(data, "no audio frames")
    if sound.nchannels == channels:
        return samples.copy()
    if channels == 1:
        return samples.mean(axis=1, keepdims=True, dtype=np.float32)
    return np.repeat(samples[:, :1], channels, axis=1)


def _with_ffmpeg(data: bytes, rate: int, channels: int) -> np.ndarray:
    from audioessay.util import ffmpeg

    return ffmpeg.decode(data, rate, channels)


def _undecodable(data: bytes, why: object) -> EngineError:
    return EngineError(f"the engine's answer ({len(data)} bytes) is not MP3 audio ({why}); "
                       "try again later, or use another engine with --engine")
