"""synthesize and assemble in-process, through the fake engine (conftest): timing, pauses,
chapters, intro shift, section masks, and a whole render decoded and measured."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from audioessay.util import ffmpeg
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.mix.assemble import assemble
from audioessay.errors import EngineError
from audioessay.export import id3
from audioessay.speech.plan import make_plan
from audioessay.speech.synthesize import synthesize
from conftest import FAKE_RATE, MS_PER_CHAR, ROOT

TWO = """\
title: 시험
voice: {engine: fake}
pauses: {sentence: 300, paragraph: 600, title: 500, section: 1000}
sections:
  - title: 하나
    text: |
      첫 문장이다. 둘째 문장이다.

      셋째 문장이다.
  - title: 둘
    text: 첫 문장이다. 넷째다.
"""


def load(write_script, text=TWO, **files):
    return script.load(write_script(text))


def test_each_distinct_text_is_voiced_once_and_cached(fake_engine, write_script, cache):
    s = load(write_script)
    plan = make_plan(s)
    clips = synthesize(plan, fake_engine, cache, 44100)
    assert clips.audio == () and len(clips.source) == len(plan.utterances)  # read back, not held
    for i, u in enumerate(plan.utterances):  # each clip, read back from the cache, is its own text
        assert clips.source.length(i) == len(clips.source.samples(i)) > 0
    assert sorted(fake_engine.calls) == sorted({u.spoken for u in plan.utterances})  # 첫 문장이다 once
    assert clips.synthesized == len(fake_engine.calls) and clips.reused == 0
    again = synthesize(plan, fake_engine, cache, 44100)
    assert len(fake_engine.calls) == clips.synthesized and again.reused == clips.synthesized


def test_cues_follow_clip_lengths_and_pauses(fake_engine, write_script, cache):
    s = load(write_script)
    plan = make_plan(s)
    mix = assemble(plan, synthesize(plan, fake_engine, cache, 44100), s.audio, mastering=s.mastering)
    cues = mix.timeline.cues
    assert [c.text for c in cues][:3] == ["하나", "첫 문장이다.", "둘째 문장이다."]
    for cue, u in zip(cues, plan.utterances):
        assert abs((cue.end_ms - cue.start_ms) - len(u.spoken) * MS_PER_CHAR) <= 2
    for a, b, u in zip(cues, cues[1:], plan.utterances):
        if a.section == b.section:
            assert abs(b.start_ms - a.end_ms - u.pause_ms) <= 1, (a.text, u.pause_ms)
        else:  # a new section starts on the MP3 frame grid: its pause grows by under one frame
            assert -1 <= b.start_ms - a.end_ms - u.pause_ms <= 1152 * 1000 / 44100 + 1, (a.text, u.pause_ms)
            start = mix.mixdown.track.starts[cues.index(b)]
            assert start % 1152 == 0 and start in mix.mixdown.track.cuts
    assert [u.pause_ms for u in plan.utterances[:4]] == [500, 300, 600, 1000]
    assert abs(mix.timeline.duration_ms - len(mix.samples) * 1000 / 44100) <= 1
    # Speech where the cues say, silence in the pauses (no music here).
    x = mix.samples[:, 0]
    for a, b in zip(cues, cues[1:]):
        gap = x[int((a.end_ms + 20) * 44.1): int((b.start_ms - 20) * 44.1)]
        assert np.abs(gap).max() < 1e-3
        speech = x[int(b.start_ms * 44.1) + 441: int(b.end_ms * 44.1) - 441]
        assert np.sqrt(np.mean(speech ** 2)) > 0.1


def test_chapters_one_per_section_without_intro(fake_engine, write_script, cache):
    s = load(write_script)
    plan = make_plan(s)
    mix = assemble(plan, synthesize(plan, fake_engine, cache, 44100), s.audio, mastering=s.mastering)
    chaps = mix.timeline.chapters
    assert [c.title for c in chaps] == ["하나", "둘"]
    assert chaps[0].start_ms == 0 and chaps[-1].end_ms == mix.timeline.duration_ms
    second_title = next(c for c in mix.timeline.cues if c.section == 1)
    assert chaps[1].start_ms == second_title.start_ms == chaps[0].end_ms


def music_script(intro=2000, outro=3000, second="") -> str:
    return (TWO.replace("sections:\n", f"music: {{file: bed.ogg, volume: -20, duck: 10}}\nintro: {intro}\n"
                        f"outro: {outro}\nsections:\n")
            .replace("  - title: 둘\n", f"  - title: 둘\n{second}"))


@pytest.fixture
def bed_dir(tmp_path):
    shutil.copy(ROOT / "audio" / "ambient_pad.ogg", tmp_path / "bed.ogg")
    return tmp_path


def test_intro_shifts_every_cue_and_adds_chapters(fake_engine, write_script, cache, bed_dir):
    plain = load(write_script)
    plan = make_plan(plain)
    clips = synthesize(plan, fake_engine, cache, 44100)
    dry = assemble(plan, clips, plain.audio, mastering=plain.mastering)
    s = script.load(write_script(music_script(), "m.yaml"))
    wet = assemble(plan, clips, s.audio, s.music, s.layout, tuple(x.music for x in s.sections),
                   mastering=s.mastering)
    grid_ms = 1152 * 1000 / 44100  # sections after the first start on the MP3 frame grid
    for w, d in zip(wet.timeline.cues, dry.timeline.cues):
        shift = w.start_ms - d.start_ms
        assert shift == 2000 if d.section == 0 else abs(shift - 2000) <= grid_ms + 1, (w, d)
    assert abs(wet.timeline.duration_ms - dry.timeline.duration_ms - 5000) <= grid_ms + 1
    assert [c.title for c in wet.timeline.chapters] == ["인트로", "하나", "둘", "아웃트로"]
    assert wet.timeline.chapters[0].end_ms == 2000
    assert wet.timeline.chapters[-1].start_ms == wet.timeline.duration_ms - 3000


def pause_rms_db(mix, section: int) -> float:
    x = mix.samples[:, 0]
    cues = [c for c in mix.timeline.cues if c.section == section]
    levels = []
    for a, b in zip(cues, cues[1:]):
        gap = x[int((a.end_ms + 50) * 44.1): int((b.start_ms - 50) * 44.1)]
        if len(gap):
            levels.append(20 * np.log10(np.sqrt(np.mean(gap ** 2)) + 1e-12))
    return float(np.mean(levels))


def test_section_music_none_mutes_the_bed_only_there(fake_engine, write_script, cache, bed_dir):
    s = script.load(write_script(music_script(second="    music: none\n"), "m.yaml"))
    plan = make_plan(s)
    mix = assemble(plan, synthesize(plan, fake_engine, cache, 44100), s.audio, s.music, s.layout,
                   tuple(x.music for x in s.sections), mastering=s.mastering)
    assert pause_rms_db(mix, 0) > -60  # the ducked bed between sentences
    assert pause_rms_db(mix, 1) < -90  # nothing under section 2


def test_section_music_volume_sets_the_level_difference(fake_engine, write_script, cache, bed_dir):
    s = script.load(write_script(music_script(second="    music: {volume: -30}\n"), "m.yaml"))
    plan = make_plan(s)
    mix = assemble(plan, synthesize(plan, fake_engine, cache, 44100), s.audio, s.music, s.layout,
                   tuple(x.music for x in s.sections), mastering=s.mastering)
    assert pause_rms_db(mix, 0) - pause_rms_db(mix, 1) == pytest.approx(10, abs=2.5)


def test_render_in_process_writes_a_measured_mp3(fake_engine, write_script, cache, bed_dir):
    path = write_script(music_script(), "m.yaml")
    result = render.render(script.load(path), cache=cache)
    assert result.engine == "fake" and not result.up_to_date
    decoded = ffmpeg.decode(str(result.output), 44100)
    assert abs(len(decoded) / 44.1 - result.duration_ms) < 60  # encoder padding only
    tags = id3.read_tags(result.output)
    assert [c.title for c in tags.chapters] == ["인트로", "하나", "둘", "아웃트로"]
    assert render.render(script.load(path), cache=cache).up_to_date


def test_engine_failure_names_the_section_and_sentence(fake_engine, write_script, cache):
    fake_engine.fail_on = "넷째"
    s = load(write_script)
    with pytest.raises(EngineError, match=r"section 2 \(둘\), sentence '넷째다\.'") as info:
        synthesize(make_plan(s), fake_engine, cache, 44100)
    assert info.value.exit_code == 3 and info.value.text == "넷째다."
    assert FAKE_RATE == 16000


def test_episode_guid_is_made_once_and_kept(fake_engine, write_script, cache):
    path = write_script(TWO.replace("title: 시험\n", "title: 시험\nepisode_type: bonus\nseason: 2\n"
                                    "link: https://example.com/ep\n"))
    first = render.render(script.load(path), cache=cache)
    extra = id3.read_tags(first.output).extra
    guid = extra["AUDIOESSAY_GUID"]
    assert len(guid) == 36 and extra["AUDIOESSAY_EPISODE_TYPE"] == "bonus"
    assert extra["AUDIOESSAY_SEASON"] == "2" and extra["AUDIOESSAY_LINK"] == "https://example.com/ep"
    path.write_text(path.read_text(encoding="utf-8").replace("넷째다.", "넷째 문장이다."), encoding="utf-8")
    again = render.render(script.load(path), cache=cache)
    assert not again.up_to_date
    assert id3.read_tags(again.output).extra["AUDIOESSAY_GUID"] == guid
    other = write_script(TWO, "other.yaml")
    assert id3.read_tags(render.render(script.load(other), cache=cache).output).extra["AUDIOESSAY_GUID"] != guid


def test_transcript_cues_keep_the_writers_characters(fake_engine, write_script, cache):
    text = "관객 1,250명이 왔다. 그는 “AI가 뭐지?”라고 물었다. 5월 9일(금)에 다시 본다."
    s = script.load(write_script(f"title: t\nvoice: {{engine: fake}}\nsections:\n  - title: 하나\n    text: {text}\n"))
    result = render.render(s, cache=cache)
    vtt = result.output.with_suffix(".vtt").read_text(encoding="utf-8")
    for original in ("관객 1,250명이 왔다.", "그는 “AI가 뭐지?”라고 물었다.", "5월 9일(금)에 다시 본다."):
        assert original in vtt, vtt
    assert "1, 250" not in vtt
    spoken = " ".join(fake_engine.calls)
    assert "천이백오십 명" in spoken and "금요일" in spoken


def test_a_section_voice_names_the_speaker_in_the_json_transcript(fake_engine, write_script, cache):
    import json

    s = script.load(write_script("title: t\nvoice: {engine: fake}\nsections:\n  - title: 하나\n    text: 가다.\n"
                                 "  - title: 둘\n    voice: {speed: 1.5}\n    text: 나다.\n"))
    result = render.render(s, cache=cache)
    segments = json.loads(result.output.with_suffix(".transcript.json").read_text(encoding="utf-8"))["segments"]
    speakers = {seg["body"]: seg.get("speaker") for seg in segments}
    assert speakers["가다."] == "narrator" and speakers["나다."] == "fake voice 2"


def test_music_rise_after_is_still_read_as_bridge(write_script, tmp_path):
    import shutil

    shutil.copy(ROOT / "audio" / "ambient_pad.ogg", tmp_path / "bed.ogg")
    s = script.load(write_script("title: t\nmusic: {file: bed.ogg, rise_after: 2500}\n"
                                 "sections:\n  - title: a\n    text: 가.\n"))
    assert s.music.bridge == 2500
