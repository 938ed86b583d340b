"""The streaming render: blocks equal the whole-array result, the meter equals the
reference meters, and memory stays flat however long the episode."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import lfilter

from audioessay.dsp import meter
from audioessay.script import loader as script
from audioessay.mix.assemble import assemble
from audioessay.dsp.dynamics import frame_gain, gain_curve
from audioessay.config.groups import Mastering
from audioessay.dsp.limiter import Limiter
from audioessay.master.gain import Gain, first_gain
from audioessay.master.mastered import Mastered
from audioessay.master.measure import measure_stems
from audioessay.mix.stems import Stems
from audioessay.speech.plan import make_plan
from audioessay.speech.synthesize import synthesize
from conftest import ROOT

RATE = 44100


def speechy(seconds: float, channels: int = 1, seed: int = 0, level: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    env = np.repeat(rng.uniform(0, 1, n // 4410 + 1) ** 2, 4410)[:n]
    return (rng.standard_normal((n, channels)) * env[:, None] * level).astype(np.float32)


def in_blocks(x: np.ndarray, sizes=(1000, 4410, 777, 65536)):
    pos, k = 0, 0
    while pos < len(x):
        step = sizes[k % len(sizes)]
        yield x[pos:pos + step]
        pos, k = pos + step, k + 1


# --- the meter ---------------------------------------------------------------------


@pytest.mark.parametrize("rate,channels", [(44100, 1), (48000, 2), (22050, 1)])
def test_loudness_in_blocks_equals_pyloudnorm(rate, channels):
    x = speechy(12, channels)
    m = meter.LoudnessMeter(rate, channels)
    for block in in_blocks(x):
        m.add(block)
    reference = pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64))
    assert m.integrated() == pytest.approx(reference, abs=0.01)


def test_k_weighting_fir_equals_the_biquads():
    x = speechy(2)[:, 0].astype(np.float64)
    y = x
    for b, a in (meter.biquad_shelf(RATE), meter.biquad_highpass(RATE, 38.0, 0.5)):
        y = lfilter(b, a, y)
    f = meter.FIRStream(meter.k_weighting(RATE), 1)
    blocks = np.concatenate([f(b[:, None]) for b in in_blocks(x)])[:, 0]
    assert np.abs(blocks - y).max() < 1e-5 * np.abs(y).max()


def test_true_peak_sees_between_samples():
    n = np.arange(RATE)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4)[:, None]  # samples at 0.707 of a 1.0 peak
    assert meter.to_db(meter.true_peak(x)) == pytest.approx(0.0, abs=0.2)


# --- the limiter and pass 2 -------------------------------------------------------------


def test_limiter_in_blocks_equals_the_whole_array():
    x = speechy(6, 2, level=0.6).astype(np.float64)
    whole = Limiter(RATE, 2, 0.5)
    one = np.concatenate([whole.push(x), whole.flush()])
    streamed = Limiter(RATE, 2, 0.5)
    parts = [streamed.push(b) for b in in_blocks(x)] + [streamed.flush()]
    assert len(one) == len(x)
    assert np.allclose(np.concatenate(parts), one, atol=1e-9)
    assert whole.limited > 0 and whole.handed_on >= len(x)  # it did limit
    assert meter.true_peak(one) <= 0.5 * 1.001


def test_limiter_gain_is_the_gain_curve_of_the_need():
    # The streaming limiter and the plain array function agree on the gain they apply.
    x = np.zeros((RATE, 1))
    x[RATE // 2, 0] = 1.0
    lim = Limiter(RATE, 1, 0.25)
    out = np.concatenate([lim.push(x), lim.flush()])
    assert abs(out[RATE // 2, 0]) <= 0.25 + 1e-9
    need = np.ones(RATE // 16)
    need[RATE // 2 // 16] = 0.25
    g = frame_gain(gain_curve(need, lim.half, lim.hold, lim.release), RATE)
    assert out[RATE // 2, 0] == pytest.approx(g[RATE // 2], abs=0.02)


def test_mastered_output_measures_the_target_by_pyloudnorm():
    voice = speechy(20, 1, seed=4, level=0.05)
    bed = speechy(20, 2, seed=5, level=0.002)

    def stems():
        for i in range(0, len(voice), 10000):
            yield Stems(voice[i:i + 10000], bed[i:i + 10000])

    settings = Mastering(loudness=-16.0)
    gain = first_gain(measure_stems(stems(), RATE, 2), settings)
    m = Mastered(stems(), RATE, 2, gain, settings)
    out = np.concatenate(list(m.blocks()))
    assert m.frames == len(out) == len(voice)
    reference = pyloudnorm.Meter(RATE).integrated_loudness(out.astype(np.float64))
    assert reference == pytest.approx(gain.planned_lufs, abs=0.05)  # what pass 1 planned
    assert reference == pytest.approx(-16.0, abs=0.15)
    assert meter.to_db(meter.true_peak(out)) <= -2.0  # the ceiling less the MP3 margin


def test_mastering_in_blocks_equals_one_block():
    voice = speechy(8, 1, seed=6, level=0.3)
    bed = speechy(8, 2, seed=7, level=0.01)

    def stems(size):
        for i in range(0, len(voice), size):
            yield Stems(voice[i:i + size], bed[i:i + size])

    outs = [np.concatenate(list(Mastered(stems(size), RATE, 2, Gain(1.5), Mastering()).blocks())) for size in
            (len(voice), 999, 44100)]
    assert all(len(o) == len(voice) for o in outs)
    assert np.allclose(outs[0], outs[1], atol=1e-6) and np.allclose(outs[0], outs[2], atol=1e-6)


# --- the mix ----------------------------------------------------------------------------

MUSIC = """\
title: 시험
voice: {engine: fake}
music: {file: bed.ogg}
intro: 2000
outro: 2000
pauses: {sentence: 300, section: 1800}
sections:
  - title: 하나
    text: 첫 문장이다. 둘째 문장이다. 셋째 문장이다.
  - title: 둘
    music: {volume: -40}
    text: 넷째 문장이다. 다섯째 문장이다.
"""


def test_mix_blocks_equal_the_whole_mix(fake_engine, write_script, cache, tmp_path):
    shutil.copy(ROOT / "audio" / "piano_arpeggio.ogg", tmp_path / "bed.ogg")
    s = script.load(write_script(MUSIC))
    plan = make_plan(s)
    mix = assemble(plan, synthesize(plan, fake_engine, cache, RATE), s.audio, s.music, s.layout,
                   tuple(x.music for x in s.sections), mastering=s.mastering)
    n = mix.mixdown.frames
    whole = mix.mixdown.block(0, n).mixed(1.0, 1)
    small = np.concatenate([b.mixed(1.0, 1) for b in mix.stems(block=3001)])
    assert len(whole) == len(small) == n
    assert np.allclose(whole, small, atol=1e-6)
    # Any block on its own, in any order, is the same too.
    a, b = n // 3, n // 3 + 50000
    assert np.allclose(mix.mixdown.block(a, b).mixed(1.0, 1), whole[a:b], atol=1e-6)


# --- memory -------------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    import conftest
    from audioessay.speech import engines
    from audioessay.script import loader as script
    from audioessay.speech.cache import Cache
    from audioessay.config.engines import EngineSpec
    from audioessay.episode.render import render

    engine = conftest.FakeEngine()
    engines.register(EngineSpec(name="fake", doc="test", settings=conftest.FakeVoice,
                                create=lambda voice, group: engine, native_rate=conftest.FAKE_RATE))
    folder = Path(sys.argv[1])
    minutes = float(sys.argv[2])
    sentences = " ".join(f"이것은 문장 {{k % 20}} 이다." for k in range(int(minutes * 60 / 0.95)))
    (folder / "ep.yaml").write_text(
        "title: t\\nvoice: {{engine: fake}}\\nmusic: {{file: bed.ogg}}\\nintro: 2000\\noutro: 2000\\n"
        "audio: {{sample_rate: 22050}}\\nsections:\\n  - title: 하나\\n    text: " + sentences + "\\n",
        encoding="utf-8")
    result = render(script.load(folder / "ep.yaml"), cache=Cache(folder / "cache"))
    print(json.dumps({{"rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                       "seconds": result.duration_ms / 1000}}))
""")


def render_child(tmp_path, minutes: float) -> dict:
    folder = tmp_path / f"m{minutes}"
    folder.mkdir()
    shutil.copy(ROOT / "audio" / "ambient_pad.ogg", folder / "bed.ogg")
    code = CHILD.format(tests=str(ROOT / "tests"))
    proc = subprocess.run([sys.executable, "-c", code, str(folder), str(minutes)], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_memory_stays_flat_from_2_to_20_minutes(tmp_path):
    short = render_child(tmp_path, 2)
    long = render_child(tmp_path, 20)
    assert long["seconds"] > 9 * short["seconds"]  # really ten times the audio
    # A whole-episode array at 22.05 kHz would add ~95 MB (float32) per extra 18 minutes.
    assert long["rss_kb"] - short["rss_kb"] < 30_000, (short, long)


# --- the encoder -----------------------------------------------------------------------------
