"""Benchmark: the same book rendered by this checkout and by another revision, in turns.

    python scripts/bench_ab.py [--base REV] [--minutes 20] [--rounds 2]

For a refactor that must not change speed: a script of about `--minutes` of episode is
made from the sample (as bench_scale.py makes it), then rendered cold (empty cache) and
after a one-sentence edit by the real CLI of both checkouts, alternately (base, head,
base, head, ...), so both meet the same machine load. The base is a temporary git
worktree of REV run with PYTHONPATH at its src/. Prints every run, the median of each
side and head / base. Times are noisy on a small machine: read the ratio, within one run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import build, edit, per_section_minutes, sample_data, write  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def render(src: Path, script: Path, out: Path, cache: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    argv = [sys.executable, "-m", "audioessay", "render", str(script), "--engine", "espeak", "-o", str(out),
            "--cache-dir", str(cache), "--force"]
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    took = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(f"render failed ({src}):\n{proc.stderr}\n")
        raise SystemExit(2)
    return took, proc.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="HEAD~1", help="the revision to compare with (default HEAD~1)")
    ap.add_argument("--minutes", type=float, default=20.0, help="episode length, minutes")
    ap.add_argument("--rounds", type=int, default=2, help="cold + edit renders per side")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench_ab-"))
    base = work / "base"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), args.base], check=True)
    try:
        data = sample_data()
        sections = max(1, round(args.minutes / per_section_minutes(data, work)))
        book = build(data, sections)
        script, edited = write(book, work / "book.yaml"), write(edit(book), work / "edited.yaml")
        sides = {"base": base / "src", "head": ROOT / "src"}
        times: dict[tuple[str, str], list[float]] = {}
        for r in range(args.rounds):
            for side, src in sides.items():
                cache = work / f"cache-{side}-{r}"
                for step, which in (("cold", script), ("edit", edited)):
                    took, summary = render(src, which, work / f"{side}.mp3", cache)
                    times.setdefault((side, step), []).append(took)
                    audio = re.search(r"^[\d:]+ of audio", summary)
                    print(f"round {r + 1} {side} {step}: {took:.1f} s ({audio.group(0) if audio else summary})")
        print(f"\nbase = {args.base}, head = this checkout; median of {args.rounds} rounds")
        print("| step | base s | head s | head / base |\n|---|---|---|---|")
        for step in ("cold", "edit"):
            b, h = statistics.median(times[("base", step)]), statistics.median(times[("head", step)])
            print(f"| {step} | {b:.1f} | {h:.1f} | {h / b:.2f} |")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
