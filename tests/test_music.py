"""Music beds: loading, looping, fades, ducking and mixing, measured on real samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audioessay.util import ffmpeg
from audioessay.mix import ducking, music
from audioessay.config.groups import Music, SectionMusic
from audioessay.mix.music import BedError

RATE = 44100
AUDIO = Path(__file__).resolve().parent.parent / "audio"
BEDS = sorted(AUDIO.glob("*.ogg"))


def rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-20)


def max_step(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x, axis=0)).max())


def noise_bed(seconds: float = 5.0, seed: int = 0) -> np.ndarray:
    """Low-passed stereo noise: plenty of level, no natural loop point (a worst case)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((int(seconds * RATE), 2))
    kernel = np.ones(20) / 20
    x = np.stack([np.convolve(x[:, c], kernel, "same") for c in range(2)], axis=1)
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


def ramp_bed(seconds: float = 3.0) -> np.ndarray:
    """A sawtooth across the whole bed: its end jumps hard back to its start."""
    n = int(seconds * RATE)
    return np.linspace(-0.5, 0.5, n, dtype=np.float32)[:, None].repeat(2, axis=1)


def write(tmp_path: Path, name: str, samples: np.ndarray) -> Path:
    path = tmp_path / name
    ffmpeg.run(["-y", "-f", "f32le", "-ar", str(RATE), "-ac", str(samples.shape[1]), "-i", "pipe:0", str(path)],
               input=samples.astype(np.float32).tobytes())  # fmt: skip
    return path


# --- load_bed ----------------------------------------------------------------


def test_load_bed_decodes_any_format(tmp_path):
    path = write(tmp_path, "bed.flac", noise_bed(2.0))
    bed = music.load_bed(path, 22050, channels=2)
    assert bed.dtype == np.float32 and bed.shape[1] == 2
    assert abs(len(bed) - 22050 * 2) < 50


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(BedError, match="music file not found: .*check the path"):
        music.load_bed(tmp_path / "nope.mp3", RATE)


def test_undecodable_file_is_input_error(tmp_path):
    path = tmp_path / "bed.mp3"
    path.write_bytes(b"this is not audio at all" * 100)
    with pytest.raises(BedError, match="could not be decoded"):
        music.load_bed(path, RATE)


def test_silent_file_is_input_error(tmp_path):
    path = write(tmp_path, "quiet.wav", np.full((RATE, 2), 10 ** (-70 / 20), dtype=np.float32))
    with pytest.raises(BedError, match="music file is silent"):
        music.load_bed(path, RATE)


# --- Bed: looping at the natural length, or through a crossfaded seam ---------------


def laid(bed: np.ndarray, n: int, **m) -> np.ndarray:
    return music.Bed(bed, RATE, Music(file=Path("x"), **m)).read(0, n)


@pytest.mark.parametrize("bed_fn", [noise_bed, ramp_bed], ids=["noise", "sawtooth"])
def test_loop_seam_has_no_step(bed_fn):
    bed = bed_fn()
    track = laid(bed, len(bed) * 3, crossfade=1500)
    within_bed = max(max_step(bed), 1e-4)
    assert max_step(track) <= 1.5 * within_bed
    # The crossfade is equal-power: no dip in level across the seam (noise only).
    if bed_fn is noise_bed:
        period = len(bed) - int(1.5 * RATE)
        seam = track[period : period + int(1.5 * RATE)]
        assert rms_db(seam) == pytest.approx(rms_db(bed), abs=1.5)


def test_loop_without_crossfade_would_step():
    # Guard for the test above: the sawtooth really does jump when not crossfaded.
    bed = ramp_bed()
    assert max_step(laid(bed, len(bed) * 2, crossfade=0)) > 100 * max_step(bed)


def test_a_bed_that_does_not_loop_cleanly_gets_a_crossfade_by_default():
    bed = ramp_bed()
    assert not music.seamless(bed, RATE)
    assert music.Bed(bed, RATE, Music(file=Path("x"))).xfade == int(1.5 * RATE)
    assert max_step(laid(bed, len(bed) * 2)) <= 1.5 * max_step(bed)


def test_offset_starts_inside_the_bed():
    bed = ramp_bed()
    assert np.allclose(laid(bed, RATE, offset=1000, crossfade=0)[:100], bed[RATE : RATE + 100])


def test_no_loop_plays_once_then_silence():
    bed = noise_bed(2.0)
    track = laid(bed, RATE * 5, loop=False)
    assert np.all(track[2 * RATE :] == 0)
    assert np.array_equal(track[: 2 * RATE], bed)


def test_read_is_the_same_in_any_blocks():
    b = music.Bed(noise_bed(2.0), RATE, Music(file=Path("x"), offset=700, crossfade=300))
    whole = b.read(0, RATE * 7)
    parts = np.concatenate([b.read(a, min(RATE * 7, a + 12345)) for a in range(0, RATE * 7, 12345)])
    assert np.array_equal(whole, parts)


# --- ducking.Levels: the bed's gain over time -------------------------------------


def bed_gain(spans_ms, seconds=20, intro=0, outro=0, sections=(), **m) -> np.ndarray:
    settings = Music(file=Path("x"), **m)
    n = RATE * seconds
    spans = [(a * RATE // 1000, b * RATE // 1000) for a, b in spans_ms]
    levels = ducking.Levels(spans, n, n, -20.0, RATE, settings, ducking.LevelPlan.of(settings, -16.0),
                            intro, outro, list(sections))
    return np.concatenate([levels.gain(a, min(n, a + 4096)) for a in range(0, n, 4096)])


def gain_db_at(gain: np.ndarray, ms: float) -> float:
    return 20 * np.log10(gain[int(ms * RATE / 1000)])


def test_levels_follow_the_voice_by_default():
    spans = [(2000, 5000), (5800, 8000), (12000, 15000)]  # 800 ms gap, then a 4 s gap
    gain = bed_gain(spans, intro=2000, outro=2000, fade_in=0, fade_out=0)
    # The bed measures -20 LUFS on its own; the voice sits at -16.
    assert gain_db_at(gain, 500) == pytest.approx(-16 - 4 + 20, abs=1e-3)  # intro: solo, 4 LU under
    assert gain_db_at(gain, 3000) == pytest.approx(-16 - 22 + 20, abs=1e-3)  # under speech: 22 LU under
    assert gain_db_at(gain, 5400) == pytest.approx(-18, abs=1e-3)  # short gap: stays ducked
    assert gain_db_at(gain, 10000) == pytest.approx(-18 + 12, abs=1e-3)  # a bridge rises by duck
    assert gain_db_at(gain, 18000) == pytest.approx(0, abs=1e-3)  # outro: solo again
    # The intro plays full until `transition` before the first words.
    assert gain_db_at(gain, 900) == pytest.approx(0, abs=1e-3)
    assert -18 < gain_db_at(gain, 1500) < 0
    assert np.abs(np.diff(20 * np.log10(gain))).max() < 0.01  # smooth: no jumps


def test_absolute_volume_keeps_its_old_meaning():
    gain = bed_gain([(2000, 5000), (12000, 15000)], volume=-30, duck=10, fade_in=0, fade_out=0)
    assert gain_db_at(gain, 9000) == pytest.approx(-30 + 20, abs=1e-3)  # between: volume
    assert gain_db_at(gain, 3000) == pytest.approx(-40 + 20, abs=1e-3)  # under speech: volume - duck


def test_pauses_shorter_than_the_bridge_never_pump():
    gain = bed_gain([(1000, 4000), (6800, 9000)], bridge=3000)  # a 2.8 s pause
    assert np.ptp(20 * np.log10(gain[RATE: 9 * RATE])) < 1e-6


def test_fades_at_the_music_ends():
    gain = bed_gain([(5000, 6000)], fade_in=2000, fade_out=3000)
    assert gain[0] == 0 and gain[-1] < 1e-6
    assert np.all(np.diff(gain[: 2 * RATE]) >= 0)
    assert gain_db_at(gain, 10) < -40


def test_section_none_mutes_and_volume_sets_the_difference():
    sections = [(0, 5 * RATE, None), (5 * RATE, 10 * RATE, SectionMusic(volume=float("-inf"))),
                (10 * RATE, 20 * RATE, SectionMusic(volume=-40))]
    gain = bed_gain([(500, 4500), (5500, 9500), (10500, 19000)], sections=sections, volume=-30,
                    fade_in=0, fade_out=0)
    assert gain_db_at(gain, 3000) == pytest.approx(-30 - 12 + 20, abs=1e-3)
    assert np.all(gain[6 * RATE: int(8.9 * RATE)] == 0)
    assert gain_db_at(gain, 15000) == pytest.approx(-42 - 10 + 20, abs=1e-3)  # 10 dB under the bed's own


# --- bundled beds ------------------------------------------------------------


def test_bundled_beds_exist():
    assert len(BEDS) >= 2
    assert (AUDIO / "README.md").is_file()


@pytest.mark.parametrize("path", BEDS, ids=[p.name for p in BEDS])
def test_bundled_bed_loops_at_its_natural_length(path):
    assert path.stat().st_size < 1_000_000
    bed = music.load_bed(path, RATE, channels=2)  # 44.1 kHz: decoded at the file's own rate, no resampling
    assert 30 <= len(bed) / RATE <= 60
    assert 20 * np.log10(np.abs(bed).max()) > -12
    assert music.seamless(bed, RATE)
    laid_bed = music.Bed(bed, RATE, Music(file=path))
    assert laid_bed.xfade == 0 and len(laid_bed.unit) == len(bed)  # no crossfade: whole bars every time
    track = laid_bed.read(0, len(bed) * 2 + RATE)
    assert np.array_equal(track[len(bed): 2 * len(bed)], bed)
    # No step at the seam: neither in the waveform nor in level.
    steps = np.abs(np.diff(bed, axis=0)).max(axis=1)
    seam = len(bed)
    assert max_step(track[seam - RATE // 20: seam + RATE // 20]) <= steps.max() * 1.01
    w = RATE // 20  # 50 ms windows: the level step at the seam is one the music makes anyway
    levels = [rms_db(track[i: i + w]) for i in range(0, len(bed) + w, w)]
    inside = max(abs(a - b) for a, b in zip(levels[: len(bed) // w], levels[1: len(bed) // w]))
    assert abs(levels[len(bed) // w] - levels[len(bed) // w - 1]) <= inside + 0.5


@pytest.mark.parametrize("path", BEDS, ids=[p.name for p in BEDS])
def test_bundled_bed_sample_rate(path):
    # ffmpeg reports the stream's own rate on stderr; the bed must be 44.1 kHz.
    import subprocess

    proc = subprocess.run([ffmpeg.ffmpeg_path(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    assert "44100 Hz" in proc.stderr and "stereo" in proc.stderr


def test_a_long_bed_is_decoded_only_as_far_as_the_episode_reaches(tmp_path):
    path = write(tmp_path, "long.flac", noise_bed(20.0))
    bed = music.Bed.open(path, RATE, 2, Music(file=path, offset=1000), RATE * 5)
    assert len(bed.bed) <= RATE * 8  # offset + episode + a second, not the whole 20 s
    assert not bed.loop  # and it plays straight through: no seam inside the episode
    assert np.all(np.abs(bed.read(0, RATE * 5)).max(axis=1) > 0)
    short = music.Bed.open(path, RATE, 2, Music(file=path), RATE * 60)
    assert short.loop and len(short.bed) == pytest.approx(RATE * 20, abs=RATE // 50)
