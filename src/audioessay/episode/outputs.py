"""The output path: whether it can be written, and what a previous render left there.

That is its tags, and whether the sidecars beside it are the ones written with it. An output
path may only replace what a render made: an MP3 carrying txxx.DIGEST, or a sidecar whose MP3
beside it is an episode (a render written with its sidecars). Anything else needs `replace`
(the CLI's --force), and a render without sidecars (a preview) never replaces an episode.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from audioessay.errors import AudioessayError, InputError, Problem
from audioessay.export import id3, tags as txxx
from audioessay.export.sidecars import SIDECARS, sidecar_paths
from audioessay.script.loader import Script, input_files
from audioessay.util.fsutil import check_output as check_path


def check_output(output: Path, script: Script, with_sidecars: bool = True, replace: bool = False) -> None:
    """Catch an unusable output path before any work is done: a folder, a special file, a
    place that cannot be written, one of the script's own inputs (for the sidecars too), a
    name that does not end in .mp3, or (unless `replace`) a file no render made. Without
    sidecars (a preview) the output may not be an episode, whatever `replace` says."""
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give a file name such as {output / 'episode.mp3'}")
    folder = output.parent
    while not folder.exists():  # atomic writes create missing folders: check the nearest existing one
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{output}: cannot write into {folder}; choose another place with -o")
    inputs = list(input_files(script))
    check_path(output, inputs)
    _check_suffix(output)
    sidecars = list(sidecar_paths(output).values()) if with_sidecars else []
    for path in sidecars:
        if path.is_dir():
            raise InputError(f"{path}: is a folder where the episode's transcript goes; rename it or choose "
                             "another output name with -o")
        check_path(path, inputs, "sidecar")
    if not with_sidecars and is_episode(stored_tags(output)):
        raise InputError(f"{output}: is a rendered episode (an MP3 written with its sidecars); a preview "
                         "never replaces one: choose another name with -o")
    if not replace:
        _check_ours(output, sidecars, hint=", or --force to replace it" if with_sidecars else " with -o")


def _check_suffix(output: Path) -> None:
    """The episode is an MP3: its name ends in .mp3 (any case), never a sidecar's ending."""
    if output.suffix.lower() == ".mp3":
        return
    for ending, _ in SIDECARS.values():
        if output.name.lower().endswith(ending) and len(output.name) > len(ending):
            mp3 = output.with_name(output.name[: -len(ending)] + ".mp3")
            raise InputError(f"{output}: collides with a sidecar (the {ending} file beside {mp3.name}); "
                             f"give the episode's MP3 name instead, e.g. -o {mp3}")
    raise InputError(f"{output}: the episode is an MP3, so its name must end in .mp3; "
                     f"choose a name such as {output.with_suffix('.mp3').name}")


def _check_ours(output: Path, sidecars: list[Path], hint: str) -> None:
    """Refuse (one line per file) every existing file at the output that no render made."""
    problems = []
    why = not_a_render(output)
    if why is not None:
        problems.append(Problem(str(output), None, "", f"exists and was not made by audioessay ({why}); "
                                f"choose another output name{hint}"))
    present = [p for p in sidecars if os.path.lexists(p)]
    if present and not is_episode(stored_tags(output)):
        if not os.path.lexists(output):
            because = f"there is no {output.name} beside it"
        elif why is not None:
            because = f"{output.name} was not made by audioessay"
        else:
            because = f"{output.name} was rendered without sidecars"
        for path in present:
            problems.append(Problem(str(path), None, "", f"exists and was not written with an episode "
                                    f"({because}); move it away, choose another output name{hint}"))
    if problems:
        raise InputError(problems)


def not_a_render(path: Path) -> str | None:
    """Why the file at `path` is not a render's MP3 (for the message); None when it is one, or
    when there is nothing there."""
    if not os.path.lexists(path):
        return None
    if not path.exists():
        return f"a link to {os.readlink(path)}, which does not exist"
    try:
        extra = id3.read_tags(path).extra
    except AudioessayError:
        return "its ID3 tag cannot be read"
    return None if txxx.DIGEST in extra else f"no {txxx.DIGEST} tag"


def is_episode(stored: dict[str, str]) -> bool:
    """The tags are a render's written with its sidecars (what `render` makes; a preview is
    written without them). A render whose tags predate txxx.SIDECARS counts as one too."""
    return txxx.DIGEST in stored and stored.get(txxx.SIDECARS) != sidecars_digest(())


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
