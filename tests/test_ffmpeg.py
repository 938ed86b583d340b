"""Finding and running ffmpeg (never ffprobe)."""

import numpy as np
import pytest

from audioessay import ffmpeg
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

    with caplog.at_level(logging.INFO, logger="audioessay.ffmpeg"):
        ffmpeg.run(["-f", "lavfi", "-i", "anullsrc", "-t", "0.1", "-f", "null", "-"])
    assert any("-hide_banner" in r.getMessage() and "anullsrc" in r.getMessage() for r in caplog.records)


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
