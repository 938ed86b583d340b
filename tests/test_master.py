"""Mastering: measured against pyloudnorm, ffmpeg's own ebur128 meter, and BS.1770 references."""

from __future__ import annotations

import math
import re
import subprocess

import numpy as np
import pytest
from scipy.io import wavfile

from audioessay.util import ffmpeg
from audioessay.config.groups import Mastering
from audioessay.master.loudness import Loudness, master, measure

RATE = 44100


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


@pytest.mark.parametrize(
    "signal",
    [
        pytest.param(lambda: tone(440, 10, 0.01), id="quiet-tone"),
        pytest.param(lambda: tone(1000, 10, 0.9), id="loud-tone"),
        pytest.param(lambda: speechy_noise(20, 0.02), id="speech-like-quiet"),
        pytest.param(lambda: speechy_noise(20, 0.4, seed=3), id="speech-like-hot"),
        pytest.param(lambda: np.repeat(speechy_noise(15, 0.1, seed=5), 2, axis=1), id="stereo"),
    ],
)
def test_master_reaches_target_and_ceiling(signal, tmp_path):
    out, before, after = master(signal(), RATE, Mastering(loudness=-16.0, true_peak=-1.0))
    assert out.dtype == np.float32
    assert abs(after.integrated_lufs - -16.0) <= 0.5
    assert after.true_peak_dbtp <= -1.0
    # The reported values are real measurements of the output, not promises.
    again = measure(out, RATE)
    assert again.integrated_lufs == pytest.approx(after.integrated_lufs, abs=0.05)
    assert again.true_peak_dbtp == pytest.approx(after.true_peak_dbtp, abs=0.05)
    lufs, peak = ebur128(out, RATE, tmp_path)
    assert abs(lufs - -16.0) <= 1.0
    assert peak <= -1.0


def test_clicks_are_limited_below_ceiling(tmp_path):
    rng = np.random.default_rng(7)
    x = (0.003 * rng.standard_normal((RATE * 10, 1))).astype(np.float32)
    # Full-scale two-sample clicks: the waveform between them overshoots 0 dBFS.
    for start in range(100, len(x) - 2, RATE // 3):
        x[start : start + 2] = 1.0 if (start // (RATE // 3)) % 2 else -1.0
    out, before, after = master(x, RATE, Mastering())
    assert before.true_peak_dbtp > 0.0  # the input really overshoots between samples
    assert after.true_peak_dbtp <= -1.0
    assert ebur128(out, RATE, tmp_path)[1] <= -1.0


def test_other_targets():
    out, _, after = master(speechy_noise(20, 0.05), RATE, Mastering(loudness=-19.0, true_peak=-2.0))
    assert abs(after.integrated_lufs - -19.0) <= 0.5
    assert measure(out, RATE).true_peak_dbtp <= -2.0


def test_silence_is_returned_unchanged():
    x = np.zeros((RATE * 5, 2), dtype=np.float32)
    out, before, after = master(x, RATE, Mastering())
    assert np.array_equal(out, x)
    assert before == after == Loudness(-math.inf, -math.inf)


def test_too_short_to_gate_is_not_a_crash():
    x = tone(440, 0.2, 0.5)
    out, before, _ = master(x, RATE, Mastering())
    assert before.integrated_lufs == -math.inf
    assert np.array_equal(out, x)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_reference_sine_one_channel(rate):
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS; pyloudnorm
    # measures mono as that one channel.
    assert measure(tone(997, 10, 1.0, rate), rate).integrated_lufs == pytest.approx(-3.01, abs=0.1)


def test_reference_sine_both_channels():
    # The same sine in both channels of a stereo pair sums to 0.0 LKFS.
    x = np.repeat(tone(997, 10, 1.0), 2, axis=1)
    assert measure(x, RATE).integrated_lufs == pytest.approx(0.0, abs=0.1)


def test_reference_level_steps():
    # Loudness follows level exactly: -20 dB of amplitude is -20 LU.
    loud = measure(tone(997, 10, 1.0), RATE).integrated_lufs
    quiet = measure(tone(997, 10, 0.1), RATE).integrated_lufs
    assert loud - quiet == pytest.approx(20.0, abs=0.05)


def test_true_peak_sees_between_samples():
    # A sine at fs/4 sampled at 45 degrees: samples are 0.707 of the real 1.0 peak.
    n = np.arange(RATE)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4).astype(np.float32)[:, None]
    assert np.abs(x).max() == pytest.approx(0.7071, abs=1e-3)
    assert measure(x, RATE).true_peak_dbtp == pytest.approx(0.0, abs=0.5)


def test_ten_minutes_master_to_target():
    x = speechy_noise(600, 0.03, seed=11)
    _, _, after = master(x, RATE, Mastering())
    assert abs(after.integrated_lufs - -16.0) <= 0.5
