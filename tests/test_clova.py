"""The clova engine end to end against a local CLOVA Voice Premium fake: a Korean render,
each fault as one line and exit 3 with the previous MP3 kept, the cache key, no secret."""

from __future__ import annotations

import time

import pytest

from audioessay.episode import render
from audioessay.errors import EngineError
from audioessay.script import loader as script
from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.speech.engines.clova_client import pitch_for, speed_for
from audioessay.speech.synthesize import sentence_key
from audioessay.util import ffmpeg
from fake_clova import CLIENT_ID, CLIENT_SECRET, FakeClova
from test_outputs import stand_in_episode

EPISODE = """\
title: 클로바 시험
voice: {{engine: clova, name: {name}, clova: {{retries: 2, timeout: 2, deadline: 4, format: {fmt}}}}}
sections:
  - title: 하나
    text: 첫 문장이다. 둘째 문장이다.
  - title: 둘
    text: 셋째 문장이다.
"""


@pytest.fixture
def clova(monkeypatch, no_proxy):
    with FakeClova(slow_seconds=6) as fake:
        monkeypatch.setenv("AUDIOESSAY_CLOVA_URL", fake.url)
        monkeypatch.setenv("CLOVA_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("CLOVA_CLIENT_SECRET", CLIENT_SECRET)
        yield fake


def write(tmp_path, name="nara", fmt="wav"):
    p = tmp_path / "ep.yaml"
    p.write_text(EPISODE.format(name=name, fmt=fmt), encoding="utf-8")
    return p


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_renders_korean_through_the_fake(clova, tmp_path, fmt):
    path = write(tmp_path, fmt=fmt)
    render.render(script.load(path), cache=Cache(tmp_path / "c"))
    out = path.with_suffix(".mp3")
    seconds = len(ffmpeg.decode(str(out), 44100)) / 44100
    assert 1.5 < seconds < 30
    forms = [r.form for r in clova.received]
    assert {f["format"] for f in forms} == {fmt}
    assert {f["speaker"] for f in forms} == {"nara"}
    assert "첫 문장이다." in clova.requests
    cached = b"".join(p.read_bytes() for p in (tmp_path / "c").rglob("*") if p.is_file())
    for blob in (cached, out.read_bytes()):
        assert CLIENT_SECRET.encode() not in blob and CLIENT_ID.encode() not in blob


@pytest.mark.parametrize("setup, cause", [
    (lambda f: f.status(401), "rejected the key"),
    (lambda f: f.status(403), "rejected the key"),
    (lambda f: f.status(429, retry_after=0.1, times=50), "rate limited"),
    (lambda f: f.status(500, times=50), "failed after 3 attempts"),
    (lambda f: f.fault("drop", times=50), "unreachable"),
    (lambda f: f.fault("slow", times=50), "unreachable"),
    (lambda f: f.fault("empty", times=50), "no audio"),
    (lambda f: f.fault("quota"), "quota"),
    (lambda f: f.fault("vs", vs="VS02"), "njinho"),
])
def test_faults_are_one_line_and_keep_the_previous_mp3(clova, tmp_path, setup, cause):
    path = write(tmp_path)
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)
    setup(clova)
    start = time.monotonic()
    with pytest.raises(EngineError) as info:
        render.render(script.load(path), cache=Cache(tmp_path / "c"), force=True)
    assert time.monotonic() - start < 20
    message = info.value.message
    assert cause in message and "\n" not in message and "clova: " in message
    assert CLIENT_SECRET not in message
    assert info.value.exit_code == 3
    assert out.read_bytes() == previous


def test_unknown_speaker_lists_korean_speakers(clova, tmp_path):
    with pytest.raises(Exception) as info:
        script.load(write(tmp_path, name="nobody"))
    assert "nobody" in str(info.value)


def test_missing_credentials_name_the_variables(monkeypatch, tmp_path, no_proxy):
    monkeypatch.delenv("CLOVA_CLIENT_ID", raising=False)
    monkeypatch.delenv("CLOVA_CLIENT_SECRET", raising=False)
    voices, status = engines.spec("clova").catalogue(False)
    assert "nara" in [v.name for v in voices]
    assert status == "set CLOVA_CLIENT_ID and CLOVA_CLIENT_SECRET"
    with pytest.raises(EngineError, match="set CLOVA_CLIENT_ID and CLOVA_CLIENT_SECRET"):
        render.render(script.load(write(tmp_path)), cache=Cache(tmp_path / "c"))


def test_auto_never_picks_clova():
    from audioessay.speech.engines import AUTO_ORDER

    assert engines.spec("clova").paid and "clova" not in AUTO_ORDER
    assert engines.resolve("clova", {}) == ("clova", "clova (requested)")


def test_429_waits_the_retry_after_then_succeeds(clova, tmp_path):
    from audioessay.speech.engines.clova_client import ClovaSettings, fetch

    clova.status(429, retry_after=0.6)
    start = time.monotonic()
    wav = fetch("안녕하세요.", ClovaSettings(retries=2, deadline=10))
    assert time.monotonic() - start >= 0.55 and wav[:4] == b"RIFF"
    assert len(clova.requests) == 2


def test_speed_and_pitch_mapping():
    assert speed_for(1.0) == 0 and speed_for(2.0) == -5 and speed_for(0.5) == 5
    assert speed_for(1.41) == -2
    assert pitch_for(0) == 0 and pitch_for(40) == -5 and pitch_for(-40) == 5 and pitch_for(16) == -2


def test_cache_key_changes_with_speaker_speed_emotion():
    s = engines.spec("clova")
    from audioessay.config.groups import Voice

    def key(name="nara", speed=1.0, emotion=0):
        group = s.settings(emotion=emotion)
        return sentence_key(s.create(Voice(engine="clova", name=name, speed=speed), group), "안녕하세요.")

    base = key()
    assert len({base, key(name="njinho"), key(speed=1.5), key(emotion=2)}) == 4
    assert key() == base
