"""The gtts engine inside a real render: the real gTTS library over HTTP to a local endpoint,
with faults injected. Each case ends in a correct MP3 or a clean exit 3 with the old MP3 kept."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from audioessay.util import ffmpeg
from fake_gtts import FakeGtts
from test_outputs import stand_in_episode

SCRIPT = """\
title: 시험 방송
voice:
  engine: {engine}
  timeout: {timeout}
  retries: {retries}
  concurrency: {concurrency}
sections:
  - title: 첫째 부분
    text: |
      2025년 5월에 3번째로 개봉한다. 반갑다.

      반갑다.
  - title: 둘째 부분
    text: |
      그렇다면 우리는 앞으로 인공지능의 진화속도를 못 따라잡아서 인공지능에게 지배당하는 건 아닌지 기우에 지나지 않는 생각이겠지만 요즘 명령을 내리면 자기 스스로 판단해서 나의 지시나 요구를 따르지 않는다.
      AI 시대를 살아가는 우리 모두에게 깊은 울림을 남긴다.
"""


def make_script(tmp_path: Path, *, engine="gtts", timeout=5, retries=3, concurrency=2) -> Path:
    p = tmp_path / "ep.yaml"
    p.write_text(SCRIPT.format(engine=engine, timeout=timeout, retries=retries, concurrency=concurrency),
                 encoding="utf-8")
    return p


def render(script: Path, fake_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUDIOESSAY_GTTS_URL": fake_url,
           "AUDIOESSAY_CACHE_DIR": str(script.parent / "cache")}
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(proxy, None)
    return subprocess.run([sys.executable, "-m", "audioessay", "render", str(script), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def seconds(mp3: Path) -> float:
    return len(ffmpeg.decode(str(mp3), 44100)) / 44100


def test_render_through_local_endpoint(tmp_path):
    script = make_script(tmp_path)
    with FakeGtts() as fake:
        proc = render(script, fake.url)
        sent = fake.requests
    assert proc.returncode == 0, proc.stderr
    # every request is at most gTTS's 100 characters and ends on a word boundary
    assert all(0 < len(t) <= 100 for t in sent)
    # the spoken (normalized) form is what Google receives
    assert any("이천이십오 년 오월에 세 번째로" in t for t in sent)
    assert any("에이아이 시대" in t for t in sent)
    # "반갑다." appears twice in the script but is requested once
    assert sent.count("반갑다.") == 1
    assert len(sent) == len(set(sent))
    # the fake speaks 70 ms per character: the episode holds all of it, plus pauses
    total_speech = sum(len(t) for t in sent) * 0.070
    assert total_speech < seconds(tmp_path / "ep.mp3") < total_speech + 15
    assert "engine gtts" in proc.stdout


def test_auto_picks_gtts_when_endpoint_answers(tmp_path):
    script = make_script(tmp_path, engine="auto")
    with FakeGtts() as fake:
        proc = render(script, fake.url)
    assert proc.returncode == 0, proc.stderr
    assert "engine: gtts (Google TTS answered" in proc.stderr


def test_429_three_times_then_success(tmp_path):
    script = make_script(tmp_path, concurrency=1)
    with FakeGtts() as fake:
        fake.status(429, times=3)
        proc = render(script, fake.url)
        assert len(fake.requests) == len(set(fake.requests)) + 3
    assert proc.returncode == 0, proc.stderr
    assert seconds(tmp_path / "ep.mp3") > 5


def test_intermittent_500s_and_reset(tmp_path):
    script = make_script(tmp_path, concurrency=1)
    with FakeGtts() as fake:
        fake.status(500).reset().status(503)
        proc = render(script, fake.url)
        assert fake.pending_faults == 0  # every injected fault was met and retried past
        sent = len(fake.requests)
    assert proc.returncode == 0, proc.stderr
    assert sent >= 3 + 3  # 3 utterances, each once, plus one retry per fault


@pytest.mark.parametrize("fault, cause", [
    (lambda f: f.hang(times=10), "timed out"),
    (lambda f: f.malformed(times=10), "without audio"),
    (lambda f: f.status(429, times=10), "rate limited"),
])
def test_persistent_fault_exits_3_and_keeps_previous_mp3(tmp_path, fault, cause):
    script = make_script(tmp_path, timeout=1, retries=1, concurrency=1)
    out = tmp_path / "ep.mp3"
    previous = stand_in_episode(out)
    with FakeGtts() as fake:
        fault(fake)
        proc = render(script, fake.url)
    assert proc.returncode == 3, proc.stderr
    assert cause in proc.stderr and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "section 1 (첫째 부분)" in errors[0]
    assert out.read_bytes() == previous


def test_server_going_away_mid_render_then_resume_from_cache(tmp_path):
    full = make_script(tmp_path / "full" if (tmp_path / "full").mkdir() is None else None)
    with FakeGtts() as fake:
        assert render(full, fake.url).returncode == 0
        total = len(fake.requests)
    script = make_script(tmp_path, retries=1, concurrency=1)
    out = tmp_path / "ep.mp3"
    previous = stand_in_episode(out)
    with FakeGtts(latency=0.05) as fake:
        def stop_after_three():
            while len(fake.requests) < 3:
                time.sleep(0.005)
            fake.stop()
        threading.Thread(target=stop_after_three, daemon=True).start()
        proc = render(script, fake.url)
        done_before = len(fake.requests)
    assert proc.returncode == 3, proc.stderr
    assert "cannot reach" in proc.stderr
    assert out.read_bytes() == previous
    assert not list(tmp_path.glob("*.part"))
    # next run: finished sentences come from the cache, only the rest is requested
    with FakeGtts() as fake:
        proc = render(script, fake.url)
        again = fake.requests
    assert proc.returncode == 0, proc.stderr
    assert done_before >= 3
    assert 0 < len(again) <= total - 2  # at least the two answered before the stop were kept
    assert seconds(out) > 5


def silent_runs_ms(samples, rate: int, floor_db: float = -55.0) -> list[int]:
    """Lengths (ms) of the stretches quieter than floor_db, in 5 ms windows."""
    import numpy as np

    win = rate // 200
    x = samples[: len(samples) // win * win, 0].reshape(-1, win)
    quiet = 20 * np.log10(np.sqrt(np.mean(x ** 2, axis=1)) + 1e-9) < floor_db
    runs, n = [], 0
    for q in quiet:
        if q:
            n += 1
        elif n:
            runs.append(n * 5)
            n = 0
    return runs


def test_google_edge_silence_is_trimmed_so_pauses_are_exact(tmp_path):
    """The fake answers with 200 ms + 250 ms of silence around each text, like Google;
    the gaps in the episode must be the script's pauses, not pause + 450 ms."""
    p = tmp_path / "ep.yaml"
    p.write_text("title: t\nvoice: {engine: gtts}\npauses: {title: 700, sentence: 1000}\n"
                 "sections:\n  - title: 하나\n    text: 첫 문장이다. 둘째 문장이다. 셋째 문장이다.\n",
                 encoding="utf-8")
    with FakeGtts() as fake:
        proc = render(p, fake.url)
    assert proc.returncode == 0, proc.stderr
    samples = ffmpeg.decode(str(tmp_path / "ep.mp3"), 44100)
    gaps = [g for g in silent_runs_ms(samples, 44100) if g >= 300]
    # the title pause, then two sentence pauses (the tail runs to the end, uncounted);
    # 30 ms of each clip's edge is kept, so a gap is the pause + ~60 ms, never + 450 ms
    assert len(gaps) == 3, gaps
    assert abs(gaps[0] - 700) <= 90 and all(abs(g - 1000) <= 90 for g in gaps[1:])
