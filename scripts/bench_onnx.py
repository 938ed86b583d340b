"""Benchmark: real-time factor of the onnx engine against espeak-ng on the same text.

    python scripts/bench_onnx.py [--sentences 30] [--model PATH]

What it measures
----------------
The first `--sentences` sentences of the sample essay (scripts/her.txt) are voiced, in
this process, by:

  espeak          the embedded espeak-ng voice, sentence by sentence (one thread)
  onnx threads    one loaded model, sentences one after another, the runtime's own
                  intra-op threads on every core
  onnx pool       what the engine does in a render: one-thread sessions, sentences on a
                  worker thread per core (a Piper session is shared: onnxruntime's run is
                  thread-safe; sherpa-onnx gets one instance per worker)

RTF = synthesis seconds / seconds of audio made (below 1: faster than real time). Phonemes
(espeak-ng IPA) are made before the clock starts for the onnx rows; the espeak row
includes its own phonemization. Without --model a tiny Piper-shaped model is built with the
`onnx` package (tests/onnx_models.py): it shows the engine's overhead, not a neural voice's
cost; pass --model with a real Piper voice (X.onnx) or sherpa-onnx VITS folder to measure one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))


def sentences(n: int) -> list[str]:
    from audioessay.text.normalize import normalize
    from audioessay.text.split import sentences as split_sentences

    text = (ROOT / "scripts" / "her.txt").read_text(encoding="utf-8")
    out: list[str] = []
    for para in text.split("\n"):
        out += [normalize(s) for s in split_sentences(para) if s.strip()]
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=30)
    ap.add_argument("--work", type=int, default=0,
                    help="tiny model only: layers of 256x256 matrix products per 256 samples (a network's cost)")
    ap.add_argument("--model", type=Path, help="a Piper .onnx or a sherpa-onnx VITS folder (default: a tiny one)")
    args = ap.parse_args()

    from audioessay.config.groups import Voice
    from audioessay.speech.engines import onnx as onnx_engine
    from audioessay.speech.engines.espeak import EspeakEngine, phonemes
    from audioessay.text.pronounce import pronounce

    texts = sentences(args.sentences)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    rows: list[tuple[str, float, float]] = []

    espeak = EspeakEngine()
    espeak.synthesize(texts[0])  # load the library first
    t = time.perf_counter()
    audio_s = sum(len(espeak.synthesize(x)) / 1000 for x in texts)
    rows.append(("espeak", time.perf_counter() - t, audio_s))

    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if model is None:
            import onnx_models

            symbols = "".join(phonemes(pronounce(x)) for x in texts)
            model = onnx_models.piper_voice(Path(tmp) / "tiny", symbols, work=args.work)
        engine = onnx_engine.OnnxEngine(onnx_engine.OnnxVoice(model=str(model)), speed=Voice().speed)
        given = [engine.model_input(x) for x in texts]
        kind = onnx_engine._Piper if engine.model.family == "piper" else onnx_engine._Sherpa
        # one session, its own intra-op threads on every core, sentences one after another
        rt = kind(engine.model, cores)
        rt.run(given[0], 1.0, 0)  # warm up: the first run allocates
        t = time.perf_counter()
        frames = sum(len(rt.run(x, engine.speed, engine.speaker)) for x in given)
        rows.append((f"onnx threads ({engine.model.family}, {cores} thr)", time.perf_counter() - t,
                     frames / engine.rate))
        # what the engine does: one-thread sessions, a worker per core
        pool = onnx_engine._pool(engine.model, engine.digest, engine.concurrency)

        def one(x: str) -> int:
            with pool.runtime() as rt:
                return len(rt.run(x, engine.speed, engine.speaker))

        with ThreadPoolExecutor(engine.concurrency) as ex:
            list(ex.map(one, given[:engine.concurrency]))  # warm up: load every worker's model
            t = time.perf_counter()
            frames = sum(ex.map(one, given))
        rows.append((f"onnx pool ({engine.model.family}, {engine.concurrency} x 1 thr)", time.perf_counter() - t,
                     frames / engine.rate))

    print(f"{len(texts)} sentences, {cores} cores, model: {args.model or f'tiny Piper-shaped test model, work {args.work}'}")
    print(f"{'engine':34} {'synth s':>8} {'audio s':>8} {'RTF':>8}")
    for label, secs, audio in rows:
        print(f"{label:34} {secs:8.3f} {audio:8.1f} {secs / audio if audio else 0:8.4f}")


if __name__ == "__main__":
    main()
