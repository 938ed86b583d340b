"""Music beds: loading, looping, fades, ducking and mixing, measured on real samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audioessay import ffmpeg, music
from audioessay.groups import Layout, Music
from audioessay.music import BedError

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


# --- bed_track ---------------------------------------------------------------


def test_fade_in_starts_from_silence_and_rises():
    track = music.bed_track(np.full((RATE * 4, 2), 0.5, np.float32), RATE * 10, RATE, Music(fade_in=2000, volume=0))
    assert np.all(track[0] == 0.0)
    head = track[: 2 * RATE, 0]
    assert np.all(np.diff(head) >= 0)  # constant bed: the fade alone shapes it
    assert head[RATE // 100] < 0.001  # still nearly silent 10 ms in
    assert track[2 * RATE + 10, 0] == pytest.approx(0.5)


def test_fade_out_ends_in_silence():
    track = music.bed_track(noise_bed(), RATE * 8, RATE, Music(fade_out=3000))
    assert np.all(track[-1] == 0.0)
    assert rms_db(track[-RATE // 10 :]) < rms_db(track[RATE * 3 : RATE * 4]) - 20


def test_volume_db_sets_level():
    bed = noise_bed()
    loud = music.bed_track(bed, RATE * 4, RATE, Music(volume=0, fade_in=0, fade_out=0))
    quiet = music.bed_track(bed, RATE * 4, RATE, Music(volume=-18, fade_in=0, fade_out=0))
    assert rms_db(loud) - rms_db(quiet) == pytest.approx(18, abs=0.01)


@pytest.mark.parametrize("bed_fn", [noise_bed, ramp_bed], ids=["noise", "sawtooth"])
def test_loop_seam_has_no_step(bed_fn):
    bed = bed_fn()
    track = music.bed_track(bed, len(bed) * 3, RATE, Music(crossfade=1500, fade_in=0, fade_out=0, volume=0))
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
    track = music.bed_track(bed, len(bed) * 2, RATE, Music(crossfade=0, fade_in=0, fade_out=0, volume=0))
    assert max_step(track) > 100 * max_step(bed)


def test_offset_starts_inside_the_bed():
    bed = ramp_bed()
    track = music.bed_track(bed, RATE, RATE, Music(offset=1000, fade_in=0, fade_out=0, volume=0))
    assert np.allclose(track[:100], bed[RATE : RATE + 100])


def test_no_loop_plays_once_then_silence():
    bed = noise_bed(2.0)
    track = music.bed_track(bed, RATE * 5, RATE, Music(loop=False, fade_in=0, fade_out=500, volume=0))
    assert np.all(track[2 * RATE :] == 0)
    assert track[2 * RATE - 1, 0] == 0.0  # faded out where the bed ends, not cut
    assert rms_db(track[RATE // 2 : RATE]) > -30


# --- duck_gain and mix -------------------------------------------------------


def gain_db_at(gain: np.ndarray, ms: float) -> float:
    return 20 * np.log10(gain[int(ms * RATE / 1000)])


def test_duck_gain_levels():
    spans = [(2000, 5000), (5800, 8000), (12000, 15000)]  # 800 ms gap, then a 4 s gap
    gain = music.duck_gain(spans, RATE * 20, RATE, Music(duck=12, attack=250, release=600, rise_after=1500))
    assert gain.shape == (RATE * 20,)
    assert gain_db_at(gain, 500) == pytest.approx(0, abs=1e-4)  # before speech
    assert gain_db_at(gain, 3000) == pytest.approx(-12, abs=1e-3)  # under speech
    assert gain_db_at(gain, 5400) == pytest.approx(-12, abs=1e-3)  # short gap stays ducked
    assert gain_db_at(gain, 10000) == pytest.approx(0, abs=1e-4)  # long gap recovers
    assert gain_db_at(gain, 18000) == pytest.approx(0, abs=1e-4)
    # The ramp begins before speech and is already at full depth when speech starts.
    assert gain_db_at(gain, 1700) == pytest.approx(0, abs=1e-3)
    assert -12 < gain_db_at(gain, 1900) < 0
    # Smooth: no big jumps anywhere.
    assert np.abs(np.diff(20 * np.log10(gain))).max() < 0.01


def test_duck_gain_without_speech_is_unity():
    assert np.all(music.duck_gain([], RATE, RATE, Music()) == 1.0)


def test_music_is_quieter_under_speech_than_in_gaps():
    rng = np.random.default_rng(1)
    n = RATE * 20
    spans = [(2000, 5000), (5800, 8000), (12000, 15000)]
    speech = np.zeros((n, 1), np.float32)
    for a, b in spans:
        speech[a * RATE // 1000 : b * RATE // 1000, 0] = 0.1 * rng.standard_normal(b * RATE // 1000 - a * RATE // 1000)
    bed = music.bed_track(noise_bed(6.0), n, RATE, Music())
    gain = music.duck_gain(spans, n, RATE, Music(duck=12))
    mixed = music.mix(speech, bed, gain)
    assert mixed.shape == (n, 2)
    music_only = mixed - speech  # broadcast: what the music contributed
    under = np.concatenate([music_only[3 * RATE : 5 * RATE], music_only[6 * RATE : 8 * RATE]])
    gap = music_only[int(9.5 * RATE) : int(11 * RATE)]
    assert rms_db(gap) - rms_db(under) >= 12 - 2


def test_mix_broadcasts_mono_speech():
    speech = np.ones((10, 1), np.float32)
    mixed = music.mix(speech, np.full((10, 2), 0.5, np.float32), np.full(10, 0.5, np.float32))
    assert mixed.shape == (10, 2) and np.allclose(mixed, 1.25)


def test_mix_rejects_length_mismatch():
    with pytest.raises(ValueError):
        music.mix(np.zeros((10, 1)), np.zeros((11, 2)), np.ones(10))


# --- intro / outro -----------------------------------------------------------


def test_with_intro_outro_shifts_and_ducks():
    speech_len = RATE * 10
    speech = np.zeros((speech_len, 1), np.float32)
    speech[RATE : 9 * RATE, 0] = 0.1
    mixed, shift_ms = music.with_intro_outro(
        speech, [(1000, 9000)], noise_bed(6.0), RATE, Music(), Layout(intro=4000, outro=5000)
    )
    assert shift_ms == 4000
    assert len(mixed) == speech_len + 9 * RATE
    assert np.all(mixed[0] == 0)  # music fades in from silence
    assert np.all(mixed[-1] == 0)  # and out to silence
    # Speech is where the timeline, shifted by shift_ms, says it is.
    music_only = mixed - np.pad(speech, ((4 * RATE, 5 * RATE), (0, 0)))
    intro = music_only[2 * RATE : int(3.2 * RATE)]
    under = music_only[7 * RATE : 12 * RATE]
    outro = music_only[int(14.8 * RATE) : 16 * RATE]
    assert rms_db(intro) - rms_db(under) >= 10
    assert rms_db(outro) - rms_db(under) >= 10
    assert np.allclose(mixed[6 * RATE : 12 * RATE] - music_only[6 * RATE : 12 * RATE], 0.1)


# --- bundled beds ------------------------------------------------------------


def test_bundled_beds_exist():
    assert len(BEDS) >= 2
    assert (AUDIO / "README.md").is_file()


@pytest.mark.parametrize("path", BEDS, ids=[p.name for p in BEDS])
def test_bundled_bed_is_usable(path):
    assert path.stat().st_size < 1_000_000
    bed = music.load_bed(path, RATE, channels=2)  # 44.1 kHz: decoded at the file's own rate, no resampling
    assert 30 <= len(bed) / RATE <= 60
    assert 20 * np.log10(np.abs(bed).max()) > -12
    # Loops cleanly even with no crossfade: the wrap from end to start is an
    # ordinary step compared with its neighbourhood (a cut mid-bed is ~10x worse).
    around = np.roll(bed, 2205, axis=0)[:4410]  # 50 ms either side of the wrap
    local = np.abs(np.diff(around, axis=0)).max(axis=1)
    seam = local[2204]
    assert seam <= 2 * np.delete(local, 2204).max()
    steps = np.abs(np.diff(bed, axis=0)).max(axis=1)
    track = music.bed_track(bed, len(bed) * 2 + RATE, RATE, Music(crossfade=0, fade_in=0, fade_out=0, volume=0))
    assert max_step(track) <= steps.max() * 1.01


@pytest.mark.parametrize("path", BEDS, ids=[p.name for p in BEDS])
def test_bundled_bed_sample_rate(path):
    # ffmpeg reports the stream's own rate on stderr; the bed must be 44.1 kHz.
    import subprocess

    proc = subprocess.run([ffmpeg.ffmpeg_path(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    assert "44100 Hz" in proc.stderr and "stereo" in proc.stderr
