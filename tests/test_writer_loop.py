"""The writer's loop: init from the bare essay, a Markdown post rendered directly, validate,
preview of one section, and watch re-rendering on save."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from audioessay.util import ffmpeg
from audioessay.script import importer
from audioessay.episode import render
from audioessay.script import loader as script
from conftest import ROOT

HER_TEXT = (ROOT / "scripts" / "her.txt").read_text(encoding="utf-8")  # the seed essay, as given
TITLES = ["디지털 시대의 외로움, 새로운 사랑의 형태", "인공지능과 감정, 무엇이 진짜인가?", "관계의 회복과 인간다움에 대한 사색"]

POST = """\
---
title: 〈HER〉 다시 보기
author: 김작가
voice: {engine: fake}
---

# 〈HER〉 다시 보기

## 외로움

테오도르는 **편지**를 대신 써 준다. 자세한 [리뷰](https://example.com/her)는 블로그에 있다.

- 첫째, 고립
- 둘째, 연결

## 사랑

> 사랑은 사회적으로 용인되는 광기다.

![포스터](poster.jpg) 그 말이 오래 남는다. https://example.com/long/path?x=1
"""


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audioessay", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ})


def test_init_then_render_the_bare_seed_text(tmp_path):
    essay = tmp_path / "her.txt"
    essay.write_text(HER_TEXT, encoding="utf-8")
    made = _main("init", str(essay))
    assert made.returncode == 0, made.stderr
    spec = script.load(tmp_path / "her.yaml")
    assert [s.title for s in spec.sections] == TITLES
    words = lambda t: "".join(t.split())  # noqa: E731
    body = "".join(words(s.title) + words(s.text) for s in spec.sections)
    assert body == words(HER_TEXT)  # every word of the essay, in order
    again = _main("init", str(essay))
    assert again.returncode == 2 and "already exists; use --force" in again.stderr
    assert _main("init", str(essay), "--force").returncode == 0


def test_validate_exit_codes(write_script):
    good = write_script("title: t\nsections:\n  - title: a\n    text: 가.\n")
    ok = _main("validate", str(good))
    assert ok.returncode == 0 and ok.stdout.strip() == "ok"
    bad = write_script("title: t\nvoice: {speed: fast}\npauses: {sentence: -1}\nsections:\n  - title: a\n", "b.yaml")
    proc = _main("validate", str(bad))
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert proc.returncode == 2 and len(errors) == 3 and "Traceback" not in proc.stderr
    assert f"{bad}:2: voice.speed" in errors[0] and f"{bad}:3: pauses.sentence" in errors[1]


def test_markdown_post_renders_like_init_then_render(fake_engine, tmp_path, cache):
    post = tmp_path / "post.md"
    post.write_text(POST, encoding="utf-8")
    direct = render.render(script.load(post), cache=cache)
    yaml_text = importer.import_essay(POST, str(post))
    made = tmp_path / "made.yaml"
    made.write_text(yaml_text, encoding="utf-8")
    via_init = render.render(script.load(made), cache=cache)
    a = ffmpeg.decode(str(direct.output), 44100)
    b = ffmpeg.decode(str(via_init.output), 44100)
    assert a.shape == b.shape and np.array_equal(a, b)
    spoken = " ".join(fake_engine.calls)
    for markup in ("**", "](", "https", "example.com", "poster", "> ", "- 첫째", "#"):
        assert markup not in spoken, markup
    cues = [c.text for c in direct.timeline.cues]
    assert "외로움" in cues and "사랑" in cues and not any("**" in c or "http" in c for c in cues)


def test_preview_matches_the_section_in_the_episode(fake_engine, tmp_path, cache):
    shutil.copy(ROOT / "audio" / "ambient_pad.ogg", tmp_path / "bed.ogg")
    path = tmp_path / "ep.yaml"
    path.write_text("title: t\nvoice: {engine: fake}\nmusic: {file: bed.ogg}\nintro: 2000\noutro: 2000\n"
                    "sections:\n  - title: 하나\n    text: 첫 문장이다. 둘째 문장이다.\n"
                    "  - title: 둘\n    text: 셋째 문장이다. 넷째 문장은 조금 길다. 다섯째.\n"
                    "  - title: 셋\n    text: 끝이다.\n", encoding="utf-8")
    spec = script.load(path)
    full = render.render(spec, cache=cache)
    calls = len(fake_engine.calls)
    one = render.preview(spec, "둘", output=tmp_path / "p.mp3", cache=cache)
    assert len(fake_engine.calls) == calls  # the same sentence audio, from the cache
    section = [c for c in full.timeline.cues if c.section == 1]
    mine = list(one.timeline.cues)
    assert [c.text for c in mine] == [c.text for c in section]
    base_full, base_mine = section[0].start_ms, mine[0].start_ms
    for f, m in zip(section, mine):  # same clips and pauses: same offsets within the section
        assert abs((f.start_ms - base_full) - (m.start_ms - base_mine)) <= 2
        assert abs((f.end_ms - f.start_ms) - (m.end_ms - m.start_ms)) <= 2
    decoded = ffmpeg.decode(str(one.output), 44100)
    assert abs(len(decoded) / 44.1 - one.timeline.duration_ms) < 60
    assert _main("preview", str(path), "--section", "9", "-o", str(tmp_path / "x.mp3")).returncode == 2


def test_watch_rerenders_on_save_and_survives_a_broken_edit(tmp_path):
    path = tmp_path / "ep.yaml"
    good = "title: t\nvoice: {engine: espeak}\nsections:\n  - title: 하나\n    text: {text}\n"
    path.write_text(good.replace("{text}", "첫 문장이다."), encoding="utf-8")
    env = {**os.environ, "AUDIOESSAY_CACHE_DIR": str(tmp_path / "cache"), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "audioessay", "watch", str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []

    def wait_for(pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if pattern in line:
                return line
        raise AssertionError(f"no {pattern!r} in {lines}")

    try:
        wait_for("start:")
        time.sleep(0.5)
        path.write_text(good.replace("{text}", "둘째 문장이다."), encoding="utf-8")
        changed = wait_for("ep.yaml")
        assert "1 synthesized" in changed
        path.write_text("title: t\nsections: [\n", encoding="utf-8")  # a broken edit
        wait_for("failed")
        wait_for("waiting for the next save")
        path.write_text(good.replace("{text}", "셋째 문장이다."), encoding="utf-8")
        wait_for("synthesized")
        assert proc.poll() is None  # still watching
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 130
    assert not any("Traceback" in ln for ln in lines)
    assert path.with_suffix(".mp3").exists()


def test_a_large_mp3_given_to_render_is_named_as_an_mp3(tmp_path):
    from audioessay.util import ffmpeg as ff

    mp3 = tmp_path / "episode.mp3"
    ff.run(["-f", "lavfi", "-i", "anoisesrc=d=200:r=22050", "-c:a", "libmp3lame", "-b:a", "128k", "-y", str(mp3)])
    assert mp3.stat().st_size > 2_000_000  # larger than a script may be
    proc = _main("render", str(mp3))
    assert proc.returncode == 2 and "looks like an MP3 file, not a script" in proc.stderr
    assert "Traceback" not in proc.stderr
