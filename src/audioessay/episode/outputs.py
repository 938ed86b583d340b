"""The output path: whether it can be written, and what a previous render left there.

That is its tags, and whether the sidecars beside it are the ones written with it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from audioessay.errors import AudioessayError, InputError
from audioessay.export import id3, tags as txxx
from audioessay.export.sidecars import sidecar_paths
from audioessay.script.loader import Script, input_files
from audioessay.util.fsutil import check_output as check_path


def check_output(output: Path, script: Script, with_sidecars: bool = True) -> None:
    """Catch an unusable output path before any work is done: a folder, a special file, a
    place that cannot be written, or one of the script's own inputs (for the sidecars too)."""
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give a file name such as {output / 'episode.mp3'}")
    folder = output.parent
    while not folder.exists():  # atomic writes create missing folders: check the nearest existing one
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{output}: cannot write into {folder}; choose another place with -o")
    inputs = list(input_files(script))
    check_path(output, inputs)
    for path in (sidecar_paths(output).values() if with_sidecars else ()):
        if path.is_dir():
            raise InputError(f"{path}: is a folder where the episode's transcript goes; rename it or choose "
                             "another output name with -o")
        check_path(path, inputs, "sidecar")


def stored_tags(output: Path) -> dict[str, str]:
    """The TXXX frames of a previous render's MP3 (empty if there is no readable one)."""
    if not output.is_file():
        return {}
    try:
        return dict(id3.read_tags(output).extra)
    except AudioessayError:
        return {}  # unreadable: just render again


def sidecars_digest(texts: Iterable[str]) -> str:
    """What the MP3 records of its sidecars (txxx.SIDECARS): a digest of their texts."""
    h = hashlib.sha256()
    for text in texts:
        h.update(hashlib.sha256(text.encode("utf-8")).digest())
    return h.hexdigest()


def sidecars_match(output: Path, stored: dict[str, str]) -> bool:
    """The sidecars beside the MP3 are the ones written with it (same digest)."""
    try:
        texts = [p.read_text(encoding="utf-8") for p in sidecar_paths(output).values()]
    except (OSError, UnicodeDecodeError):
        return False
    return stored.get(txxx.SIDECARS) == sidecars_digest(texts)
