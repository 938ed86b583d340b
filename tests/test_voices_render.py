"""Voices in a real render: the edge engine through the real edge-tts library against the
local fake service, a voice per section, `voices`, and an episode that keeps its voice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from audioessay.util import ffmpeg
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.speech.cache import Cache
from audioessay.speech.engines.edge_client import ENDPOINT_ENV
from audioessay.errors import EngineError
from fake_edge import FakeEdge, closed_port, isolate_edge_tts
from fake_gtts import FakeGtts
from test_outputs import stand_in_episode

EPISODE = """\
title: 목소리 시험
voice: {{engine: {engine}, edge: {{retries: 1, timeout: 2, deadline: 8}}}}
sections:
  - title: 하나
    text: 첫 문장이다. 둘째 문장이다.
  - title: 둘
{second}    text: 셋째 문장이다.
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, no_proxy):
    isolate_edge_tts(monkeypatch, ENDPOINT_ENV)


@pytest.fixture
def edge(monkeypatch):
    with FakeEdge() as server:
        monkeypatch.setenv(ENDPOINT_ENV, server.url)
        yield server


def episode(write_script, engine="edge", second=""):
    return write_script(EPISODE.format(engine=engine, second=second))


def test_edge_renders_with_the_requested_voice(edge, write_script, tmp_path):
    path = episode(write_script, second="    voice: {name: ko-KR-InJoonNeural, speed: 1.2}\n")
    result = render.render(script.load(path), cache=Cache(tmp_path / "c"))
    assert result.engine == "edge"
    voices = {r.text: (r.voice, r.rate) for r in edge.received}
    assert voices["첫 문장이다."][0].endswith("SunHiNeural")
    assert voices["셋째 문장이다."] == (voices["셋째 문장이다."][0], "+20%")
    assert voices["셋째 문장이다."][0].endswith("InJoonNeural")
    audio = ffmpeg.decode(str(result.output), 44100)
    assert abs(len(audio) / 44.1 - result.duration_ms) < 60 and abs(audio).max() > 0.1


def test_changing_one_sections_voice_resynthesizes_only_that_section(edge, write_script, tmp_path):
    cache = Cache(tmp_path / "c")
    render.render(script.load(episode(write_script)), cache=cache)
    before = len(edge.requests)
    changed = episode(write_script, second="    voice: {name: ko-KR-InJoonNeural}\n")
    result = render.render(script.load(changed), cache=cache)
    sent = edge.requests[before:]
    assert sorted(sent) == ["둘", "셋째 문장이다."]  # the heading and sentence of section 2 only
    assert result.synthesized == 2 and result.reused == 3


@pytest.mark.parametrize("fault, cause", [
    (lambda f: f.reject(403, times=5), "HTTP 403"),
    (lambda f: f.cut(times=10), "ended before"),
    (lambda f: f.no_audio(times=10), "no audio"),
])
def test_edge_faults_exit_3_and_keep_the_previous_mp3(edge, write_script, tmp_path, fault, cause):
    path = episode(write_script)
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)
    fault(edge)
    with pytest.raises(EngineError, match=cause) as info:
        render.render(script.load(path), cache=Cache(tmp_path / "c"), force=True)
    assert info.value.exit_code == 3 and "\n" not in info.value.message
    assert out.read_bytes() == previous


def cli(*args, env=None):
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "audioessay", *args], capture_output=True, text=True,
                          env=full, timeout=120)


def test_edge_offline_exits_3_quickly_and_touches_nothing(write_script, tmp_path):
    path = episode(write_script)
    env = {ENDPOINT_ENV: f"ws://127.0.0.1:{closed_port()}/edge/v1", "AUDIOESSAY_CACHE_DIR": str(tmp_path / "c")}
    t0 = time.monotonic()
    proc = cli("render", str(path), env=env)
    assert proc.returncode == 3, proc.stderr
    assert time.monotonic() - t0 < 15
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "cannot connect" in errors[0] and "Traceback" not in proc.stderr
    assert not path.with_suffix(".mp3").exists()


def test_voices_json_lists_korean_voices_first(tmp_path):
    proc = cli("voices", "--json", env={ENDPOINT_ENV: f"ws://127.0.0.1:{closed_port()}/edge/v1",
                                        "AUDIOESSAY_GTTS_URL": f"http://127.0.0.1:{closed_port()}/x"})
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    names = [r["name"] for r in rows]
    assert {"ko-KR-SunHiNeural", "ko-KR-InJoonNeural", "m3"} <= set(names)
    from audioessay.config.engines import registered
    assert {r["engine"] for r in rows} == set(registered())  # every registered engine is listed
    korean = [r["locale"].startswith("ko") for r in rows]
    assert korean == sorted(korean, reverse=True)  # every Korean voice before the others
    espeak = next(r for r in rows if r["engine"] == "espeak")
    assert espeak["usable"] == "bundled"
    assert next(r for r in rows if r["engine"] == "edge")["usable"].startswith("unreachable")


def test_auto_keeps_the_voice_of_a_published_episode(write_script, tmp_path):
    """Voiced online by gtts (edge unreachable), then offline: exit 3 naming gtts, MP3 byte for byte."""
    path = episode(write_script, engine="auto")
    env = {ENDPOINT_ENV: f"ws://127.0.0.1:{closed_port()}/edge/v1", "AUDIOESSAY_CACHE_DIR": str(tmp_path / "c")}
    with FakeGtts() as gtts:
        first = cli("render", str(path), env={**env, "AUDIOESSAY_GTTS_URL": gtts.url})
        assert first.returncode == 0, first.stderr
        assert "engine gtts" in first.stdout
        # Up to date: no network asked, even though auto would probe.
        sent = len(gtts.requests)
        again = cli("render", str(path), env={**env, "AUDIOESSAY_GTTS_URL": gtts.url})
        assert again.returncode == 0 and "up to date" in again.stdout and len(gtts.requests) == sent
    published = path.with_suffix(".mp3").read_bytes()
    offline = {**env, "AUDIOESSAY_GTTS_URL": f"http://127.0.0.1:{closed_port()}/x"}
    edited = path.read_text(encoding="utf-8").replace("셋째 문장이다.", "셋째 문장이 바뀌었다.")
    path.write_text(edited, encoding="utf-8")
    for args in ([], ["--force"]):
        proc = cli("render", str(path), *args, env=offline)
        assert proc.returncode == 3, proc.stderr
        assert "was voiced by gtts" in proc.stderr and "--engine espeak" in proc.stderr
        assert path.with_suffix(".mp3").read_bytes() == published
    proc = cli("render", str(path), "--engine", "espeak", env=offline)  # on purpose: allowed
    assert proc.returncode == 0, proc.stderr


def test_edge_word_timings_reach_the_json_transcript_and_survive_the_cache(edge, write_script, tmp_path):
    import json

    path = write_script("title: 시험\nvoice: {engine: edge}\nsections:\n  - title: 하나\n"
                        "    text: 오늘은 조용한 밤이다. 2025년에 다시 본다.\n")
    cache = Cache(tmp_path / "c")

    def segments():
        return json.loads(path.with_suffix(".transcript.json").read_text(encoding="utf-8"))["segments"]

    first = render.render(script.load(path), cache=cache)
    cue = next(c for c in first.timeline.cues if c.text == "오늘은 조용한 밤이다.")
    assert [w for _, _, w in cue.words] == ["오늘은", "조용한", "밤이다"]
    assert all(cue.start_ms <= a < b <= cue.end_ms for a, b, _ in cue.words)  # inside its cue
    assert [a for a, _, _ in cue.words] == sorted(a for a, _, _ in cue.words)
    number = next(c for c in first.timeline.cues if c.text.startswith("2025년"))
    assert number.words == ()  # spoken as 이천이십오 년: the transcript keeps the written words
    bodies = [s["body"] for s in segments()]
    assert "조용한" in bodies and "2025년에 다시 본다." in bodies
    sent = len(edge.requests)
    again = render.render(script.load(path), cache=cache, force=True)  # every clip from the cache
    assert len(edge.requests) == sent
    assert next(c for c in again.timeline.cues if c.text == cue.text).words == cue.words
