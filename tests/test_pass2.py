"""Pass 2 as a render runs it (episode/pass2.py): whole renders through the fake engine,
decoded and measured. The first encode reaches the target (LAME's input scaling is made
up), a file that is off is encoded once more with the difference made up, and the file
decodes to exactly the episode's samples."""

from __future__ import annotations

import dataclasses
import shutil

import mutagen.id3
import numpy as np
import pyloudnorm
import pytest

from audioessay.export import tags as txxx
from audioessay.master.gain import Gain
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.util import ffmpeg
from conftest import ROOT

RATE = 44100
TARGET = -16.0
ESSAY = """\
title: 시험
voice: {{engine: fake}}
{music}
sections:
  - title: 하나
    text: 첫 문장이다. 둘째 문장이다. 셋째 문장이다. 바람이 분다.
  - title: 둘
    text: 넷째 문장이다. 다섯째 문장이다. 하늘이 맑다.
"""
MUSIC = {"none": "", "bed": "music: bed.ogg\nintro: 3000\noutro: 3000"}


@pytest.fixture(params=sorted(MUSIC))
def episode(request, fake_engine, tmp_path):
    shutil.copy(ROOT / "audio" / "ambient_pad.ogg", tmp_path / "bed.ogg")
    path = tmp_path / "ep.yaml"
    path.write_text(ESSAY.format(music=MUSIC[request.param]), encoding="utf-8")
    return path


def file_lufs(path) -> float:
    """The decoded file by the reference meter (pyloudnorm)."""
    return pyloudnorm.Meter(RATE).integrated_loudness(ffmpeg.decode(str(path), RATE).astype(np.float64))


def stored_gain(path) -> Gain:
    gain = Gain.parse(mutagen.id3.ID3(path).getall(f"TXXX:{txxx.GAIN}")[0].text[0])
    assert gain is not None
    return gain


def forge_gain(path, gain: Gain) -> None:
    """Make the MP3 say it was mastered with `gain` (as a render of another version might)."""
    tags = mutagen.id3.ID3(path)
    tags.getall(f"TXXX:{txxx.GAIN}")[0].text = [gain.tag()]
    tags.save(path, v2_version=4, v1=0)


def test_the_first_encode_reaches_the_target(episode, cache):
    result = render.render(script.load(episode), cache=cache)
    # LAME's CBR presets scale their input by 0.95 (-0.45 dB): pass 2 makes that up before
    # the encoder, so the file needs no second encode.
    assert result.encodes == 1
    measured = file_lufs(result.output)
    assert measured == pytest.approx(TARGET, abs=0.1)
    assert result.after.integrated_lufs == pytest.approx(measured, abs=0.03)  # what the render says
    assert stored_gain(result.output).file_lufs == pytest.approx(result.after.integrated_lufs, abs=1e-9)


def test_a_file_off_the_target_is_encoded_once_more(episode, cache):
    first = render.render(script.load(episode), cache=cache)
    gain = stored_gain(first.output)
    # A previous gain 1 dB too loud that says its file was on target: the render keeps
    # it, the file it makes measures 1 LU over, and the closed loop makes that up.
    forged = dataclasses.replace(gain, overall=gain.overall * 10 ** (1 / 20), file_lufs=TARGET)
    forge_gain(first.output, forged)
    again = render.render(script.load(episode), cache=cache, force=True)
    assert again.encodes == 2
    assert file_lufs(again.output) == pytest.approx(TARGET, abs=0.1)
    assert again.after.integrated_lufs == pytest.approx(TARGET, abs=0.1)
    kept = stored_gain(again.output)
    assert kept.voice == forged.voice  # the voice's gain was kept; the mix came down ~1 dB
    assert 20 * np.log10(kept.overall / forged.overall) == pytest.approx(-1.0, abs=0.15)
    assert kept.file_lufs == pytest.approx(again.after.integrated_lufs, abs=1e-9)


def test_the_file_decodes_to_the_episodes_samples(episode, cache):
    result = render.render(script.load(episode), cache=cache)
    assert result.timeline is not None
    decoded = ffmpeg.decode(str(result.output), RATE)
    # The Info frame's delay and padding trim the codec's extra samples exactly (the
    # duration is rounded to the millisecond: half a millisecond either way).
    assert abs(len(decoded) - result.duration_ms * RATE / 1000) <= RATE / 2000 + 1
    # Every cue after a pause sounds where the timeline says: silence (or the bed) until
    # 1 ms before it, its clip from 10 ms after (the codec's delay is trimmed exactly).
    starts = [round(c.start_ms * RATE / 1000) for c in result.timeline.cues]
    ends = [round(c.end_ms * RATE / 1000) for c in result.timeline.cues]
    checked = 0
    for a, end_before in zip(starts[1:], ends):
        if a - end_before < RATE // 10:
            continue  # no pause to hear the start against
        before, after = decoded[a - RATE // 20:a - RATE // 1000], decoded[a + RATE // 100:a + RATE // 50]
        assert np.abs(after).max() > 10 * np.abs(before).max(), a
        checked += 1
    assert checked >= 5
