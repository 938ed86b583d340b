"""Bring-your-own neural voices offline: Piper voices (onnxruntime) and sherpa-onnx VITS folders.

`voice: {engine: onnx, onnx: {model: PATH}}`, PATH a model folder or .onnx file relative to
the script. The family is told from the files (onnx_models.py). Models trained on espeak-ng
phonemes (Piper, Mimic 3 conversions) get IPA from the project's own espeak-ng, after the
Korean front end and the pronunciation pass; others get the text through sherpa-onnx's frontend.

The model's content digest, not its path, is the engine's identity (so every cache key):
moving the folder keeps the cache, replacing a file re-voices. A model is loaded once per
process (by digest); sentences run on every core, one worker thread each with a one-thread
session (scripts/bench_onnx.py: a pool of one-thread sessions beat one session's intra-op
threads by about 1.8x on 2 cores). A Piper session is shared by the workers (onnxruntime's
run is thread-safe); sherpa-onnx gets one OfflineTts per worker.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audioessay.config.engines import EngineSpec, register
from audioessay.config.options import Context, Invalid, Number, Text
from audioessay.config.settings import Group, setting
from audioessay.errors import EngineError, InputError
from audioessay.speech.engines.base import Engine
from audioessay.speech.engines import onnx_models

if TYPE_CHECKING:
    import numpy as np
    from pydub import AudioSegment

_LOCAL = "how the model runs here, not what it says"


class ModelPath(Text):
    """A model folder or .onnx file, made absolute against the script's folder, checked now
    so a missing or unrecognised model is a located problem (exit 2). When the episode's MP3
    already exists (a published episode, pinned to its model), a missing model is left to the
    engine, which stops the render with exit 3 as an unreachable online engine does."""

    def validate(self, value: Any, path: tuple, ctx: Context) -> str:
        text = self.check(value)
        script = Path(ctx.filename)
        full = Path(os.path.normpath(script.parent / Path(text).expanduser()))
        try:  # in a show file's defaults the path is relative to the show file (ctx.filename)
            model = onnx_models.find(full, "the show file" if path[:1] == ("defaults",) else "the script")
        except onnx_models.ModelProblem as exc:
            if not _published(ctx, script):
                raise Invalid(str(exc)) from None
            return str(full)
        _check_speaker(model, path, ctx)
        return str(full)


def _check_speaker(model: onnx_models.Model, path: tuple, ctx: Context) -> None:
    """A voice.onnx.speaker beside the model that the model lacks is a located problem (exit 2
    with file:line), not an engine error at render time."""
    node: Any = ctx.doc.value
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    speaker = node.get("speaker") if isinstance(node, dict) else None
    if isinstance(speaker, int) and not isinstance(speaker, bool) and speaker >= model.speakers:
        ctx.problem(path[:-1] + ("speaker",), f"{speaker}: {_speaker_problem(model)}")


def _speaker_problem(model: onnx_models.Model) -> str:
    return (f"{model.model.name} has {model.speakers} speaker(s), ids 0 to {model.speakers - 1}; "
            "choose one of them")


def _published(ctx: Context, script: Path) -> bool:
    if ctx.published is not None:  # a show file's defaults, checked for an episode
        return ctx.published
    data = ctx.doc.value if isinstance(ctx.doc.value, dict) else {}
    output = data.get("output")
    mp3 = script.parent / output if isinstance(output, str) and output else script.with_suffix(".mp3")
    return mp3.is_file()


@dataclasses.dataclass(frozen=True)
class OnnxVoice(Group):
    """onnx's own keys (voice.onnx.KEY)."""

    key = "voice.onnx"
    doc = "onnx engine"
    model: str = setting(ModelPath("", "onnx: a Piper voice (X.onnx + X.onnx.json) or a sherpa-onnx VITS folder "
                                       "(model.onnx + tokens.txt), relative to the script"),
                         affects=False, why="the model's content digest is in the engine identity, not its path")
    speaker: int = setting(Number(0, "onnx: speaker id of a multi-speaker model", minimum=0, maximum=100000,
                                  integer=True))
    workers: int = setting(Number(0, "onnx: sentences voiced at once, one core each (0: every core)", minimum=0,
                                  maximum=256, integer=True), affects=False, why=_LOCAL)


class _Piper:
    """A Piper voice run directly with onnxruntime: ids ^ _ p1 _ p2 _ ... $ (as piper-phonemize)."""

    runtime = "onnxruntime"

    def __init__(self, model: onnx_models.Model, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(model.model), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own classes (InvalidProtobuf, Fail, ...)
            raise EngineError(f"onnxruntime cannot load {model.model} ({str(exc).splitlines()[0][:200]}); "
                              "download the voice again") from None
        assert model.config is not None
        config = json.loads(model.config.read_text(encoding="utf-8"))
        self.ids: dict[str, list[int]] = config["phoneme_id_map"]
        inference = config.get("inference") or {}
        self.noise = float(inference.get("noise_scale", 0.667))
        self.length = float(inference.get("length_scale", 1.0))
        self.noise_w = float(inference.get("noise_w", 0.8))
        self.inputs = {i.name for i in self.session.get_inputs()}

    def ids_of(self, phonemes: str) -> list[int]:
        pad, bos, eos = self.ids.get("_", [0]), self.ids.get("^", [1]), self.ids.get("$", [2])
        out = list(bos) + list(pad)
        for ch in phonemes:
            if ch in self.ids:
                out += list(self.ids[ch]) + list(pad)
        return out + list(eos)

    def run(self, phonemes: str, speed: float, sid: int) -> np.ndarray:
        import numpy as np

        ids = self.ids_of(phonemes)
        feed: dict[str, Any] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([self.noise, self.length / speed, self.noise_w], dtype=np.float32),
        }
        if "sid" in self.inputs:
            feed["sid"] = np.array([sid], dtype=np.int64)
        out = self.session.run(None, feed)[0]
        return np.asarray(out, dtype=np.float32).reshape(-1)


class _Sherpa:
    """A sherpa-onnx VITS folder: text through its frontend (characters or lexicon), or our
    espeak-ng phonemes as its tokens (sherpa-onnx 2.x phonemizes no more)."""

    runtime = "sherpa-onnx"

    def __init__(self, model: onnx_models.Model, threads: int):
        import sherpa_onnx as so

        vits = so.OfflineTtsVitsModelConfig(model=str(model.model), tokens=str(model.tokens),
                                            lexicon=str(model.lexicon or ""))
        config = so.OfflineTtsConfig(model=so.OfflineTtsModelConfig(vits=vits, num_threads=threads))
        if not config.validate():
            raise EngineError(f"sherpa-onnx does not accept the model {model.model}; download it again")
        self.tts = so.OfflineTts(config)
        assert model.tokens is not None
        self.symbols = set()
        for line in model.tokens.read_text(encoding="utf-8").splitlines():
            sym, _, rest = line.rstrip("\n").rpartition(" ")
            if rest.strip().isdigit():
                self.symbols.add(sym if sym else " ")
        self.phonemes = model.phonemes

    def run(self, text: str, speed: float, sid: int) -> np.ndarray:
        import numpy as np
        import sherpa_onnx as so

        if self.phonemes:
            gen = so.GenerationConfig()
            gen.speed, gen.sid = speed, sid
            gen.tokens = [[ch for ch in text if ch in self.symbols]]
            audio = self.tts.generate("", gen)
        else:
            audio = self.tts.generate(text, sid=sid, speed=speed)
        return np.asarray(audio.samples, dtype=np.float32)


class _Pool:
    """The loaded model(s) of one content digest: a Piper session shared by every worker,
    or up to `size` sherpa-onnx instances, each used by one worker at a time."""

    def __init__(self, model: onnx_models.Model, size: int):
        self.model, self.size = model, size
        self.free: queue.SimpleQueue[_Piper | _Sherpa] = queue.SimpleQueue()
        self.made: list[_Piper | _Sherpa] = []
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def runtime(self) -> Iterator[_Piper | _Sherpa]:
        with self.lock:  # loads are serialized: one model file read at a time
            if self.model.family == "piper" and not self.made:
                self.made.append(_Piper(self.model, 1))
            if self.model.family == "piper":
                shared = self.made[0]
            elif self.free.empty() and len(self.made) < self.size:
                self.made.append(_Sherpa(self.model, 1))
                self.free.put(self.made[-1])
        if self.model.family == "piper":
            yield shared
            return
        rt = self.free.get()
        try:
            yield rt
        finally:
            self.free.put(rt)


_pools: dict[str, _Pool] = {}
_pools_lock = threading.Lock()


def _pool(model: onnx_models.Model, digest: str, size: int) -> _Pool:
    """One pool per content digest for the whole process: the model is loaded once per render."""
    with _pools_lock:
        pool = _pools.get(digest)
        if pool is None:
            pool = _pools[digest] = _Pool(model, size)
        pool.size = max(pool.size, size)
        pool.model = model  # the same content; the files may have moved since
        return pool


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _runtime_version(family: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    package = "onnxruntime" if family == "piper" else "sherpa-onnx"
    try:
        return f"{package}-{version(package)}"
    except PackageNotFoundError:
        raise InputError(f"the onnx engine needs {package}; install it: pip install 'audioessay[onnx]'") from None


class OnnxEngine(Engine):
    name = "onnx"

    def __init__(self, group: OnnxVoice, *, speed: float = 1.0):
        if not group.model:
            raise InputError("voice.onnx.model is not set; write voice: {engine: onnx, onnx: {model: FOLDER}} "
                             "(models found: audioessay voices --engine onnx)")
        try:
            self.model = onnx_models.find(Path(group.model))
        except onnx_models.ModelProblem as exc:  # it was there when the episode was made
            raise EngineError(f"{exc}; this episode was voiced with it: put the model back, or remove "
                              "the episode's MP3 to voice it anew") from None
        if group.speaker >= self.model.speakers:
            raise InputError(f"voice.onnx.speaker {group.speaker}: {_speaker_problem(self.model)}")
        self.digest = onnx_models.digest(self.model)
        self.version = _runtime_version(self.model.family)
        self.speed = speed
        self.speaker = group.speaker
        self.concurrency = group.workers or _cores()
        self.rate = self.model.sample_rate

    def prepare(self, spoken: str) -> str:
        """espeak-phoneme voices: the standard pronunciation spelled in Hangul, as espeak gets it."""
        if self.model.phonemes:
            from audioessay.text.pronounce import pronounce

            return pronounce(spoken)
        return spoken

    def settings(self) -> dict[str, object]:
        out: dict[str, object] = {"model": self.digest, "family": self.model.family, "speed": self.speed}
        if self.model.speakers > 1:
            out["speaker"] = self.speaker
        if self.model.phonemes:
            from audioessay.speech.engines import espeak

            out["phonemes"] = f"espeak-ng {espeak._lib().version} ko, pronunciation {espeak.PRONUNCIATION}"
        return out

    def model_input(self, text: str) -> str:
        """What the model is given for `text`: IPA phonemes, or the text itself."""
        prepared = self.prepare(text)
        if self.model.phonemes:
            from audioessay.speech.engines.espeak import phonemes

            return phonemes(prepared)
        return prepared

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        from audioessay.dsp.convert import from_float

        given = self.model_input(text)
        runtime = "onnxruntime" if self.model.family == "piper" else "sherpa-onnx"
        try:
            with _pool(self.model, self.digest, self.concurrency).runtime() as rt:
                samples = rt.run(given, self.speed, self.speaker)
        except EngineError:
            raise
        except Exception as exc:  # the runtime's own errors (bad inputs for this graph, ...)
            raise EngineError(f"{runtime} failed on {self.model.model.name} ({str(exc).splitlines()[0][:200]})",
                              text=text) from None
        if samples.size == 0:
            raise EngineError(f"{self.model.model.name} returned no audio for {text[:30]!r} "
                              "(none of its symbols are in the model's tokens?)", text=text)
        return from_float(samples, self.rate)


def catalogue(online: bool) -> tuple[list[Any], str]:
    """`audioessay voices`: the models in the voices folder, or how to add one."""
    from audioessay.speech.engines.voices import VoiceInfo

    folder = onnx_models.voices_dir()
    got = onnx_models.found(folder)
    how = (f"add one: unpack a Piper voice or sherpa-onnx VITS folder into {folder} "
           f"(or set {onnx_models.VOICES_ENV}); then voice: {{engine: onnx, onnx: {{model: PATH}}}}")
    if not got:
        return [VoiceInfo("onnx", "(no models yet)", "", "ko-KR", how)], how
    voices = []
    for path, model in got:
        if isinstance(model, str):
            voices.append(VoiceInfo("onnx", path.name, "", "", f"unusable: {model}", status=f"unusable: {model}"))
        else:
            words = f"{path.name}_{model.model.stem}".lower().replace("-", "_").split("_")
            korean = "ko" in words or "kor" in words or \
                model.meta.get("language", "").lower() in ("korean", "ko")
            what = f"{model.family}, {model.sample_rate} Hz; onnx.model: {path}"
            voices.append(VoiceInfo("onnx", path.name, "", "ko-KR" if korean else "", what, status=what))
    return voices, f"in {folder}"


SPEC = register(EngineSpec(
    name="onnx", doc="bring-your-own neural voices offline (Piper, sherpa-onnx VITS)", settings=OnnxVoice,
    create=lambda voice, group: OnnxEngine(group, speed=voice.speed),
    max_chars=None, online=False, catalogue=catalogue,
))
