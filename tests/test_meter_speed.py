"""The fast true-peak envelope and loudness energies against plain reference versions.

The references below are written for clarity, not speed: the whole stream is
oversampled at once (zero-stuffed 4x and convolved with the 48-tap interpolator),
and the floor test is done chunk by chunk as the meter documents it."""

from __future__ import annotations

import numpy as np
import pytest

from audioessay.dsp import meter

TAPS = meter._TAPS_PER_PHASE
D = meter.TruePeakMeter.DELAY


def reference_envelope(blocks: list[np.ndarray], floors: list[float]) -> np.ndarray:
    """The envelope of consecutive blocks, each with its floor, computed from the whole stream."""
    x = np.concatenate(blocks).astype(np.float64)
    ch = x.shape[1]
    stream = np.concatenate([np.zeros((TAPS - 1, ch)), x])  # the meter starts from silence
    phases, bound = meter.interpolator()
    h = np.empty(phases.size)
    for k in range(meter.OVERSAMPLE):
        h[k::meter.OVERSAMPLE] = phases[k]
    # 4x oversampled, per channel: up[4 m] = stream[m], convolved with h
    interp = np.zeros(len(x))
    for c in range(ch):
        up = np.zeros(len(stream) * meter.OVERSAMPLE)
        up[::meter.OVERSAMPLE] = stream[:, c]
        v = np.abs(np.convolve(up, h))
        # output frame g's window is stream[g : g + 12]: its interpolated values are v[4 (g + 11) + k]
        for g in range(0, len(x)):
            base = meter.OVERSAMPLE * (g + TAPS - 1)
            interp[g] = max(interp[g], v[base:base + meter.OVERSAMPLE].max())
    sample = np.abs(stream).max(axis=1)
    out = np.empty(len(x))
    start = 0
    for block, floor in zip(blocks, floors):
        n = len(block)
        for lo in range(start, start + n, meter.TruePeakMeter.CHUNK):
            hi = min(start + n, lo + meter.TruePeakMeter.CHUNK)
            if sample[lo:hi + TAPS - 1].max() * bound < floor:
                out[lo:hi] = sample[lo + D:hi + D]  # skipped: the sample peak at the centre
            else:
                for g in range(lo, hi):
                    out[g] = max(sample[g + D - 1], sample[g + D], interp[g])
        start += n
    return out


def speech_like(frames: int, channels: int, seed: int) -> np.ndarray:
    """Noise bursts with silent pauses between them, peaks close to full scale."""
    rng = np.random.default_rng(seed)
    x = np.zeros((frames, channels), np.float32)
    pos = 0
    while pos < frames:
        n = int(rng.integers(800, 5000))
        t = np.arange(min(n, frames - pos))
        shape = np.sin(np.pi * t / n)[:, None]
        x[pos:pos + len(t)] = 0.4 * shape * rng.standard_normal((len(t), channels))
        pos += n + int(rng.integers(2000, 9000))
    return np.clip(x, -0.95, 0.95)


def split(x: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    blocks, pos, i = [], 0, 0
    while pos < len(x):
        n = sizes[i % len(sizes)]
        blocks.append(x[pos:pos + n])
        pos, i = pos + n, i + 1
    return blocks


def run(blocks: list[np.ndarray], floor_of) -> tuple[np.ndarray, list[float]]:
    """Feed the meter block by block; floor_of(peak so far) gives each block's floor."""
    m = meter.TruePeakMeter(blocks[0].shape[1])
    parts, floors, peak = [], [], 0.0
    for b in blocks:
        floors.append(floor_of(peak))
        env = m.envelope(b, floor=floors[-1])
        peak = max(peak, float(env.max(initial=0.0)))
        parts.append(env)
    return np.concatenate(parts), floors


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("sizes", [[65536 + 3], [4097, 1, 7, 2048, 2049, 10001], [999]])
def test_noise_envelope_matches_reference(channels, sizes):
    x = (0.3 * np.random.default_rng(channels).standard_normal((30000, channels))).astype(np.float32)
    blocks = split(x, sizes)
    got, floors = run(blocks, lambda peak: 0.0)
    want = reference_envelope(blocks, floors)
    assert got.shape == (len(x),)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    assert got.max() > np.abs(x).max()  # noise has peaks between its samples


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("mode", ["running", "ceiling"])
def test_speech_like_with_floor_skips_and_matches_reference(channels, mode):
    x = speech_like(60000, channels, seed=3 + channels)
    blocks = split(x, [5000, 12289, 333, 8192])
    ceiling = 0.5
    got, floors = run(blocks, (lambda peak: peak) if mode == "running" else (lambda peak: ceiling))
    want = reference_envelope(blocks, floors)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    # the floor really skipped some stretches (there the envelope is the bare sample peak) and not others
    unskipped, _ = run(blocks, lambda peak: 0.0)
    assert (got < unskipped).any() and (got == unskipped).any()


def test_floor_above_everything_gives_the_sample_peak():
    x = speech_like(20000, 2, seed=9)
    m = meter.TruePeakMeter(2)
    env = m.envelope(x, floor=10.0)
    lag = TAPS - 1 - D  # frame i is centred on stream frame i - lag (after the 11 frames of silent state)
    np.testing.assert_array_equal(env[lag:], np.abs(x[:len(x) - lag]).max(axis=1))
    assert not env[:lag].any()


def test_state_carried_across_blocks_equals_one_call():
    x = (0.5 * np.random.default_rng(5).standard_normal((20000, 2))).astype(np.float32)
    whole = meter.TruePeakMeter(2).envelope(x)
    m = meter.TruePeakMeter(2)
    parts = np.concatenate([m.envelope(b) for b in split(x, [1, 5, 11, 12, 3000, 4096, 7])])
    np.testing.assert_allclose(parts, whole, rtol=1e-12, atol=0)
    assert len(m.envelope(x[:0])) == 0  # an empty block is fine and keeps the state
    np.testing.assert_array_equal(m.state, x[-(TAPS - 1):])


def test_true_peak_of_an_intersample_peak():
    # a sine at fs/4 with a 45 degree phase: samples at 0.707, the true peak at 1.0
    n = np.arange(4000)
    x = np.sin(np.pi / 2 * n + np.pi / 4)
    assert np.abs(x).max() == pytest.approx(np.sqrt(0.5))
    assert meter.true_peak(x) == pytest.approx(1.0, abs=0.01)


def test_envelope_wants_frames_by_channels():
    with pytest.raises(ValueError, match="frames, 2"):
        meter.TruePeakMeter(2).envelope(np.zeros((10, 1)))


# --- loudness ---------------------------------------------------------------------


def reference_steps(blocks: list[np.ndarray], rate: int) -> np.ndarray:
    """100 ms K-weighted energies: the K filter as a float64 direct convolution."""
    x = np.concatenate(blocks).astype(np.float64)
    h = meter.k_weighting(rate)
    y = np.stack([np.convolve(x[:, c], h)[: len(x)] for c in range(x.shape[1])], axis=1)
    step = round(meter.STEP * rate)
    whole = len(x) // step
    return np.square(y[: whole * step]).sum(axis=1).reshape(whole, step).sum(axis=1)


@pytest.mark.parametrize("channels", [1, 2, 3])
def test_loudness_steps_match_reference(channels):
    rate = 8000
    x = speech_like(40000, channels, seed=11)
    blocks = split(x, [4096, 777, 1, 9000])
    m = meter.LoudnessMeter(rate, channels)
    for b in blocks:
        m.add(b)
    want = reference_steps(blocks, rate)
    got = np.asarray(m.steps)
    assert len(got) == len(want) == 50
    loud = want > want.max() * 1e-4  # quiet steps are float32 round-off of the FFT filter
    assert loud.sum() > 10
    np.testing.assert_allclose(got[loud], want[loud], rtol=1e-4)


@pytest.mark.parametrize("channels", [1, 2, 3])
def test_weighted_energy_is_the_plain_channel_sum(channels):
    y = np.random.default_rng(channels).standard_normal((10000, channels)).astype(np.float32)
    m = meter.LoudnessMeter(8000, channels)
    m.add_weighted(y[:1600])
    m.add_weighted(y[1600:])
    e = np.square(y).sum(axis=1)
    want = [float(e[i:i + 800].sum()) for i in range(0, 9600, 800)]
    assert m.steps == want  # the same float32 sums, step by step
    assert m._filled == 400 and m._partial == float(e[9600:].sum())


@pytest.mark.parametrize("at", [2042, 2047, 4095])
def test_floor_test_looks_at_the_frames_each_chunk_reaches(at):
    # silence with one loud frame: the chunks whose windows reach it (including the next
    # block's first chunk, through the carried state) must be oversampled, the rest skipped
    x = np.zeros((4096, 1))
    x[at] = 0.9
    x[at - 1] = -0.9
    blocks = [x, np.zeros((3000, 1))]
    got, floors = run(blocks, lambda peak: 0.5)
    want = reference_envelope(blocks, floors)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    assert got.max() > 0.9  # the oversampled peak between the two frames was found


def _five_smooth(m: int) -> bool:
    for p in (2, 3, 5):
        while m % p == 0:
            m //= p
    return m == 1


@pytest.mark.parametrize("lo, hi", [(1, 3000), (32_760, 33_000), (59_000, 59_100), (1_048_000, 1_048_600)])
def test_fft_size_is_the_smallest_5_smooth_length_at_least_n(lo, hi):
    for n in range(lo, hi):
        size = meter.fft_size(n)
        assert size >= n and _five_smooth(size), n
        assert not any(_five_smooth(m) for m in range(n, size)), n


def test_fir_stream_filters_a_block_whose_5_smooth_length_is_odd():
    """Block plus state is 59049 = 3^10 frames, itself 5-smooth but odd: the block, done
    in one transform of an even length, equals plain convolution."""
    h = meter.k_weighting(48_000)[:200]
    x = np.random.default_rng(3).standard_normal((59_049 - len(h) + 1, 1)).astype(np.float32)
    y = meter.FIRStream(h, 1)(x)
    np.testing.assert_allclose(y[:, 0], np.convolve(x[:, 0], h)[:len(x)], atol=2e-4)
