"""Finding and running ffmpeg (never ffprobe)."""

import numpy as np
import pytest

from audioessay.util import ffmpeg
from audioessay.errors import ToolError


@pytest.fixture(autouse=True)
def fresh_lookup():
    ffmpeg.ffmpeg_path.cache_clear()
    yield
    ffmpeg.ffmpeg_path.cache_clear()


def test_ffmpeg_binary_env_that_is_not_executable(monkeypatch, tmp_path):
    monkeypatch.setenv("FFMPEG_BINARY", str(tmp_path / "nope"))
    with pytest.raises(ToolError) as info:
        ffmpeg.ffmpeg_path()
    assert "FFMPEG_BINARY" in str(info.value) and info.value.exit_code == 4


def test_ffmpeg_binary_env_is_preferred(monkeypatch, tmp_path):
    import imageio_ffmpeg

    link = tmp_path / "my-ffmpeg"
    link.symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    monkeypatch.setenv("FFMPEG_BINARY", str(link))
    assert ffmpeg.ffmpeg_path() == str(link)


def test_failure_is_a_tool_error_with_ffmpegs_words(tmp_path):
    with pytest.raises(ToolError) as info:
        ffmpeg.decode(str(tmp_path / "missing.mp3"), 44100)
    assert "ffmpeg failed" in str(info.value) and "missing.mp3" in str(info.value)


def test_decode_bytes_roundtrip_rate_and_channels():
    wav = ffmpeg.run(["-f", "lavfi", "-i", "sine=f=440:d=1:sample_rate=22050", "-f", "wav", "pipe:1"])
    x = ffmpeg.decode(wav, 44100, channels=2)
    assert x.shape[1] == 2 and abs(len(x) - 44100) < 50
    assert 0.05 < np.abs(x).max() < 1.0


def test_verbose_logs_each_command(caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="audioessay.util.ffmpeg"):
        ffmpeg.run(["-f", "lavfi", "-i", "anullsrc", "-t", "0.1", "-f", "null", "-"])
    assert any("-hide_banner" in r.getMessage() and "anullsrc" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("name", ["pipe:0", "concat:a.wav|b.wav", "http:x.wav", "-i"])
def test_paths_that_look_like_protocols_are_read_as_files(tmp_path, monkeypatch, name):
    wav = ffmpeg.run(["-f", "lavfi", "-i", "sine=f=440:d=0.5:sample_rate=8000", "-f", "wav", "pipe:1"])
    (tmp_path / name).write_bytes(wav)
    monkeypatch.chdir(tmp_path)
    assert ffmpeg.file_input(name) == f"file:{tmp_path / name}"
    x = ffmpeg.decode(name, 8000)  # relative: made absolute, then prefixed
    assert abs(len(x) - 4000) < 50 and np.abs(x).max() > 0.1


def test_decode_stops_at_max_seconds(tmp_path):
    wav = tmp_path / "long.wav"
    wav.write_bytes(ffmpeg.run(["-f", "lavfi", "-i", "sine=f=440:d=30:sample_rate=8000", "-f", "wav", "pipe:1"]))
    x = ffmpeg.decode(wav, 8000, max_seconds=2)
    assert abs(len(x) - 16000) < 50


def test_decode_ignores_embedded_pictures(tmp_path):
    # an MP3 carrying a cover as a video stream: audio only comes out, and nothing fails
    png = tmp_path / "c.png"
    png.write_bytes(ffmpeg.run(["-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", "-f", "image2",
                                "-c:v", "png", "pipe:1"]))
    mp3 = tmp_path / "with-cover.mp3"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=f=440:d=1", "-i", str(png), "-map", "0:a", "-map", "1:v",
                "-c:v", "copy", "-id3v2_version", "3", "-y", str(mp3)])
    x = ffmpeg.decode(mp3, 44100)
    assert abs(len(x) - 44100) < 2000


def test_bundled_ffmpeg_wins_over_path(monkeypatch, tmp_path):
    import imageio_ffmpeg

    fake = tmp_path / "ffmpeg"  # an "ffmpeg" first on PATH that is not the bundled one
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.delenv("FFMPEG_BINARY", raising=False)
    monkeypatch.setenv("PATH", f"{tmp_path}:{__import__('os').environ['PATH']}")
    assert ffmpeg.ffmpeg_path() == imageio_ffmpeg.get_ffmpeg_exe()


def test_path_ffmpeg_when_the_wheel_has_none(monkeypatch, tmp_path):
    import imageio_ffmpeg

    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)

    def missing():
        raise RuntimeError("no ffmpeg exe could be found")

    monkeypatch.delenv("FFMPEG_BINARY", raising=False)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert ffmpeg.ffmpeg_path() == str(fake)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    ffmpeg.ffmpeg_path.cache_clear()
    with pytest.raises(ToolError, match="ffmpeg not found"):
        ffmpeg.ffmpeg_path()
