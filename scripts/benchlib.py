"""Shared by the benchmark scripts: a temporary copy of a script and a clean environment."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "scripts" / "her.yaml"
PROXIES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
           "no_proxy", "NO_PROXY")


def _absolute(value: object, base: Path) -> object:
    return str((base / value).resolve()) if isinstance(value, str) and value.strip() else value


def sample_copy(src: Path, dest: Path, *, voice: dict | None = None,
                replace: tuple[str, str] | None = None) -> Path:
    """Write a copy of the script `src` to `dest` (any folder): file paths made absolute
    (they are relative to the script), `voice` merged into its voice mapping, and
    `replace` = (old, new) applied to the section texts."""
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    base = src.parent
    if data.get("cover"):
        data["cover"] = _absolute(data["cover"], base)
    music = data.get("music")
    if isinstance(music, str) and music != "none":
        data["music"] = _absolute(music, base)
    elif isinstance(music, dict) and music.get("file"):
        music["file"] = _absolute(music["file"], base)
    for section in data.get("sections") or []:
        if section.get("file"):
            section["file"] = _absolute(section["file"], base)
        if replace and isinstance(section.get("text"), str):
            section["text"] = section["text"].replace(*replace)
    if voice:
        data["voice"] = {**(data.get("voice") or {}), **voice}
    dest.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def clean_env(url: str | None, cache_dir: Path) -> dict[str, str]:
    """The environment for a render subprocess: our cache, the fake endpoint, no proxies
    (a proxy would carry 127.0.0.1 traffic away)."""
    env = {**os.environ, "AUDIOESSAY_CACHE_DIR": str(cache_dir)}
    if url:
        env["AUDIOESSAY_GTTS_URL"] = url
    for name in PROXIES:
        env.pop(name, None)
    return env


def tools() -> str:
    """Which ffmpeg and MP3 decoder a render here uses (the project's default choice)."""
    import subprocess
    import sys

    sys.path.insert(0, str(REPO / "src"))
    from audioessay.util.ffmpeg import ffmpeg_path

    path = ffmpeg_path()
    version = subprocess.run([path, "-hide_banner", "-version"], capture_output=True, text=True).stdout.split("\n")[0].split(" Copyright")[0]
    try:
        from importlib.metadata import version as dist_version

        decoder = f"miniaudio {dist_version('miniaudio')} in-process"
    except Exception:
        decoder = "ffmpeg, one process per piece"
    return f"ffmpeg: {path} ({version}); gTTS answers decoded by {decoder}"
