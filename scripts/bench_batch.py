"""Benchmark: many episodes at once (issue 25): one command per episode vs one batch command.

    python scripts/bench_batch.py [--count 20] [--quick] [--keep]

What it measures
----------------
`--count` (default 20) distinct short essays are made like bench_scale's scripts: the
sample essay (scripts/her.yaml, music and cover on, voice espeak) with every sentence
made different per essay (bench_scale.distinct_copy), so no two share a cache entry.
Each way below starts from an empty sentence cache and renders all of them:

  (a) serial   one `python -m audioessay render ESSAY` per essay, one after another
  (b) -j auto  one `python -m audioessay render ESSAY...` (the default -j)
  (c) dask     one `python -m audioessay render ESSAY... --scheduler local:2`

For each: wall time (start of the first command to exit of the last), and peak memory
of the process tree (PSS summed, sampled as bench_scale does: espeak workers, pool workers, Dask
workers, ffmpeg), and for (a) the largest single render's peak (the "one render" figure).
Ratios: (a)/(b) and (c)/(b). Targets, each PASS or FAIL:

  - (b) at least 1.3x faster than (a)
  - (c) within 15% of (b)
  - peak of (b) <= N x one render's peak, N = the jobs (b) ran

The 1-minute load average at the start and end of each way is printed with it: the
machine is shared, and a way run while other work took the cores is slower for it.

--quick: 6 essays. Exit status 0 when every target passes, 1 if one fails, 2 if a render fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import distinct_copy, measure, sample_data, write  # noqa: E402  (scripts/ on sys.path)
from benchlib import REPO, clean_env  # noqa: E402

sys.path.insert(0, str(REPO / "src"))

SPEEDUP = 1.3
DASK_SLACK = 1.15


def essays(count: int, folder: Path) -> list[Path]:
    data = sample_data()
    out = []
    for i in range(count):
        script = dict(data, title=f"{data['title']} {i + 1}")
        script["sections"] = [dict(s, text=distinct_copy(s["text"], i + 1)) for s in data["sections"]]
        out.append(write(script, folder / f"essay{i + 1:02d}.yaml"))
    return out


def fresh(work: Path, name: str) -> Path:
    cache = work / f"cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    for mp3 in work.glob("essay*"):
        if mp3.suffix != ".yaml":
            mp3.unlink()
    return cache


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    count = 6 if args.quick else args.count
    from audioessay.batch.local import default_workers

    work = Path(tempfile.mkdtemp(prefix="bench_batch."))
    scripts = essays(count, work)
    base = [sys.executable, "-m", "audioessay", "render"]
    try:
        load: dict[str, tuple[float, float]] = {}
        cache = fresh(work, "a")
        load_a = os.getloadavg()[0]
        started, one_peak, failures = time.monotonic(), 0.0, 0
        for s in scripts:
            run, code, err = measure([*base, str(s)], clean_env(None, cache))
            failures += code != 0
            if code:
                print(f"{s.name}: exit {code}\n{err[-2000:]}", file=sys.stderr)
            one_peak = max(one_peak, run.tree_mb)
        serial = time.monotonic() - started
        load["a"] = (load_a, os.getloadavg()[0])
        jobs = default_workers(count)
        cache = fresh(work, "b")
        load_b = os.getloadavg()[0]
        batch, code_b, err_b = measure([*base, *map(str, scripts)], clean_env(None, cache))
        load["b"] = (load_b, os.getloadavg()[0])
        cache = fresh(work, "c")
        load_c = os.getloadavg()[0]
        dask, code_c, err_c = measure([*base, *map(str, scripts), "--scheduler", "local:2"], clean_env(None, cache))
        load["c"] = (load_c, os.getloadavg()[0])
        failures += (code_b != 0) + (code_c != 0)
        for code, err in ((code_b, err_b), (code_c, err_c)):
            if code:
                print(err[-2000:], file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    audio = sum(1 for _ in scripts)
    print(f"{audio} essays (the sample essay made distinct, espeak, music and cover), cold cache each way")
    print(f"(a) {count} commands one after another  {serial:7.1f} s   peak {one_peak:6.0f} MB (one render)")
    print(f"(b) one command, -j auto (= {jobs})      {batch.wall:7.1f} s   peak {batch.tree_mb:6.0f} MB")
    print(f"(c) one command, --scheduler local:2  {dask.wall:7.1f} s   peak {dask.tree_mb:6.0f} MB")
    print("load average (1 min) at start -> end: "
          + "   ".join(f"({k}) {a:.1f} -> {b:.1f}" for k, (a, b) in load.items()))
    print(f"(a)/(b) {serial / batch.wall:.2f}x   (c)/(b) {dask.wall / batch.wall:.2f}")
    per_essay = batch.wall / count
    for cores in (1, 8, 64):
        hours = 10_000 * per_essay * jobs / cores / 3600
        print(f"10,000 such essays on {cores:2d} cores (from (b), scaled by cores): {hours:7.1f} h")
    checks = [
        (f"(b) >= {SPEEDUP}x faster than (a)", serial / batch.wall >= SPEEDUP),
        (f"(c) within {DASK_SLACK - 1:.0%} of (b)", dask.wall <= DASK_SLACK * batch.wall),
        (f"peak of (b) <= {jobs} x one render's", batch.tree_mb <= jobs * one_peak),
    ]
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if failures:
        print(f"{failures} render commands failed", file=sys.stderr)
        return 2
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
