"""espeak-ng's Korean voice, driven in-process from the espeakng-loader wheel.

Never touches the network. The library keeps global state, so calls in one process are
serialized. Synthesis runs on a worker thread: Python runs signal handlers only on the
main thread, so Ctrl-C can never land inside espeak's C callback (where it would be lost);
the main thread waits, and on Ctrl-C tells the callback to stop and re-raises.

Many texts at once are voiced by a pool of processes, one per core (each with its own
copy of the library); results come back in script order. The workers ignore Ctrl-C: the
main process gets it, kills them and exits.
"""

from __future__ import annotations

import ctypes
import dataclasses
import itertools
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Sequence
from functools import lru_cache

from pydub import AudioSegment

from audioessay.config.engines import EngineSpec, register
from audioessay.speech.engines.base import Engine
from audioessay.errors import EngineError
from audioessay.config.settings import Group

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_RATE = 1  # espeakRATE parameter id
_PITCH = 3  # espeakPITCH parameter id: 0-100, 50 is the voice's own
_DEFAULT_WPM = 175
PRONUNCIATION = 1  # version of the spelling rules applied before synthesis (part of the cache key)
_POOL_MIN_TEXTS = 48  # fewer: starting worker processes (~0.3 s) costs more than it saves
_POOL_CHUNK = 4  # texts per message to a worker
_lock = threading.Lock()
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Lib:
    """The loaded library with its output buffer and callback kept alive."""

    def __init__(self) -> None:
        try:
            import espeakng_loader

            self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path()
        except (ImportError, OSError, RuntimeError) as exc:
            raise EngineError(
                f"the espeak-ng voice cannot be loaded ({exc}); reinstall audioessay "
                "(pip install --force-reinstall espeakng-loader)"
            ) from exc
        lib = self.lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        self.rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), _INITIALIZE_DONT_EXIT)
        if self.rate <= 0:
            raise EngineError(f"espeak-ng failed to start with data at {data}; reinstall espeakng-loader")
        self.chunks: list[bytes] = []
        self.stop = threading.Event()
        self.callback = _CALLBACK(self._collect)
        lib.espeak_SetSynthCallback(self.callback)
        if lib.espeak_SetVoiceByName(b"ko") != 0:
            raise EngineError("espeak-ng has no Korean (ko) voice in its data; reinstall espeakng-loader")
        self.version = (lib.espeak_Info(None) or b"?").decode()

    def _collect(self, wav, count, events) -> int:
        # Runs on the synthesis worker thread (never the main one: no signal lands here).
        if wav and count > 0:
            self.chunks.append(ctypes.string_at(wav, count * 2))  # one copy of the block
        return 1 if self.stop.is_set() else 0  # 1 asks espeak to stop


@lru_cache(maxsize=1)
def _lib() -> _Lib:
    return _Lib()


@dataclasses.dataclass(frozen=True)
class EspeakVoice(Group):
    """espeak's own keys (voice.espeak.KEY); none yet."""

    key = "voice.espeak"
    doc = "espeak engine"


def variants() -> list[str]:
    """The voice variants espeak-ng ships (voices/!v), e.g. m3, f2: `voice.name` for espeak."""
    import os

    try:
        import espeakng_loader

        folder = os.path.join(espeakng_loader.get_data_path(), "voices", "!v")
        return sorted(n for n in os.listdir(folder) if not n.startswith("."))
    except (ImportError, OSError, RuntimeError):
        return []


class EspeakEngine(Engine):
    name = "espeak"

    def __init__(self, speed: float = 1.0, variant: str = "", pitch: int = 0, workers: int | None = None):
        """`workers`: processes for synthesize_many (default: one per usable core)."""
        self.speed = speed
        self.variant = variant
        self.pitch = pitch
        self.version = _lib().version
        self.workers = workers if workers is not None else _cores()

    @property
    def voice(self) -> str:
        return f"ko+{self.variant}" if self.variant else "ko"

    def prepare(self, spoken: str) -> str:
        """espeak-ng's Korean rules read text as written (입니다, 신라): give it the standard
        pronunciation (표준 발음법) spelled in Hangul."""
        from audioessay.text.pronounce import pronounce

        return pronounce(spoken)

    def settings(self) -> dict[str, object]:
        out: dict[str, object] = {"voice": self.voice, "wpm": self.wpm, "pronunciation": PRONUNCIATION}
        if self.pitch:
            out["pitch"] = self.pitch
        return out

    @property
    def wpm(self) -> int:
        return round(_DEFAULT_WPM * self.speed)

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        lib = _lib()
        outcome: dict[str, tuple[int, bytes]] = {}
        with _lock:
            def speak() -> None:
                outcome["done"] = _speak(lib, self.prepare(text), self.voice, self.wpm, self.pitch)

            worker = threading.Thread(target=speak, name="espeak", daemon=True)
            worker.start()
            try:
                worker.join()  # a lock wait: Ctrl-C interrupts it on POSIX
            except BaseException:  # Ctrl-C: stop espeak at its next block, then pass it on
                lib.stop.set()
                worker.join()
                raise
        status, pcm = outcome.get("done", (-1, b""))
        return self._audio(text, status, pcm, lib.rate, self.voice)

    def synthesize_many(self, texts: Sequence[str],
                        on_result: Callable[[int, AudioSegment], None]) -> None:
        """Voice every text; `on_result(index, audio)` is called in script order."""
        workers = min(self.workers, len(texts) // _POOL_CHUNK)
        if workers < 2 or len(texts) < _POOL_MIN_TEXTS:
            super().synthesize_many(texts, on_result)
            return
        rate = _lib().rate
        pool = _start_pool(workers)
        try:
            batches = [([self.prepare(t) for t in texts[i:i + _POOL_CHUNK]], self.voice, self.wpm, self.pitch)
                       for i in range(0, len(texts), _POOL_CHUNK)]
            # A few batches in flight at a time, not all of them: with every batch queued,
            # the pool's task thread blocks on a full pipe, and terminate() (Ctrl-C) then
            # waits for it for good.
            ahead = iter(batches)
            flight = deque(pool.apply_async(_pool_speak, (b,)) for b in itertools.islice(ahead, 2 * workers))
            for start in range(0, len(texts), _POOL_CHUNK):
                batch = texts[start:start + _POOL_CHUNK]
                answer = _next(flight.popleft())
                if (more := next(ahead, None)) is not None:
                    flight.append(pool.apply_async(_pool_speak, (more,)))
                for offset, (text, (status, pcm)) in enumerate(zip(batch, answer)):
                    on_result(start + offset, self._audio(text, status, pcm, rate, self.voice))
        except BaseException:  # an error or Ctrl-C: the workers die now, not after the queue
            pool.terminate()
            raise
        else:
            pool.close()
        finally:
            pool.join()

    @staticmethod
    def _audio(text: str, status: int, pcm: bytes, rate: int, voice: str) -> AudioSegment:
        if status == -2:
            raise EngineError(f"espeak-ng has no voice {voice!r}; see audioessay voices --engine espeak", text=text)
        if status != 0:
            raise EngineError(f"espeak-ng could not speak {text[:30]!r} (status {status})", text=text)
        return AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)


def _cores() -> int:
    """Cores this process may use (sched_getaffinity is Linux-only)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _speak(lib: _Lib, text: str, voice: str, wpm: int, pitch: int) -> tuple[int, bytes]:
    """(espeak's status, 16-bit PCM) for `text` (already respelled). The caller holds _lock."""
    data = text.encode("utf-8") + b"\0"
    lib.chunks = []
    lib.stop.clear()
    if lib.lib.espeak_SetVoiceByName(voice.encode()) != 0:
        return -2, b""
    lib.lib.espeak_SetParameter(_RATE, wpm, 0)
    # About 1 Hz per step around the voice's own pitch (espeak's scale is 0-100).
    lib.lib.espeak_SetParameter(_PITCH, max(0, min(100, 50 + pitch)), 0)
    status = lib.lib.espeak_Synth(data, len(data), 0, 0, 0, _CHARS_UTF8, None, None)
    pcm = b"".join(lib.chunks)
    lib.chunks = []
    return status, pcm


def _start_pool(workers: int):
    """Worker processes that never see Ctrl-C: SIGINT is ignored while they start (spawned
    children keep an ignored signal, so Python installs no handler in them)."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that has threads
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        return ctx.Pool(workers, initializer=_pool_init)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def _pool_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _lib()


def _pool_speak(job: tuple[Sequence[str], str, int, int]) -> list[tuple[int, bytes]]:
    texts, voice, wpm, pitch = job
    lib = _lib()
    with _lock:
        return [_speak(lib, text, voice, wpm, pitch) for text in texts]


def _next(answer):
    """A pool answer, waited for in short steps so Ctrl-C is seen at once."""
    while True:
        try:
            return answer.get(timeout=0.2)
        except multiprocessing.TimeoutError:
            continue


SPEC = register(EngineSpec(
    name="espeak", doc="espeak-ng's Korean voice, embedded and offline", settings=EspeakVoice,
    create=lambda voice, group: EspeakEngine(speed=voice.speed, variant=voice.name, pitch=voice.pitch),
    max_chars=None, online=False, supports=frozenset({"name", "pitch"}), voice_names=variants,
))
