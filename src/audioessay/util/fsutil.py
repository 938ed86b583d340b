"""Safe file handling: atomic writes (alone or as a group), regular-file checks, bounded reads.

Writes go to a temporary file in the target's folder, named ``.{name}.XXXX.part``,
then are renamed over the target. A render killed with SIGKILL can leave such a
temporary behind; `clean_stale_parts` removes old ones on the next run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from audioessay.errors import InputError

STALE_PART_S = 600.0  # a .part file this old belongs to a writer that died


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it over `target`.

    On any exception (including KeyboardInterrupt) the temporary file is removed
    and `target` is left exactly as it was.
    """
    with atomic_group([target]) as tmps:
        yield next(iter(tmps.values()))


@contextlib.contextmanager
def atomic_group(targets: Sequence[str | os.PathLike]) -> Iterator[dict[Path, Path]]:
    """Yield {target: temporary path} for files that must change together, e.g. an MP3 and
    its sidecars. When the block succeeds every temporary is renamed over its target, in
    the order given (put the file that vouches for the others, the MP3, last).

    A failure inside the block, or a check failing before the first rename, removes the
    temporaries and leaves every target as it was. If a rename itself fails, the targets
    already replaced are put back from hard-linked backups. Ctrl-C and SIGTERM wait while
    temporaries are made, renamed or removed (`signals_held`). What cannot be covered is a
    SIGKILL or power loss in the microseconds between two renames: then some targets are
    new and some old, which is why the last file renamed should record a digest of the rest.
    """
    paths = [Path(t) for t in targets]
    if len(set(paths)) != len(paths):
        raise ValueError(f"atomic_group: a target is named twice in {paths}")
    tmps: dict[Path, Path] = {}
    try:
        with signals_held():
            for target in paths:
                target.parent.mkdir(parents=True, exist_ok=True)
                _create_part(target, tmps)
        yield dict(tmps)
        with signals_held():
            for target, tmp in tmps.items():
                _refuse_non_regular(target)
                os.chmod(tmp, _mode_for(target))
            _rename_all(tmps)
    except BaseException:
        with signals_held():
            for tmp in tmps.values():
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        raise


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM for the length of the block, then deliver them: the
    block (making temporaries, renaming a set, removing temporaries) is never cut in half.
    Only the main thread receives them; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum, frame) -> None:
        caught.append(signum)

    previous: dict[signal.Signals, Any] = {}
    try:
        for stop in (signal.SIGTERM, signal.SIGINT):
            previous[stop] = signal.getsignal(stop)  # known before it is replaced
            signal.signal(stop, hold)
        yield
    finally:
        for stop, handler in previous.items():  # SIGINT last: one arriving meanwhile is held
            signal.signal(stop, handler if handler is not None else signal.SIG_DFL)
        for number in dict.fromkeys(caught):
            signal.raise_signal(number)


def _rename_all(tmps: dict[Path, Path]) -> None:
    backups: dict[Path, Path] = {}
    new = {target for target in tmps if not target.exists()}
    started: list[Path] = []
    try:
        if len(tmps) > 1:
            for target in tmps:
                _backup(target, backups)
        for target, tmp in tmps.items():
            started.append(target)  # before the rename: a Ctrl-C right after it must undo it
            os.replace(tmp, target)
    except BaseException:
        for target in started:  # put the previous set back (a target that was new is removed)
            if tmps[target].exists():
                continue  # not renamed yet
            with contextlib.suppress(OSError):
                if target in backups:
                    os.replace(backups.pop(target), target)
                elif target in new:
                    target.unlink()
        raise
    finally:
        for backup in backups.values():
            with contextlib.suppress(OSError):
                backup.unlink()


def _part_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")


def _create_part(target: Path, into: dict[Path, Path]) -> None:
    """Create an empty temporary for `target`, recorded in `into` before it exists: a Ctrl-C
    between the two steps (the handler runs between bytecodes) cannot leave one unrecorded."""
    while True:
        into[target] = name = _part_name(target)
        try:
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            return
        except FileExistsError:
            continue


def _backup(target: Path, into: dict[Path, Path]) -> None:
    """Record in `into` a hard link to the current `target` (none if it does not exist or
    links are impossible); recorded first, like `_create_part`."""
    if not target.is_file():
        return
    into[target] = name = _part_name(target)
    try:
        os.link(target, name)
    except OSError:  # e.g. a filesystem without hard links: no rollback, the window stays small
        del into[target]


def atomic_write(target: str | os.PathLike, data: bytes | str) -> None:
    """Write `data` (bytes, or text as UTF-8) to `target` atomically."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def _mode_for(target: Path) -> int:
    """A replaced file keeps its read/write bits only (never setuid, setgid, sticky or execute,
    even through a symlink); a new file gets 0644 minus umask (the temporary's 0600 would hide a
    published MP3 from the web server)."""
    try:
        return target.stat().st_mode & 0o666
    except OSError:
        return 0o644 & ~_UMASK


def _read_umask() -> int:
    umask = os.umask(0)  # the only way to read it; done once, at import
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def clean_stale_parts(folder: str | os.PathLike[str], stem: str, older_than_s: float = STALE_PART_S) -> list[Path]:
    """Remove temporaries ``.{stem}.*.part`` in `folder` older than `older_than_s` (left by
    a killed writer); return what was removed. Younger ones may belong to a live writer."""
    cutoff = time.time() - older_than_s
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    prefix = f".{stem}."
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".part")):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode) or st.st_mtime >= cutoff:
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove
        removed.append(Path(entry.path))
    return removed


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """'a regular file', 'a folder', 'a named pipe (FIFO)', ... for an st_mode."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def regular_file(path: str | os.PathLike, what: str) -> Path:
    """`path` if it names an existing regular file (symlinks followed); otherwise InputError
    with one line such as "music file x.ogg: is a named pipe (FIFO), not a regular file; ..."."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{what} {path}: not found; check the path") from None
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot be read ({exc.strerror}); check the path and permissions") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} {path}: is {file_kind(st.st_mode)}, not a regular file; give a file")
    return path


def open_regular(path: str | os.PathLike, what: str = "file") -> BinaryIO:
    """`path` opened for reading if it is a regular file; else InputError. A special file is
    not opened at all (one swapped in after the check is opened without blocking, then refused)."""
    path = regular_file(path, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # swapped for a FIFO meanwhile: no hang
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot be read ({exc.strerror}); check its permissions") from None
    f = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        f.close()
        raise InputError(f"{what} {path}: is {file_kind(mode)}, not a regular file; give a file")
    return f


def read_limited(path: str | os.PathLike, max_bytes: int, what: str = "file") -> bytes:
    """The whole content of the regular file `path`, refused unread when it is larger than
    `max_bytes`. Never blocks on a FIFO and never reads a device (/dev/zero) to exhaustion."""
    path = regular_file(path, what)
    if os.stat(path).st_size > max_bytes:
        raise InputError(_too_big(path, what, os.stat(path).st_size, max_bytes))
    with open_regular(path, what) as f:
        try:
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{what} {path}: cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:  # it grew after the size check
        raise InputError(_too_big(path, what, len(data), max_bytes))
    return data


def _too_big(path: Path, what: str, size: int, limit: int) -> str:
    return f"{what} {path}: is {_size(size)}; the limit is {_size(limit)}"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when `a` and `b` are the same file (through links), or the same path when neither exists."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(os.path.abspath(a)) == Path(os.path.abspath(b))


def check_output(path: str | os.PathLike, inputs: Iterable[str | os.PathLike], what: str = "output") -> Path:
    """`path` if it may be written: not one of `inputs` (the script, its section files, music,
    cover) and, if it exists, a regular file. Otherwise InputError, one line."""
    path = Path(path)
    for source in inputs:
        if same_file(path, source):
            raise InputError(f"{what} {path}: is an input of this script ({source}); "
                             "choose another output name with -o or output:")
    _refuse_non_regular(path, what)
    return path


def _refuse_non_regular(path: Path, what: str = "output") -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot be checked ({exc.strerror}); choose another place") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} {path}: is {file_kind(st.st_mode)}; give a regular file name with -o")
