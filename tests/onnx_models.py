"""Tiny ONNX voices built in the test session with the `onnx` helper API.

Each model maps token ids to a tone: id k gives an amplitude table[k], held for
round(hop * length_scale) samples, times a sine. So the output length is exactly
N * round(hop * length_scale) samples for N ids, which tests can check on the decoded MP3.
Two shapes: Piper (`input`, `input_lengths`, `scales`[, `sid`] + X.onnx.json) and a
sherpa-onnx VITS folder (`x`, `x_length`, `noise_scale`, `length_scale`, `noise_scale_w`
[, `sid`], metadata_props, tokens.txt).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HOP = 256  # samples per id at length_scale 1


def _graph(names: dict[str, str], vocab: int, rate: int, hop: int, piper: bool, speakers: int,
           seed: int, work: int = 0) -> onnx.ModelProto:
    """`work`: layers of 256x256 matrix products over the output (a stand-in for a real
    network's cost, for scripts/bench_onnx.py); they change the audio by < 1e-6."""
    x, out = names["x"], names["out"]
    rng = np.random.default_rng(seed)
    table = (0.2 + 0.5 * rng.random(vocab)).astype(np.float32)
    inits = [numpy_helper.from_array(table, "table"),
             numpy_helper.from_array(np.array([float(hop)], np.float32), "hop"),
             numpy_helper.from_array(np.array([2], np.int64), "axis2"),
             numpy_helper.from_array(np.array([1, 1, -1], np.int64), "flat_shape"),
             numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
             numpy_helper.from_array(np.array(1.0, np.float32), "one"),
             numpy_helper.from_array(np.array([2 * math.pi * 440.0 / rate], np.float32), "w"),
             numpy_helper.from_array(np.array([1], np.int64), "i1"),
             numpy_helper.from_array(np.array([2], np.int64), "i2"),
             numpy_helper.from_array(np.array([0], np.int64), "i0"),
             numpy_helper.from_array(np.array([0.25], np.float32), "quarter")]
    nodes = [helper.make_node("Gather", ["table", x], ["amp"], axis=0)]
    inputs = [helper.make_tensor_value_info(x, TensorProto.INT64, [1, "N"]),
              helper.make_tensor_value_info(names["len"], TensorProto.INT64, [1])]
    if piper:
        inputs.append(helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]))
        nodes.append(helper.make_node("Slice", ["scales", "i1", "i2", "i0"], ["ls"]))
    else:
        for n in ("noise_scale", "length_scale", "noise_scale_w"):
            inputs.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, [1]))
        nodes.append(helper.make_node("Identity", ["length_scale"], ["ls"]))
    nodes += [
        helper.make_node("Mul", ["hop", "ls"], ["kf"]),
        helper.make_node("Round", ["kf"], ["kr"]),
        helper.make_node("Cast", ["kr"], ["k"], to=TensorProto.INT64),
        helper.make_node("Shape", [x], ["xs"]),
        helper.make_node("Concat", ["xs", "k"], ["shp"], axis=0),
        helper.make_node("Unsqueeze", ["amp", "axis2"], ["amp3"]),
        helper.make_node("Expand", ["amp3", "shp"], ["held"]),
        helper.make_node("Reshape", ["held", "flat_shape"], ["flat"]),
        helper.make_node("Shape", ["flat"], ["fs"]),
        helper.make_node("Gather", ["fs", "i2"], ["tlen1"], axis=0),
        helper.make_node("Cast", ["tlen1"], ["tlenf1"], to=TensorProto.FLOAT),
        helper.make_node("Squeeze", ["tlenf1"], ["tlen"]),
        helper.make_node("Range", ["zero", "tlen", "one"], ["t"]),
        helper.make_node("Mul", ["t", "w"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["wave"]),
        helper.make_node("Mul", ["flat", "wave"], ["voiced"]),
    ]
    for layer in range(work):
        w = (rng.standard_normal((256, 256)) / 16).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{layer}"))
        src = "voiced" if layer == 0 else f"h{layer - 1}"
        if layer == 0:
            inits.append(numpy_helper.from_array(np.array([-1, 256], np.int64), "rows"))
            inits.append(numpy_helper.from_array(np.array([1e-6], np.float32), "tiny"))
            nodes.append(helper.make_node("Reshape", ["voiced", "rows"], ["r0"]))
            src = "r0"
        nodes += [helper.make_node("MatMul", [src, f"w{layer}"], [f"m{layer}"]),
                  helper.make_node("Tanh", [f"m{layer}"], [f"h{layer}"])]
    if work:
        nodes += [helper.make_node("ReduceMean", [f"h{work - 1}"], ["mean"], keepdims=0),
                  helper.make_node("Mul", ["mean", "tiny"], ["nudge"]),
                  helper.make_node("Add", ["voiced", "nudge"], ["worked"])]
        voiced = "worked"
    else:
        voiced = "voiced"
    if speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
        nodes += [helper.make_node("Cast", ["sid"], ["sidf"], to=TensorProto.FLOAT),
                  helper.make_node("Mul", ["sidf", "quarter"], ["sq"]),
                  helper.make_node("Add", ["sq", "one"], ["gain"]),
                  helper.make_node("Mul", [voiced, "gain"], [out])]
    else:
        nodes.append(helper.make_node("Identity", [voiced], [out]))
    outputs = [helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, 1, "T"])]
    graph = helper.make_graph(nodes, "tiny_tts", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


PIPER_IDS = {"_": [0], "^": [1], "$": [2], " ": [3]}


def piper_voice(folder: Path, symbols: str, name: str = "ko_KO-tiny-low", *, rate: int = 22050, hop: int = HOP,
                speakers: int = 1, seed: int = 0, work: int = 0) -> Path:
    """A Piper voice: folder/NAME.onnx + NAME.onnx.json whose phoneme_id_map holds the
    pad/bos/eos/space ids and one id per character of `symbols` (espeak IPA the test speaks)."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = dict(PIPER_IDS)
    for sym in sorted(set(symbols)):
        ids.setdefault(sym, [len(ids)])
    model = _graph({"x": "input", "len": "input_lengths", "out": "output"}, len(ids), rate, hop,
                   True, speakers, seed, work)
    onnx.save(model, folder / f"{name}.onnx")
    config = {"audio": {"sample_rate": rate, "quality": "low"}, "espeak": {"voice": "ko"},
              "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
              "phoneme_type": "espeak", "phoneme_id_map": ids, "num_symbols": len(ids),
              "num_speakers": speakers, "speaker_id_map": {f"s{i}": i for i in range(speakers)} if speakers > 1 else {}}
    (folder / f"{name}.onnx.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return folder / f"{name}.onnx"


def hangul_tokens() -> list[str]:
    """Tokens of the VITS test voice: blank, space, punctuation, and Hangul jamo and syllables
    common in test text (characters frontend: one token per character)."""
    base = ["_", " ", ".", ",", "?", "!"]
    syllables = [chr(c) for c in range(0xAC00, 0xAC00 + 11172)]
    return base + syllables


def vits_voice(folder: Path, *, rate: int = 16000, hop: int = HOP, speakers: int = 1, seed: int = 1,
               add_blank: int = 0, model_name: str = "model.onnx") -> Path:
    """A sherpa-onnx VITS folder: model.onnx with the metadata sherpa-onnx reads, tokens.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens = hangul_tokens()
    model = _graph({"x": "x", "len": "x_length", "out": "y"}, len(tokens), rate, hop, False, speakers, seed)
    meta = {"model_type": "vits", "comment": "audioessay test voice", "language": "Korean",
            "sample_rate": str(rate), "n_speakers": str(speakers), "add_blank": str(add_blank),
            "frontend": "characters", "punctuation": ". , ? !"}
    for k, v in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save(model, folder / model_name)
    (folder / "tokens.txt").write_text("".join(f"{t} {i}\n" for i, t in enumerate(tokens)), encoding="utf-8")
    return folder


def sherpa_piper_voice(folder: Path, symbols: str, *, rate: int = 22050, hop: int = HOP, seed: int = 2,
                       work: int = 0) -> Path:
    """A Piper voice as sherpa-onnx converts it (vits-piper-*, vits-mimic3-*): model.onnx with
    comment=piper metadata and tokens.txt of IPA symbols; sherpa-onnx 2.x needs the phonemes given."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens = list(PIPER_IDS) + sorted(set(symbols) - set(PIPER_IDS))
    model = _graph({"x": "input", "len": "input_lengths", "out": "output"}, len(tokens), rate, hop, True, 1, seed, work)
    meta = {"model_type": "vits", "comment": "piper", "language": "Korean", "voice": "ko",
            "sample_rate": str(rate), "n_speakers": "1", "add_blank": "0"}
    for k, v in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save(model, folder / "model.onnx")
    (folder / "tokens.txt").write_text("".join(f"{t} {i}\n" for i, t in enumerate(tokens)), encoding="utf-8")
    return folder
