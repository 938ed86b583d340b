"""In-process MP3 decoding for online engines, measured against ffmpeg's own decoder."""

import numpy as np
import pytest

from audioessay.dsp import decode
from audioessay.util import ffmpeg
from audioessay.errors import EngineError

RATE = 24000


def tone_mp3(seconds: float = 1.5, rate: int = RATE, channels: int = 1) -> tuple[np.ndarray, bytes]:
    n = int(seconds * rate)
    t = np.arange(n) / rate
    x = (0.4 * np.sin(2 * np.pi * 330 * t) * np.linspace(0.2, 1, n)).astype("<f4")
    x = np.repeat(x[:, None], channels, axis=1)
    mp3 = ffmpeg.run(["-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0",
                      "-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3", "pipe:1"], input=x.tobytes())
    return x, mp3


def test_same_samples_as_ffmpeg():
    import miniaudio  # noqa: F401 - a dependency: the in-process decoder must be there
    _, mp3 = tone_mp3()
    ours = decode.decode_mp3(mp3, RATE)
    theirs = ffmpeg.decode(mp3, RATE)
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 1e-3
    assert np.abs(ours).max() > 0.3  # real audio, not silence


def test_stereo_answer_is_mixed_down_and_other_rates_resampled():
    x, mp3 = tone_mp3(channels=2)
    mono = decode.decode_mp3(mp3, RATE, channels=1)
    assert mono.shape[1] == 1 and np.abs(mono).max() > 0.3
    up = decode.decode_mp3(mp3, 48000)
    assert abs(len(up) - 2 * len(mono)) < 200


def test_without_the_wheel_ffmpeg_decodes(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_miniaudio(name, *args, **kwargs):
        if name == "miniaudio":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    _, mp3 = tone_mp3()
    calls = []
    monkeypatch.setattr(builtins, "__import__", no_miniaudio)
    monkeypatch.setattr(decode, "_with_ffmpeg", lambda d, r, c: calls.append(r) or ffmpeg.decode(d, r, c))
    out = decode.decode_mp3(mp3, RATE)
    assert calls == [RATE] and np.abs(out).max() > 0.3


def test_garbage_is_an_engine_error():
    import miniaudio  # noqa: F401 - a dependency: the in-process decoder must be there
    with pytest.raises(EngineError, match="not MP3 audio"):
        decode.decode_mp3(b"<html>rate limited</html>" * 20, RATE)
