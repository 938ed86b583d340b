"""Small conversions: pydub AudioSegments <-> numpy float arrays, ms -> frames, resampling, trimming."""

from __future__ import annotations

import numpy as np
from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from audioessay.dsp.meter import fft_size

SILENCE_DBFS = -45.0  # below this, an engine's edge padding counts as silence


def to_frames(ms: float, rate: int) -> int:
    """A duration in milliseconds as a whole number of frames at `rate` (rounded)."""
    return int(round(ms * rate / 1000.0))


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
    start, end = trim_bounds(seg, threshold, keep_ms)
    return seg[start:end]


def trim_bounds(seg: AudioSegment, threshold: float = SILENCE_DBFS, keep_ms: int = 30) -> tuple[int, int]:
    """[start, end) in ms of what trim() keeps (0, 0 for silence)."""
    if len(seg) == 0:
        return 0, 0
    start = detect_leading_silence(seg, silence_threshold=threshold, chunk_size=5)
    end = detect_leading_silence(seg.reverse(), silence_threshold=threshold, chunk_size=5)
    if start >= len(seg):  # all silence
        return 0, 0
    return max(0, start - keep_ms), len(seg) - max(0, end - keep_ms)


JOIN_KEEP_MS = 3  # what a joined piece keeps beyond its speech
JOIN_CROSSFADE_MS = 10


def speech_bounds(x: np.ndarray, rate: int, threshold_db: float = SILENCE_DBFS) -> tuple[int, int]:
    """[first, last) frames of a mono float array whose 1 ms peak reaches `threshold_db` dBFS."""
    w = max(1, rate // 1000)
    n = -(-len(x) // w) * w
    padded = np.zeros(n, np.float32)
    padded[:len(x)] = np.abs(x)
    loud = np.flatnonzero(padded.reshape(-1, w).max(axis=1) >= 10 ** (threshold_db / 20))
    if len(loud) == 0:
        return 0, 0
    return int(loud[0]) * w, min(len(x), (int(loud[-1]) + 1) * w)


def join_pieces(parts: list[np.ndarray], rate: int) -> np.ndarray:
    """Pieces of one sentence (mono float) as one gapless take: each is trimmed to within
    JOIN_KEEP_MS of its speech at a join, and each join is a JOIN_CROSSFADE_MS
    equal-power crossfade. The sentence's own outer edges are trimmed the same way."""
    keep = round(JOIN_KEEP_MS * rate / 1000)
    trimmed = []
    for x in parts:
        a, b = speech_bounds(x, rate)
        if b > a:
            trimmed.append(x[max(0, a - keep):min(len(x), b + keep)])
    if not trimmed:
        return np.zeros(0, np.float32)
    out = trimmed[0]
    for x in trimmed[1:]:
        n = min(round(JOIN_CROSSFADE_MS * rate / 1000), len(out) // 2, len(x) // 2)
        t = (np.arange(n) + 0.5) / max(n, 1) * (np.pi / 2)
        overlap = out[len(out) - n:] * np.cos(t) + x[:n] * np.sin(t)
        out = np.concatenate([out[:len(out) - n], overlap, x[n:]])
    return out.astype(np.float32)


def resample(seg: AudioSegment, rate: int) -> AudioSegment:
    """Polyphase resampling (band-limited, unlike pydub's linear set_frame_rate)."""
    if seg.frame_rate == rate or len(seg.raw_data) == 0:
        return seg.set_frame_rate(rate) if len(seg.raw_data) == 0 else seg
    return from_float(resample_float(to_float(seg), seg.frame_rate, rate), rate)


def resample_float(x: np.ndarray, rate_in: int, rate_out: int, response=None, tail: int = 0) -> np.ndarray:
    """Band-limited resampling along the first axis (frames), in the frequency domain.

    The input is padded with silence to a length whose resampled length is whole, so
    the ratio is exact; the padding also keeps the transform's wrap-around away from
    the audio. Meant for clips (a sentence, a bed): the whole input is one transform.

    `response(freqs_hz)` (complex, optional) filters in the same transform; `tail` is
    how many output frames its impulse response lasts, kept clear of the wrap-around."""
    if (rate_in == rate_out and response is None) or len(x) == 0:
        return x
    from math import gcd

    g = gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    n = len(x)
    # Silence each side: at least `tail` output frames, a whole number of `down` input frames.
    guard = -(-max(64, -(-tail * down // up)) // down) * down
    # `down` times a 5-smooth number: a fast transform size, and the output length is whole.
    total = down * fft_size(-(-(n + 2 * guard) // down))
    padded = np.zeros((total,) + x.shape[1:], np.float32)
    padded[guard:guard + n] = x
    out_total = total // down * up
    spectrum = np.fft.rfft(padded, axis=0)
    keep = min(len(spectrum), out_total // 2 + 1)
    spectrum = spectrum[:keep]
    if response is not None:
        h = response(np.arange(keep) * (rate_out / out_total))
        spectrum = spectrum * (h[:, None] if spectrum.ndim == 2 else h)
    y = np.fft.irfft(spectrum, out_total, axis=0) * (out_total / total)
    start = guard // down * up
    return y[start:start + round(n * rate_out / rate_in)].astype(np.float32)
