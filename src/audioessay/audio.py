"""Small conversions between pydub AudioSegments and numpy float arrays."""

from __future__ import annotations

import numpy as np
from pydub import AudioSegment
from pydub.silence import detect_leading_silence

SILENCE_DBFS = -45.0  # below this, an engine's edge padding counts as silence


def as_frames(samples: np.ndarray) -> np.ndarray:
    """float32 view shaped (frames, channels); a 1-D array is one channel."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        return x[:, None]
    if x.ndim != 2:
        raise ValueError(f"audio must be shaped (frames, channels), got {x.shape}")
    return x


def to_float(seg: AudioSegment) -> np.ndarray:
    """16-bit AudioSegment -> float32 array shaped (frames, channels)."""
    data = np.frombuffer(seg.raw_data, dtype="<i2").astype(np.float32) / 32768.0
    return data.reshape(-1, seg.channels)


def from_float(samples: np.ndarray, rate: int) -> AudioSegment:
    """float32 (frames,) or (frames, channels) -> 16-bit AudioSegment (clipped to range)."""
    if samples.ndim == 1:
        samples = samples[:, None]
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    return AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=rate, channels=samples.shape[1])


def trim(seg: AudioSegment, threshold: float = SILENCE_DBFS, keep_ms: int = 30) -> AudioSegment:
    """Cut leading and trailing silence so the script's pauses are exact.

    A few ms are kept so consonant onsets and release tails are not clipped.
    """
    if len(seg) == 0:
        return seg
    start = detect_leading_silence(seg, silence_threshold=threshold, chunk_size=5)
    end = detect_leading_silence(seg.reverse(), silence_threshold=threshold, chunk_size=5)
    if start >= len(seg):  # all silence
        return seg[:0]
    return seg[max(0, start - keep_ms): len(seg) - max(0, end - keep_ms)]


def resample(seg: AudioSegment, rate: int) -> AudioSegment:
    """Polyphase resampling (band-limited, unlike pydub's linear set_frame_rate)."""
    if seg.frame_rate == rate or len(seg.raw_data) == 0:
        return seg.set_frame_rate(rate) if len(seg.raw_data) == 0 else seg
    return from_float(resample_float(to_float(seg), seg.frame_rate, rate), rate)


def resample_float(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling of float samples along the first axis (frames)."""
    if rate_in == rate_out or len(x) == 0:
        return x
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate_in, rate_out)
    return resample_poly(x, rate_out // g, rate_in // g, axis=0).astype(np.float32)
