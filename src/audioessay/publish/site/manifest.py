"""The site folder's manifest: what `site` wrote there, so a rebuild replaces only its own files.

`.audioessay-site.json` lists each file by name with its SHA-256, size and mtime. A folder
without one must be empty; a listed file must still hold what was written (size and mtime
equal, else the same hash); a name the site needs that is there but not listed is the user's.
Nothing is written while any of that fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from audioessay.errors import InputError, Problem
from audioessay.util.fsutil import file_kind, open_regular, read_limited

MANIFEST = ".audioessay-site.json"
FORMAT = 1  # bump when the layout below changes; an unknown format is refused, not guessed at
MAX_MANIFEST_BYTES = 16 << 20  # some 100,000 files
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Record:
    """One file `site` wrote: its content hash, and the size and mtime it had then."""

    sha256: str
    size: int
    mtime_ns: int


def read(folder: Path) -> dict[str, Record]:
    """What a previous `site` wrote in `folder`: {} for a folder that is missing or empty (but
    for temporaries a killed build left). InputError for a folder holding other files and no
    manifest, or a manifest audioessay did not write."""
    path = folder / MANIFEST
    if not os.path.lexists(folder):
        return {}
    if not os.path.lexists(path):
        try:
            names = sorted(n for n in os.listdir(folder) if not _temporary(n))
        except OSError as exc:
            raise InputError(f"site folder {folder}: cannot be read ({exc.strerror}); check its permissions") from None
        if names:
            raise InputError(f"site folder {folder}: holds files audioessay did not make ({_few(names)}); "
                             "give an empty folder with -o, or remove them")
        return {}
    raw = read_limited(path, MAX_MANIFEST_BYTES, "site manifest")  # a FIFO or a device: refused unread
    try:
        return _parse(raw)
    except ValueError as exc:
        raise InputError(f"site manifest {path}: {exc}; it is not one audioessay wrote, so nothing was changed: "
                         "build the site into an empty folder") from None


def _parse(raw: bytes) -> dict[str, Record]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("audioessay-site") != FORMAT or not isinstance(doc.get("files"), dict):
        raise ValueError(f'not format {FORMAT} ({{"audioessay-site": {FORMAT}, "files": {{...}}}})')
    records = {}
    for name, entry in doc["files"].items():
        if not _plain_name(name):
            raise ValueError(f"lists {name!r}, which is not a file name in the folder")
        if not isinstance(entry, dict):
            raise ValueError(f"the entry of {name!r} is not a mapping")
        sha, size, mtime = entry.get("sha256"), entry.get("size"), entry.get("mtime_ns")
        if not (isinstance(sha, str) and len(sha) == 64 and set(sha) <= _HEX):
            raise ValueError(f"the entry of {name!r} has no SHA-256")
        if not (_whole(size) and _whole(mtime) and size >= 0):
            raise ValueError(f"the entry of {name!r} has no size or mtime_ns")
        records[name] = Record(sha, size, mtime)
    return records


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain_name(name: str) -> bool:
    """A file right in the folder: never a path that reaches elsewhere, nor the manifest itself."""
    return (bool(name) and name not in (".", "..", MANIFEST) and os.path.basename(name) == name
            and not any(c in name for c in "/\\\0"))


def _temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".part")  # fsutil's atomic writes, left by a SIGKILL


def _few(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def dump(records: dict[str, Record]) -> str:
    """The manifest's text for `records`: JSON, one file a line."""
    rows = [f"  {json.dumps(name, ensure_ascii=False)}: "
            + json.dumps({"sha256": r.sha256, "size": r.size, "mtime_ns": r.mtime_ns})
            for name, r in sorted(records.items())]
    return f'{{"audioessay-site": {FORMAT}, "files": {{\n' + ",\n".join(rows) + "\n}}\n"


def current(folder: Path, name: str, record: Record) -> Record | None:
    """`record` refreshed if the file still holds what was written (a touch is no change),
    else None: it was edited, replaced by something else, or removed."""
    path = folder / name
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    if (st.st_size, st.st_mtime_ns) == (record.size, record.mtime_ns):
        return record
    if st.st_size != record.size or sha256(path) != record.sha256:
        return None
    return Record(record.sha256, st.st_size, st.st_mtime_ns)


def claim(folder: Path, owned: dict[str, Record], names: Iterable[str]) -> dict[str, Record]:
    """Check that `site` may write each of `names` in `folder`: absent, or listed in the
    manifest (`owned`) and unchanged since. Returns the checked records of those present;
    InputError, one line per file, for the user's files and the ones edited since."""
    checked: dict[str, Record] = {}
    problems: list[Problem] = []
    for name in names:
        path = folder / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(_problem(path, f"cannot be checked ({exc.strerror}); check the folder's permissions"))
            continue
        record = owned.get(name)
        now = current(folder, name, record) if record is not None else None
        if now is not None:
            checked[name] = now
        elif record is None:
            problems.append(_problem(path, f"not made by audioessay (not in {MANIFEST}), so site will not "
                                           "overwrite it; move it away or give another folder with -o"))
        elif not stat.S_ISREG(st.st_mode):
            problems.append(_problem(path, f"is {_kind(st.st_mode)} now, not the file site wrote; "
                                           "remove it and run site again"))
        else:
            problems.append(_problem(path, "changed since site wrote it; move your version away (or delete it) "
                                           "and run site again"))
    if problems:
        raise InputError(problems)
    return checked


def _problem(path: Path, message: str) -> Problem:
    return Problem(str(path), None, "", message)


def _kind(mode: int) -> str:
    return "a symbolic link" if stat.S_ISLNK(mode) else file_kind(mode)


def sha256(path: Path) -> str:
    """The SHA-256 of a regular file's content."""
    h = hashlib.sha256()
    with open_regular(path, "site file") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
