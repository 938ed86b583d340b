"""Segmented, cached MP3 encoding: decoded and measured against one whole encode."""

import os
import struct
import subprocess
from functools import reduce

import mutagen.mp3
import numpy as np
import pytest

from audioessay.util import ffmpeg
from audioessay.export import mp3 as segments
from audioessay.export.mp3 import encode_stream, frame_samples, iter_blocks

SEG = 24  # frames per span: many joins in a few seconds of audio


def signal(seconds: float, rate: int = 44100, channels: int = 1, seed: int = 0) -> np.ndarray:
    """A gliding tone with a tremolo and some noise: no two frames alike."""
    n = int(seconds * rate) + 17
    t = np.arange(n) / rate
    rng = np.random.default_rng(seed)
    x = 0.3 * np.sin(2 * np.pi * (220 + 80 * np.sin(1.3 * t)) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    x = x + 0.01 * rng.standard_normal(n)
    out = np.repeat(x[:, None], channels, axis=1).astype(np.float32)
    if channels == 2:
        out[:, 1] *= 0.5
    return out


def one_shot(x: np.ndarray, rate: int, kbps: int, path) -> np.ndarray:
    """The reference: one ffmpeg encode of the whole array (reservoir off, like the spans)."""
    ffmpeg.run(["-f", "f32le", "-ar", str(rate), "-ac", str(x.shape[1]), "-i", "pipe:0", "-c:a", "libmp3lame",
                "-b:a", f"{kbps}k", "-reservoir", "0", "-y", str(path)], input=x.tobytes())
    return ffmpeg.decode(str(path), rate, x.shape[1])


def joins(total: int, rate: int, frames: int = SEG) -> list[int]:
    """Decoded sample positions where one span's frames meet the next one's."""
    step = frames * frame_samples(rate)
    return [k * step - 1105 for k in range(1, total // step + 1)]


def worst(diff: np.ndarray, at: list[int], radius: int = 600) -> tuple[float, float]:
    """Largest difference near the joins, and the largest anywhere else."""
    near = np.zeros(len(diff), bool)
    for j in at:
        near[max(0, j - radius): j + radius] = True
    return float(diff[near].max()), float(diff[~near].max())


@pytest.mark.parametrize("rate,channels,kbps", [(44100, 1, 96), (44100, 2, 128), (24000, 1, 48)])
def test_decoded_length_is_exact_and_joins_are_seamless(tmp_path, rate, channels, kbps):
    x = signal(5.3, rate, channels)
    stats = encode_stream(iter_blocks(x, 7001), rate, channels, kbps, tmp_path / "a.mp3", span_frames=SEG)
    y = ffmpeg.decode(str(tmp_path / "a.mp3"), rate, channels)
    assert len(y) == len(x) == stats.samples
    assert stats.span_count >= 8 and stats.encoded == stats.span_count
    ref = one_shot(x, rate, kbps, tmp_path / "ref.mp3")
    assert len(ref) == len(x)
    diff = np.abs(y - ref).max(axis=1)
    near, elsewhere = worst(diff, joins(len(x), rate))
    assert near <= max(3 * elsewhere, 2e-3), (near, elsewhere)
    assert np.abs(y - x).max() < 0.1  # it is the input's audio, up to coding noise
    assert mutagen.mp3.MP3(tmp_path / "a.mp3").info.length == pytest.approx(len(x) / rate, abs=1e-6)


def test_info_header_says_frames_bytes_delay_and_padding(tmp_path):
    x = signal(3.0)
    stats = encode_stream(iter_blocks(x), 44100, 1, 96, tmp_path / "a.mp3", span_frames=SEG)
    data = (tmp_path / "a.mp3").read_bytes()
    first = segments.frame_size(data[:4])
    assert segments.frame_sizes(data[first:])[:1] and len(segments.frame_sizes(data)) == stats.frames + 1
    at = data.find(b"Info")
    assert 0 < at < first
    flags, frames, size = struct.unpack(">III", data[at + 4: at + 16])
    assert (frames, size) == (stats.frames, len(data) == stats.bytes and len(data))
    lame = at + 120
    assert data[lame:lame + 4] == b"LAME"
    v = int.from_bytes(data[lame + 21: lame + 24], "big")
    assert (v >> 12, v & 4095) == (576, frames * 1152 - 576 - len(x))
    music_crc, tag_crc = struct.unpack(">HH", data[lame + 32: lame + 36])
    assert music_crc == bitwise_crc(data[first:])
    assert tag_crc == bitwise_crc(data[:lame + 34])


def test_plays_and_seeks_in_ffmpeg(tmp_path):
    x = signal(6.0)
    encode_stream(iter_blocks(x), 44100, 1, 96, tmp_path / "a.mp3", span_frames=SEG)
    out = subprocess.run([ffmpeg.ffmpeg_path(), "-v", "warning", "-i", str(tmp_path / "a.mp3"), "-f", "null", "-"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stderr == ""
    full = ffmpeg.decode(str(tmp_path / "a.mp3"), 44100)[:, 0]
    for at in (1.0, 2.345, 5.2):
        part = np.frombuffer(ffmpeg.run(["-ss", str(at), "-i", str(tmp_path / "a.mp3"), "-t", "0.3",
                                         "-f", "f32le", "-ac", "1", "pipe:1"]), "<f4")
        s = round(at * 44100)
        assert len(part) == round(0.3 * 44100)
        # after two frames (a decoder that starts mid-stream has no overlap yet) it is the same audio
        assert np.abs(part[2304:] - full[s + 2304: s + len(part)]).max() < 1e-3


def count_runs(monkeypatch) -> list[list[str]]:
    """Every ffmpeg run that encodes spans, recorded (they still run); not the one-time
    probes of ffmpeg's version and LAME's behaviour, made by whichever test comes first."""
    started: list[list[str]] = []
    real = subprocess.Popen

    def popen(argv, *args, **kwargs):
        if "-write_xing" in argv:  # span runs write no Xing frame of their own
            started.append(list(argv))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(segments.subprocess, "Popen", popen)
    return started


def test_an_edit_re_encodes_only_its_span(tmp_path, monkeypatch):
    rate = 44100
    x = signal(8.0)
    cache = tmp_path / "segs"
    started = count_runs(monkeypatch)
    cold = encode_stream(iter_blocks(x, 5000), rate, 1, 96, tmp_path / "a.mp3", span_cache=cache,
                         span_frames=SEG)
    assert cold.encoded == cold.span_count and cold.reused == 0 and len(started) == cold.encoder_runs >= 2
    span = SEG * 1152
    edited = x.copy()
    edited[4 * span + span // 3: 4 * span + span // 2] *= 0.25  # inside span 4, away from its edges
    started.clear()
    warm = encode_stream(iter_blocks(edited, 3333), rate, 1, 96, tmp_path / "b.mp3", span_cache=cache,
                         span_frames=SEG)
    assert (warm.encoded, warm.reused, warm.encoder_runs) == (1, cold.span_count - 1, 1)
    assert len(started) == 1
    y = ffmpeg.decode(str(tmp_path / "b.mp3"), rate)
    assert len(y) == len(x)
    ref = one_shot(edited, rate, 96, tmp_path / "ref.mp3")
    diff = np.abs(y - ref).max(axis=1)
    near, elsewhere = worst(diff, [4 * span - 1105, 5 * span - 1105])  # the new span's two joins
    assert near <= max(3 * elsewhere, 2e-3), (near, elsewhere)
    edited_part = slice(4 * span + span // 3 + 1105, 4 * span + span // 2 - 1105)
    assert np.abs(y[edited_part]).max() < 0.5 * np.abs(ffmpeg.decode(str(tmp_path / "a.mp3"), rate)[edited_part]).max()
    again = encode_stream(iter_blocks(edited), rate, 1, 96, tmp_path / "c.mp3", span_cache=cache, span_frames=SEG)
    assert again.encoded == 0 and (tmp_path / "c.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()


def test_workers_do_not_change_the_file_and_a_torn_entry_is_redone(tmp_path):
    x = signal(7.0, seed=3)
    one = encode_stream(iter_blocks(x), 44100, 1, 96, tmp_path / "1.mp3", span_frames=SEG, workers=1,
                        span_cache=tmp_path / "c1")
    two = encode_stream(iter_blocks(x), 44100, 1, 96, tmp_path / "2.mp3", span_frames=SEG, workers=2)
    assert one.encoder_runs >= 2 and one.encoder_runs == two.encoder_runs
    assert (tmp_path / "1.mp3").read_bytes() == (tmp_path / "2.mp3").read_bytes()
    entry = sorted((tmp_path / "c1").iterdir())[0]
    entry.write_bytes(entry.read_bytes()[:-100])  # a torn write
    redo = encode_stream(iter_blocks(x), 44100, 1, 96, tmp_path / "3.mp3", span_frames=SEG,
                         span_cache=tmp_path / "c1")
    assert redo.encoded == 1
    assert len(ffmpeg.decode(str(tmp_path / "3.mp3"), 44100)) == len(x)


def test_short_and_odd_lengths(tmp_path):
    for n in (1, 47, 1000, 1152 * SEG - 1105, 1152 * SEG + 3):
        x = signal(1.0)[:n]
        stats = encode_stream([x[: n // 2], x[n // 2:]], 44100, 1, 96, tmp_path / f"{n}.mp3", span_frames=SEG)
        assert len(ffmpeg.decode(str(tmp_path / f"{n}.mp3"), 44100)) == n == stats.samples


def bitwise_crc(data: bytes) -> int:
    """CRC-16/ARC the slow, obvious way."""
    def step(c: int, b: int) -> int:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        return c
    return reduce(step, data, 0)


def test_crc16_matches_the_bitwise_definition():
    data = os.urandom(3 * 4096 * 2 + 77)
    assert segments.crc16(data) == bitwise_crc(data)
    assert segments.crc16(data[:100]) == bitwise_crc(data[:100])
    a, b = data[:5000], data[5000:]
    assert segments.crc16_combine(segments.crc16(a), segments.crc16(b), len(b)) == bitwise_crc(data)


def test_audio_moved_by_whole_frames_to_a_cut_is_reused(tmp_path):
    """Sections start at cuts: an insertion in section A re-encodes A's spans from the
    insertion on, and section B, now later by whole frames, comes from the cache."""
    spf = 1152
    a_len = (3 * SEG + SEG // 2) * spf  # section A: three and a half spans
    x = signal(10.0, seed=5)
    a, b = x[:a_len], x[a_len: a_len + (2 * SEG + 7) * spf + 333]
    insert = signal(0.1, seed=9)[: 3 * spf] * 0.5  # three frames of something else
    at = 2 * SEG * spf + 5000  # inside A's third span
    a2 = np.concatenate([a[:at], insert, a[at:]])
    cache = tmp_path / "c"
    first = encode_stream([a, b], 44100, 1, 96, tmp_path / "1.mp3", span_cache=cache, span_frames=SEG,
                          cuts=[len(a)])
    second = encode_stream([a2, b], 44100, 1, 96, tmp_path / "2.mp3", span_cache=cache, span_frames=SEG,
                           cuts=[len(a2)])
    assert first.span_count == second.span_count == 4 + 3
    assert second.encoded == 2  # A's third and fourth spans; A's first two and all of B reused
    y = ffmpeg.decode(str(tmp_path / "2.mp3"), 44100)
    whole = np.concatenate([a2, b])
    assert len(y) == len(whole)
    ref = one_shot(whole, 44100, 96, tmp_path / "ref.mp3")
    diff = np.abs(y - ref).max(axis=1)
    near, elsewhere = worst(diff, [len(a2) - 1105, 2 * SEG * spf - 1105])
    assert near <= max(3 * elsewhere, 2e-3), (near, elsewhere)
    with pytest.raises(ValueError, match="multiples of 1152"):
        encode_stream([a], 44100, 1, 96, tmp_path / "3.mp3", cuts=[1000])


def test_ctrl_c_mid_stream_leaves_no_encoder_running(tmp_path, monkeypatch):
    procs = []
    real = subprocess.Popen

    def popen(argv, *args, **kwargs):
        procs.append(real(argv, *args, **kwargs))
        return procs[-1]

    monkeypatch.setattr(segments.subprocess, "Popen", popen)
    x = signal(6.0)

    def blocks():
        yield from iter_blocks(x[: len(x) // 2], 4096)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        encode_stream(blocks(), 44100, 1, 96, tmp_path / "a.mp3", span_cache=tmp_path / "c", span_frames=SEG)
    assert procs and all(p.poll() is not None for p in procs)
    assert not list((tmp_path / "c").glob("*.part"))
