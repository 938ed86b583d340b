"""Find and run ffmpeg. Never uses ffprobe (the bundled build has none)."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
from functools import lru_cache

import numpy as np

from audioessay.errors import ToolError

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def ffmpeg_path() -> str:
    """FFMPEG_BINARY, then the imageio-ffmpeg wheel's binary, then PATH.

    The wheel's build is preferred over whatever PATH holds: it is a known version with
    libmp3lame, the same on every machine, and starts faster than a distribution build
    that loads dozens of shared libraries. FFMPEG_BINARY still picks any other."""
    env = os.environ.get("FFMPEG_BINARY")
    if env:
        found = shutil.which(env)
        if not found:
            raise ToolError(
                f"FFMPEG_BINARY={env!r} is not an executable. "
                "Point it at an ffmpeg binary or unset it to use the bundled one."
            )
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # the wheel raises RuntimeError when its binary is absent
        found = shutil.which("ffmpeg")
        if found:
            return found
        raise ToolError(
            f"ffmpeg not found ({exc}). Reinstall audioessay so the imageio-ffmpeg wheel "
            "provides one, or install it (apt install ffmpeg)."
        ) from exc


def run(args: list[str], *, input: bytes | None = None) -> bytes:
    """Run ffmpeg with `args`; return stdout. Raises ToolError with ffmpeg's own last words."""
    argv = [ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    log.info("%s", shlex.join(argv))
    try:
        proc = subprocess.run(argv, input=input, capture_output=True, check=False)
    except OSError as exc:
        raise ToolError(f"could not start ffmpeg ({exc}); check FFMPEG_BINARY or PATH") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ToolError(f"ffmpeg failed (exit {proc.returncode}): {' / '.join(tail) or 'no message'}")
    return proc.stdout


def file_input(path: str | os.PathLike) -> str:
    """The `-i` argument that makes ffmpeg read `path` as a plain file: `file:` plus the
    absolute path, so names like ``pipe:0``, ``concat:a|b`` or ``http://x`` are never protocols."""
    return "file:" + os.path.abspath(os.fspath(path))


def decode(source: str | os.PathLike | bytes, rate: int, channels: int = 1,
           *, max_seconds: float | None = None) -> np.ndarray:
    """Decode a file path or encoded bytes to float32 samples shaped (frames, channels).

    Only audio is read (`-vn`: cover art is never decoded). `max_seconds` stops decoding
    after that much audio, so a long file costs only what is used."""
    inp = "pipe:0" if isinstance(source, bytes) else file_input(source)
    limit = ["-t", f"{max_seconds:.3f}"] if max_seconds is not None else []
    out = run(
        ["-i", inp, "-vn", *limit, "-f", "f32le", "-acodec", "pcm_f32le", "-ac", str(channels), "-ar", str(rate),
         "pipe:1"],
        input=source if isinstance(source, bytes) else None,
    )
    return np.frombuffer(out, dtype="<f4").reshape(-1, channels).copy()
