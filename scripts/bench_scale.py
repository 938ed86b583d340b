"""Benchmark: book-length renders on this machine against the encoder's floor (issue 15).

    python scripts/bench_scale.py [--quick] [--minutes 10,60,120] [--keep]

What it measures
----------------
For each length (default about 10, 60 and 120 minutes; --quick: 2 and 5) a script
is generated from the sample essay's prose (scripts/her.yaml, music and cover on,
voice espeak): its sections are repeated, and every copy's sentences are made
distinct (a copy number every 8 words, so the cache cannot share them). Then:

  cold    the real CLI renders it (`python -m audioessay render -v --force`, in a
          subprocess) with an empty cache;
  edit    one sentence in the middle of the script is changed (a word added) and
          the same CLI renders again with the same cache, as a user would.

For both: wall time (subprocess start to exit), peak RSS of the render process
(os.wait4's ru_maxrss: the Python process, or its largest child if bigger),
peak memory of the whole process tree (RSS sampled every 100 ms, PSS at each RSS
high and every 0.5 s, so the sampler takes little CPU from the render; espeak workers,
ffmpeg): PSS summed (shared pages split among their sharers), and RSS summed
for reference (an ffmpeg started by vfork shares the render's memory until it
execs, and RSS counts all of it again), and the stage times the render logs
with -v ("stage X took N s"). The memory target reads the larger of the
render's RSS and the tree's PSS.

The floor on the same text, measured in the same run: bare espeak-ng voicing
every distinct sentence of the plan one after another in one process
(no cache, no pool), plus one ffmpeg MP3 encode (the project's ffmpeg, same
bitrate) of a WAV as long as the rendered episode. Ratios: cold / floor and
edit / cold. Then the issue's targets, each PASS or FAIL:

  - peak memory (render RSS or tree PSS) of the longest render <= 400 MB and <= 1.5x the shortest's
  - the ~60-minute cold render <= 1.5x its floor (with --quick: the longest)
  - its one-sentence edit <= 15% of its cold render

With --segments the episode is also encoded by export/segments.encode_stream
(cold, then the edited episode with the same span cache) to show what the
export stage would cost with segment caching.

Times are noisy on a small machine; ratios are computed within one run.
Exit status 0 when every target passes, 1 if one fails, 2 if a render fails.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from benchlib import REPO, SAMPLE, clean_env, tools  # noqa: E402  (scripts/ is on sys.path)

sys.path.insert(0, str(REPO / "src"))

RSS_MAX_MB = 400
RSS_GROWTH = 1.5
FLOOR_RATIO = 1.5
EDIT_RATIO = 0.15
STAGE = re.compile(r"stage (\w+) took ([0-9.]+) s")


# --- scripts ------------------------------------------------------------------

def sample_data() -> dict:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    base = SAMPLE.parent
    data["cover"] = str((base / data["cover"]).resolve())
    data["music"]["file"] = str((base / data["music"]["file"]).resolve())
    data["voice"] = {"engine": "espeak", "speed": 1.0}
    return data


def distinct_copy(text: str, copy: int) -> str:
    """The section text with every sentence of copy `copy` made different from copy 0's."""
    from audioessay.text.split import paragraphs, sentences

    if copy == 0:
        return text
    def vary(sentence: str) -> str:  # a number every 8 words: long sentences are voiced in parts
        words = sentence.split(" ")
        return " ".join(f"{copy + 1}번 {w}" if i % 8 == 0 else w for i, w in enumerate(words))

    return "\n\n".join(" ".join(vary(s) for s in sentences(para)) for para in paragraphs(text))


def build(data: dict, count: int) -> dict:
    """A script of `count` sections: the sample's, over and over, each copy made distinct."""
    script = {k: v for k, v in data.items() if k != "sections"}
    base = data["sections"]
    script["sections"] = [{"title": f"{base[i % len(base)]['title']} ({i // len(base) + 1})",
                           "text": distinct_copy(base[i % len(base)]["text"], i // len(base))}
                          for i in range(count)]
    return script


def edit(script: dict) -> dict:
    """One sentence in the middle section gets a word more."""
    from audioessay.text.split import paragraphs, sentences

    out = copy.deepcopy(script)
    section = out["sections"][len(out["sections"]) // 2]
    paras = paragraphs(section["text"])
    first = sentences(paras[0])
    first[0] = first[0].rstrip(".") + " 정말로."
    paras[0] = " ".join(first)
    section["text"] = "\n\n".join(paras)
    return out


def write(script: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(script, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- measuring a subprocess -----------------------------------------------------

def tree_pids(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return out


def _field_kb(path: str, name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, summed, in kB. Pages two
    processes share count twice: an ffmpeg started by vfork shares the render's memory
    until it execs, and is counted with all of it."""
    return sum(_field_kb(f"/proc/{p}/status", "VmRSS:") for p in tree_pids(pid))


def tree_pss_kb(pid: int) -> int:
    """Proportional set size of the tree, in kB: each shared page split among the
    processes that share it, so the sum is the memory the tree really holds."""
    return sum(_field_kb(f"/proc/{p}/smaps_rollup", "Pss:") or _field_kb(f"/proc/{p}/status", "VmRSS:")
               for p in tree_pids(pid))


@dataclass
class Run:
    wall: float
    rss_mb: float  # the render process (ru_maxrss)
    tree_mb: float  # the render and its children: PSS summed, sampled
    tree_rss_mb: float = 0.0  # the same with RSS (double-counts shared pages)
    stages: dict[str, float] = field(default_factory=dict)
    stdout: str = ""


def measure(argv: list[str], env: dict[str, str]) -> tuple[Run, int, str]:
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    stop = threading.Event()

    def sample() -> None:
        # PSS (smaps_rollup) costs about 12 ms of CPU per sample of a batch's tree, RSS about
        # 3: sampled every 50 ms both would take a third of a core from the render measured
        # (more from a CPU-bound batch than from one render). So: RSS every 100 ms, PSS when
        # RSS reaches a new high and at least every 0.5 s.
        last_pss = 0.0
        while not stop.is_set():
            rss = tree_rss_kb(proc.pid)
            if rss > peak[1] or time.monotonic() - last_pss >= 0.5:
                peak[0] = max(peak[0], tree_pss_kb(proc.pid))
                last_pss = time.monotonic()
            peak[1] = max(peak[1], rss)
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out: dict[str, str] = {}
    readers = [threading.Thread(target=lambda k=k, s=s: out.__setitem__(k, s.read()), daemon=True)
               for k, s in (("out", proc.stdout), ("err", proc.stderr))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    for r in readers:
        r.join()
    stages = {m.group(1): float(m.group(2)) for m in STAGE.finditer(out.get("err", ""))}
    run = Run(wall, usage.ru_maxrss / 1024, peak[0] / 1024, peak[1] / 1024, stages, out.get("out", "").strip())
    return run, proc.returncode, out.get("err", "")


def render(script: Path, output: Path, cache: Path, force: bool) -> Run:
    argv = [sys.executable, "-m", "audioessay", "render", str(script), "-o", str(output), "-v"]
    run, code, err = measure(argv + (["--force"] if force else []), clean_env(None, cache))
    if code != 0:
        sys.stderr.write(f"render of {script} failed (exit {code}):\n{err[-3000:]}")
        raise SystemExit(2)
    return run


FLOOR_SYNTH = r"""
import json, sys, time
from audioessay.speech.engines.espeak import EspeakEngine
from audioessay.speech.plan import make_plan
from audioessay.script.loader import load
plan = make_plan(load(sys.argv[1]))
texts = list(dict.fromkeys(u.spoken for u in plan.utterances if u.spoken.strip()))
engine = EspeakEngine(workers=1)
start = time.perf_counter()
seconds = sum(len(engine.synthesize(t)) for t in texts) / 1000
print(json.dumps({"synth": time.perf_counter() - start, "texts": len(texts), "speech_s": seconds}))
"""


def floor(script: Path, episode: Path, work: Path, bitrate: int) -> dict:
    from audioessay.util import ffmpeg

    out = subprocess.run([sys.executable, "-c", FLOOR_SYNTH, str(script)], capture_output=True, text=True,
                         env=clean_env(None, work / "unused-cache"), check=True)
    result = json.loads(out.stdout)
    wav = work / "floor.wav"
    ffmpeg.run(["-i", str(episode), "-c:a", "pcm_s16le", "-y", str(wav)])  # not timed
    start = time.perf_counter()
    ffmpeg.run(["-i", str(wav), "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-y", str(work / "floor.mp3")])
    result["encode"] = time.perf_counter() - start
    result["audio_s"] = wav.stat().st_size / 2 / 44100
    wav.unlink()
    return result


def segments_encode(episode: Path, edited: Path, work: Path, bitrate: int) -> dict:
    """encode_stream of the cold episode's audio, then of the edited one (same cache)."""
    from audioessay.util import ffmpeg
    from audioessay.export.mp3 import encode_stream, iter_blocks

    out = {}
    cache = work / "segments"
    for name, mp3 in (("cold", episode), ("edit", edited)):
        pcm = ffmpeg.decode(str(mp3), 44100)
        start = time.perf_counter()
        stats = encode_stream(iter_blocks(pcm), 44100, 1, bitrate, work / f"seg-{name}.mp3", span_cache=cache)
        out[name] = {"s": time.perf_counter() - start, "encoded": stats.encoded, "segments": stats.span_count}
        del pcm
    return out


# --- the run ------------------------------------------------------------------------

def per_section_minutes(data: dict, work: Path) -> float:
    """Minutes of episode a section of the sample makes on average (espeak, pauses, music)."""
    count = len(data["sections"])
    script = write(build(data, count), work / "calibrate.yaml")
    run = render(script, work / "calibrate.mp3", work / "calibrate-cache", force=True)
    m = re.search(r"(\d+):(\d+) of audio", run.stdout)
    if not m:
        sys.stderr.write(f"cannot read the episode length from: {run.stdout}\n")
        raise SystemExit(2)
    return (int(m.group(1)) + int(m.group(2)) / 60) / count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the module docstring for how to read the output.")
    ap.add_argument("--quick", action="store_true", help="about 2 and 5 minutes instead of 10, 60, 120")
    ap.add_argument("--minutes", help="comma-separated target lengths, e.g. 10,60,120")
    ap.add_argument("--segments", action="store_true", help="also time export/segments.encode_stream")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = ap.parse_args(argv)
    targets = [float(m) for m in args.minutes.split(",")] if args.minutes else \
        ([2, 5] if args.quick else [10, 60, 120])

    data = sample_data()
    bitrate = int(data.get("bitrate", 96))
    work = Path(tempfile.mkdtemp(prefix="bench_scale-"))
    rows = []
    try:
        unit = per_section_minutes(data, work)
        print(f"a section of the sample: {unit:.2f} min of episode", file=sys.stderr)
        for minutes in targets:
            sections = max(1, round(minutes / unit))
            folder = work / f"{minutes:g}min"
            folder.mkdir()
            script = write(build(data, sections), folder / "book.yaml")
            cache = folder / "cache"
            out = folder / "book.mp3"
            cold = render(script, out, cache, force=True)
            print(f"  {minutes:g} min cold: {cold.wall:.1f} s, {cold.tree_mb:.0f} MB  {cold.stdout}", file=sys.stderr)
            kept = folder / "cold.mp3"
            shutil.copy(out, kept)
            write(edit(build(data, sections)), script)
            changed = render(script, out, cache, force=False)
            print(f"  {minutes:g} min edit: {changed.wall:.1f} s, {changed.tree_mb:.0f} MB  {changed.stdout}",
                  file=sys.stderr)
            fl = floor(script, kept, folder, bitrate)
            seg = segments_encode(kept, out, folder, bitrate) if args.segments else None
            rows.append((minutes, sections, fl["audio_s"] / 60, cold, changed, fl, seg))
            shutil.rmtree(cache, ignore_errors=True)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return report(rows)


def report(rows: list) -> int:
    import platform

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
               if ln.startswith("MemTotal")) / 1024 / 1024
    print(f"machine: {len(os.sched_getaffinity(0))} cores usable ({os.cpu_count()} online), {cpu}, "
          f"{mem:.1f} GB RAM, Python {platform.python_version()}")
    print(tools())
    print()
    print("| audio | step | wall s | RSS render MB | PSS tree MB | RSS tree MB | synth / assemble / master / export s |")
    print("|---|---|---|---|---|---|---|")
    for _, _, audio, cold, changed, _, _ in rows:
        for name, run in (("cold", cold), ("edit", changed)):
            st = " / ".join(f"{run.stages.get(k, 0):.1f}" for k in ("synthesize", "assemble", "master", "export"))
            print(f"| {audio:.1f} min | {name} | {run.wall:.1f} | {run.rss_mb:.0f} | {run.tree_mb:.0f} | "
                  f"{run.tree_rss_mb:.0f} | {st} |")
    print()
    print("| audio | espeak alone s | ffmpeg encode s | floor s | cold / floor | edit / cold |")
    print("|---|---|---|---|---|---|")
    for _, _, audio, cold, changed, fl, _ in rows:
        total = fl["synth"] + fl["encode"]
        print(f"| {audio:.1f} min | {fl['synth']:.1f} ({fl['texts']} texts) | {fl['encode']:.1f} | {total:.1f} | "
              f"{cold.wall / total:.2f}x | {changed.wall / cold.wall:.2f} |")
    if any(r[6] for r in rows):
        print()
        print("| audio | segments encode cold s | after the edit s | spans re-encoded |")
        print("|---|---|---|---|")
        for _, _, audio, _, _, _, seg in rows:
            if seg:
                print(f"| {audio:.1f} min | {seg['cold']['s']:.1f} | {seg['edit']['s']:.1f} | "
                      f"{seg['edit']['encoded']} of {seg['edit']['segments']} |")
    print()
    shortest, longest = rows[0], rows[-1]
    mid = min(rows, key=lambda r: abs(r[0] - 60))
    cold, changed, fl = mid[3], mid[4], mid[5]
    def peak(run: Run) -> float:  # the render's own RSS, or the tree's (PSS) if more
        return max(run.rss_mb, run.tree_mb)

    checks = [
        (f"peak memory of the {longest[2]:.0f}-min render <= {RSS_MAX_MB} MB", peak(longest[3]),
         peak(longest[3]) <= RSS_MAX_MB),
        (f"... and <= {RSS_GROWTH}x the {shortest[2]:.0f}-min render's", peak(longest[3]) / peak(shortest[3]),
         peak(longest[3]) <= RSS_GROWTH * peak(shortest[3])),
        (f"{mid[2]:.0f}-min cold render <= {FLOOR_RATIO}x the floor", cold.wall / (fl["synth"] + fl["encode"]),
         cold.wall <= FLOOR_RATIO * (fl["synth"] + fl["encode"])),
        (f"{mid[2]:.0f}-min one-sentence edit <= {EDIT_RATIO:.0%} of its cold render", changed.wall / cold.wall,
         changed.wall <= EDIT_RATIO * cold.wall),
    ]
    for text, value, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}  ({value:.2f})")
    return 0 if all(ok for _, _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
