"""The azure engine end to end against a local Azure AI Speech fake: a Korean render decoded
and measured, each fault as one line and exit 3 with the previous MP3 kept, the speed/pitch
mapping, the cache key, the voice list, and the key never written anywhere."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from audioessay.cli import cli
from audioessay.episode import render
from audioessay.errors import EngineError
from audioessay.script import loader as script
from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.speech.engines.azure_client import (MAX_SSML_BYTES, AzureSettings, fetch, pitch_for, rate_for,
                                                    ssml)
from audioessay.speech.synthesize import sentence_key
from audioessay.util import ffmpeg
from fake_azure import KEY, REGION, FakeAzure, _parse
from test_outputs import stand_in_episode

EPISODE = """\
title: 애저 시험
voice: {{engine: azure, name: {name}, speed: {speed}, azure: {{retries: 2, timeout: 2, deadline: 4}}}}
sections:
  - title: 하나
    text: 첫 문장이다. 둘째 문장이다.
  - title: 둘
    text: 셋째 문장이다.
"""


@pytest.fixture
def azure(monkeypatch, no_proxy):
    with FakeAzure(slow_seconds=6) as fake:
        monkeypatch.setenv("AUDIOESSAY_AZURE_URL", fake.url)
        monkeypatch.setenv("AZURE_SPEECH_KEY", KEY)
        monkeypatch.delenv("AZURE_SPEECH_REGION", raising=False)
        yield fake


def write(tmp_path, name="ko-KR-SunHiNeural", speed=1.0, text=None):
    p = tmp_path / "ep.yaml"
    body = EPISODE.format(name=name, speed=speed)
    if text is not None:
        body = body.replace("셋째 문장이다.", text)
    p.write_text(body, encoding="utf-8")
    return p


def seconds(path) -> float:
    return len(ffmpeg.decode(str(path), 44100)) / 44100


def test_renders_korean_through_the_fake_and_never_writes_the_key(azure, tmp_path):
    path = write(tmp_path)
    render.render(script.load(path), cache=Cache(tmp_path / "c"))
    out = path.with_suffix(".mp3")
    assert 1.5 < seconds(out) < 30
    got = azure.received
    assert {r.voice for r in got} == {"ko-KR-SunHiNeural"}
    assert {r.output_format for r in got} == {"riff-24khz-16bit-mono-pcm"}
    assert {(r.rate, r.pitch) for r in got} == {("", "")}  # no <prosody> at speed 1, pitch 0: not billed
    assert all(r.user_agent for r in got)
    assert "첫 문장이다." in azure.requests
    cached = b"".join(p.read_bytes() for p in (tmp_path / "c").rglob("*") if p.is_file())
    names = " ".join(str(p) for p in (tmp_path / "c").rglob("*"))
    for blob in (cached, out.read_bytes(), names.encode()):
        assert KEY.encode() not in blob and b"5e3cr3t" not in blob


def test_speed_reaches_the_service_and_the_sound(azure, tmp_path):
    """speed 2.0 is sent as rate +100% and the fake speaks twice as fast: the speech is shorter."""
    slow = tmp_path / "slow"
    fast = tmp_path / "fast"
    slow.mkdir()
    fast.mkdir()
    long = "이 문장은 속도를 재기 위해 일부러 길게 쓴 문장이다, 아주 길게 썼다."
    render.render(script.load(write(slow, speed=1.0, text=long)), cache=Cache(tmp_path / "c1"))
    render.render(script.load(write(fast, speed=2.0, text=long)), cache=Cache(tmp_path / "c2"))
    assert {r.rate for r in azure.received} == {"", "+100%"}  # speed 1: no <prosody> sent
    a, b = seconds(slow / "ep.mp3"), seconds(fast / "ep.mp3")
    assert b < a - 1.0, (a, b)


def test_a_long_sentence_is_split_under_the_ssml_budget(azure):
    from audioessay.speech.engines.azure import MAX_CHARS

    engine = engines.spec("azure").create(_voice(), engines.spec("azure").settings(retries=0))
    text = ("가나다라마바사 아자차카타파하 " * 150).strip() + "."  # ~2,400 characters
    assert len(text) > 2 * MAX_CHARS
    audio = engine.synthesize(text)
    got = azure.received
    assert len(got) >= 3
    assert all(r.ssml_bytes <= MAX_SSML_BYTES for r in got)
    assert "".join(r.text.replace(" ", "") for r in got) == text.replace(" ", "")
    assert len(audio) > 0.8 * len(text) * 70  # every piece was voiced (70 ms a character, trimmed)


def test_markup_in_the_text_is_escaped_and_split_by_bytes(azure):
    engine = engines.spec("azure").create(_voice(), engines.spec("azure").settings(retries=0))
    text = "A&B <i> " * 120 + "끝."
    engine.synthesize(text)
    got = azure.received
    assert all(r.ssml_bytes <= MAX_SSML_BYTES for r in got)
    assert "A&B <i>" in got[0].text  # the fake's XML parser read the text back unchanged


def _voice(name="", speed=1.0, pitch=0):
    from audioessay.config.groups import Voice

    return Voice(engine="azure", name=name, speed=speed, pitch=pitch)


@pytest.mark.parametrize("setup, cause", [
    (lambda f: f.status(401), "rejected the key"),
    (lambda f: f.status(403), "rejected the key"),
    (lambda f: f.fault("quota"), "quota or billing exhausted"),
    (lambda f: f.status(429, retry_after=0.1, times=50), "rate limited"),
    (lambda f: f.status(500, times=50), "failed after 3 attempts"),
    (lambda f: f.status(503, times=50), "failed after 3 attempts"),
    (lambda f: f.fault("drop", times=50), "unreachable"),
    (lambda f: f.fault("slow", times=50), "unreachable"),
    (lambda f: f.fault("empty", times=50), "no audio"),
])
def test_faults_are_one_line_and_keep_the_previous_mp3(azure, tmp_path, setup, cause):
    path = write(tmp_path)
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)
    setup(azure)
    start = time.monotonic()
    with pytest.raises(EngineError) as info:
        render.render(script.load(path), cache=Cache(tmp_path / "c"), force=True)
    assert time.monotonic() - start < 20
    message = info.value.message
    assert cause in message and "\n" not in message and "azure: " in message
    assert KEY not in message and "5e3cr3t" not in message
    assert info.value.exit_code == 3
    assert out.read_bytes() == previous


def test_a_voice_the_service_does_not_know_lists_the_korean_voices(azure, tmp_path):
    path = write(tmp_path, name="ko-KR-NobodyNeural")
    # one request in flight, so the count below is the retries of one refused request
    path.write_text(path.read_text(encoding="utf-8").replace("retries: 2,", "retries: 2, concurrency: 1,"),
                    encoding="utf-8")
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)
    with pytest.raises(EngineError) as info:
        render.render(script.load(path), cache=Cache(tmp_path / "c"), force=True)
    message = info.value.message
    assert "HTTP 400" in message and "ko-KR-NobodyNeural" in message and "ko-KR-InJoonNeural" in message
    assert "\n" not in message and info.value.exit_code == 3
    assert len(azure.requests) == 1  # a refused request is not retried
    assert out.read_bytes() == previous


def test_a_name_that_is_no_azure_voice_is_refused_when_loading(tmp_path):
    with pytest.raises(Exception) as info:
        script.load(write(tmp_path, name="nara"))
    assert "nara" in str(info.value) and "azure" in str(info.value)


def test_rejected_key_through_the_cli_exits_3_in_one_line(azure, monkeypatch, tmp_path):
    monkeypatch.setenv("AZURE_SPEECH_KEY", "wrong-key-0000")
    path = write(tmp_path)
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["render", str(path), "--engine", "azure", "--force"])
    assert time.monotonic() - start < 10
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if "azure:" in line]
    assert len(lines) == 1 and "rejected the key" in lines[0] and "wrong-key" not in result.output
    assert out.read_bytes() == previous


@pytest.mark.parametrize("unset, named", [
    (("AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION", "AUDIOESSAY_AZURE_URL"),
     "set AZURE_SPEECH_KEY and AZURE_SPEECH_REGION"),
    (("AZURE_SPEECH_KEY",), "set AZURE_SPEECH_KEY"),
])
def test_missing_credentials_name_the_variables(azure, monkeypatch, tmp_path, unset, named):
    for var in unset:
        monkeypatch.delenv(var, raising=False)
    voices, status = engines.spec("azure").catalogue(False)
    assert "ko-KR-SunHiNeural" in [v.name for v in voices]
    assert status == named
    with pytest.raises(EngineError) as info:
        render.render(script.load(write(tmp_path)), cache=Cache(tmp_path / "c"))
    assert named in info.value.message and "\n" not in info.value.message and info.value.exit_code == 3
    assert azure.requests == []


def test_region_builds_the_documented_host(monkeypatch):
    from audioessay.speech.engines.azure_client import base, missing

    monkeypatch.delenv("AUDIOESSAY_AZURE_URL", raising=False)
    monkeypatch.setenv("AZURE_SPEECH_KEY", "k")
    monkeypatch.setenv("AZURE_SPEECH_REGION", REGION)
    assert base() == "https://koreacentral.tts.speech.microsoft.com" and missing() == ""


def test_voices_lists_sunhi_under_azure_offline_and_live(azure, monkeypatch):
    result = CliRunner().invoke(cli, ["voices", "--engine", "azure", "--offline", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    names = {r["name"] for r in rows}
    assert {"ko-KR-SunHiNeural", "ko-KR-InJoonNeural", "ko-KR-YuJinNeural"} <= names
    assert {r["engine"] for r in rows} == {"azure"}
    assert next(r for r in rows if r["name"] == "ko-KR-InJoonNeural")["gender"] == "male"

    voices, status = engines.spec("azure").catalogue(True)  # asks the fake's voices/list
    assert status.startswith("reachable")
    assert [v.name for v in voices] == ["ko-KR-SunHiNeural", "ko-KR-InJoonNeural", "ko-KR-JiMinNeural"]

    monkeypatch.delenv("AZURE_SPEECH_KEY")
    result = CliRunner().invoke(cli, ["voices", "--engine", "azure"])
    assert "ko-KR-SunHiNeural" in result.output and "set AZURE_SPEECH_KEY" in result.output


def test_auto_never_picks_azure():
    from audioessay.speech.engines import AUTO_ORDER

    assert engines.spec("azure").paid and "azure" not in AUTO_ORDER
    assert engines.resolve("azure", {}) == ("azure", "azure (requested)")


def test_429_waits_the_retry_after_then_succeeds(azure):
    azure.status(429, retry_after=0.6)
    start = time.monotonic()
    wav = fetch("안녕하세요.", AzureSettings(retries=2, deadline=10))
    assert time.monotonic() - start >= 0.55 and wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert len(azure.requests) == 2


def test_speed_and_pitch_mapping():
    assert rate_for(1.0) == "+0%" and rate_for(1.25) == "+25%" and rate_for(0.8) == "-20%"
    assert rate_for(0.5) == "-50%" and rate_for(2.0) == "+100%"
    with pytest.raises(ValueError):
        rate_for(2.5)
    assert pitch_for(0) == "+0Hz" and pitch_for(20) == "+20Hz" and pitch_for(-8.4) == "-8Hz"
    # The same strings edge sends: moving an episode from edge to azure keeps its prosody.
    from audioessay.speech.engines import edge_client

    for speed in (0.5, 0.9, 1.0, 1.3, 2.0):
        assert rate_for(speed) == edge_client.rate_for(speed)
    for hz in (-50, -3, 0, 7, 50):
        assert pitch_for(hz) == edge_client.pitch_hz(hz)


def test_ssml_is_what_the_docs_describe():
    doc = ssml("a < b & \"c\"", AzureSettings(voice="ko-KR-InJoonNeural", rate="+25%", pitch="-10Hz"))
    assert _parse(doc.encode()) == ("ko-KR-InJoonNeural", "+25%", "-10Hz", "a < b & \"c\"")
    assert 'xml:lang="ko-KR"' in doc
    # Markup inside <voice> is billed: <prosody> goes only with what changes the sound.
    assert "prosody" not in ssml("가", AzureSettings(rate="+0%", pitch="+0Hz"))
    only_rate = ssml("가", AzureSettings(rate="+10%", pitch="+0Hz"))
    assert _parse(only_rate.encode())[1:3] == ("+10%", "") and "pitch" not in only_rate


def test_cache_key_changes_with_voice_speed_pitch_but_not_transport():
    s = engines.spec("azure")

    def key(name="ko-KR-SunHiNeural", speed=1.0, pitch=0, **group):
        return sentence_key(s.create(_voice(name, speed, pitch), s.settings(**group)), "안녕하세요.")

    base = key()
    assert len({base, key(name="ko-KR-InJoonNeural"), key(speed=1.5), key(pitch=10)}) == 4
    assert key(timeout=5, retries=0, concurrency=8, deadline=10) == base
    assert key() == base


def test_dry_run_counts_what_azure_would_be_sent_and_sends_nothing(azure, monkeypatch, tmp_path):
    monkeypatch.delenv("AZURE_SPEECH_KEY")
    path = write(tmp_path)
    result = CliRunner().invoke(cli, ["render", str(path), "--engine", "azure", "--dry-run",
                                      "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    # 3 sentences (7 + 8 + 8 characters) and 2 titles (2 + 1), one request each
    assert "engine azure: 5 sentences, 26 characters" in result.output
    assert "would send: 26 characters in 5 requests" in result.output
    assert azure.requests == [] and not path.with_suffix(".mp3").exists()

    monkeypatch.setenv("AZURE_SPEECH_KEY", KEY)
    render.render(script.load(path), cache=Cache(tmp_path / "c"))
    assert len(azure.requests) == 5 and sum(len(t) for t in azure.requests) == 26
    again = CliRunner().invoke(cli, ["render", str(path), "--engine", "azure", "--dry-run",
                                     "--cache-dir", str(tmp_path / "c")])
    assert "already in the cache: 5 sentences, 26 characters" in again.output
    assert "would send: 0 characters in 0 requests" in again.output and len(azure.requests) == 5


def test_every_korean_edge_voice_is_an_azure_voice_by_the_same_name():
    """Moving an episode from edge to azure keeps voice.name: the licensed path for the same voice."""
    from audioessay.speech.engines.voices import edge_builtin

    azure_names = {v.name for v in engines.spec("azure").catalogue(False)[0]}
    for v in edge_builtin():
        if v.korean:
            assert v.name in azure_names
            assert engines.spec("azure").voice_problem(v.name, 10) is None
