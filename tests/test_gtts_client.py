"""The gTTS request layer against a local fake endpoint: real gTTS, real HTTP, injected faults."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest

from audioessay.util import ffmpeg
from audioessay.speech.engines import gtts_client as gc
from audioessay.speech.engines.gtts_client import (
    ENDPOINT_ENV,
    GttsSettings,
    RateLimiter,
    fetch_mp3,
    probe,
)
from audioessay.speech.engines.gtts import GttsEngine, GttsVoice
from audioessay.errors import EngineError
from fake_gtts import FakeGtts

SHORT = "안녕하세요."
LONG = "오늘은 한국어 수필을 팟캐스트로 바꾸는 방법에 대해 이야기해 보겠습니다."


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # gTTS passes urllib's getproxies() to requests, which would route 127.0.0.1 via a proxy.
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)


@pytest.fixture
def fake():
    with FakeGtts() as server:
        yield server


@pytest.fixture
def settings(fake):
    return GttsSettings(endpoint=fake.url, connect_timeout=0.5, read_timeout=0.5,
                        retries=4, backoff=0.01, max_backoff=0.05)


class Sleeps(list):
    """An injected `sleep` that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def speech_seconds(mp3: bytes) -> float:
    """Seconds between the first and last 10 ms window above -40 dBFS."""
    x = ffmpeg.decode(mp3, 24000)[:, 0]
    win = 240
    rms = np.sqrt(np.mean(x[: len(x) // win * win].reshape(-1, win) ** 2, axis=1))
    loud = np.flatnonzero(rms > 0.01)
    return 0.0 if loud.size == 0 else (loud[-1] - loud[0] + 1) * win / 24000


# --- success ---------------------------------------------------------------

def test_success_returns_decodable_mp3_that_grows_with_text(settings):
    short, long = fetch_mp3(SHORT, settings), fetch_mp3(LONG, settings)
    x = ffmpeg.decode(short, 24000)
    assert x.shape[0] > 0.3 * 24000
    assert np.sqrt(np.mean(x**2)) > 0.01  # not silent
    assert speech_seconds(long) > speech_seconds(short) + 1.5
    assert abs(speech_seconds(short) - len(SHORT) * 0.07) < 0.1


def test_server_receives_exact_text_and_lang(fake, settings):
    fetch_mp3(SHORT, settings)
    fetch_mp3(LONG, GttsSettings(endpoint=fake.url, slow=True))
    got = fake.received
    assert [(r.text, r.lang, r.slow) for r in got] == [(SHORT, "ko", False), (LONG, "ko", True)]


def test_rejects_text_over_100_chars_and_empty_text(fake, settings):
    with pytest.raises(ValueError, match="at most 100"):
        fetch_mp3("가" * 101, settings)
    with pytest.raises(ValueError, match="empty"):
        fetch_mp3("  ", settings)
    assert fake.requests == []


def test_endpoint_env_var_is_honoured(fake, monkeypatch):
    monkeypatch.setenv(ENDPOINT_ENV, fake.url)
    assert GttsSettings().url() == fake.url
    assert fetch_mp3(SHORT, GttsSettings(read_timeout=2))
    assert fake.requests == [SHORT]


def test_default_endpoint_is_googles_for_tld():
    assert GttsSettings(tld="co.kr").url() == \
        "https://translate.google.co.kr/_/TranslateWebserverUi/data/batchexecute"


def test_requests_are_logged_at_debug(settings, caplog):
    with caplog.at_level("DEBUG", logger="audioessay.gtts"):
        fetch_mp3(SHORT, settings)
    assert any(settings.endpoint in r.getMessage() and f"{len(SHORT)} chars" in r.getMessage()
               for r in caplog.records if r.name == "audioessay.gtts")


# --- retries ---------------------------------------------------------------

def test_429_three_times_then_success(fake, settings):
    fake.status(429, times=3)
    sleeps = Sleeps()
    assert fetch_mp3(SHORT, settings, sleep=sleeps)
    assert fake.requests == [SHORT] * 4
    assert len(sleeps) == 3
    # full jitter within the exponential cap
    assert all(0 <= s <= min(settings.max_backoff, settings.backoff * 2**i) for i, s in enumerate(sleeps))


def test_retry_after_is_honoured_and_capped(fake, settings):
    fake.status(429, retry_after=3).status(503, retry_after=0.02).status(429, retry_after=100)
    sleeps = Sleeps()
    s = GttsSettings(endpoint=fake.url, read_timeout=1, backoff=0.01, max_backoff=5.0)
    assert fetch_mp3(SHORT, s, sleep=sleeps)
    assert sleeps == [3.0, 0.02, 5.0]


def test_intermittent_500s_are_retried(fake, settings):
    fake.status(500).status(502)
    assert fetch_mp3(SHORT, settings, sleep=Sleeps())
    assert len(fake.requests) == 3


def test_503_exhausts_retries(fake, settings):
    fake.status(503, times=10)
    with pytest.raises(EngineError, match="HTTP 503") as err:
        fetch_mp3(SHORT, settings, sleep=Sleeps())
    assert "5 attempts" in err.value.message and "--engine espeak" in err.value.message
    assert err.value.exit_code == 3
    assert len(fake.requests) == settings.retries + 1


def test_persistent_429_names_rate_limit(fake, settings):
    fake.status(429, times=10)
    with pytest.raises(EngineError, match=r"rate limited by Google \(HTTP 429\).*wait"):
        fetch_mp3(SHORT, settings, sleep=Sleeps())


def test_other_4xx_is_not_retried(fake, settings):
    fake.status(403)
    with pytest.raises(EngineError, match="HTTP 403"):
        fetch_mp3(SHORT, settings, sleep=Sleeps())
    assert len(fake.requests) == 1


def test_hang_times_out(fake, settings):
    fake.hang(times=10)
    s = GttsSettings(endpoint=fake.url, connect_timeout=0.2, read_timeout=0.2, retries=2, backoff=0.01)
    with pytest.raises(EngineError, match=r"timed out after 0.2s"):
        fetch_mp3(SHORT, s, sleep=Sleeps())
    assert len(fake.requests) == 3  # each attempt gave up on its own (a hang would never return)


def test_malformed_is_retried_then_fails_without_audio(fake, settings):
    fake.malformed(times=10)
    with pytest.raises(EngineError, match=r"without audio \(API changed\?\)"):
        fetch_mp3(SHORT, settings, sleep=Sleeps())
    assert len(fake.requests) == 5


def test_malformed_once_then_success(fake, settings):
    fake.malformed()
    assert fetch_mp3(SHORT, settings, sleep=Sleeps())
    assert len(fake.requests) == 2


def test_reset_mid_body_is_retried(fake, settings):
    fake.reset(times=2)
    mp3 = fetch_mp3(SHORT, settings, sleep=Sleeps())
    assert speech_seconds(mp3) > 0.2
    assert len(fake.requests) == 3


def test_stopped_server_cannot_reach(fake, settings):
    fake.stop()
    with pytest.raises(EngineError, match=r"cannot reach 127\.0\.0\.1:\d+ \(offline\?\).*network"):
        fetch_mp3(SHORT, settings, sleep=Sleeps())


# --- deadline --------------------------------------------------------------

def test_deadline_stops_retries(fake):
    """Retry-After waits of 0.3 s within a 0.75 s deadline: the third wait would pass it,
    so three attempts of the five the retries allow."""
    fake.status(503, retry_after=0.3, times=10)
    s = GttsSettings(endpoint=fake.url, read_timeout=1, retries=4, max_backoff=5, deadline=0.75)
    with pytest.raises(EngineError, match=r"server error \(HTTP 503 [^)]*\) after 3 attempts"):
        fetch_mp3(SHORT, s)
    assert len(fake.requests) == 3


def test_deadline_cuts_the_last_attempt_short(fake):
    """A hanging server: the first attempt times out (0.5 s), the second gets what is
    left of the 0.8 s deadline and fails on the deadline, not on its own timeout."""
    fake.hang(times=10)
    s = GttsSettings(endpoint=fake.url, connect_timeout=0.5, read_timeout=0.5, retries=4, backoff=0.01,
                     deadline=0.8)
    with pytest.raises(EngineError, match=r"timed out: no complete answer from 127\.0\.0\.1:\d+ within the "
                                          r"0\.8s deadline \(2 attempts\)"):
        fetch_mp3(SHORT, s, sleep=Sleeps())
    assert len(fake.requests) == 2


def test_deadline_setting_reaches_the_client():
    from audioessay.speech.engines.gtts import client_settings

    assert GttsVoice().deadline == 60 and client_settings(GttsVoice()).deadline == 60
    assert client_settings(GttsVoice(deadline=7)).deadline == 7


# --- probe -----------------------------------------------------------------

def test_probe_true_against_server(fake, settings):
    ok, msg = probe(settings)
    assert ok and msg.startswith("Google TTS answered in ") and msg.endswith(" s")
    assert fake.requests == ["안녕"]


def test_probe_false_against_closed_port():
    s = GttsSettings(endpoint=f"http://127.0.0.1:{closed_port()}/x")
    ok, msg = probe(s)
    assert not ok and msg.startswith("Google TTS unreachable: cannot reach")
    assert "1 attempt" in msg  # the probe never retries


def test_probe_does_not_retry(fake, settings):
    fake.status(503, times=3)
    ok, msg = probe(settings)
    assert not ok and "HTTP 503" in msg
    assert len(fake.requests) == 1


# --- the engine's bounded concurrency (engines.base.run_bounded, as render runs it) ----------

def engine(settings, **group):
    return GttsEngine(GttsVoice(**group), client=settings)


def voice_all(eng, texts):
    out = {}
    eng.synthesize_many(texts, lambda i, audio: out.__setitem__(i, audio))
    return out


def test_engine_keeps_order_and_voices_each_text_once(fake, settings):
    texts = [f"문장 {'가' * i}" for i in range(1, 6)]
    out = voice_all(engine(settings, concurrency=3), texts)
    assert sorted(out) == list(range(5))
    assert sorted(fake.requests) == sorted(texts)
    for i, text in enumerate(texts):  # each result is the audio of its own text
        assert abs(len(out[i]) / 1000 - len(text) * 0.07) < 0.15, (text, len(out[i]))


def test_engine_respects_concurrency(fake, settings):
    fake.latency = 0.15
    texts = [f"문장 번호 {i}" for i in range(10)]
    voice_all(engine(settings, concurrency=3), texts)
    assert 1 < fake.max_in_flight <= 3
    assert len(fake.requests) == 10


def test_engine_retries_inside_workers(fake, settings):
    fake.status(429, times=2)
    out = voice_all(engine(settings, concurrency=2), [SHORT, LONG])
    assert len(out) == 2 and all(len(a) > 0 for a in out.values())
    assert len(fake.requests) == 4
    assert fake.pending_faults == 0


def test_rate_limiter_spaces_request_starts(fake, settings):
    texts = [f"문장 번호 {i}" for i in range(6)]
    t0 = time.monotonic()
    voice_all(engine(settings, concurrency=6, rate_limit=10), texts)
    at = sorted(r.at for r in fake.received)
    # Slot i opens at t0 + i/10 s at the earliest; arrivals may be late (load) but never early.
    assert all(a >= t0 + i * 0.1 - 0.005 for i, a in enumerate(at)), np.diff(at)


def test_rate_limiter_unit():
    limiter = RateLimiter(20)
    starts = []
    lock = threading.Lock()

    def go():
        limiter.wait()
        with lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=go) for _ in range(5)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts.sort()
    assert all(s >= t0 + i * 0.05 - 0.005 for i, s in enumerate(starts)), np.diff(starts)
    slept = []
    real_sleep = gc.time.sleep
    gc.time.sleep = slept.append  # an unlimited limiter must never sleep
    try:
        for _ in range(100):
            RateLimiter(None).wait()
            RateLimiter(0).wait()
    finally:
        gc.time.sleep = real_sleep
    assert slept == []


def test_engine_failure_names_text_and_cancels(fake, settings):
    fake.status(403)
    texts = [f"{i}번째 문장입니다" for i in range(20)]
    with pytest.raises(EngineError, match=r"HTTP 403") as info:
        voice_all(engine(settings, concurrency=2), texts)
    assert info.value.text in texts  # the error carries the text that failed
    time.sleep(0.2)
    assert len(fake.requests) < 6  # the queued texts were cancelled


def test_engine_failure_does_not_wait_for_long_backoff(fake):
    fake.status(403).status(503, retry_after=10, times=5)
    s = GttsSettings(endpoint=fake.url, read_timeout=1, max_backoff=10)
    t0 = time.monotonic()
    with pytest.raises(EngineError, match="HTTP 403"):  # the first failure, not the 503 retries
        voice_all(engine(s, concurrency=2), ["하나", "둘"])
    assert time.monotonic() - t0 < 5  # not held up by the 10 s Retry-After of the other request
    time.sleep(0.3)
    assert fake.pending_faults >= 4  # the 503 text was not retried after the failure


def test_engine_with_no_texts_sends_nothing(fake, settings):
    assert voice_all(engine(settings, concurrency=4), []) == {}
    assert fake.requests == []


def test_gtts_error_without_response_maps_to_connect():
    # a gTTSError built without tts/response still classifies (no AttributeError)
    from gtts import gTTSError
    assert gc._classify(gTTSError("boom"), GttsSettings()).kind == "connect"


def test_unresolvable_host_gives_up_after_one_retry():
    """No DNS means offline: one quick retry, then a clear cause (.invalid never resolves)."""
    settings = GttsSettings(endpoint="http://audioessay-test.invalid/_/TranslateWebserverUi/data/batchexecute",
                            retries=4, backoff=0.01)
    with pytest.raises(EngineError) as info:
        fetch_mp3("안녕하세요", settings)
    assert "cannot reach audioessay-test.invalid (offline?) after 2 attempts" in str(info.value)
