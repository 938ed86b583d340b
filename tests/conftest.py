"""Shared fixtures: an in-process fake engine registered like a real one, script writers,
and a proxy-free environment for the local fake endpoints."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from pathlib import Path

import numpy as np
import pytest
from pydub import AudioSegment

from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.config.engines import EngineSpec
from audioessay.speech.engines.base import Engine
from audioessay.config.settings import Group

ROOT = Path(__file__).resolve().parent.parent
FAKE_RATE = 16000
MS_PER_CHAR = 40  # the fake's clip length per character of spoken text


@dataclasses.dataclass(frozen=True)
class FakeVoice(Group):
    key = "voice.fake"


class FakeEngine(Engine):
    """Deterministic audio: a tone whose pitch comes from the text's hash, MS_PER_CHAR ms
    per character, with short ramps; every call is recorded."""

    name = "fake"
    version = "1"

    def __init__(self, speed: float = 1.0):
        self.speed = speed
        self.calls: list[str] = []
        self.lock = threading.Lock()
        self.fail_on: str | None = None  # a text that raises EngineError

    def settings(self) -> dict[str, object]:
        return {"speed": self.speed}

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        from audioessay.errors import EngineError

        with self.lock:
            self.calls.append(text)
        if self.fail_on is not None and self.fail_on in text:
            raise EngineError("the fake engine was told to fail", text=text)
        return AudioSegment(data=tone_pcm(text, self.speed), sample_width=2, frame_rate=FAKE_RATE, channels=1)


def tone_pcm(text: str, speed: float = 1.0) -> bytes:
    n = int(len(text) * MS_PER_CHAR / speed * FAKE_RATE / 1000)
    freq = 150 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 300
    t = np.arange(n) / FAKE_RATE
    ramp = np.minimum(1.0, np.minimum(t, t[::-1] if n else t) / 0.01)
    wave = 0.5 * np.sin(2 * np.pi * freq * t) * ramp
    return (wave * 32767).astype("<i2").tobytes()


@pytest.fixture
def fake_engine():
    """The fake engine, registered as `fake` (scripts can say voice: {engine: fake})."""
    engine = FakeEngine()

    def create(voice, group):
        engine.speed = voice.speed
        return engine

    engines.register(EngineSpec(name="fake", doc="test engine", settings=FakeVoice, create=create,
                                native_rate=FAKE_RATE))
    try:
        yield engine
    finally:
        engines.unregister("fake")


@pytest.fixture
def cache(tmp_path) -> Cache:
    return Cache(tmp_path / "cache")


@pytest.fixture
def write_script(tmp_path):
    """write_script(text, name="ep.yaml") -> Path of a script file in tmp_path."""

    def write(text: str, name: str = "ep.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


@pytest.fixture
def no_proxy(monkeypatch):
    # requests would route 127.0.0.1 through a proxy from the environment.
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
