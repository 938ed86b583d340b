"""The watcher in-process: a fake run, a thread that edits files, bounded waits."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from audioessay.episode import watch as watch_mod
from audioessay.errors import InputError, Problem

WAIT = 20.0  # seconds: an upper bound for slow machines, never a measured duration


class Harness:
    """Runs `watch` in a thread; run_once reads the script and fails on 'BROKEN'."""

    def __init__(self, tmp_path: Path, debounce: float = 0.3):
        self.debounce = debounce
        self.script = tmp_path / "essay.yaml"
        self.text = tmp_path / "part.txt"
        self.script.write_text("title: t\n", encoding="utf-8")
        self.text.write_text("하나.\n", encoding="utf-8")
        self.lines: list[str] = []
        self.runs = 0
        self.seen: list[str] = []  # the script's text at each run
        self.cond = threading.Condition()
        self.stop = threading.Event()
        self.result: list[int] = []
        self.thread = threading.Thread(target=self._main, daemon=True)

    def paths(self) -> set[Path]:
        return {self.script, self.text}

    def run_once(self) -> str:
        body = self.script.read_text(encoding="utf-8")
        with self.cond:
            self.runs += 1
            self.seen.append(body)
            self.cond.notify_all()
        if "BROKEN" in body:
            raise InputError([Problem(str(self.script), 2, "title", "must not be empty")])
        return f"run {self.runs}"

    def echo(self, line: str) -> None:
        with self.cond:
            self.lines.append(line)
            self.cond.notify_all()

    def _main(self) -> None:
        self.result.append(watch_mod.watch(self.paths, self.run_once, interval=0.02, debounce=self.debounce,
                                           stop=self.stop, echo=self.echo))

    def wait_for_runs(self, n: int) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: self.runs >= n, timeout=WAIT), f"no run {n}: {self.lines}"

    def wait_for_line(self, text: str) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: any(text in ln for ln in self.lines), timeout=WAIT), self.lines

    def edit(self, path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8")

    def finish(self) -> int:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        return self.result[0]


@pytest.fixture
def harness(tmp_path):
    h = Harness(tmp_path)
    h.thread.start()
    yield h
    h.stop.set()
    h.thread.join(WAIT)


def test_runs_at_start_and_once_after_a_burst_of_saves(tmp_path):
    harness = Harness(tmp_path, debounce=1.0)
    harness.thread.start()
    harness.wait_for_runs(1)
    assert harness.lines[-1].endswith("start: run 1")
    for i in range(5):  # five saves, each seen by the poller, all inside the debounce window
        harness.edit(harness.script, "title: t\n" + "#" * (i + 1) + "\n")
        time.sleep(0.05)
    harness.wait_for_runs(2)
    harness.wait_for_line("essay.yaml changed: run 2")
    harness.edit(harness.text, "하나. 둘.\n")  # a referenced file counts too
    harness.wait_for_line("part.txt changed: run 3")
    assert harness.finish() == 3
    assert harness.seen[1].endswith("#####\n")  # the burst was run once, on its final state


def test_a_broken_edit_prints_its_errors_and_waits(harness):
    harness.wait_for_runs(1)
    harness.edit(harness.script, "title: BROKEN\n")
    harness.wait_for_line("waiting for the next save")
    assert any("essay.yaml changed: failed" in ln for ln in harness.lines)
    assert f"error: {harness.script}:2: title: must not be empty" in harness.lines
    assert harness.thread.is_alive()
    harness.edit(harness.script, "title: fixed again\n")
    harness.wait_for_line("essay.yaml changed: run 3")
    assert harness.finish() == 3


def test_a_broken_start_still_watches(tmp_path):
    h = Harness(tmp_path)
    h.script.write_text("title: BROKEN\n", encoding="utf-8")
    h.thread.start()
    h.wait_for_line("waiting for the next save")
    h.edit(h.script, "title: ok\n")
    h.wait_for_line("essay.yaml changed: run 2")
    assert h.finish() == 2


def test_stop_before_anything_changes(tmp_path):
    h = Harness(tmp_path)
    h.thread.start()
    h.wait_for_runs(1)
    assert h.finish() == 1


def test_changes_names_each_file(tmp_path):
    a, b, c = tmp_path / "a.yaml", tmp_path / "b.ogg", tmp_path / "c.txt"
    a.write_text("1")
    b.write_text("1")
    before = watch_mod.snapshot({a, b, c})
    a.write_text("22")
    os.remove(b)
    c.write_text("new")
    assert watch_mod.changes(before, watch_mod.snapshot({a, b, c})) == "a.yaml changed, b.ogg removed, c.txt created"
    assert watch_mod.changes(before, before) == ""


def test_other_exceptions_are_not_swallowed(tmp_path):
    def boom() -> str:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        watch_mod.watch(lambda: {tmp_path}, boom, interval=0.01, stop=threading.Event(), echo=lambda s: None)


def test_script_files_names_what_the_script_references(tmp_path):
    from audioessay.script import loader as script

    (tmp_path / "part.txt").write_text("둘째 부분이다.\n", encoding="utf-8")
    (tmp_path / "bed.ogg").write_bytes(b"not decoded when the script loads")
    path = tmp_path / "ep.yaml"
    path.write_text("title: t\nmusic: bed.ogg\nsections:\n  - title: 하나\n    text: 첫째다.\n"
                    "  - title: 둘\n    file: part.txt\n", encoding="utf-8")
    assert watch_mod.script_files(path, script.load) == {path, tmp_path / "part.txt", tmp_path / "bed.ogg"}
    path.write_text("title: t\nsections: [\n", encoding="utf-8")  # broken: watch the script alone
    assert watch_mod.script_files(path, script.load) == {path}


# ---- a script no save can fix: refused at once (issue 27) ----------------------------------------


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo", "device", "dangling symlink"])
def test_watch_of_a_script_that_is_not_a_file_exits_2_at_once(tmp_path, kind):
    from click.testing import CliRunner
    from test_feed import bounded

    from audioessay.cli import cli

    path = {"missing": tmp_path / "nothere.yaml", "folder": tmp_path, "fifo": tmp_path / "pipe.yaml",
            "device": Path("/dev/null"), "dangling symlink": tmp_path / "gone.yaml"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "dangling symlink":
        path.symlink_to(tmp_path / "nowhere.yaml")
    render = CliRunner(mix_stderr=False).invoke(cli, ["render", str(path), "-q"])
    with bounded(5):  # before the fix: "start: failed", then a wait for a save that never comes
        result = CliRunner(mix_stderr=False).invoke(cli, ["watch", str(path), "-q"])
    assert result.exit_code == 2 and render.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr == render.stderr  # render's own message
    assert result.stdout == ""  # not even "watching ..."


def test_watchable_lets_a_broken_script_be_watched(tmp_path):
    path = tmp_path / "ep.yaml"
    path.write_text("title: [unclosed\n", encoding="utf-8")
    assert watch_mod.watchable(path) == path  # its errors are the watch loop's, save after save
    with pytest.raises(InputError, match="script not found; check the path"):
        watch_mod.watchable(tmp_path / "nope.yaml")
