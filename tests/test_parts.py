"""The episode in parts (issue 15): an edit re-makes only the part it touched, and what
comes out of the edit path is the episode a cold render makes of the same text."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from audioessay.publish import check
from audioessay.util import ffmpeg
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.speech.cache import Cache
from audioessay.export import id3
from audioessay.export.mp3 import MissingSpan, Reuse, encode_stream
from audioessay.config.groups import Mastering, Music
from audioessay.master.gain import Gain, first_gain
from audioessay.master.measure import Measurement
from audioessay.mix.music import Bed
from conftest import ROOT
from soundcheck import ebur128
from test_mp3 import count_runs

WORDS = "하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열".split()
SECTIONS = [(title, " ".join(f"{title} 부분의 {w} 번째 문장은 이렇게 이어진다." for w in WORDS))
            for title in ("첫째", "둘째", "셋째", "넷째")]


def write(folder, sections=SECTIONS, name="ep.yaml"):
    body = "".join(f"  - title: {t}\n    text: {x}\n" for t, x in sections)
    path = folder / name
    path.write_text("title: t\nauthor: a\nshow: s\nvoice: {engine: fake}\nmusic: {file: bed.ogg}\nintro: 2000\noutro: 2000\n"
                    f"sections:\n{body}", encoding="utf-8")
    return path


def edited() -> list[tuple[str, str]]:
    """One sentence of the third section gets a few words longer."""
    out = list(SECTIONS)
    out[2] = (out[2][0], out[2][1].replace("셋째 부분의 하나 번째", "셋째 부분의 고쳐 쓴 하나 번째", 1))
    assert out[2] != SECTIONS[2]
    return out


@pytest.fixture
def folder(tmp_path):
    shutil.copy(ROOT / "audio" / "ambient_pad.ogg", tmp_path / "bed.ogg")
    return tmp_path


def test_an_edit_remakes_only_its_part_and_matches_a_cold_render(fake_engine, folder, monkeypatch):
    cache = Cache(folder / "cache")
    path = write(folder)
    cold = render.render(script.load(path), cache=cache)
    assert cold.timeline is not None
    cold_tags = id3.read_tags(cold.output).extra
    kept = shutil.copy(cold.output, folder / "cold.mp3")
    runs = count_runs(monkeypatch)
    write(folder, edited())
    edit = render.render(script.load(path), cache=cache)
    # One encoder run: only the edited section's span was encoded again.
    spans = [argv for argv in runs if "libmp3lame" in argv and "-write_xing" in argv]
    assert len(spans) == 1, runs
    # The gain was kept (the loudness moved by far less than 0.1 LU).
    assert id3.read_tags(edit.output).extra["AUDIOESSAY_GAIN"].split()[:3] == \
        cold_tags["AUDIOESSAY_GAIN"].split()[:3]
    # The same text rendered cold in a fresh cache makes the same episode.
    other = folder / "other"
    other.mkdir()
    shutil.copy(folder / "bed.ogg", other / "bed.ogg")
    fresh = render.render(script.load(write(other, edited())), cache=Cache(other / "cache"))
    a = ffmpeg.decode(str(edit.output), 44100)
    b = ffmpeg.decode(str(fresh.output), 44100)
    assert len(a) == len(b)
    assert edit.timeline.cues == fresh.timeline.cues
    la, lb = ebur128(edit.output), ebur128(fresh.output)
    assert abs(la["I"] - lb["I"]) <= 0.1 and la["peak"] <= -1.0 and lb["peak"] <= -1.0
    assert check.ok(check.check(edit.output)) and check.ok(check.check(fresh.output))
    # Sections before the edit are the same audio; the edited one is not.
    first_cut = edit.timeline.cues[[c.section for c in edit.timeline.cues].index(1)].start_ms
    n = round(first_cut * 44.1)
    old = ffmpeg.decode(str(kept), 44100)
    assert np.abs(a[:n] - old[:n]).max() < 1e-4
    assert len(a) > len(old)


def test_sections_after_an_edit_are_the_same_audio_moved(fake_engine, folder):
    cache = Cache(folder / "cache")
    path = write(folder)
    cold = render.render(script.load(path), cache=cache)
    kept = shutil.copy(cold.output, folder / "cold.mp3")
    write(folder, edited())
    edit = render.render(script.load(path), cache=cache)
    start = [next(c.start_ms for c in r.timeline.cues if c.section == 3) for r in (cold, edit)]
    a, b = (ffmpeg.decode(str(f), 44100)[:, 0] for f in (kept, edit.output))
    shift = round((start[1] - start[0]) * 44.1 / 1152) * 1152  # sections move by whole MP3 frames
    assert shift > 0 and len(b) - len(a) == shift
    lo = round(start[0] * 44.1)
    assert np.abs(a[lo:] - b[lo + shift:]).max() < 1e-6  # the last section's MP3 frames were reused


def test_part_keys_follow_their_own_audio(fake_engine, folder):
    from audioessay.mix.assemble import assemble
    from audioessay.speech.plan import make_plan
    from audioessay.speech.synthesize import synthesize

    cache = Cache(folder / "cache")

    def keys(sections):
        s = script.load(write(folder, sections))
        plan = make_plan(s)
        clips = synthesize(plan, fake_engine, cache, 44100)
        mix = assemble(plan, clips, s.audio, s.music, s.layout, tuple(x.music for x in s.sections),
                       mastering=s.mastering)
        return mix.mixdown.part_keys(), mix.mixdown

    a, ma = keys(SECTIONS)
    b, mb = keys(edited())
    ta, tb = ma.track, mb.track
    assert len(a) == len(b) == 4 and all(a) and all(b)
    assert a[0] == b[0] and a[1] == b[1] and a[3] == b[3] and a[2] != b[2]
    assert all(c % 1152 == 0 for c in ta.cuts + tb.cuts)
    assert tb.cuts[2] > ta.cuts[2]  # the last section moved, by whole frames, and kept its key
    # Equal keys are equal stems: voice and bed, sample for sample.
    for (lo, hi), (lo2, hi2), k1, k2 in zip(ta.parts(), tb.parts(), a, b):
        if k1 != k2:
            continue
        x = [ma.block(lo, hi), mb.block(lo2, hi2)]
        assert np.array_equal(x[0].voice, x[1].voice) and np.array_equal(x[0].bed, x[1].bed)


def test_a_reused_stretch_is_the_same_file(tmp_path):
    x = (0.2 * np.sin(np.arange(44100 * 6) * 0.05)).astype(np.float32)[:, None]
    cut = 1152 * 100
    store = tmp_path / "segs"
    first = encode_stream([x[:cut], x[cut:]], 44100, 1, 96, tmp_path / "a.mp3", span_cache=store,
                          span_frames=24, cuts=[cut])
    later = [(k, n) for s, k, n in first.spans if s >= cut]
    spf = 1152
    part = Reuse(len(x) - cut, tuple(later), x[cut:cut + 3 * spf], x[len(x) - 4 * spf:])
    again = encode_stream([x[:cut], part], 44100, 1, 96, tmp_path / "b.mp3", span_cache=store,
                          span_frames=24, cuts=[cut])
    assert again.encoded == 0 and again.samples == len(x)
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()
    (store / f"{later[0][0]}.mp3seg").unlink()
    with pytest.raises(MissingSpan):
        encode_stream([x[:cut], part], 44100, 1, 96, tmp_path / "c.mp3", span_cache=store,
                      span_frames=24, cuts=[cut])


def test_a_looping_bed_picks_up_each_section_without_a_click():
    rate = 8000
    t = np.arange(rate * 3) / rate
    loop = (0.3 * np.sin(2 * np.pi * 110 * t)).astype(np.float32)[:, None]
    bed = Bed(loop, rate, Music(file=ROOT / "audio" / "ambient_pad.ogg", crossfade=0))
    cuts = [rate * 5, rate * 11]
    bed.anchor(cuts)
    whole = bed.read(0, rate * 15)
    pieces = np.concatenate([bed.read(a, min(a + 777, rate * 15)) for a in range(0, rate * 15, 777)])
    assert np.array_equal(whole, pieces)
    step = np.abs(np.diff(whole[:, 0]))
    # no jump at the cuts (an equal-gain crossfade never swells)
    assert step.max() <= 1.01 * np.abs(np.diff(loop[:, 0])).max()
    # Each section starts at its own point of the loop, whatever came before it.
    assert np.array_equal(bed.read(cuts[1], cuts[1] + 100), Bed(loop, rate, Music(
        file=ROOT / "audio" / "ambient_pad.ogg", crossfade=0))._loop_from(bed._phase(2), 100))
    assert bed.placement(cuts[0], cuts[1]) != bed.placement(cuts[1], rate * 15)


def measurement(lufs_offset: float) -> Measurement:
    steps = np.full(200, 10 ** ((-20 + lufs_offset + 0.691) / 10) * 4410)
    return Measurement(44100, 1, steps, np.zeros(200), 0.5, 200 * 4410)


def test_the_previous_gain_is_kept_only_while_the_loudness_allows():
    settings = Mastering()
    m = measurement(0.0)
    planned = first_gain(m, settings)
    assert planned.planned_lufs == pytest.approx(settings.loudness, abs=0.01)
    done = Gain(planned.voice, 1.02, 1.3, planned.planned_lufs, settings.loudness - 0.03)
    kept = first_gain(measurement(0.05), settings, done)
    assert (kept.voice, kept.overall, kept.margin_db) == (done.voice, done.overall, done.margin_db)
    replanned = first_gain(measurement(0.3), settings, done)
    assert replanned.voice != done.voice and replanned.overall == 1.0
    assert Gain.parse(done.tag()) == done
    for bad in ("", "1 2 3", "nan 1 1 1 1", "0 1 1 1 1", "x y z w v"):
        assert Gain.parse(bad) is None
    assert math.isnan(Gain(1.0).file_lufs)


def test_sections_pick_up_the_bundled_bed_where_it_is_not_loud():
    from audioessay.mix.music import SECTION_SETTLE_MS, SECTION_XFADE_MS, load_bed

    rate = 22050
    loop = load_bed(ROOT / "audio" / "ambient_pad.ogg", rate, 1)
    bed = Bed(loop, rate, Music(file=ROOT / "audio" / "ambient_pad.ogg"))
    cuts = [rate * 40 * k for k in range(1, 12)]
    bed.anchor(cuts)

    span = round((SECTION_XFADE_MS + SECTION_SETTLE_MS) * rate / 1000)

    def level(x):  # mean energy, dB
        return 10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20)

    # What plays into each section is no louder than the loop usually is over that long
    # (an unlucky point of the loop could be several dB louder and swell the pause).
    twice = np.concatenate([bed.unit, bed.unit])
    typical = np.median([level(twice[i:i + span]) for i in range(0, len(bed.unit), rate // 10)])
    into = [level(bed.read(c - span, c)) for c in cuts]
    assert max(into) <= typical + 0.5, (into, typical)
    assert len({bed.placement(a, b) for a, b in zip(cuts, cuts[1:])}) == len(cuts) - 1  # sections differ
