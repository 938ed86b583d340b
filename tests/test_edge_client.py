"""The edge request layer against a local fake service: real edge-tts, real WebSockets, injected faults."""

from __future__ import annotations

import re
import threading
import time

import edge_tts
import numpy as np
import pytest
from edge_tts.drm import DRM

from audioessay.util import ffmpeg
from audioessay.speech.engines import retry
from audioessay.speech.engines.edge_client import (
    ENDPOINT_ENV,
    MAX_CHARS,
    Cancelled,
    EdgeSettings,
    endpoint,
    fetch,
    fetch_voice_list,
    pitch_hz,
    probe,
    rate_for,
    voices_endpoint,
)
from audioessay.errors import EngineError
from fake_edge import LEAD_S, MP3_DELAY_S, FakeEdge, closed_port, isolate_edge_tts, spoken_ms

SHORT = "안녕하세요."
LONG = "오늘은 한국어 수필을 팟캐스트로 바꾸는 방법에 대해 이야기해 보겠습니다."


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    isolate_edge_tts(monkeypatch, ENDPOINT_ENV)


@pytest.fixture
def fake(monkeypatch):
    with FakeEdge() as server:
        monkeypatch.setenv(ENDPOINT_ENV, server.url)
        yield server


@pytest.fixture
def settings():
    return EdgeSettings(connect_timeout=0.5, read_timeout=0.5, total_deadline=10,
                        retries=3, backoff=0.01, max_backoff=0.05)


class Sleeps(list):
    """An injected `sleep` that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def loud_span(mp3: bytes) -> tuple[float, float]:
    """(first, last) second of 10 ms windows above -40 dBFS in the decoded MP3."""
    x = ffmpeg.decode(mp3, 24000)[:, 0]
    win = 240
    rms = np.sqrt(np.mean(x[: len(x) // win * win].reshape(-1, win) ** 2, axis=1))
    loud = np.flatnonzero(rms > 0.01)
    assert loud.size, "the MP3 is silent"
    return loud[0] * win / 24000, (loud[-1] + 1) * win / 24000


def outcomes(fake: FakeEdge) -> list[str]:
    return [h.outcome for h in fake.handshakes]


# --- success ---------------------------------------------------------------

def test_success_returns_decodable_mp3_that_grows_with_text(fake, settings):
    short, long = fetch(SHORT, settings), fetch(LONG, settings)
    s0, s1 = loud_span(short.mp3)
    l0, l1 = loud_span(long.mp3)
    assert abs((s1 - s0) - spoken_ms(SHORT) / 1000) < 0.05
    assert (l1 - l0) > (s1 - s0) + 2.0


def test_word_boundaries_are_parsed_and_agree_with_the_audio(fake, settings):
    got = fetch(LONG, settings)
    assert [w.text for w in got.words] == re.findall(r"\w+", LONG)
    offsets = [w.offset_ms for w in got.words]
    assert offsets == sorted(offsets) and all(w.duration_ms > 0 for w in got.words)
    start, end = loud_span(got.mp3)
    # the first word starts with the sound, the last ends with it (its "다." is the last char)
    assert abs(got.words[0].offset_ms / 1000 + MP3_DELAY_S - start) < 0.015
    last = got.words[-1]
    assert abs((last.offset_ms + last.duration_ms) / 1000 + MP3_DELAY_S - end) < 0.1
    assert got.words[0].offset_ms == pytest.approx(LEAD_S * 1000)


def test_ssml_carries_voice_rate_and_pitch(fake, settings):
    s = EdgeSettings(voice="ko-KR-InJoonNeural", rate=rate_for(1.25), pitch=pitch_hz(10))
    fetch(SHORT, s)
    (rec,) = fake.received
    assert (rec.text, rec.voice, rec.rate, rec.pitch) == (SHORT, "ko-KR-InJoonNeural", "+25%", "+10Hz")
    assert rec.word_boundaries and rec.output_format == "audio-24khz-48kbitrate-mono-mp3"
    assert "<prosody pitch='+10Hz' rate='+25%'" in rec.ssml
    assert "Microsoft Server Speech Text to Speech Voice (ko-KR, InJoonNeural)" in rec.ssml


def test_rate_makes_speech_shorter(fake, settings):
    normal = loud_span(fetch(LONG, settings).mp3)
    fast = loud_span(fetch(LONG, EdgeSettings(rate=rate_for(1.5))).mp3)
    assert (fast[1] - fast[0]) == pytest.approx((normal[1] - normal[0]) / 1.5, abs=0.06)


def test_markup_characters_arrive_as_text(fake, settings):
    text = "A&B <태그> 는 \"따옴표\" 입니다"
    fetch(text, settings)
    assert fake.requests == [text]


def test_max_chars_worst_case_is_one_request(fake, settings):
    text = "&" * (MAX_CHARS - 1) + "가"  # '&' is the longest once escaped (5 bytes)
    fetch(text, EdgeSettings(read_timeout=5))
    assert fake.requests == [text]  # edge-tts did not split it


def test_rejects_bad_input_before_connecting(fake, settings):
    with pytest.raises(ValueError, match="empty"):
        fetch("  ", settings)
    with pytest.raises(ValueError, match=f"at most {MAX_CHARS}"):
        fetch("가" * (MAX_CHARS + 1), settings)
    with pytest.raises(ValueError, match="Invalid rate '25%'"):
        fetch(SHORT, EdgeSettings(rate="25%"))
    with pytest.raises(ValueError, match="Invalid pitch '\\+2st'"):
        fetch(SHORT, EdgeSettings(pitch="+2st"))
    assert fake.handshakes == []


def test_concurrent_fetches_in_threads(fake, settings):
    texts = [f"{i}번째 문장입니다" for i in range(6)]
    results: dict[str, bytes] = {}

    def go(t):
        results[t] = fetch(t, settings).mp3

    threads = [threading.Thread(target=go, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(fake.requests) == sorted(texts)
    assert all(loud_span(results[t]) for t in texts)


# --- endpoint and token ------------------------------------------------------

def test_default_endpoint_is_microsofts():
    assert endpoint() == edge_tts.constants.WSS_URL
    assert endpoint().startswith("wss://speech.platform.bing.com/consumer/speech/synthesize/readaloud/edge/v1?")
    assert voices_endpoint() == edge_tts.constants.VOICE_LIST


def test_endpoint_env_var_and_derived_voice_list_url(fake, monkeypatch):
    assert endpoint() == fake.url
    assert voices_endpoint() == fake.voices_url
    monkeypatch.setenv(ENDPOINT_ENV, "ws://127.0.0.1:9/x/edge/v1")
    assert endpoint() == f"ws://127.0.0.1:9/x/edge/v1?TrustedClientToken={edge_tts.constants.TRUSTED_CLIENT_TOKEN}"
    assert voices_endpoint().startswith("http://127.0.0.1:9/x/voices/list?trustedclienttoken=")


def test_sec_ms_gec_token_is_checked_and_clock_skew_corrected(monkeypatch, settings):
    with FakeEdge(clock_offset=3600) as fake:  # the service's clock is an hour ahead
        monkeypatch.setenv(ENDPOINT_ENV, fake.url)
        assert fetch(SHORT, settings, sleep=Sleeps()).mp3
        # edge-tts read the 403's Date header, corrected its clock, and retried by itself
        assert outcomes(fake) == ["bad token", "accepted"]
        assert DRM.clock_skew_seconds == pytest.approx(3600, abs=2)


# --- faults ------------------------------------------------------------------

def test_refused_connection_is_retried_then_named(monkeypatch, settings):
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    sleeps = Sleeps()
    with pytest.raises(EngineError, match=r"cannot connect to 127\.0\.0\.1:\d+ \(connection refused; "
                                          r"offline\?\) after 4 attempts") as err:
        fetch(SHORT, settings, sleep=sleeps)
    assert len(sleeps) == 3 and "--engine espeak" in err.value.message
    assert err.value.exit_code == 3 and "\n" not in err.value.message


def test_stopped_fake_cannot_connect(fake, settings):
    fake.stop()
    with pytest.raises(EngineError, match="cannot connect"):
        fetch(SHORT, settings, sleep=Sleeps())


def test_handshake_403_is_not_retried_beyond_edge_tts_own_retry(fake, settings):
    fake.reject(403, times=5)
    sleeps = Sleeps()
    with pytest.raises(EngineError, match=r"refused the connection \(HTTP 403\) after 1 attempt: rate "
                                          r"limited, or the service changed its token rules"):
        fetch(SHORT, settings, sleep=sleeps)
    assert outcomes(fake) == ["rejected 403"] * 2  # edge-tts retries once after a clock check
    assert fake.pending_faults == 3 and sleeps == []


def test_one_403_is_absorbed_by_edge_tts(fake, settings):
    fake.reject(403)
    assert fetch(SHORT, settings).mp3
    assert outcomes(fake) == ["rejected 403", "accepted"]


def test_429_and_5xx_are_retried(fake, settings):
    fake.reject(429).reject(503).reject(500)
    sleeps = Sleeps()
    assert fetch(SHORT, settings, sleep=sleeps).mp3
    assert outcomes(fake) == ["rejected 429", "rejected 503", "rejected 500", "accepted"]
    assert len(sleeps) == 3
    assert all(0 <= s <= min(settings.max_backoff, settings.backoff * 2**i) for i, s in enumerate(sleeps))


def test_retry_after_is_honoured_and_capped(fake, settings):
    fake.reject(429, retry_after=0.02).reject(503, retry_after=100)
    sleeps = Sleeps()
    assert fetch(SHORT, settings, sleep=sleeps).mp3
    assert sleeps == [0.02, settings.max_backoff]


def test_persistent_503_exhausts_retries(fake, settings):
    fake.reject(503, times=10)
    with pytest.raises(EngineError, match=r"speech service error \(HTTP 503\) after 4 attempts"):
        fetch(SHORT, settings, sleep=Sleeps())
    assert fake.pending_faults == 6


def test_404_means_the_endpoint_changed(fake, settings):
    fake.reject(404, times=3)
    with pytest.raises(EngineError, match=r"did not open a speech stream \(HTTP 404\); the endpoint changed\?"):
        fetch(SHORT, settings, sleep=Sleeps())
    assert fake.pending_faults == 2


@pytest.mark.parametrize("fault", ["cut", "abort"])
def test_stream_that_stops_before_turn_end_is_retried_then_named(fake, settings, fault):
    getattr(fake, fault)(times=10)
    with pytest.raises(EngineError, match=r"the audio stream ended before turn\.end, \d+ bytes in "
                                          r"\(127\.0\.0\.1:\d+, 4 attempts\)"):
        fetch(LONG, settings, sleep=Sleeps())
    assert fake.pending_faults == 6


def test_cut_twice_then_the_whole_audio(fake, settings):
    fake.cut(times=2)
    got = fetch(LONG, settings, sleep=Sleeps())
    start, end = loud_span(got.mp3)
    assert abs((end - start) - spoken_ms(LONG) / 1000) < 0.05  # the complete answer, not a half
    assert len(fake.requests) == 3


def test_no_audio_retries_once_and_names_the_voice(fake, settings):
    fake.no_audio(times=10)
    with pytest.raises(EngineError, match=r"no audio received for voice 'ko-KR-SunHiNeural' \(2 attempts\); "
                                          r"check the voice name"):
        fetch(SHORT, settings, sleep=Sleeps())
    assert fake.pending_faults == 8


def test_voice_edge_does_not_serve_gets_no_audio(fake, settings):
    with pytest.raises(EngineError, match="no audio received for voice 'ko-KR-JiMinNeural'"):
        fetch(SHORT, EdgeSettings(voice="ko-KR-JiMinNeural"), sleep=Sleeps())


def test_unknown_answer_is_not_retried(fake, settings):
    fake.garble(times=3)
    with pytest.raises(EngineError, match=r"edge-tts did not understand the answer from 127\.0\.0\.1:\d+ "
                                          r"\(UnknownResponse: Unknown path received\); upgrade edge-tts"):
        fetch(SHORT, settings, sleep=Sleeps())
    assert fake.pending_faults == 2


def test_dropped_handshake(fake, settings):
    fake.drop(times=20)
    with pytest.raises(EngineError, match=r"the connection dropped \(ServerDisconnectedError\) "
                                          r"\(127\.0\.0\.1:\d+, 4 attempts\)"):
        fetch(SHORT, settings, sleep=Sleeps())
    assert outcomes(fake) == ["dropped"] * 8  # aiohttp reconnects once by itself


def test_unanswered_handshake_times_out(fake):
    fake.hang(times=2)
    s = EdgeSettings(read_timeout=0.3, retries=1, backoff=0.01)
    with pytest.raises(EngineError, match=r"timed out: no data for 0\.3s waiting for 127\.0\.0\.1:\d+ \(2 attempts\)"):
        fetch(SHORT, s, sleep=Sleeps())
    assert outcomes(fake) == ["hung", "hung"]


def test_slow_frames_within_read_timeout_succeed(fake, settings):
    fake.slow(0.02)
    assert fetch(SHORT, settings).mp3


def test_stalled_stream_times_out(fake):
    fake.slow(3.0, times=10)
    s = EdgeSettings(read_timeout=0.3, retries=1, backoff=0.01)
    t0 = time.monotonic()
    with pytest.raises(EngineError, match=r"timed out: no data for 0\.3s waiting for 127\.0\.0\.1:\d+ \(2 attempts\)"):
        fetch(SHORT, s, sleep=Sleeps())
    assert time.monotonic() - t0 < 2.5  # two stalls of 0.3 s, not two 3 s frames
    assert fake.pending_faults == 8


def test_total_deadline_is_honoured(fake):
    fake.slow(0.25, times=10)  # each frame in time, the whole answer too late
    s = EdgeSettings(read_timeout=1.0, total_deadline=0.6, retries=3)
    t0 = time.monotonic()
    with pytest.raises(EngineError, match=r"timed out: no complete answer from 127\.0\.0\.1:\d+ within the "
                                          r"0\.6s deadline \(1 attempt\)"):
        fetch(LONG, s, sleep=Sleeps())
    assert time.monotonic() - t0 < 2.0
    assert len(fake.handshakes) == 1


def test_no_retry_when_the_backoff_would_pass_the_deadline(fake, monkeypatch):
    monkeypatch.setattr(retry.random, "uniform", lambda a, b: b)  # the longest jittered wait
    fake.cut(times=5)
    sleeps = Sleeps()
    s = EdgeSettings(total_deadline=2.0, backoff=5.0, max_backoff=5.0)
    with pytest.raises(EngineError, match=r"before turn\.end.*1 attempt\)"):
        fetch(SHORT, s, sleep=sleeps)
    assert sleeps == [] and len(fake.handshakes) == 1


def test_unresolvable_host_gives_up_after_one_retry(monkeypatch):
    """No DNS means offline: one quick retry, then a clear cause (.invalid never resolves)."""
    monkeypatch.setenv(ENDPOINT_ENV, "ws://audioessay-test.invalid/consumer/edge/v1")
    with pytest.raises(EngineError, match=r"cannot reach audioessay-test\.invalid \(host name could not be "
                                          r"resolved; offline\?\) after 2 attempts"):
        fetch(SHORT, EdgeSettings(backoff=0.01))


# --- cancellation --------------------------------------------------------------

def test_cancelled_before_start_sends_nothing(fake, settings):
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        fetch(SHORT, settings, cancelled=stop)
    assert fake.handshakes == []


def test_cancel_during_a_slow_stream(fake):
    fake.slow(0.3)  # ~ 3 s for the whole answer
    stop = threading.Event()
    threading.Timer(0.4, stop.set).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        fetch(LONG, EdgeSettings(read_timeout=5), cancelled=stop)
    assert time.monotonic() - t0 < 1.5
    assert len(fake.requests) == 1


def test_cancel_cuts_a_backoff_wait_short(fake, monkeypatch):
    monkeypatch.setattr(retry.random, "uniform", lambda a, b: b)
    fake.cut(times=5)
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        fetch(SHORT, EdgeSettings(backoff=20, max_backoff=20), cancelled=stop)  # waits on `stop`
    assert time.monotonic() - t0 < 3
    assert len(fake.handshakes) == 1


# --- probe and voice list ---------------------------------------------------------

def test_probe_true_against_fake(fake, settings):
    ok, msg = probe(settings)
    assert ok and msg.startswith("Microsoft Edge TTS answered in ") and msg.endswith(" s")
    assert fake.requests == ["안녕"]


def test_probe_false_and_never_retries(fake, settings):
    fake.reject(503, times=3)
    ok, msg = probe(settings)
    assert not ok and msg.startswith("Microsoft Edge TTS unreachable: ") and "HTTP 503" in msg
    assert len(fake.handshakes) == 1


def test_probe_false_against_closed_port(monkeypatch, settings):
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    ok, msg = probe(settings)
    assert not ok and "cannot connect" in msg and "1 attempt" in msg


def test_voice_list_comes_from_the_fake_over_http(fake):
    fake.voices.append({**fake.voices[0], "ShortName": "ko-KR-TestNeural"})
    got = fetch_voice_list()
    assert [v["ShortName"] for v in got][-1] == "ko-KR-TestNeural"
    assert outcomes(fake) == ["voices"]


def test_voice_list_unreachable_raises_engine_error(monkeypatch):
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    with pytest.raises(EngineError, match=r"^edge voice list unavailable from 127\.0\.0\.1:\d+: connection refused$"):
        fetch_voice_list(timeout=1)


def test_voice_list_rejected(fake):
    fake.voices_status = 403
    with pytest.raises(EngineError, match=r"voice list unavailable from 127\.0\.0\.1:\d+: HTTP 403$"):
        fetch_voice_list()
    assert outcomes(fake) == ["rejected 403"] * 2  # edge-tts retries once after a clock check


# --- rate and pitch strings ---------------------------------------------------------

@pytest.mark.parametrize(("speed", "rate"), [(1.0, "+0%"), (1.25, "+25%"), (0.8, "-20%"), (0.5, "-50%"),
                                             (2.0, "+100%"), (1.333, "+33%")])
def test_rate_for(speed, rate):
    assert rate_for(speed) == rate


@pytest.mark.parametrize(("hz", "pitch"), [(0, "+0Hz"), (15, "+15Hz"), (-8.4, "-8Hz"), (50, "+50Hz"),
                                           (-50, "-50Hz")])
def test_pitch_hz(hz, pitch):
    assert pitch_hz(hz) == pitch


def test_out_of_range_speed_is_refused():
    for bad in (0.49, 2.01, 0):
        with pytest.raises(ValueError, match="speed"):
            rate_for(bad)


def test_every_rate_and_pitch_string_is_accepted_by_edge_tts():
    for speed in np.linspace(0.5, 2.0, 31):
        for hz in (-50, -3.5, 0, 0.4, 7, 50):  # voice.pitch: -50 to 50 Hz
            edge_tts.Communicate("가", "ko-KR-SunHiNeural", rate=rate_for(float(speed)), pitch=pitch_hz(hz))
