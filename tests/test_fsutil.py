"""Atomic single and group writes, file modes, stale temporaries, regular-file checks, bounded reads."""

from __future__ import annotations

import os
import signal
import stat
import sys
import time
from pathlib import Path

import pytest

from audioessay.errors import InputError
from audioessay.util.fsutil import (atomic_group, atomic_path, atomic_write, check_output, clean_stale_parts,
                               read_limited, regular_file)


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write(target, "one")
    atomic_write(target, "two")
    assert target.read_text() == "two" and parts(tmp_path) == []


def test_new_file_gets_0644_minus_umask(tmp_path):
    old = os.umask(0o027)
    try:
        import importlib

        import audioessay.util.fsutil as fsutil

        importlib.reload(fsutil)
        fsutil.atomic_write(tmp_path / "new.mp3", b"x")
    finally:
        os.umask(old)
        importlib.reload(fsutil)
    assert stat.S_IMODE((tmp_path / "new.mp3").stat().st_mode) == 0o640


def test_replaced_setuid_file_keeps_only_read_write_bits(tmp_path):
    target = tmp_path / "ep.mp3"
    target.write_bytes(b"old")
    os.chmod(target, 0o6775)
    atomic_write(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_symlink_to_setuid_target_is_replaced_not_followed(tmp_path):
    real = tmp_path / "real.bin"
    real.write_bytes(b"keep")
    os.chmod(real, 0o4755)
    link = tmp_path / "ep.mp3"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert not link.is_symlink() and link.read_bytes() == b"new"
    assert stat.S_IMODE(link.stat().st_mode) == 0o644
    assert real.read_bytes() == b"keep"


def test_group_commits_every_file_together(tmp_path):
    targets = [tmp_path / "ep.vtt", tmp_path / "ep.srt", tmp_path / "ep.mp3"]
    for t in targets:
        t.write_text("old " + t.suffix)
    with atomic_group(targets) as tmps:
        for t, tmp in tmps.items():
            assert tmp.parent == t.parent and tmp.name.startswith(f".{t.name}.")
            tmp.write_text("new " + t.suffix)
    assert [t.read_text() for t in targets] == ["new .vtt", "new .srt", "new .mp3"]
    assert parts(tmp_path) == []


def test_group_failure_before_renames_keeps_previous_set(tmp_path):
    targets = [tmp_path / "ep.vtt", tmp_path / "ep.mp3"]
    for t in targets:
        t.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_group(targets) as tmps:
            tmps[targets[0]].write_text("new")
            raise RuntimeError("encoder died")
    assert [t.read_text() for t in targets] == ["old", "old"] and parts(tmp_path) == []


def test_group_refuses_a_folder_in_a_target_place_before_renaming_anything(tmp_path):
    (tmp_path / "ep.vtt").mkdir()
    mp3 = tmp_path / "ep.mp3"
    mp3.write_text("old")
    with pytest.raises(InputError, match=r"ep.vtt: is a folder; give a regular file name"):
        with atomic_group([mp3, tmp_path / "ep.vtt"]) as tmps:
            for tmp in tmps.values():
                tmp.write_text("new")
    assert mp3.read_text() == "old" and parts(tmp_path) == []


def test_group_rolls_back_when_a_rename_fails(tmp_path, monkeypatch):
    targets = [tmp_path / "ep.vtt", tmp_path / "ep.srt", tmp_path / "ep.mp3"]
    for t in targets[:2]:
        t.write_text("old")  # ep.mp3 is new
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(Path(dst))
        if Path(dst) == targets[2] and str(src).endswith(".part") and len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(OSError, match="No space"):
        with atomic_group(targets) as tmps:
            for tmp in tmps.values():
                tmp.write_text("new")
    assert [t.read_text() for t in targets[:2]] == ["old", "old"]
    assert not targets[2].exists() and parts(tmp_path) == []


def test_atomic_path_interrupted_leaves_target(tmp_path):
    target = tmp_path / "x.mp3"
    target.write_bytes(b"previous")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"previous" and parts(tmp_path) == []


class _CtrlCAtLine:
    """A trace that sends this process SIGINT at the n-th line run inside util/fsutil.py: a
    Ctrl-C between any two statements of the code that makes and renames temporaries."""

    def __init__(self, n: int):
        self.n, self.seen = n, 0

    def __call__(self, frame, event, arg):
        if not frame.f_code.co_filename.endswith(os.path.join("util", "fsutil.py")):
            return None
        if event == "line":
            self.seen += 1
            if self.seen == self.n:
                signal.raise_signal(signal.SIGINT)
        return self


def test_ctrl_c_at_any_line_of_a_group_write_leaves_no_temporary_and_a_whole_set(tmp_path):
    targets = [tmp_path / "ep.chapters.json", tmp_path / "ep.vtt", tmp_path / "ep.mp3"]
    n, finished = 0, False
    while not finished:
        n += 1
        for t in targets:
            t.write_text("old")
        trace = _CtrlCAtLine(n)
        sys.settrace(trace)
        try:
            with atomic_group(targets) as tmps:
                for tmp in tmps.values():
                    tmp.write_text("new")
            finished = trace.seen < n  # the whole write ran without reaching line n
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        contents = {t.read_text() for t in targets}
        assert parts(tmp_path) == [], f"Ctrl-C at line {n} of the write"
        assert len(contents) == 1, f"Ctrl-C at line {n} left a mixed set: {contents}"
    assert n > 20 and contents == {"new"}


def test_clean_stale_parts_removes_only_old_temporaries_of_this_stem(tmp_path):
    old = time.time() - 3600
    names = [".ep.mp3.abc.part", ".ep.chapters.json.x1.part", ".ep2.mp3.abc.part", ".ep.mp3.new.part", "ep.mp3"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    for name in names[:3] + names[4:]:
        os.utime(tmp_path / name, (old, old))
    (tmp_path / ".ep.dir.part").mkdir()
    os.utime(tmp_path / ".ep.dir.part", (old, old))
    removed = clean_stale_parts(tmp_path, "ep")
    assert sorted(p.name for p in removed) == [".ep.chapters.json.x1.part", ".ep.mp3.abc.part"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ep.dir.part", ".ep.mp3.new.part", ".ep2.mp3.abc.part",
                                                           "ep.mp3"]


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_regular_file_refuses_special_files(tmp_path, fifo):
    with pytest.raises(InputError, match=r"^script .*pipe.yaml: is a named pipe \(FIFO\), not a regular file; give a file$"):
        regular_file(fifo, "script")
    with pytest.raises(InputError, match=r"is a folder, not a regular file"):
        regular_file(tmp_path, "section file")
    with pytest.raises(InputError, match=r"is a character device, not a regular file"):
        regular_file("/dev/zero", "section file")
    with pytest.raises(InputError, match=r"missing.txt: not found; check the path"):
        regular_file(tmp_path / "missing.txt", "section file")
    ok = tmp_path / "ok.txt"
    ok.write_text("x")
    assert regular_file(ok, "x") == ok


def test_read_limited_never_blocks_or_exhausts_memory(tmp_path, fifo):
    # a writer that never comes: open() without O_NONBLOCK would wait forever
    with pytest.raises(InputError, match="named pipe"):
        read_limited(fifo, 1000, "script")
    with pytest.raises(InputError, match="character device"):
        read_limited("/dev/zero", 1000, "section file")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 3_000_000)
    with pytest.raises(InputError, match=r"^section file .*big.txt: is 3.0 MB; the limit is 2.0 MB$"):
        read_limited(big, 2_000_000, "section file")
    small = tmp_path / "small.txt"
    small.write_bytes(b"hello")
    assert read_limited(small, 5) == b"hello"


def test_check_output_refuses_inputs_and_special_files(tmp_path):
    script = tmp_path / "ep.yaml"
    script.write_text("title: t")
    link = tmp_path / "alias.yaml"
    link.symlink_to(script)
    with pytest.raises(InputError, match=r"ep.yaml: is an input of this script"):
        check_output(tmp_path / "sub" / ".." / "ep.yaml", [script])
    with pytest.raises(InputError, match=r"alias.yaml: is an input of this script"):
        check_output(link, [script])
    with pytest.raises(InputError, match=r"/dev/null: is a character device; give a regular file name"):
        check_output("/dev/null", [script])
    assert check_output(tmp_path / "ep.mp3", [script]) == tmp_path / "ep.mp3"

