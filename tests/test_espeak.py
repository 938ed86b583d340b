"""The embedded espeak-ng voice: real synthesis, measured."""

import numpy as np

from audioessay.audio import to_float
from audioessay.engines.espeak import EspeakEngine


def rms_db(seg) -> float:
    x = to_float(seg)
    return 20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12)


def test_speaks_korean_non_silent():
    audio = EspeakEngine().synthesize("안녕하세요. 반갑습니다.")
    assert audio.frame_rate == 22050 and audio.channels == 1 and audio.sample_width == 2
    assert 800 < len(audio) < 5000  # ms
    assert rms_db(audio) > -35


def test_length_grows_with_text():
    e = EspeakEngine()
    short = e.synthesize("사랑")
    longer = e.synthesize("사랑은 누군가에게 의존하는 감정이 아니라 자신을 이해하는 데서 비롯된다.")
    assert len(longer) > 3 * len(short)


def test_speed_changes_duration_and_settings():
    text = "인공지능과 감정, 무엇이 진짜인가?"
    normal, fast = EspeakEngine(1.0), EspeakEngine(1.5)
    assert len(fast.synthesize(text)) < 0.85 * len(normal.synthesize(text))
    assert normal.settings() != fast.settings()
    assert normal.version.startswith("1.")
