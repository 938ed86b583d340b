"""Audio helpers: trimming engine padding, conversions, resampling."""

import numpy as np
from pydub import AudioSegment

from audioessay.dsp.convert import from_float, resample, to_float, trim


def tone(ms: int, rate: int = 24000, amp: float = 0.3) -> np.ndarray:
    t = np.arange(rate * ms // 1000) / rate
    return (amp * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_trim_cuts_edge_silence_keeps_margin():
    rate = 24000
    x = np.concatenate([np.zeros(rate // 5), tone(1000), np.zeros(rate // 4)]).astype(np.float32)
    out = trim(from_float(x, rate))
    assert 1000 <= len(out) <= 1000 + 2 * 35  # the tone plus at most ~30 ms kept on each side
    y = to_float(out)[:, 0]
    assert np.abs(y[: 24 * 20]).max() < 1e-3  # starts with a little silence, not mid-tone
    assert np.abs(y).max() > 0.25


def test_trim_all_silence_and_empty():
    assert len(trim(AudioSegment.silent(500, frame_rate=22050))) == 0
    assert len(trim(AudioSegment.silent(0, frame_rate=22050))) == 0


def test_float_roundtrip_and_resample_length():
    x = tone(500, 22050)
    seg = from_float(x, 22050)
    assert np.allclose(to_float(seg)[:, 0], x, atol=1 / 32000)
    up = resample(seg, 44100)
    assert up.frame_rate == 44100 and abs(len(up) - 500) <= 1
