"""Soak: espeak renders interrupted at random moments; prints how many of N exited 130 within 2 s.

    python scripts/soak_interrupt.py [-n 200] [--seed 27] [-v]

Each run is the real CLI (`python -m audioessay render SCRIPT --engine espeak --no-cache`,
in a session of its own) sent SIGINT (to its process group, as Ctrl-C in a terminal does)
or, one run in eight, SIGTERM (to the process alone, as `kill PID` does) at a random moment
of synthesis: after the "narrating" line, a seeded random 0 to 70% of the synthesis time
(timed by a calibration run, then the shortest any run took: it varies with the machine's
load, so a few signals may still land just after synthesis). Most runs voice enough sentences for the
engine's worker processes; one in four voices a few, in-process.

A run passes when it exits 130 within 2 s of the signal, leaves no process of its session
alive (no worker, zombie or orphan), no partial MP3, and the previous MP3 as it was.
Every failure is printed as it happens (every run with -v); at the end: "K/N exited 130
within 2 s", the slowest and the median exit time, and how many signals landed during
synthesis. tests/test_interrupt.py runs the same loop a bounded number of times.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import queue
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

LIMIT_S = 2.0  # a run must exit this soon after its signal
HANG_S = 20.0  # a run still alive this long after its signal is killed and counted as hung
POOL_SENTENCES = 150  # enough for the worker processes (espeak._POOL_MIN_TEXTS), for 1-2 s
SMALL_SENTENCES = 20  # voiced in-process
SENTENCE = "이것은 {n}번째 문장이다, 사랑은 누군가에게 의존하는 감정이 아니라 자신을 이해하는 데서 비롯된다."


def write_script(path: Path, sentences: int, sections: int = 3) -> Path:
    """A Korean script of `sentences` distinct sentences in `sections` sections."""
    lines = ["title: 중단 시험", "sections:"]
    per = -(-sentences // sections)
    for s in range(sections):
        lines += [f"  - title: 부분 {s + 1}", "    text: |"]
        lines += [f"      {SENTENCE.format(n=n + 1)}" for n in range(s * per, min(sentences, (s + 1) * per))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def render_argv(script: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "audioessay", "render", str(script), "--engine", "espeak",
            "--no-cache", "-o", str(output)]


def session_processes(sid: int) -> list[str]:
    """'PID STATE NAME' of every process whose session is `sid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid:
            found.append(f"{entry.name} {fields[0]} {name}")
    return found


class _Lines:
    """A child's stderr lines, each with the time it was read, gathered by a thread."""

    def __init__(self, stream) -> None:
        self.got: queue.SimpleQueue[tuple[float, str] | None] = queue.SimpleQueue()
        self.seen: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.got.put((time.monotonic(), line.rstrip("\n")))
        self.got.put(None)

    def wait_for(self, start: str, timeout: float) -> float | None:
        """The time a line starting with `start` was read; None at EOF or timeout."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self.got.get(timeout=left)
            except queue.Empty:
                return None
            if item is None:
                return None
            self.seen.append(item)
            if item[1].startswith(start):
                return item[0]
        return None

    def rest(self) -> list[tuple[float, str]]:
        self.thread.join(timeout=5)
        while True:
            try:
                item = self.got.get_nowait()
            except queue.Empty:
                return self.seen
            if item is not None:
                self.seen.append(item)


@dataclasses.dataclass
class Outcome:
    signal_name: str
    delay: float
    code: int | None = None
    exit_s: float | None = None  # from the signal to the exit
    workers: int = 0  # espeak worker processes alive when the signal was sent
    during_synthesis: bool = False
    problems: list[str] = dataclasses.field(default_factory=list)
    stderr: str = ""

    @property
    def in_time(self) -> bool:
        return self.exit_s is not None and self.exit_s <= LIMIT_S

    @property
    def ok(self) -> bool:
        return self.in_time and not self.problems

    def describe(self) -> str:
        took = f"{self.exit_s:.3f} s" if self.exit_s is not None else "no exit"
        problems = self.problems + ([] if self.in_time else [f"exit not within {LIMIT_S:.0f} s"])
        return (f"{self.signal_name} after {self.delay:.2f} s, {self.workers} workers, "
                f"{'during' if self.during_synthesis else 'after'} synthesis: exit {self.code} in {took}"
                + (": " + "; ".join(problems) + f"\n    stderr: {self.stderr[-600:]!r}" if problems else ""))


@dataclasses.dataclass
class Setup:
    """A folder with the scripts and the output whose previous MP3 must survive."""

    folder: Path
    scripts: dict[str, Path]
    output: Path
    previous: dict[str, bytes]  # what a previous render left in the output's folder
    synthesis_s: dict[str, float] = dataclasses.field(default_factory=dict)  # the shortest seen so far


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _restore(folder: Path, contents: dict[str, bytes]) -> None:
    """Put the folder back as it was, so one failed run does not spoil the next ones."""
    for path in folder.iterdir():
        if path.name not in contents:
            path.unlink()
    for name, data in contents.items():
        (folder / name).write_bytes(data)


def prepare(folder: Path) -> Setup:
    """Scripts, a previous MP3 at the output (a short render), and each script's synthesis
    time (a calibration run, signalled once synthesis is over; later runs that see the end
    of synthesis lower it)."""
    scripts = {"pool": write_script(folder / "pool.yaml", POOL_SENTENCES),
               "small": write_script(folder / "small.yaml", SMALL_SENTENCES)}
    output = folder / "out" / "episode.mp3"
    tiny = write_script(folder / "tiny.yaml", 2, sections=1)
    done = subprocess.run(render_argv(tiny, output), capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not output.is_file():
        raise SystemExit(f"the previous MP3 could not be rendered: {done.stderr}")
    setup = Setup(folder, scripts, output, _contents(output.parent))
    for kind, script in scripts.items():
        proc = subprocess.Popen(render_argv(script, output), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        lines = _Lines(proc.stderr)
        began = lines.wait_for("narrating", 60)
        ended = lines.wait_for("laying out", 120)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=HANG_S)
        _restore(output.parent, setup.previous)
        if began is None or ended is None:
            raise SystemExit(f"the calibration render of {kind} did not narrate: {lines.rest()}")
        setup.synthesis_s[kind] = ended - began
    return setup


def interrupt(setup: Setup, kind: str, fraction: float, signum: signal.Signals) -> Outcome:
    """One render of `kind`, sent `signum` when `fraction` of its synthesis time has gone
    by since it started narrating, and checked."""
    out = Outcome(signum.name, fraction * setup.synthesis_s[kind])
    proc = subprocess.Popen(render_argv(setup.scripts[kind], setup.output), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = _Lines(proc.stderr)
    sent = began = time.monotonic()
    try:
        if (began := lines.wait_for("narrating", 60)) is None:
            out.problems.append("never started narrating")
        else:
            time.sleep(out.delay)
            out.workers = len(espeak_workers(proc.pid))
            sent = time.monotonic()
            if signum == signal.SIGINT:
                os.killpg(proc.pid, signum)  # Ctrl-C in a terminal reaches the whole group
            else:
                os.kill(proc.pid, signum)
            try:
                out.code = proc.wait(timeout=HANG_S)
                out.exit_s = time.monotonic() - sent
            except subprocess.TimeoutExpired:
                out.problems.append(f"hung: still running {HANG_S:.0f} s after the signal")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    seen = lines.rest()
    out.stderr = "\n".join(text for _, text in seen)
    synthesis_over = [t for t, text in seen if text.startswith("laying out")]
    out.during_synthesis = not synthesis_over or synthesis_over[0] > sent
    if synthesis_over and began is not None:  # the next delays fit this (faster) synthesis
        setup.synthesis_s[kind] = min(setup.synthesis_s[kind], synthesis_over[0] - began)
    out.problems += _problems(out, setup, proc.pid)
    return out


def _problems(out: Outcome, setup: Setup, sid: int) -> list[str]:
    """What is wrong after a run: its exit, its stderr, what it left behind (which is
    cleaned up, so one failure does not spoil the next runs)."""
    problems = []
    if out.code != 130:
        problems.append(f"exit code {out.code}, not 130")
    if "Traceback" in out.stderr:
        problems.append("printed a traceback")
    if left := session_processes(sid):
        problems.append(f"processes left behind: {left}")
        for pid in (int(p.split()[0]) for p in left):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    folder = setup.output.parent
    after = _contents(folder)
    if sorted(after) != sorted(setup.previous):
        problems.append(f"the output folder changed: {sorted(setup.previous)} -> {sorted(after)}")
    elif after != setup.previous:
        problems.append("changed: " + ", ".join(n for n in after if after[n] != setup.previous[n]))
    if after != setup.previous:
        _restore(folder, setup.previous)
    return problems


def espeak_workers(pid: int) -> list[int]:
    """The espeak worker processes that `pid` (any of its threads) has started."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                if b"espeak" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(int(child))
            except OSError:
                continue
    return found


def plan_runs(n: int, seed: int) -> list[tuple[str, float, signal.Signals]]:
    """(kind, fraction, signal) of each of `n` runs: every fourth a small script, every
    eighth SIGTERM; the signal comes after 0 to 70% of the synthesis time."""
    rng = random.Random(seed)
    runs = []
    for i in range(n):
        kind = "small" if i % 4 == 3 else "pool"
        signum = signal.SIGTERM if i % 8 == 5 else signal.SIGINT
        runs.append((kind, rng.uniform(0, 0.7), signum))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every run, not only failures")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-interrupt-") as tmp:
        setup = prepare(Path(tmp))
        print("synthesis takes " + ", ".join(f"{k} {s:.2f} s" for k, s in setup.synthesis_s.items()), flush=True)
        outcomes = []
        for i, (kind, fraction, signum) in enumerate(plan_runs(args.runs, args.seed)):
            out = interrupt(setup, kind, fraction, signum)
            outcomes.append(out)
            if not out.ok:
                print(f"run {i + 1} ({kind}) FAILED: {out.describe()}", flush=True)
            elif args.verbose:
                print(f"run {i + 1} ({kind}) {out.describe()}", flush=True)
    passed = sum(o.ok for o in outcomes)
    print(f"{passed}/{len(outcomes)} exited 130 within {LIMIT_S:.0f} s "
          "(leaving no process, no partial MP3, the previous MP3 as it was)")
    times = [o.exit_s for o in outcomes if o.exit_s is not None]
    if times:
        print(f"exit after the signal: slowest {max(times):.3f} s, median {statistics.median(times):.3f} s")
    during = [o for o in outcomes if o.during_synthesis]
    slowest = max((o.exit_s for o in during if o.exit_s is not None), default=0.0)
    print(f"{len(during)}/{len(outcomes)} signals landed during synthesis ({sum(o.ok for o in during)} passed, "
          f"slowest exit {slowest:.3f} s), "
          f"{sum(o.workers > 0 for o in outcomes)} with worker processes running; "
          f"{sum(o.signal_name == 'SIGTERM' for o in outcomes)} were SIGTERM")
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
