"""ONNX voice files: which family a model folder or file is, its content digest, where voices live.

Families recognised from the files present:
- Piper: `X.onnx` + `X.onnx.json` (phoneme_id_map, audio.sample_rate); run with onnxruntime.
- sherpa-onnx VITS: `*.onnx` + `tokens.txt` [+ `lexicon.txt`, `espeak-ng-data/`], metadata in
  the model (sample_rate, n_speakers, language, comment); run with sherpa-onnx.
Supertonic bundles and raw Mimic 3 voice folders are recognised and refused with what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

VOICES_ENV = "AUDIOESSAY_VOICES_DIR"
_SHERPA_NEEDS = ("sample_rate", "n_speakers", "language", "comment")  # read without a default: sherpa exits
_SUPERTONIC = {"text_encoder.onnx", "duration_predictor.onnx", "vector_estimator.onnx", "vocoder.onnx"}
_HOW = ("a Piper voice (X.onnx with X.onnx.json) or a sherpa-onnx VITS folder (model.onnx with tokens.txt)")


class ModelProblem(ValueError):
    """What is wrong with the files, and what to do (one line)."""


@dataclass(frozen=True)
class Model:
    family: str  # "piper" | "vits"
    model: Path  # the .onnx file
    sample_rate: int
    speakers: int = 1
    config: Path | None = None  # Piper: X.onnx.json
    tokens: Path | None = None  # VITS: tokens.txt
    lexicon: Path | None = None  # VITS: lexicon.txt
    meta: dict[str, str] = field(default_factory=dict)  # VITS: the model's metadata_props

    def files(self) -> list[tuple[str, Path]]:
        """(role, file) of everything that shapes the sound, in a fixed order (the digest)."""
        roles = [("model", self.model), ("config", self.config), ("tokens", self.tokens), ("lexicon", self.lexicon)]
        return [(r, p) for r, p in roles if p is not None]

    @property
    def phonemes(self) -> bool:
        """Whether it is fed espeak-ng IPA phonemes (else the text itself, through sherpa's frontend)."""
        if self.family == "piper":
            return True
        return self.lexicon is None and self.meta.get("frontend", "") != "characters"


def find(path: Path, relative_to: str = "the script") -> Model:
    """The model at `path` (a folder or an .onnx file), or ModelProblem saying what is wrong
    (`relative_to`: the file the path was written in, for the message)."""
    if not path.exists():
        raise ModelProblem(f"model not found: {path}; check the path (it is relative to {relative_to})")
    if path.is_dir():
        return _in_folder(path)
    if path.suffix.lower() != ".onnx":
        raise ModelProblem(f"{path} is not an .onnx file; name a model folder or its .onnx file ({_HOW})")
    return _of_file(path)


def _in_folder(folder: Path) -> Model:
    names = {p.name for p in folder.iterdir()}
    if len(_SUPERTONIC & names) >= 3:
        raise ModelProblem(f"{folder} is a Supertonic bundle, which the onnx engine does not run yet; "
                           f"use {_HOW}")
    if "generator.onnx" in names and "phonemes.txt" in names:
        raise ModelProblem(f"{folder} is a Mimic 3 voice folder; download its sherpa-onnx conversion "
                           "(vits-mimic3-ko_KO-kss_low from k2-fsa/sherpa-onnx releases, tts-models) instead")
    onnx_files = sorted(folder.glob("*.onnx"))
    piper = [p for p in onnx_files if (folder / (p.name + ".json")).is_file()]
    if len(piper) == 1:
        return _of_file(piper[0])
    if len(piper) > 1:
        raise ModelProblem(f"{folder} holds several Piper voices ({', '.join(p.name for p in piper)}); "
                           "name one .onnx file as voice.onnx.model")
    if not onnx_files:
        raise ModelProblem(f"no .onnx model in {folder}; expected {_HOW}")
    if (folder / "tokens.txt").is_file():
        if len(onnx_files) > 1:
            main = [p for p in onnx_files if p.name == "model.onnx"]
            if not main:
                raise ModelProblem(f"{folder} holds several models ({', '.join(p.name for p in onnx_files)}); "
                                   "name one .onnx file as voice.onnx.model")
            onnx_files = main
        return _of_file(onnx_files[0])
    raise ModelProblem(f"{onnx_files[0]} has no {onnx_files[0].name}.json (Piper) or tokens.txt (sherpa-onnx VITS) "
                       f"beside it; expected {_HOW}")


def _of_file(model: Path) -> Model:
    config = model.with_name(model.name + ".json")
    if config.is_file():
        return _piper(model, config)
    tokens = model.with_name("tokens.txt")
    if tokens.is_file():
        return _vits(model, tokens)
    raise ModelProblem(f"{model} has no {config.name} (Piper) or tokens.txt (sherpa-onnx VITS) beside it; "
                       f"expected {_HOW}")


def _piper(model: Path, config: Path) -> Model:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        ids = data["phoneme_id_map"]
        rate = int(data["audio"]["sample_rate"])
        if not isinstance(ids, dict) or not ids or rate <= 0:
            raise ValueError("empty")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ModelProblem(f"{config} is not a Piper voice config (it needs phoneme_id_map and "
                           "audio.sample_rate); download the voice's .onnx.json again") from None
    metadata(model)  # a broken or truncated .onnx is said now, not mid-render
    return Model("piper", model, rate, max(1, int(data.get("num_speakers") or 1)), config=config)


def _vits(model: Path, tokens: Path) -> Model:
    meta = metadata(model)
    missing = [k for k in _SHERPA_NEEDS if k not in meta]
    if missing:
        raise ModelProblem(f"{model} lacks the metadata sherpa-onnx reads ({', '.join(missing)}); "
                           "add it with sherpa-onnx's add_meta_data script, or use the converted voice "
                           "from its tts-models releases")
    try:
        rate, speakers = int(meta["sample_rate"]), int(meta["n_speakers"])
        lines = tokens.read_text(encoding="utf-8").splitlines()
    except (ValueError, OSError, UnicodeDecodeError):
        raise ModelProblem(f"{model}: sample_rate/n_speakers are not numbers, or {tokens} is unreadable; "
                           "download the model again") from None
    if not any(line.strip() for line in lines):
        raise ModelProblem(f"{tokens} is empty; download the model again")
    lexicon = model.with_name("lexicon.txt")
    return Model("vits", model, rate, max(1, speakers), tokens=tokens,
                 lexicon=lexicon if lexicon.is_file() else None, meta=meta)


def metadata(model: Path) -> dict[str, str]:
    """The metadata_props of an ONNX file, read from its protobuf without loading the graph
    (ModelProto field 14: key 1, value 2); ModelProblem when it is not an ONNX model."""
    try:
        data = model.read_bytes()
    except OSError as exc:
        raise ModelProblem(f"{model} cannot be read ({exc.strerror}); check its permissions") from None
    out: dict[str, str] = {}
    seen_graph = False
    try:
        for number, value in _fields(data):
            if number == 7:
                seen_graph = True
            elif number == 14 and isinstance(value, bytes):
                entry = dict(_fields(value))
                key, val = entry.get(1, b""), entry.get(2, b"")
                if isinstance(key, bytes) and isinstance(val, bytes):
                    out[key.decode("utf-8", "replace")] = val.decode("utf-8", "replace")
    except ValueError:
        seen_graph = False
    if not seen_graph:
        raise ModelProblem(f"{model} is not a complete ONNX model (damaged or cut short); download it again")
    return out


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(data: bytes):
    """(field number, value) of one protobuf message's top-level fields."""
    i = 0
    while i < len(data):
        tag, i = _varint(data, i)
        number, kind = tag >> 3, tag & 7
        if kind == 0:
            value, i = _varint(data, i)
            yield number, value
        elif kind == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise ValueError("truncated field")
            yield number, data[i:i + n]
            i += n
        elif kind == 1:
            i += 8
        elif kind == 5:
            i += 4
        else:
            raise ValueError(f"wire type {kind}")
        if i > len(data):
            raise ValueError("truncated")


_digests: dict[tuple[str, int, int], str] = {}
_digest_lock = threading.Lock()


def digest(model: Model) -> str:
    """sha256 of the files' contents by role (not their paths): moving the folder keeps it,
    replacing a file changes it. Remembered per (file, size, mtime) for this process."""
    h = hashlib.sha256()
    for role, path in model.files():
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        with _digest_lock:
            one = _digests.get(key)
        if one is None:
            fh = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    fh.update(block)
            one = fh.hexdigest()
            with _digest_lock:
                _digests[key] = one
        h.update(f"{role}:{one}\n".encode())
    return h.hexdigest()


def voices_dir() -> Path:
    """Where `audioessay voices` looks for models: $AUDIOESSAY_VOICES_DIR, else voices/ in the user data dir."""
    given = os.environ.get(VOICES_ENV)
    if given:
        return Path(given).expanduser()
    import platformdirs

    return platformdirs.user_data_path("audioessay") / "voices"


def found(folder: Path | None = None) -> list[tuple[Path, Model | str]]:
    """Every entry of the voices folder that is a model (or why it is not), by name."""
    folder = folder or voices_dir()
    if not folder.is_dir():
        return []
    out: list[tuple[Path, Model | str]] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir() or not any(entry.glob("*.onnx")):
            continue  # a voice is a folder with a model in it
        try:
            out.append((entry, find(entry)))
        except ModelProblem as exc:
            out.append((entry, str(exc)))
    return out
