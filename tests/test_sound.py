"""Sounds produced, not assembled: whole renders through the fake engine (in-process),
decoded and measured with ffmpeg's meter and numpy over the VTT's cue times."""

from __future__ import annotations

import shutil

import numpy as np
import pyloudnorm
import pytest

from audioessay.util import ffmpeg
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.export import id3
from audioessay.export.sidecars import sidecar_paths
from conftest import ROOT
from soundcheck import Episode, ebur128

TARGET = -16.0
ESSAY = """\
title: 시험 방송
voice: {{engine: fake}}
{music}
pauses: {{sentence: 400, paragraph: 800, title: 700, section: 1800}}
sections:
  - title: 첫째
    text: |
      바람이 분다. 오늘은 조금 걷기로 한다. 길가의 나무가 흔들린다.

      사람들은 바쁘게 지나간다. 나는 천천히 걷는다. 하늘이 맑다.
  - title: 둘째
    text: |
      저녁이 온다. 불빛이 하나씩 켜진다. 집으로 돌아갈 시간이다. 하루가 조용히 끝난다.
  - title: 셋째
    text: 마지막 문장이다. 고맙다. 다음에 또 만나자.
"""


def render_essay(tmp_path, cache, music: str):
    shutil.copy(ROOT / "audio" / "ambient_pad.ogg", tmp_path / "bed.ogg")
    path = tmp_path / "ep.yaml"
    path.write_text(ESSAY.format(music=music), encoding="utf-8")
    result = render.render(script.load(path), cache=cache)
    return result, Episode.load(result.output)


@pytest.fixture
def with_music(fake_engine, tmp_path, cache):
    """Default music settings: only the file, an intro and an outro."""
    return render_essay(tmp_path, cache, "music: bed.ogg\nintro: 6000\noutro: 6000")


def test_loudness_is_closed_on_the_file(with_music):
    result, ep = with_music
    measured = ebur128(ep.path)
    assert measured["I"] == pytest.approx(TARGET, abs=0.2)
    assert measured["peak"] <= -1.0
    # What the summary and the tags say is what the file measures.
    extra = id3.read_tags(ep.path).extra
    assert float(extra["LOUDNESS_LUFS"]) == pytest.approx(measured["I"], abs=0.1)
    # ffmpeg prints one decimal and its meter reads a few hundredths over the BS.1770
    # reference (pyloudnorm) on the same decoded samples, which the render matches.
    assert result.after.integrated_lufs == pytest.approx(measured["I"], abs=0.15)
    decoded = ffmpeg.decode(str(ep.path), 44100, 1).astype(np.float64)
    reference = pyloudnorm.Meter(44100).integrated_loudness(decoded)
    assert result.after.integrated_lufs == pytest.approx(reference, abs=0.03)


def test_intro_plays_near_the_programme(with_music):
    _, ep = with_music
    intro = ebur128(ep.path, 0, 6.0)["I"]
    assert TARGET - 4 - 2 <= intro <= TARGET - 4 + 2  # music.solo: -4 LU
    outro_start = ep.cues[-1][1] + 1.0
    assert TARGET - 4 - 3 <= ebur128(ep.path, outro_start, 4.0)["I"] <= TARGET - 4 + 2


def test_bed_sits_under_the_voice_between_sentences(with_music):
    _, ep = with_music
    levels = ep.sentence_pause_levels()
    assert len(levels) >= 8
    under = TARGET - np.median(levels)  # the voice sits at the target
    assert 22 - 3 <= under <= 22 + 3  # music.under: 22 LU


def test_no_swell_in_section_pauses(with_music):
    _, ep = with_music
    swells = ep.section_pause_swells()
    assert len(swells) == 2
    assert max(swells) <= 6.0


def test_sentence_ends_fade(fake_engine, tmp_path, cache):
    # No bed: the fake engine's own 10 ms ramps would fail this; the voice chain's fades pass it.
    _, ep = render_essay(tmp_path, cache, "")
    drops = ep.sentence_end_drops()
    assert len(drops) >= 10
    assert np.mean(np.array(drops) >= 15) >= 0.9


def pause_levels(ep: Episode) -> list[float]:
    return [10 * np.log10(np.mean(np.square(ep.part(a, b), dtype=np.float64)) + 1e-20)
            for a, b in ep.pauses(0.3, 1.0)]


def test_pauses_are_silent_by_default_and_room_tone_fills_them(fake_engine, tmp_path, cache):
    _, dry = render_essay(tmp_path, cache, "")
    assert max(pause_levels(dry)) < -80
    for done in (tmp_path / "ep.mp3", *sidecar_paths(tmp_path / "ep.mp3").values()):
        done.unlink()  # the episode and its sidecars: nothing left to vouch for, nothing left over
    _, toned = render_essay(tmp_path, cache, "room_tone: -60")
    assert np.median(pause_levels(toned)) == pytest.approx(-60, abs=2)


# --- gTTS joins --------------------------------------------------------------------------


def test_long_gtts_sentence_has_no_hole_at_the_joins(no_proxy, monkeypatch):
    from fake_gtts import FakeGtts

    from audioessay.dsp.convert import to_float
    from audioessay.speech.engines.gtts import GttsEngine, GttsVoice

    sentence = ("그렇다면 우리는 앞으로 인공지능의 진화속도를 못 따라잡아서 인공지능에게 지배당하는 건 아닌지, "
                "기우에 지나지 않는 생각이겠지만 요즘 명령을 내리면 자기 스스로 판단해서, "
                "나의 지시나 요구를 따르지 않아 몇 번이나 수정을 해야 되는 상황이다.")
    assert len(sentence) > 100
    with FakeGtts() as fake:
        monkeypatch.setenv("AUDIOESSAY_GTTS_URL", fake.url)
        audio = GttsEngine(GttsVoice()).synthesize(sentence)
        assert len(fake.requests) >= 2  # really sent in pieces
    x = to_float(audio)[:, 0]
    w = audio.frame_rate // 1000  # 1 ms windows
    loud = np.sqrt(np.mean(np.square(x[: len(x) // w * w].reshape(-1, w)), axis=1)) > 10 ** (-50 / 20)
    inside = loud[np.argmax(loud): len(loud) - np.argmax(loud[::-1])]
    runs = np.diff(np.flatnonzero(np.diff(np.r_[1, inside.astype(int), 1])))[::2]  # lengths of quiet runs
    assert runs.max(initial=0) <= 30


# --- audioessay check ----------------------------------------------------------------------


def test_check_reports_range_and_flags_a_quiet_intro(fake_engine, tmp_path, cache):
    from audioessay.publish.check import check

    _, ep = render_essay(tmp_path, cache, "music: {file: bed.ogg, solo: -16}\nintro: 5000\noutro: 5000")
    rows = {r.name: r for r in check(ep.path)}
    assert float(rows["loudness range"].value.split()[0]) == pytest.approx(ebur128(ep.path)["LRA"], abs=0.1)
    intro = float(rows["intro music"].value.split()[0])
    assert intro == pytest.approx(ebur128(ep.path, 0, 5.0)["I"], abs=0.2)  # the same meter, the same stretch
    assert rows["intro music"].status == "warn" and "raise music.solo" in rows["intro music"].note
    assert rows["outro music"].status == "warn"


def test_check_passes_an_intro_near_the_programme(with_music):
    from audioessay.publish.check import check

    _, ep = with_music
    rows = [r for r in check(ep.path) if r.name in ("loudness range", "intro music", "outro music")]
    assert [r.name for r in rows] == ["loudness range", "intro music", "outro music"]
    assert all(r.status == "pass" for r in rows), rows
