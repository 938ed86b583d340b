"""Mastering as a render runs it (pass 1 `measure_stems`, `first_gain`, pass 2 `Mastered`,
and `correction` from what the file measured), measured against pyloudnorm, ffmpeg's own
ebur128 meter, and BS.1770 references."""

from __future__ import annotations

import math
import re
import subprocess

import numpy as np
import pyloudnorm
import pytest
from scipy.io import wavfile

from audioessay.config.groups import Mastering
from audioessay.dsp import meter
from audioessay.master.gain import MP3_MARGIN_DB, VERIFY_LU, VERIFY_PEAK_DB, Gain, correction, first_gain
from audioessay.master.loudness import Loudness
from audioessay.master.mastered import Mastered
from audioessay.master.measure import Measurement, measure_stems
from audioessay.mix.stems import Stems
from audioessay.util import ffmpeg

RATE = 44100
BLOCK = 10007  # not a multiple of anything the meters or the limiter use


def ebur128(samples: np.ndarray, rate: int, tmp_path) -> tuple[float, float]:
    """Integrated LUFS and true peak (dBTP) as ffmpeg's ebur128 filter measures them."""
    path = tmp_path / "x.wav"
    wavfile.write(path, rate, samples.astype(np.float32))
    proc = subprocess.run(
        [ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
         "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def tone(freq: float, seconds: float, amplitude: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)[:, None]


def speechy_noise(seconds: float, level: float, seed: int = 0) -> np.ndarray:
    """Noise in syllable-like bursts with pauses of exact digital silence."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    x = rng.standard_normal(n)
    x = np.convolve(x, [1, 0.9, 0.5], "same")
    syllables = rng.uniform(0, 1, n // 8820 + 1) ** 2
    syllables[rng.uniform(size=len(syllables)) < 0.3] = 0
    env = np.repeat(syllables, 8820)[:n]
    return (x * env * level).astype(np.float32)[:, None]


def stems(voice: np.ndarray, bed: np.ndarray | None = None):
    for i in range(0, len(voice), BLOCK):
        yield Stems(voice[i:i + BLOCK], None if bed is None else bed[i:i + BLOCK])


def both_passes(voice: np.ndarray, settings: Mastering, channels: int = 1, bed: np.ndarray | None = None,
                rate: int = RATE) -> tuple[np.ndarray, Measurement, Gain]:
    """What a render does before the encoder: pass 1, the first gain, pass 2."""
    measured = measure_stems(stems(voice, bed), rate, channels)
    gain = first_gain(measured, settings)
    return pass2(voice, bed, channels, gain, settings, rate), measured, gain


def pass2(voice: np.ndarray, bed: np.ndarray | None, channels: int, gain: Gain, settings: Mastering,
          rate: int = RATE) -> np.ndarray:
    return np.concatenate(list(Mastered(stems(voice, bed), rate, channels, gain, settings).blocks()))


def loudness(out: np.ndarray) -> Loudness:
    """What the audio measures by the reference meter (pyloudnorm), and its true peak."""
    return Loudness(pyloudnorm.Meter(RATE).integrated_loudness(out.astype(np.float64)),
                    meter.to_db(meter.true_peak(out)))


def ceiling_db(settings: Mastering) -> float:
    return settings.true_peak - MP3_MARGIN_DB


@pytest.mark.parametrize(
    "signal,channels",
    [
        pytest.param(lambda: tone(440, 10, 0.01), 1, id="quiet-tone"),
        pytest.param(lambda: tone(1000, 10, 0.9), 1, id="loud-tone"),
        pytest.param(lambda: speechy_noise(20, 0.02), 1, id="speech-like-quiet"),
        pytest.param(lambda: speechy_noise(20, 0.4, seed=3), 1, id="speech-like-hot"),
        pytest.param(lambda: speechy_noise(15, 0.1, seed=5), 2, id="stereo"),
    ],
)
def test_both_passes_reach_target_and_ceiling(signal, channels, tmp_path):
    settings = Mastering(loudness=-16.0, true_peak=-1.0)
    x = signal()
    out, measured, gain = both_passes(x, settings, channels)
    assert out.dtype == np.float32 and out.shape == (measured.frames, channels)
    assert gain.planned_lufs == pytest.approx(-16.0, abs=0.01)  # what pass 1 says of that gain
    after = loudness(out)
    assert after.integrated_lufs <= -16.0 + 0.05  # the limiter only ever takes loudness away
    # As a render does with its file: when the limiter took more than VERIFY_LU, pass 2
    # runs once more with the difference made up.
    redo = correction(gain, after, settings)
    assert (redo is None) == (abs(after.integrated_lufs - -16.0) <= VERIFY_LU)
    if redo is not None:
        out = pass2(x, None, channels, redo, settings)
    assert abs(loudness(out).integrated_lufs - -16.0) <= 0.5
    assert meter.to_db(meter.true_peak(out)) <= ceiling_db(settings) + 0.01
    lufs, peak = ebur128(out, RATE, tmp_path)
    assert abs(lufs - -16.0) <= 0.6
    assert peak <= settings.true_peak  # ffmpeg's true peak reads up to 0.2 dB over ours


def test_the_bed_counts_in_the_planned_gain():
    settings = Mastering()
    voice = speechy_noise(20, 0.05, seed=4)
    bed = np.repeat(speechy_noise(20, 0.03, seed=5), 2, axis=1)
    out, measured, gain = both_passes(voice, settings, 2, bed)
    # The gate makes the sum's loudness step with the gain: the plan lands within VERIFY_LU
    # (here it swings 0.05 LU either side), and the file's correction does the rest.
    assert measured.lufs(gain.voice) == pytest.approx(settings.loudness, abs=VERIFY_LU)
    # The stems' energies add: what pass 1 says of voice * gain + bed is what pass 2 makes.
    assert loudness(out).integrated_lufs == pytest.approx(measured.lufs(gain.voice), abs=0.05)


def test_clicks_are_limited_below_ceiling(tmp_path):
    rng = np.random.default_rng(7)
    x = (0.003 * rng.standard_normal((RATE * 10, 1))).astype(np.float32)
    # Full-scale two-sample clicks: the waveform between them overshoots 0 dBFS.
    for start in range(100, len(x) - 2, RATE // 3):
        x[start : start + 2] = 1.0 if (start // (RATE // 3)) % 2 else -1.0
    settings = Mastering()
    out, measured, _ = both_passes(x, settings)
    assert meter.to_db(meter.true_peak(x)) > 0.0  # the input really overshoots between samples
    assert measured.peak == pytest.approx(1.0)  # pass 1 keeps the sample peak only
    assert meter.to_db(meter.true_peak(out)) <= ceiling_db(settings) + 0.01
    assert ebur128(out, RATE, tmp_path)[1] <= settings.true_peak


def test_other_targets():
    settings = Mastering(loudness=-19.0, true_peak=-2.0)
    out, _, _ = both_passes(speechy_noise(20, 0.05), settings)
    assert abs(loudness(out).integrated_lufs - -19.0) <= 0.5
    assert meter.to_db(meter.true_peak(out)) <= ceiling_db(settings) + 0.01


def test_silence_stays_silent_and_needs_no_correction():
    x = np.zeros((RATE * 5, 1), dtype=np.float32)
    out, measured, gain = both_passes(x, Mastering(), 2)
    assert not out.any() and len(out) == len(x)
    assert measured.loudness() == Loudness(-math.inf, -math.inf)
    assert gain.voice == 0.0
    assert correction(gain, Loudness(-math.inf, -math.inf), Mastering()) is None


def test_too_short_to_gate_is_not_a_crash():
    out, measured, _ = both_passes(tone(440, 0.2, 0.5), Mastering())
    assert measured.loudness().integrated_lufs == -math.inf
    assert len(out) == int(0.2 * RATE)


# --- what pass 1 measures: BS.1770 references ---------------------------------------------


@pytest.mark.parametrize("rate", [44100, 48000])
def test_reference_sine_one_channel(rate):
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS; pyloudnorm
    # measures mono as that one channel.
    measured = measure_stems(stems(tone(997, 10, 1.0, rate)), rate, 1)
    assert measured.lufs(1.0) == pytest.approx(-3.01, abs=0.1)


def test_reference_sine_both_channels():
    # The same sine in both channels of a stereo pair sums to 0.0 LKFS: a mono voice
    # sent to both channels, or a stereo bed.
    x = tone(997, 10, 1.0)
    assert measure_stems(stems(x), RATE, 2).lufs(1.0) == pytest.approx(0.0, abs=0.1)
    bed = measure_stems(stems(np.zeros_like(x), np.repeat(x, 2, axis=1)), RATE, 2)
    assert bed.lufs(1.0) == pytest.approx(0.0, abs=0.1)


def test_reference_level_steps():
    # Loudness follows level exactly: -20 dB of amplitude is -20 LU.
    measured = measure_stems(stems(tone(997, 10, 1.0)), RATE, 1)
    assert measured.lufs(1.0) - measured.lufs(0.1) == pytest.approx(20.0, abs=0.05)
    quiet = measure_stems(stems(tone(997, 10, 0.1)), RATE, 1)
    assert measured.lufs(1.0) - quiet.lufs(1.0) == pytest.approx(20.0, abs=0.05)


def test_true_peak_sees_between_samples():
    # A sine at fs/4 sampled at 45 degrees: samples are 0.707 of the real 1.0 peak.
    n = np.arange(RATE)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4).astype(np.float32)[:, None]
    assert np.abs(x).max() == pytest.approx(0.7071, abs=1e-3)
    assert meter.to_db(meter.true_peak(x)) == pytest.approx(0.0, abs=0.5)
    # Pass 1 keeps the sample peak (true peaks are measured in pass 2 and on the file).
    assert measure_stems(stems(x), RATE, 1).peak == pytest.approx(0.7071, abs=1e-3)


def test_ten_minutes_master_to_target():
    out, _, _ = both_passes(speechy_noise(600, 0.03, seed=11), Mastering())
    assert abs(loudness(out).integrated_lufs - -16.0) <= 0.5


# --- correction: what the encoded file measured decides a second pass ----------------------


def test_a_file_within_the_tolerance_is_kept():
    settings = Mastering(loudness=-16.0, true_peak=-1.0)
    gain = Gain(0.7, 1.0, MP3_MARGIN_DB)
    for lufs in (-16.0, -16.0 + VERIFY_LU * 0.9, -16.0 - VERIFY_LU * 0.9):
        assert correction(gain, Loudness(lufs, -1.0 - VERIFY_PEAK_DB), settings) is None


@pytest.mark.parametrize("off", [0.5, -0.5, 3.0, -0.15])
def test_a_file_off_the_target_is_made_up_on_the_mix(off):
    settings = Mastering(loudness=-16.0, true_peak=-1.0)
    gain = Gain(0.7, 1.2, 1.3, -16.0)
    redo = correction(gain, Loudness(-16.0 + off, -3.0), settings)
    assert redo is not None
    # The file is `off` LU too loud: the mix goes down by `off` dB (voice and margin kept).
    assert 20 * math.log10(redo.overall / gain.overall) == pytest.approx(-off, abs=1e-9)
    assert (redo.voice, redo.margin_db, redo.planned_lufs) == (0.7, 1.3, -16.0)


def test_an_encoder_overshoot_widens_the_limiters_margin():
    settings = Mastering(loudness=-16.0, true_peak=-1.0)
    gain = Gain(0.7, 1.0, MP3_MARGIN_DB)
    redo = correction(gain, Loudness(-16.0, -0.8), settings)  # 0.2 dB over the ceiling
    assert redo is not None and redo.overall == 1.0
    # Over the ceiling less VERIFY_PEAK_DB by 0.3 dB: the margin grows by that and VERIFY_PEAK_DB.
    assert redo.margin_db == pytest.approx(MP3_MARGIN_DB + 0.3 + VERIFY_PEAK_DB, abs=1e-9)
    assert redo.ceiling(settings) < gain.ceiling(settings)
