"""End to end: the CLI renders the sample on the embedded voice; the MP3 is decoded and measured."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3

from audioessay.util import ffmpeg
from audioessay.export import id3
from soundcheck import ebur128, vtt_cues

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "scripts" / "her.yaml"
TITLES = ["디지털 시대의 외로움, 새로운 사랑의 형태", "인공지능과 감정, 무엇이 진짜인가?", "관계의 회복과 인간다움에 대한 사색"]


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "audioessay", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=600)


@pytest.fixture(scope="session")
def sample_render(tmp_path_factory):
    """Render the sample once (espeak) into a temp folder; share it between tests."""
    work = tmp_path_factory.mktemp("sample") / "scripts"
    work.mkdir()
    shutil.copy(SAMPLE, work / "her.yaml")
    shutil.copytree(ROOT / "audio", work.parent / "audio")  # the script refers to ../audio
    env = {"AUDIOESSAY_CACHE_DIR": str(work / "cache")}
    proc = run_cli("render", str(work / "her.yaml"), "--engine", "espeak", env=env)
    assert proc.returncode == 0, proc.stderr
    return work, proc, env


def test_sample_renders_whole_essay(sample_render):
    work, proc, _ = sample_render
    mp3 = work / "her.mp3"
    info = MP3(mp3).info
    assert info.sample_rate == 44100 and info.channels == 1
    assert 90_000 <= info.bitrate <= 100_000
    samples = ffmpeg.decode(str(mp3), 44100)
    seconds = len(samples) / 44100
    # ~1,900 Korean characters read at espeak's pace: several minutes, not seconds or hours.
    assert 180 < seconds < 900, seconds
    assert abs(seconds - info.length) < 1.0
    # summary line names duration, sections, sentences, engine and output
    assert "3 sections" in proc.stdout and "engine espeak" in proc.stdout and str(mp3) in proc.stdout


def test_sample_tags_and_sections_in_order(sample_render):
    work, _, _ = sample_render
    tags = id3.read_tags(work / "her.mp3")
    assert tags.title is not None and tags.title.startswith("〈HER〉")
    assert tags.album == "audioessay 에세이 낭독"
    assert tags.artist == "audioessay 샘플"
    assert tags.cover is not None and tags.cover.width == tags.cover.height == 1400
    chapters = tags.chapters
    assert [c.title for c in chapters] == ["인트로", *TITLES, "아웃트로"]
    starts = [c.start_ms for c in chapters]
    assert starts == sorted(starts) and starts[0] == 0 and chapters[1].start_ms == 6000


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-9))


def test_sample_has_pauses_between_sections(sample_render):
    """Only the (quiet) music bed where the timeline puts a section pause; speech after it."""
    work, _, _ = sample_render
    tags = id3.read_tags(work / "her.mp3")
    samples = ffmpeg.decode(str(work / "her.mp3"), 44100)[:, 0]
    second = tags.chapters[2].start_ms
    gap = samples[int((second - 1200) * 44.1): int((second - 200) * 44.1)]
    speech = samples[int((second + 100) * 44.1): int((second + 1500) * 44.1)]
    assert rms_db(gap) < rms_db(speech) - 10


def test_sample_intro_is_music_fading_in(sample_render):
    work, _, _ = sample_render
    samples = ffmpeg.decode(str(work / "her.mp3"), 44100)[:, 0]
    first_10ms = samples[:441]
    intro = samples[44100 * 3: 44100 * 5]  # inside the 6 s music-only intro
    assert rms_db(first_10ms) < -50  # the fade-in starts from silence
    assert -45 < rms_db(intro) < -10  # music, not silence


def test_sample_loudness_measured_by_ffmpeg(sample_render):
    """An independent meter (ffmpeg ebur128, true peak) on the decoded MP3."""
    work, _, _ = sample_render
    measured = ebur128(work / "her.mp3")
    assert abs(measured["I"] - -16.0) <= 0.2 and measured["peak"] <= -1.0  # closed on the file, LAME's 0.95 made up


def test_sample_sounds_produced(sample_render):
    """Issue 11's acceptance on the sample, measured on the decoded MP3 over the VTT's cues."""
    from soundcheck import Episode, ebur128

    work, _, _ = sample_render
    mp3 = work / "her.mp3"
    ep = Episode.load(mp3)
    assert -24 <= ebur128(mp3, 0, 6.0)["I"] <= -14  # the intro, near the programme
    assert -44 <= float(np.median(ep.sentence_pause_levels())) <= -30  # the bed, audible under the voice
    swells = ep.section_pause_swells()
    assert len(swells) == 2 and max(swells) <= 6  # no pump in the section pauses


def test_transcript_keeps_original_text(sample_render):
    work, _, _ = sample_render
    vtt = (work / "her.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    assert "3번째" in vtt and "〈HER〉은" in vtt and "CGV에서" in vtt
    assert "세 번째" not in vtt and "씨지브이" not in vtt


def test_rerender_is_up_to_date(sample_render):
    work, _, env = sample_render
    before = (work / "her.mp3").stat().st_mtime_ns
    proc = run_cli("render", str(work / "her.yaml"), "--engine", "espeak", env=env)
    assert proc.returncode == 0 and "up to date" in proc.stdout
    assert (work / "her.mp3").stat().st_mtime_ns == before


def test_bad_script_leaves_existing_mp3_untouched(sample_render, tmp_path):
    work, _, env = sample_render
    out = tmp_path / "keep.mp3"
    shutil.copy(work / "her.mp3", out)
    before = out.read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: t\nsections:\n  - title: a\n    text: ''\nvoice:\n  speed: fast\n", encoding="utf-8")
    proc = run_cli("render", str(bad), "-o", str(out), env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"error: {bad}:4: sections[0].text: must not be empty; write the section's text or remove the section",
                     f"error: {bad}:6: voice.speed: must be a number (from 0.5 to 2), not 'fast'"]
    assert out.read_bytes() == before


def test_engine_failure_mid_render_leaves_existing_mp3_untouched(sample_render, tmp_path):
    """gtts pointed at a closed local port: exit 3, one-line cause, previous MP3 intact."""
    work, _, env = sample_render
    out = tmp_path / "her.mp3"
    shutil.copy(work / "her.mp3", out)
    before = out.read_bytes()
    env = {**env, "AUDIOESSAY_GTTS_URL": "http://127.0.0.1:9/_/TranslateWebserverUi/data/batchexecute"}
    proc = run_cli("render", str(work / "her.yaml"), "--engine", "gtts", "-o", str(out), env=env)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and "cannot reach" in proc.stderr
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_no_music_render_meets_loudness_spec(tmp_path):
    p = tmp_path / "plain.yaml"
    p.write_text("title: 시험\nvoice: {engine: espeak}\nsections:\n  - title: 하나\n    text: |\n"
                 "      조용한 장면은 비극이라기보다는 새로운 시작을 암시한다. 사람은 혼자일 수 있지만, 완전히 혼자서는 살아갈 수 없다.\n"
                 "      이 진실을 깨닫게 하는 영화가 바로 〈HER〉이다.\n", encoding="utf-8")
    proc = run_cli("render", str(p), env={"AUDIOESSAY_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    measured = ebur128(tmp_path / "plain.mp3")
    assert abs(measured["I"] - -16.0) <= 1.0 and measured["peak"] <= -1.0
    assert [c.title for c in id3.read_tags(tmp_path / "plain.mp3").chapters] == ["하나"]


TINY = "title: 시험\nvoice: {engine: espeak}\nsections:\n  - title: 하나\n    text: 첫 문장이다. 둘째 문장이다.\n"


def test_output_is_a_folder_exit_2(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(TINY, encoding="utf-8")
    (tmp_path / "out").mkdir()
    proc = run_cli("render", str(p), "-o", str(tmp_path / "out"), env={"AUDIOESSAY_CACHE_DIR": str(tmp_path / "c")})
    assert proc.returncode == 2 and "is a folder" in proc.stderr and "Traceback" not in proc.stderr


def test_stereo_48k_128k_output(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(TINY + "audio: {channels: 2, sample_rate: 48000, bitrate: 128}\n", encoding="utf-8")
    proc = run_cli("render", str(p), env={"AUDIOESSAY_CACHE_DIR": str(tmp_path / "c")})
    assert proc.returncode == 0, proc.stderr
    info = MP3(tmp_path / "t.mp3").info
    assert info.channels == 2 and info.sample_rate == 48000 and 120_000 <= info.bitrate <= 136_000
    stereo = ffmpeg.decode(str(tmp_path / "t.mp3"), 48000, channels=2)
    assert np.abs(stereo).max() > 0.1


def pause_levels(tmp_path: Path, second_section_music: str) -> list[float]:
    """Render two sections over a bed (the second with `second_section_music`) and return,
    per chapter, the level of its quietest 50 ms windows: the pauses between sentences."""
    shutil.copytree(ROOT / "audio", tmp_path / "audio")
    text = "첫 문장이다. 둘째 문장이다. 셋째 문장이다. 넷째 문장이다."
    p = tmp_path / "m.yaml"
    p.write_text("title: 시험\nvoice: {engine: espeak}\nmusic: {file: audio/ambient_pad.ogg, volume: -20, duck: 6}\n"
                 "pauses: {sentence: 1200}\nsections:\n"
                 f"  - title: 하나\n    text: {text}\n"
                 f"  - title: 둘\n    music: {second_section_music}\n    text: {text}\n", encoding="utf-8")
    proc = run_cli("render", str(p), env={"AUDIOESSAY_CACHE_DIR": str(tmp_path / "c")})
    assert proc.returncode == 0, proc.stderr
    samples = ffmpeg.decode(str(tmp_path / "m.mp3"), 44100)[:, 0]
    levels = []
    for chap in id3.read_tags(tmp_path / "m.mp3").chapters:
        part = samples[int(chap.start_ms * 44.1) + 44100: int(chap.end_ms * 44.1) - 44100]
        windows = part[: len(part) // 2205 * 2205].reshape(-1, 2205)  # 50 ms
        levels.append(float(np.percentile(20 * np.log10(np.sqrt(np.mean(windows ** 2, axis=1)) + 1e-9), 10)))
    return levels


def test_section_without_music_is_silent_between_sentences(tmp_path):
    """`music: none` on a section mutes the bed there; the bed plays under the other one."""
    quiet = pause_levels(tmp_path, "none")
    assert quiet[1] < -60 and quiet[0] > -50  # silence vs the ducked bed


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_interrupted_render_keeps_previous_mp3_and_finished_sentences(tmp_path, sig):
    import signal
    import time

    p = tmp_path / "long.yaml"
    body = " ".join(f"이것은 {n}번째 문장이다." for n in range(1, 120))
    p.write_text(f"title: t\nvoice: {{engine: espeak}}\nsections:\n  - title: 하나\n    text: {body}\n",
                 encoding="utf-8")
    out = tmp_path / "long.mp3"
    out.write_bytes(b"previous episode")
    cache = tmp_path / "cache"
    env = {**os.environ, "AUDIOESSAY_CACHE_DIR": str(cache)}
    proc = subprocess.Popen([sys.executable, "-m", "audioessay", "render", str(p), "--force"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(list(cache.rglob("*.aec"))) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert out.read_bytes() == b"previous episode"
    assert not [f for f in tmp_path.rglob("*.part")]
    kept = len(list(cache.rglob("*.aec")))
    assert kept >= 5
    # the next render resumes: only the rest is synthesized
    done = run_cli("render", str(p), "--force", env={"AUDIOESSAY_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    assert f"{kept} reused" in done.stdout


def test_silent_music_is_an_input_error_before_synthesis(tmp_path):
    from audioessay.util import ffmpeg as ff

    ff.run(["-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "3", "-y", str(tmp_path / "silence.wav")])
    p = tmp_path / "t.yaml"
    p.write_text(TINY + "music:\n  file: silence.wav\n", encoding="utf-8")
    proc = run_cli("render", str(p), env={"AUDIOESSAY_CACHE_DIR": str(tmp_path / "c")})
    assert proc.returncode == 2, proc.stderr
    assert f"error: {p}:7: music.file: music file is silent" in proc.stderr and "music: none" in proc.stderr
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").rglob("*.aec"))  # nothing synthesized


def test_sample_sidecars_match_the_audio(sample_render):
    import json

    work, proc, _ = sample_render
    duration = MP3(work / "her.mp3").info.length
    cues = vtt_cues((work / "her.vtt").read_text(encoding="utf-8"))
    headings = [c for c in cues if c[2] in TITLES]
    sentences = [c for c in cues if c[2] not in TITLES]
    assert [c[2] for c in headings] == TITLES and cues[0] == headings[0]  # headings are cues too
    sentence_count = int(proc.stdout.split(" sentences")[0].rsplit(" ", 1)[1])
    assert len(sentences) >= sentence_count  # a long sentence may take two cues
    assert all(a < b for a, b, _ in cues)
    assert all(cues[i][1] <= cues[i + 1][0] for i in range(len(cues) - 1))
    assert cues[-1][1] <= duration
    assert sentences[0][2].startswith("2025년 5월 한국에서 3번째")
    chapters = json.loads((work / "her.chapters.json").read_text(encoding="utf-8"))["chapters"]
    id3_chapters = id3.read_tags(work / "her.mp3").chapters
    assert [c["title"] for c in chapters] == [c.title for c in id3_chapters]
    assert [round(c["startTime"] * 1000) for c in chapters] == [c.start_ms for c in id3_chapters]
    assert abs(id3_chapters[-1].end_ms / 1000 - duration) < 0.1
    # each section's sentences fall inside its chapter
    titles = [c.title for c in id3_chapters]
    second = id3_chapters[titles.index(TITLES[1])]
    inside = [c for c in sentences if second.start_ms / 1000 <= c[0] < second.end_ms / 1000]
    assert inside[0][2].startswith("영화는 사랑이라는 주제를")


def test_section_music_volume_override(tmp_path):
    """sections[].music: {volume: dB} sets the bed's level under that section only."""
    quiet = pause_levels(tmp_path, "{volume: -32}")
    assert 8 < quiet[0] - quiet[1] < 16  # 12 dB lower under the second section