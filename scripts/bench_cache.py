"""Benchmark: incremental re-render through the sentence cache (issue: incremental re-render).

    python scripts/bench_cache.py [--engine gtts|espeak] [--latency 0.05]

What it measures
----------------
Three renders of a temporary copy of the sample essay (scripts/her.yaml) by
the real CLI (`python -m audioessay render`, in a subprocess), sharing one
fresh cache folder:

  1. cold    empty cache: every sentence is synthesized;
  2. edit    one sentence changed in the script ("사실 난 이 부분이 매우 무서웠다."
             -> "... 정말 무서웠다."): only that sentence should be synthesized
             (exactly 1 request to the server), the rest comes from the cache;
  3. no-op   nothing changed: the CLI should notice the MP3 is up to date,
             print "up to date" and do no work (0 requests, well under 1 s).

With the default `--engine gtts`, requests go to the local fake Google
endpoint (tests/fake_gtts.py) with `--latency` seconds per answer, so
synthesis costs something like it does over the network; the "requests"
column counts what that server received. With `--engine espeak` synthesis is
in-process and the requests column is "-"; the CLI's "N synthesized" count
(shown in the "synth" column) stands in for it.

How to read the output: the table lists, per step, the wall time (subprocess
start to exit), the synthesis stage as the render timed it ("stage synthesize
took X s", logged with -v), and request / synthesized counts, then ratios to
the cold render. The cache controls the synthesis stage; the rest of a render
(mixing, mastering, MP3 encoding) is whole-episode work that any re-render
pays, so the wall-time ratio is shown for information. Targets, each PASS or
FAIL: the edit makes exactly 1 engine call and its synthesis stage takes at
most --edit-max of the cold one; the no-op takes under 1 s with 0 calls and
says "up to date". Times are noisy on a small machine: ratios are computed
within this run. Exit status 1 if a target fails, 2 if a render fails.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path


from benchlib import REPO, SAMPLE, clean_env, sample_copy  # noqa: E402  (scripts/ is on sys.path)

sys.path.insert(0, str(REPO / "tests"))

from fake_gtts import FakeGtts  # noqa: E402

OLD = "사실 난 이 부분이 매우 무서웠다."
NEW = "사실 난 이 부분이 정말 무서웠다."
NOOP_MAX_S = 1.0


@dataclass
class Step:
    name: str
    wall: float
    requests: int | None  # None: no server (espeak)
    synthesized: int | None  # from the CLI's summary line; None when up to date
    stdout: str
    synth_s: float | None  # the synthesis stage as the render logged it; None when up to date


def render(script: Path, out: Path, cache_dir: Path, engine: str, fake: FakeGtts | None) -> tuple[float, str]:
    env = clean_env(fake.url if fake is not None else None, cache_dir)
    cmd = [sys.executable, "-m", "audioessay", "render", str(script), "--engine", engine, "-o", str(out), "-v"]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(f"render failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        raise SystemExit(2)
    stage = re.search(r"stage synthesize took ([0-9.]+) s", proc.stderr)
    return wall, proc.stdout.strip(), float(stage.group(1)) if stage else None


def synthesized_count(stdout: str) -> int | None:
    m = re.search(r"\((\d+) synthesized, (\d+) reused\)", stdout)
    return int(m.group(1)) if m else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the module docstring for how to read the output.")
    ap.add_argument("--engine", choices=("gtts", "espeak"), default="gtts",
                    help="gtts against the local fake endpoint (default) or espeak in-process")
    ap.add_argument("--latency", type=float, default=0.05,
                    help="seconds the fake endpoint waits before each answer (gtts only; default 0.05)")
    ap.add_argument("--edit-max", type=float, default=0.2,
                    help="the edit's synthesis stage must take at most this fraction of the cold one (default 0.2)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = ap.parse_args(argv)

    text = SAMPLE.read_text(encoding="utf-8")
    if text.count(OLD) != 1:
        sys.stderr.write(f"the sample no longer contains {OLD!r} exactly once; update this benchmark\n")
        return 2

    work = Path(tempfile.mkdtemp(prefix="bench_cache-"))
    script, out, cache_dir = work / "her.yaml", work / "her.mp3", work / "cache"
    sample_copy(SAMPLE, script)
    steps: list[Step] = []
    try:
        with ExitStack() as stack:
            fake = stack.enter_context(FakeGtts(latency=args.latency)) if args.engine == "gtts" else None

            def step(name: str) -> Step:
                before = len(fake.requests) if fake else 0
                wall, stdout, synth_s = render(script, out, cache_dir, args.engine, fake)
                s = Step(name, wall, len(fake.requests) - before if fake else None,
                         synthesized_count(stdout), stdout, synth_s)
                print(f"  {name}: {wall:.2f} s  | {stdout}", file=sys.stderr)
                return s

            steps.append(step("cold"))
            sample_copy(SAMPLE, script, replace=(OLD, NEW))
            steps.append(step("edit"))
            steps.append(step("no-op"))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    cold, edit, noop = steps
    print(f"incremental re-render of {SAMPLE.name}, engine {args.engine}"
          + (f" (fake endpoint, {args.latency * 1000:.0f} ms per request)" if fake else ""))
    print()
    print(f"{'step':<6}  {'wall s':>7}  {'/cold':>6}  {'synth stage s':>13}  {'/cold':>6}  {'requests':>8}  {'synth':>5}")
    for s in steps:
        reqs = "-" if s.requests is None else str(s.requests)
        syn = "-" if s.synthesized is None else str(s.synthesized)
        stage = f"{s.synth_s:>13.2f}  {s.synth_s / cold.synth_s:>6.3f}" if s.synth_s is not None else f"{'-':>13}  {'-':>6}"
        print(f"{s.name:<6}  {s.wall:>7.2f}  {s.wall / cold.wall:>6.2f}  {stage}  {reqs:>8}  {syn:>5}")
    print()

    def count(s: Step) -> int | None:  # requests to the server, else the CLI's synthesized count
        return s.requests if s.requests is not None else s.synthesized

    results = []
    edit_ratio = edit.synth_s / cold.synth_s
    edit_ok = count(edit) == 1 and edit_ratio <= args.edit_max
    results.append(edit_ok)
    what = "requests" if fake else "synthesized"
    print(f"edit re-render:  {what} {count(edit)} (want exactly 1), synthesis stage edit/cold {edit_ratio:.3f} "
          f"(want <= {args.edit_max:g})   {'PASS' if edit_ok else 'FAIL'}")
    print(f"                 whole render edit/cold {edit.wall / cold.wall:.2f} (info: mixing, mastering and "
          f"encoding the whole episode are paid by every render)")
    noop_ratio = noop.wall / cold.wall
    noop_zero = (noop.requests == 0) if fake else True
    noop_ok = noop.wall < NOOP_MAX_S and noop_zero and "up to date" in noop.stdout
    results.append(noop_ok)
    print(f"no-op:           {noop.wall:.2f} s (want < {NOOP_MAX_S:g} s), noop/cold {noop_ratio:.2f}, "
          f"requests {'-' if noop.requests is None else noop.requests} (want 0), "
          f"says 'up to date': {'yes' if 'up to date' in noop.stdout else 'NO'}   "
          f"{'PASS' if noop_ok else 'FAIL'}")
    cold_ok = cold.requests is None or cold.requests > 1
    if not cold_ok:
        print(f"cold render made only {cold.requests} request(s): the cache was not empty?   FAIL")
        results.append(False)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
