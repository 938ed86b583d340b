"""The google engine end to end against a local Cloud Text-to-Speech fake: a Korean render,
LINEAR16 decoded losslessly, each fault as one line and exit 3 with the previous MP3 kept,
the cache key, no secret anywhere, the speed/pitch mapping, Application Default Credentials."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from click.testing import CliRunner

from audioessay.episode import render
from audioessay.errors import EngineError
from audioessay.script import loader as script
from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.speech.engines.google import GoogleEngine, decode_linear16
from audioessay.speech.engines.google_client import GoogleSettings, fetch, rate_for, semitones_for
from audioessay.speech.synthesize import sentence_key
from audioessay.util import ffmpeg
from fake_google import ACCESS_TOKEN, API_KEY, FakeGoogle
from fake_gtts import LEAD_S, TAIL_S, speech_ms
from test_outputs import stand_in_episode

EPISODE = """\
title: 구글 시험
voice: {{engine: google, name: {name}, pitch: {pitch}, google: {{retries: 2, timeout: 2, deadline: 4}}}}
sections:
  - title: 하나
    text: 첫 문장이다. 둘째 문장이다.
  - title: 둘
    text: 셋째 문장이다.
"""
SECRETS = (API_KEY, ACCESS_TOKEN)


@pytest.fixture
def no_adc(monkeypatch, tmp_path):
    """No Application Default Credentials from this machine."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))


@pytest.fixture
def google(monkeypatch, no_proxy, no_adc):
    with FakeGoogle(slow_seconds=6) as fake:
        monkeypatch.setenv("AUDIOESSAY_GOOGLE_URL", fake.url)
        monkeypatch.setenv("GOOGLE_API_KEY", API_KEY)
        yield fake


def write(tmp_path, name="ko-KR-Neural2-A", pitch=0):
    p = tmp_path / "ep.yaml"
    p.write_text(EPISODE.format(name=name, pitch=pitch), encoding="utf-8")
    return p


def no_secret_in(blob: bytes) -> bool:
    return not any(s.encode() in blob for s in SECRETS)


def test_renders_korean_through_the_fake(google, tmp_path):
    path = write(tmp_path, pitch=20)
    render.render(script.load(path), cache=Cache(tmp_path / "c"))
    out = path.with_suffix(".mp3")
    seconds = len(ffmpeg.decode(str(out), 44100)) / 44100
    assert 1.5 < seconds < 30
    bodies = [r.body for r in google.synth]
    assert {b["voice"]["name"] for b in bodies} == {"ko-KR-Neural2-A"}
    assert {b["voice"]["languageCode"] for b in bodies} == {"ko-KR"}
    assert {b["audioConfig"]["audioEncoding"] for b in bodies} == {"LINEAR16"}
    assert {b["audioConfig"]["sampleRateHertz"] for b in bodies} == {24000}
    assert {b["audioConfig"]["pitch"] for b in bodies} == {semitones_for(20)}
    assert "첫 문장이다." in google.requests
    for r in google.synth:  # the key travels in its header, never in the URL
        assert r.headers.get("X-Goog-Api-Key") == API_KEY and "key" not in r.path.lower()
    cached = b"".join(p.read_bytes() for p in (tmp_path / "c").rglob("*") if p.is_file())
    assert cached and no_secret_in(cached) and no_secret_in(out.read_bytes())


def test_linear16_is_decoded_losslessly_and_grows_with_the_text(google):
    short, long = "안녕.", "안녕하세요, 오늘은 긴 문장을 읽어 봅니다."
    wavs = [fetch(t, GoogleSettings(retries=0)) for t in (short, long)]
    assert all(w[:4] == b"RIFF" for w in wavs)
    samples = [decode_linear16(w) for w in wavs]
    for text, s in zip((short, long), samples):
        expected = (speech_ms(text) / 1000 + LEAD_S + TAIL_S) * 24000
        assert abs(len(s) - expected) < 0.02 * 24000
    # Lossless: the 16-bit samples come back exactly as the service sent them.
    raw = np.frombuffer(wavs[0][44:], dtype="<i2")
    assert np.array_equal(np.round(samples[0][:, 0] * 32768).astype(np.int32), raw.astype(np.int32))
    assert len(samples[1]) > 2 * len(samples[0])


def test_long_text_is_cut_by_its_utf8_size(google):
    engine = engines.create("google", _voice(), {})
    sentence = ("가나다라마바사아자차 " * 180).strip()  # 1,979 characters, 5,400 bytes
    assert len(sentence.encode("utf-8")) > 5000
    audio = engine.synthesize(sentence)
    sizes = [len(t.encode("utf-8")) for t in google.requests]
    assert len(sizes) == 2 and max(sizes) <= 4800
    voiced_ms = sum(len(t) for t in google.requests) * 70  # fake_gtts.MS_PER_CHAR: both halves are voiced
    assert 0.9 * voiced_ms < len(audio) < 1.1 * voiced_ms + 1000


def _voice(**kw):
    from audioessay.config.groups import Voice

    return Voice(engine="google", **kw)


@pytest.mark.parametrize("setup, cause", [
    (lambda f: f.status(401), "rejected the credentials"),
    (lambda f: f.status(403), "rejected the credentials"),
    (lambda f: f.status(429, retry_after=0.1, times=50), "rate limited"),
    (lambda f: f.status(500, times=50), "failed after 3 attempts"),
    (lambda f: f.status(503, times=50), "failed after 3 attempts"),
    (lambda f: f.fault("drop", times=50), "unreachable"),
    (lambda f: f.fault("slow", times=50), "unreachable"),
    (lambda f: f.fault("empty", times=50), "no audio"),
    (lambda f: f.fault("nobody", times=50), "no audio"),
    (lambda f: f.fault("quota"), "quota or billing exhausted"),
    (lambda f: f.fault("billing"), "billing is not enabled"),
    (lambda f: f.fault("disabled"), "API is not enabled"),
    (lambda f: f.fault("voice"), "ko-KR-Wavenet-A"),
])
def test_faults_are_one_line_and_keep_the_previous_mp3(google, tmp_path, setup, cause):
    path = write(tmp_path)
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)
    setup(google)
    start = time.monotonic()
    with pytest.raises(EngineError) as info:
        render.render(script.load(path), cache=Cache(tmp_path / "c"), force=True)
    assert time.monotonic() - start < 20
    message = info.value.message
    assert cause in message and "\n" not in message and "google: " in message
    assert no_secret_in(message.encode())
    assert info.value.exit_code == 3
    assert out.read_bytes() == previous


def test_a_rejected_key_exits_3_in_one_line_and_keeps_the_mp3(google, monkeypatch, tmp_path):
    from audioessay.cli import cli

    wrong = "AIzaSy-wrong-SECRET-key"
    monkeypatch.setenv("GOOGLE_API_KEY", wrong)
    path = write(tmp_path)
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["render", str(path), "--engine", "google",
                                      "--cache-dir", str(tmp_path / "c")])
    assert time.monotonic() - start < 10
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if "google:" in line]
    assert len(lines) == 1 and "rejected the credentials" in lines[0] and "GOOGLE_API_KEY" in lines[0]
    assert wrong not in result.output and out.read_bytes() == previous
    texts = [r.text for r in google.synth]  # a rejected key is not retried
    assert len(texts) == len(set(texts)) <= engines.spec("google").settings().concurrency


def test_unknown_but_well_formed_voice_is_the_services_answer(google, tmp_path):
    path = write(tmp_path, name="ko-KR-Neural2-Z")
    with pytest.raises(EngineError) as info:
        render.render(script.load(path), cache=Cache(tmp_path / "c"))
    assert "does not know this voice" in info.value.message and "ko-KR-Neural2-A" in info.value.message


def test_a_malformed_voice_name_is_a_load_error(tmp_path):
    with pytest.raises(Exception) as info:
        script.load(write(tmp_path, name="nara"))
    assert "not a Google voice name" in str(info.value)


def test_chirp3_hd_takes_no_pitch(google, tmp_path):
    with pytest.raises(Exception) as info:
        script.load(write(tmp_path, name="ko-KR-Chirp3-HD-Aoede", pitch=10))
    assert "Chirp 3 HD" in str(info.value) and "voice.pitch" in str(info.value)
    path = write(tmp_path, name="ko-KR-Chirp3-HD-Aoede")
    render.render(script.load(path), cache=Cache(tmp_path / "c"))
    assert all("pitch" not in r.body["audioConfig"] for r in google.synth)
    # Even a Chirp engine made directly never sends a pitch.
    engine = GoogleEngine(engines.spec("google").settings(), voice="ko-KR-Chirp3-HD-Charon", pitch=30)
    assert engine.client.pitch == 0.0


def test_missing_key_names_the_variable(monkeypatch, tmp_path, no_proxy, no_adc):
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    voices, status = engines.spec("google").catalogue(True)
    assert "ko-KR-Neural2-A" in [v.name for v in voices] and status == "set GOOGLE_API_KEY"
    assert engines.spec("google").probe(engines.spec("google").settings()) == (False, "set GOOGLE_API_KEY")
    with pytest.raises(EngineError, match="set GOOGLE_API_KEY") as info:
        render.render(script.load(write(tmp_path)), cache=Cache(tmp_path / "c"))
    assert "\n" not in info.value.message and info.value.exit_code == 3


def test_voices_listing(google, monkeypatch):
    from audioessay.speech.engines.voices import usable_voices

    listed = usable_voices("google", online=False)
    assert "ko-KR-Neural2-A" in [v["name"] for v in listed]
    live, status = engines.spec("google").catalogue(True)  # the service's own list, Korean only
    names = [v.name for v in live]
    assert "ko-KR-Chirp3-HD-Charon" in names and "en-US-Neural2-A" not in names
    assert status.startswith("credentials set")
    assert any(r.path.startswith("/v1/voices?languageCode=ko-KR") for r in google.received)
    google.status(403)
    builtin, status = engines.spec("google").catalogue(True)
    assert "ko-KR-Wavenet-D" in [v.name for v in builtin] and "did not come" in status


def test_auto_never_picks_google():
    from audioessay.speech.engines import AUTO_ORDER

    assert engines.spec("google").paid and "google" not in AUTO_ORDER
    assert engines.resolve("google", {}) == ("google", "google (requested)")


def test_429_waits_the_retry_after_then_succeeds(google):
    google.status(429, retry_after=0.6)
    start = time.monotonic()
    wav = fetch("안녕하세요.", GoogleSettings(retries=2, deadline=10))
    assert time.monotonic() - start >= 0.55 and wav[:4] == b"RIFF"
    assert len(google.synth) == 2


def service_account(fake, path, email="tts@fake-project.iam.gserviceaccount.com"):
    """A service-account key file (as the console downloads it) whose token_uri is the fake."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({"type": "service_account", "project_id": "fake-project", "private_key_id": "k1",
                                "private_key": pem, "client_email": email, "client_id": "1",
                                "token_uri": fake.url + "/token"}), encoding="utf-8")
    return key, pem


def test_application_default_credentials(google, monkeypatch, tmp_path):
    pytest.importorskip("google.auth")
    monkeypatch.delenv("GOOGLE_API_KEY")
    key, pem = service_account(google, tmp_path / "sa.json")
    google.accept_service_account("tts@fake-project.iam.gserviceaccount.com", key.public_key())
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "sa.json"))
    assert engines.spec("google").probe(engines.spec("google").settings())[0]
    wav = fetch("안녕하세요.", GoogleSettings(retries=0))
    assert wav[:4] == b"RIFF"
    assert [r.headers.get("Authorization") for r in google.synth] == [f"Bearer {ACCESS_TOKEN}"]
    assert [r.path for r in google.received].count("/token") == 1
    fetch("안녕.", GoogleSettings(retries=0))  # the token is kept until it expires
    assert [r.path for r in google.received].count("/token") == 1
    # A key the token endpoint does not know: one line, no secret, not retried.
    _, other = service_account(google, tmp_path / "other.json", email="gone@fake-project.iam.gserviceaccount.com")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "other.json"))
    with pytest.raises(EngineError) as info:
        fetch("안녕하세요.", GoogleSettings(retries=2))
    message = info.value.message
    assert "could not be refreshed" in message and "\n" not in message
    assert other.splitlines()[1] not in message and ACCESS_TOKEN not in message
    assert [r.path for r in google.received].count("/token") == 2


def test_speed_and_pitch_mapping():
    assert rate_for(1.0) == 1.0 and rate_for(0.5) == 0.5 and rate_for(2.0) == 2.0 and rate_for(3.0) == 2.0
    assert semitones_for(0) == 0.0
    assert semitones_for(50) == 3.9 and semitones_for(-50) == -5.0  # 12 * log2(250/200), 12 * log2(150/200)
    assert semitones_for(200) == 12.0  # twice the reference pitch: one octave
    assert semitones_for(-300) == -20.0  # clamped to the API's range


def test_cache_key_changes_with_voice_speed_pitch_volume_never_the_key(monkeypatch):
    s = engines.spec("google")
    monkeypatch.setenv("GOOGLE_API_KEY", API_KEY)

    def key(name="ko-KR-Neural2-A", speed=1.0, pitch=0, volume=0.0):
        engine = s.create(_voice(name=name, speed=speed, pitch=pitch), s.settings(volume_gain_db=volume))
        return sentence_key(engine, "안녕하세요."), json.dumps(engine.identity())

    base = key()
    variants = {base[0], key(name="ko-KR-Wavenet-A")[0], key(speed=1.5)[0], key(pitch=10)[0],
                key(volume=3.0)[0]}
    assert len(variants) == 5 and key() == base
    monkeypatch.setenv("GOOGLE_API_KEY", "another-key")
    assert key() == base  # the credential is not part of what is cached
    assert no_secret_in("".join(base).encode())
