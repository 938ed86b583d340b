"""Benchmark: gtts throughput at concurrency 1 vs 4 (issue: throughput).

    python scripts/bench_gtts.py [--latency 0.05] [--repeat 1] [--concurrency 4]

What it measures
----------------
The sample essay (scripts/her.yaml) is rendered end to end by the real CLI
(`python -m audioessay render --engine gtts`, in a subprocess) against the
local fake Google endpoint `tests/fake_gtts.py`, which sleeps `--latency`
seconds before answering each request (a stand-in for network round trips).
Each render starts from a fresh, empty cache, so every sentence is requested.
The script's `voice:` mapping is rewritten to `concurrency: 1` and then
`concurrency: N` (default 4) in a temporary copy.

For each concurrency the table shows:

  wall s      whole render: subprocess start to exit (includes Python start-up,
              mixing, mastering and MP3 encoding, which concurrency cannot shrink)
  synth s     the synthesis stage as the render itself timed it
              ("stage synthesize took X s", logged with -v)
  span s      first request -> last request + one latency (synthesis stage
              without the process start-up before the first request)
  requests    requests the fake server received
  max flight  most requests the server held at once (should equal concurrency)

Then the speedup ratios c1/cN for each of the three times. The target
(>= 3x at concurrency 4) applies to the SYNTHESIS stage (synth s column);
the whole-render ratio is printed too but is expected to be lower because of
the fixed costs. Times are noisy on a small machine: only read the ratios,
which are computed within one run. With --repeat K every configuration is run
K times (interleaved) and the median of each time is reported.

Before measuring, one unmeasured warm-up render (concurrency N) fills the fake
server's MP3 cache (it encodes one MP3 per distinct sentence length, under a
lock, ~40 ms each) and the OS file cache, so neither measured render pays
those costs and the first configuration is not penalised. --no-warmup skips it.

Exit status: 0 if the synthesis-stage ratio meets the target, 1 if not,
2 if a render failed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


from benchlib import REPO, SAMPLE, clean_env, sample_copy, tools  # noqa: E402  (scripts/ is on sys.path)

sys.path.insert(0, str(REPO / "tests"))

from fake_gtts import FakeGtts  # noqa: E402

TARGET = 3.0


@dataclass
class Run:
    concurrency: int
    wall: float
    synth: float
    span: float
    requests: int
    max_in_flight: int
    stdout: str


def render_once(work: Path, concurrency: int, latency: float, index: int) -> Run:
    run_dir = work / f"c{concurrency}-{'warmup' if index < 0 else index}"
    run_dir.mkdir()
    script = sample_copy(SAMPLE, run_dir / "her.yaml", voice={"engine": "gtts", "concurrency": concurrency})
    cache_dir = run_dir / "cache"  # fresh and empty: every sentence is requested
    with FakeGtts(latency=latency) as fake:
        cmd = [sys.executable, "-m", "audioessay", "render", str(script), "--engine", "gtts",
               "--force", "-v", "-o", str(run_dir / "her.mp3")]
        start = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                              env=clean_env(fake.url, cache_dir))
        wall = time.monotonic() - start
        received = fake.received
        max_flight = fake.max_in_flight
    if proc.returncode != 0:
        sys.stderr.write(f"render at concurrency {concurrency} failed (exit {proc.returncode}):\n"
                         f"{proc.stdout}{proc.stderr}")
        raise SystemExit(2)
    if not received:
        sys.stderr.write("the fake server received no request: is the engine really gtts?\n")
        raise SystemExit(2)
    first = min(r.at for r in received)
    last = max(r.at for r in received)
    stage = re.search(r"stage synthesize took ([0-9.]+) s", proc.stderr)
    if not stage:
        sys.stderr.write("the render did not log its synthesis time (-v)\n")
        raise SystemExit(2)
    return Run(concurrency, wall, synth=float(stage.group(1)), span=last + latency - first,
               requests=len(received), max_in_flight=max_flight, stdout=proc.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the module docstring for how to read the output.")
    ap.add_argument("--latency", type=float, default=0.05,
                    help="seconds the fake endpoint waits before each answer (default 0.05)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="renders per concurrency; the median is reported (default 1)")
    ap.add_argument("--concurrency", type=int, default=4,
                    help="the parallel setting compared with concurrency 1 (default 4)")
    ap.add_argument("--no-warmup", action="store_true",
                    help="skip the unmeasured warm-up render (then the first run pays the fake's MP3 encoding)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.concurrency < 1 or args.latency < 0:
        ap.error("--repeat and --concurrency must be >= 1, --latency >= 0")

    levels = [1, args.concurrency]
    work = Path(tempfile.mkdtemp(prefix="bench_gtts-"))
    runs: dict[int, list[Run]] = {c: [] for c in levels}
    try:
        if not args.no_warmup:
            w = render_once(work, args.concurrency, args.latency, -1)
            print(f"  warm-up (not counted): wall {w.wall:.2f} s, {w.requests} requests", file=sys.stderr)
        for i in range(args.repeat):  # interleaved, so drifting machine load hits both alike
            for c in levels:
                r = render_once(work, c, args.latency, i)
                runs[c].append(r)
                print(f"  run {i + 1}/{args.repeat} concurrency {c}: wall {r.wall:.2f} s, "
                      f"synth {r.synth:.2f} s, {r.requests} requests", file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    med = {c: {k: statistics.median(getattr(r, k) for r in runs[c])
               for k in ("wall", "synth", "span")} for c in levels}
    print(f"gtts throughput on {SAMPLE.name}: fake endpoint, {args.latency * 1000:.0f} ms latency per request, "
          f"fresh cache each render, median of {args.repeat}"
          f"{'' if args.no_warmup else ', after a warm-up render'}")
    print(tools())
    print()
    print(f"{'concurrency':>11}  {'wall s':>7}  {'synth s':>7}  {'span s':>7}  {'requests':>8}  {'max flight':>10}")
    for c in levels:
        last = runs[c][-1]
        reqs = "/".join(sorted({str(r.requests) for r in runs[c]}))
        flight = "/".join(sorted({str(r.max_in_flight) for r in runs[c]}))
        print(f"{c:>11}  {med[c]['wall']:>7.2f}  {med[c]['synth']:>7.2f}  {med[c]['span']:>7.2f}  "
              f"{reqs:>8}  {flight:>10}")
    print()
    lo, hi = levels
    ratio = {k: med[lo][k] / med[hi][k] for k in ("wall", "synth", "span")}
    ok = ratio["synth"] >= TARGET
    print(f"speedup c{lo}/c{hi}, synthesis stage (as the render timed it): {ratio['synth']:.2f}x   "
          f"target >= {TARGET:g}x   {'PASS' if ok else 'FAIL'}")
    print(f"speedup c{lo}/c{hi}, request span (first -> last answer):   {ratio['span']:.2f}x   (info)")
    print(f"speedup c{lo}/c{hi}, whole render (wall):                    {ratio['wall']:.2f}x   "
          f"(info; includes fixed mixing/mastering/encoding costs)")
    print()
    print(f"the target applies to the synthesis stage; last CLI output: {runs[hi][-1].stdout}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
