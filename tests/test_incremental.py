"""Re-rendering is proportional to the edit: engine calls are counted at the (local) gTTS endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audioessay.util import ffmpeg
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.speech.cache import Cache
from audioessay.export import id3
from fake_gtts import FakeGtts

SECTIONS = {
    "하나": "첫 문장이다. 둘째 문장이다. 셋째 문장이다.",
    "둘": "넷째 문장이 조금 더 길다. 다섯째 문장이다.",
    "셋": "여섯째 문장이다.",
}
N = 6 + 3  # sentences + headings


def write(tmp_path: Path, sections=SECTIONS, extra: str = "") -> Path:
    body = "".join(f"  - title: {t}\n    text: {x}\n" for t, x in sections.items())
    p = tmp_path / "ep.yaml"
    p.write_text(f"title: t\nvoice: {{engine: gtts, concurrency: 2}}\n{extra}sections:\n{body}", encoding="utf-8")
    return p


@pytest.fixture
def fake(monkeypatch):
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    with FakeGtts() as server:
        monkeypatch.setenv("AUDIOESSAY_GTTS_URL", server.url)
        yield server


def calls(fake: FakeGtts, path: Path, cache: Cache, **kw) -> tuple[int, render.Result]:
    before = len(fake.requests)
    result = render.render(script.load(path), cache=cache, **kw)
    return len(fake.requests) - before, result


def test_edit_one_sentence_costs_one_call(fake, tmp_path):
    cache = Cache(tmp_path / "cache")
    n, first = calls(fake, write(tmp_path), cache)
    assert n == N and first.synthesized == N and first.reused == 0
    edited = dict(SECTIONS, 둘="넷째 문장이 조금 더 길다. 다섯째 문장을 고쳤다.")
    n, second = calls(fake, write(tmp_path, edited), cache)
    assert n == 1 and second.synthesized == 1 and second.reused == N - 1


def test_speed_change_misses_every_entry(fake, tmp_path):
    cache = Cache(tmp_path / "cache")
    calls(fake, write(tmp_path), cache)
    path = write(tmp_path).read_text(encoding="utf-8").replace("concurrency: 2", "concurrency: 2, speed: 1.2")
    (tmp_path / "ep.yaml").write_text(path, encoding="utf-8")
    n, _ = calls(fake, tmp_path / "ep.yaml", cache)
    assert n == N


def test_reorder_sections_costs_nothing_and_audio_follows(fake, tmp_path):
    cache = Cache(tmp_path / "cache")
    calls(fake, write(tmp_path), cache)
    first = id3.read_tags(tmp_path / "ep.mp3").chapters
    reordered = {k: SECTIONS[k] for k in ("셋", "하나", "둘")}
    n, _ = calls(fake, write(tmp_path, reordered), cache)
    assert n == 0
    second = id3.read_tags(tmp_path / "ep.mp3").chapters
    assert [c.title for c in second] == ["셋", "하나", "둘"]
    length = {c.title: c.end_ms - c.start_ms for c in first}
    length2 = {c.title: c.end_ms - c.start_ms for c in second}
    # the same audio per section, now in the new order (last chapter's tail pause differs)
    assert abs(length["하나"] - length2["하나"]) < 50


def test_truncated_entry_is_resynthesized(fake, tmp_path):
    cache = Cache(tmp_path / "cache")
    calls(fake, write(tmp_path), cache)
    entry = sorted((tmp_path / "cache").rglob("*.aec"))[0]
    entry.write_bytes(entry.read_bytes()[:100])
    n, result = calls(fake, write(tmp_path), cache, force=True)
    assert n == 1 and result.synthesized == 1


def test_up_to_date_and_force(fake, tmp_path):
    cache = Cache(tmp_path / "cache")
    calls(fake, write(tmp_path), cache)
    n, result = calls(fake, write(tmp_path), cache)
    assert result.up_to_date and n == 0
    (tmp_path / "ep.vtt").unlink()  # a deleted sidecar is rebuilt, from the cache
    n, result = calls(fake, write(tmp_path), cache)
    assert not result.up_to_date and n == 0 and (tmp_path / "ep.vtt").is_file()
    n, result = calls(fake, write(tmp_path), cache, force=True)
    assert not result.up_to_date and n == 0 and result.reused == N
    # a change outside the text that affects the audio (a pause) re-renders without engine calls
    n, result = calls(fake, write(tmp_path, extra="pauses: {sentence: 700}\n"), cache)
    assert not result.up_to_date and n == 0


def test_no_cache_and_refresh(fake, tmp_path):
    cache = Cache(tmp_path / "cache")
    calls(fake, write(tmp_path), cache)
    n, _ = calls(fake, write(tmp_path), Cache(tmp_path / "cache", enabled=False), force=True)
    assert n == N
    n, _ = calls(fake, write(tmp_path), Cache(tmp_path / "cache", refresh=True), force=True)
    assert n == N
    n, _ = calls(fake, write(tmp_path), cache, force=True)
    assert n == 0


def test_two_concurrent_renders_both_valid(tmp_path):
    """Two processes render the same script into the same cache at once (espeak)."""
    path = write(tmp_path).read_text(encoding="utf-8").replace("engine: gtts", "engine: espeak")
    (tmp_path / "ep.yaml").write_text(path, encoding="utf-8")
    env = {**os.environ, "AUDIOESSAY_CACHE_DIR": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-m", "audioessay", "render", str(tmp_path / "ep.yaml"),
                               "-o", str(tmp_path / out), "-q"], env=env, stderr=subprocess.PIPE, text=True)
             for out in ("a.mp3", "b.mp3")]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    a = ffmpeg.decode(str(tmp_path / "a.mp3"), 44100)
    b = ffmpeg.decode(str(tmp_path / "b.mp3"), 44100)
    assert len(a) > 44100 * 3 and abs(len(a) - len(b)) < 2000
    assert not list((tmp_path / "cache").rglob("*.part"))
