"""Nothing lost, nothing hangs: SIGKILL at many moments leaves the previous episode or the
new one, whole (MP3 and sidecars together); silence from an engine and Ctrl-C are clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydub import AudioSegment

from audioessay.episode import render
from audioessay.episode import outputs
from audioessay.script import loader as script
from audioessay.errors import EngineError
from audioessay.export import id3
from audioessay.export.sidecars import sidecar_paths
from fake_gtts import FakeGtts
from test_outputs import stand_in_episode

EPISODE = """\
title: 시험
voice: {{engine: espeak}}
sections:
  - title: 하나
    text: {text}
"""


def sidecars_belong(mp3: Path) -> bool:
    """The sidecars beside `mp3` are the ones written with it (the digest it records)."""
    stored = dict(id3.read_tags(mp3).extra)
    return outputs.sidecars_match(mp3, stored)


def test_sigkill_at_twenty_moments_never_mixes_episodes(tmp_path):
    env = {**os.environ, "AUDIOESSAY_CACHE_DIR": str(tmp_path / "cache")}
    path = tmp_path / "ep.yaml"
    path.write_text(EPISODE.format(text="첫 번째 판이다. 짧은 글이다."), encoding="utf-8")
    cmd = [sys.executable, "-m", "audioessay", "render", str(path), "--force", "-q"]
    t0 = time.monotonic()
    subprocess.run(cmd, env=env, check=True, timeout=120)
    whole = time.monotonic() - t0
    mp3 = path.with_suffix(".mp3")
    versions = {mp3.read_bytes()}
    assert sidecars_belong(mp3)
    for n in range(20):
        path.write_text(EPISODE.format(text=f"{n + 2}번째 판이다. 짧은 글이다."), encoding="utf-8")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * 1.6 * (n + 1) / 21)  # from early on to after a whole render
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        data = mp3.read_bytes()
        assert sidecars_belong(mp3), f"kill {n}: the sidecars do not belong to the MP3"
        versions.add(data)
    assert len(versions) >= 2  # some kills came after the commit: the new episode is whole too
    # The next render cleans what a killed one left only when it is stale; never a broken MP3.
    subprocess.run(cmd, env=env, check=True, timeout=120)
    assert sidecars_belong(mp3)


def test_an_engine_that_returns_silence_is_exit_3(fake_engine, write_script, cache):
    fake_engine.synthesize = lambda text, cancelled=None: AudioSegment.silent(800, frame_rate=16000)
    path = write_script("title: t\nvoice: {engine: fake}\nsections:\n  - title: 하나\n    text: 안녕하세요.\n")
    with pytest.raises(EngineError, match="returned silence for speech") as info:
        render.render(script.load(path), cache=cache)
    assert info.value.exit_code == 3
    assert not path.with_suffix(".mp3").exists()


def test_ctrl_c_during_slow_gtts_requests_exits_130_within_two_seconds(tmp_path, no_proxy):
    path = tmp_path / "ep.yaml"
    body = " ".join(f"이것은 {n}번째 문장이다." for n in range(1, 30))
    path.write_text(f"title: t\nvoice: {{engine: gtts, retries: 4, timeout: 30}}\nsections:\n"
                    f"  - title: 하나\n    text: {body}\n", encoding="utf-8")
    out = path.with_suffix(".mp3")
    previous = stand_in_episode(out)  # a render's (it carries the tags): the render may replace it
    with FakeGtts() as fake:
        fake.latency = 20  # every request hangs far longer than the test
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(AUDIOESSAY_GTTS_URL=fake.url, AUDIOESSAY_CACHE_DIR=str(tmp_path / "cache"))
        proc = subprocess.Popen([sys.executable, "-m", "audioessay", "render", str(path)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not fake.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.requests, "no request reached the fake endpoint"
        proc.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        time.sleep(0.1)
        proc.send_signal(signal.SIGINT)  # a second Ctrl-C is quiet
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - t0
    assert proc.returncode == 130, err
    assert took < 2.0, took
    assert "Traceback" not in err and "interrupted" in err
    assert out.read_bytes() == previous
