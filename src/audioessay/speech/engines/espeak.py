"""espeak-ng's Korean voice, driven in-process from the espeakng-loader wheel.

Never touches the network. The library keeps global state, so calls in one process are
serialized. Synthesis runs on a worker thread: Python runs signal handlers only on the
main thread, so Ctrl-C can never land inside espeak's C callback (where it would be lost);
the main thread waits, and on Ctrl-C tells the callback to stop and re-raises.

Many texts at once are voiced by worker processes, one per core (each with its own copy of
the library), fed batches through pipes; results come back in script order. The workers
ignore Ctrl-C and SIGTERM (the main process gets them) and die with the main process.
Stopping them never waits on them: on Ctrl-C or an error they are killed at once; after
the last batch they have 0.2 s to exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache

from pydub import AudioSegment

from audioessay.config.engines import EngineSpec, register
from audioessay.speech.engines.base import Engine
from audioessay.errors import EngineError
from audioessay.config.settings import Group
from audioessay.speech.engines import voices as _voices

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_RATE = 1  # espeakRATE parameter id
_PITCH = 3  # espeakPITCH parameter id: 0-100, 50 is the voice's own
_DEFAULT_WPM = 175
PRONUNCIATION = 2  # version of the spelling rules applied before synthesis (part of the cache key)
_POOL_MIN_TEXTS = 48  # fewer: starting worker processes (~0.3 s) costs more than it saves
_POOL_CHUNK = 4  # texts per message to a worker
_GRACE_S = 0.2  # after the last batch, a worker still alive this long is killed
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
        count = min(self.workers, len(texts) // _POOL_CHUNK)
        if count < 2 or len(texts) < _POOL_MIN_TEXTS or not sys.executable:
            super().synthesize_many(texts, on_result)
            return
        rate = _lib().rate
        batches = [([self.prepare(t) for t in texts[i:i + _POOL_CHUNK]], self.voice, self.wpm, self.pitch)
                   for i in range(0, len(texts), _POOL_CHUNK)]
        # Batch k goes to worker k % count, so a render comes out the same every time
        # (espeak's output depends slightly on what it spoke before); each worker has two
        # batches queued, so it never waits for the next.
        workers = _Workers()
        try:
            workers.start(count)
            for k, batch in enumerate(batches[:2 * count]):
                workers.send(k % count, batch)
            for k, start in enumerate(range(0, len(texts), _POOL_CHUNK)):
                answer = workers.receive(k % count)
                if k + 2 * count < len(batches):
                    workers.send(k % count, batches[k + 2 * count])
                for offset, (text, (status, pcm)) in enumerate(zip(texts[start:start + _POOL_CHUNK], answer)):
                    on_result(start + offset, self._audio(text, status, pcm, rate, self.voice))
        except BaseException:  # an error or Ctrl-C: the workers die now, not after their batches
            workers.kill()
            raise
        workers.close()

    @staticmethod
    def _audio(text: str, status: int, pcm: bytes, rate: int, voice: str) -> AudioSegment:
        if status == -2:
            raise EngineError(f"espeak-ng has no voice {voice!r}; see audioessay voices --engine espeak", text=text)
        if status != 0:
            raise EngineError(f"espeak-ng could not speak {text[:30]!r} (status {status})", text=text)
        return AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)


def phonemes(text: str, voice: str = "ko") -> str:
    """espeak-ng's IPA phonemes for `text` (already respelled by `prepare`), clauses joined by
    spaces: what Piper-format and Mimic 3 voices were trained on (espeak_TextToPhonemes)."""
    lib = _lib()
    fn = lib.lib.espeak_TextToPhonemes
    fn.restype = ctypes.c_char_p
    fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
    buf = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
    ptr = ctypes.c_void_p(ctypes.addressof(buf))
    clauses: list[str] = []
    with _lock:
        if lib.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise EngineError(f"espeak-ng has no voice {voice!r}; see audioessay voices --engine espeak")
        while ptr.value:  # espeak moves the pointer past each clause, to NULL at the end
            out = fn(ctypes.byref(ptr), _CHARS_UTF8, 0x02)  # 0x02: IPA as UTF-8
            if out:
                clauses.append(out.decode("utf-8", "replace").strip())
    return " ".join(c for c in clauses if c)


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


# A worker is `python -c _WORKER PARENT_PID SYS_PATH`: batches come on its stdin, answers
# go out on its stdout, each a pickle after its 8-byte length.
_WORKER = ("import json, sys; sys.path[:] = json.loads(sys.argv[2]); "
           "from audioessay.speech.engines.espeak import _serve; _serve(int(sys.argv[1]))")
_STOPS = {signal.SIGINT, signal.SIGTERM}  # what the main process turns into KeyboardInterrupt
_GONE = object()  # a worker's answers ended


class _Workers:
    """Worker processes, each fed its batches through a pipe, its answers read by a daemon
    thread (never joined: it ends when the worker's pipe closes).

    They are started by a thread of their own: a signal handler never runs there, so no
    Ctrl-C can come between a process starting and it being known here; and the workers,
    which die with that thread (PR_SET_PDEATHSIG), start with SIGINT and SIGTERM blocked.
    """

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.answers: list[queue.SimpleQueue] = []
        self.started = threading.Event()  # the starter is done (or stopped, or failed)
        self.released = threading.Event()  # the workers are gone: the starter may end
        self.stopping = False  # set before anything else by kill(): start no more workers
        self.failure: Exception | None = None
        self.starter: threading.Thread | None = None

    def start(self, count: int) -> None:
        self.starter = threading.Thread(target=self._start, args=(count,), name="espeak-start", daemon=True)
        self.starter.start()
        self._wait_started()
        if self.failure is not None:
            raise EngineError(f"the espeak-ng worker processes could not start ({self.failure}); "
                              "check that the system allows more processes")

    def _start(self, count: int) -> None:
        if hasattr(signal, "pthread_sigmask"):  # never undone: this thread only starts workers
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
        argv = [sys.executable, "-c", _WORKER, str(os.getpid()), json.dumps([os.fsdecode(p) for p in sys.path])]
        try:
            for _ in range(count):
                if self.stopping:
                    break
                proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
                self.procs.append(proc)
                answers: queue.SimpleQueue = queue.SimpleQueue()
                self.answers.append(answers)
                _widen(proc.stdin)
                _widen(proc.stdout)
                threading.Thread(target=_read_answers, args=(proc.stdout, answers), name="espeak-answers",
                                 daemon=True).start()
        except Exception as exc:  # told to the main thread, which raises it
            self.failure = exc
        finally:
            self.started.set()
        self.released.wait()

    def send(self, worker: int, batch: tuple[Sequence[str], str, int, int]) -> None:
        data = pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)
        try:
            _write_all(self.procs[worker].stdin, len(data).to_bytes(8, "big") + data)
        except BrokenPipeError:
            pass  # it died: receive() says so

    def receive(self, worker: int) -> list[tuple[int, bytes]]:
        """The answer to the oldest batch sent to `worker` and not received yet."""
        while True:
            try:  # short waits, so a signal caught by another thread is still seen soon
                answer = self.answers[worker].get(timeout=0.2)
                break
            except queue.Empty:
                continue
        if answer is _GONE:
            proc = self.procs[worker]
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.5)
            raise EngineError(f"an espeak-ng worker process stopped unexpectedly (exit status {proc.returncode}); "
                              "render again, and if it keeps happening, check the memory left")
        kind, value = answer
        if kind == "error":
            raise EngineError(value)
        return value

    def close(self) -> None:
        """End of work: each worker exits at the end of its input; any left after _GRACE_S is killed."""
        try:
            for proc in self.procs:
                _close(proc.stdin)
            deadline = time.monotonic() + _GRACE_S
            for proc in self.procs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        finally:
            self.kill()

    def kill(self) -> None:
        """Kill every worker at once and reap it. A second Ctrl-C meanwhile is raised after."""
        self.stopping = True
        late: BaseException | None = None
        for step in (self._wait_started, self._kill_all):
            while True:
                try:
                    step()
                except KeyboardInterrupt as exc:
                    late = exc
                    continue
                break
        self.released.set()
        if late is not None:
            raise late

    def _wait_started(self) -> None:
        """Until the starter is done (a process being started takes milliseconds)."""
        while self.starter is not None and self.starter.is_alive() and not self.started.wait(0.2):
            pass  # short waits, as in receive()

    def _kill_all(self) -> None:
        for proc in self.procs:
            proc.kill()  # nothing happens to a process Popen has reaped already
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=1)  # SIGKILL cannot be refused: this is quick
            _close(proc.stdin)


def _close(pipe) -> None:
    with contextlib.suppress(OSError):
        pipe.close()


def _widen(pipe) -> None:
    """A 1 MB pipe (Linux) holds a whole answer: a worker need not wait for the reader."""
    with contextlib.suppress(ImportError, OSError, AttributeError):
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def _write_all(pipe, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[pipe.write(view):]


def _read_exactly(pipe, n: int) -> bytes | None:
    """`n` bytes from `pipe`, or None if it ends first."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        step = pipe.readinto(view[got:])
        if not step:
            return None
        got += step
    return bytes(buf)


def _read_answers(pipe, answers: queue.SimpleQueue) -> None:
    """Runs on a daemon thread: every answer of one worker, then _GONE."""
    try:
        while (head := _read_exactly(pipe, 8)) is not None:
            body = _read_exactly(pipe, int.from_bytes(head, "big"))
            if body is None:
                break
            answers.put(pickle.loads(body))
    except (OSError, ValueError, pickle.UnpicklingError):
        pass  # the pipe broke: the worker is gone
    finally:
        answers.put(_GONE)
        with contextlib.suppress(OSError):
            pipe.close()


def _serve(parent: int) -> None:
    """A worker's life: voice each batch read from stdin, answer on stdout, end at the end of
    stdin (the main process closed it, or died) or, on Linux, as soon as the main process dies."""
    for signum in _STOPS:  # the main process gets them and stops us
        signal.signal(signum, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    _die_with(parent)
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by mistake must not land in the answers
    try:
        try:
            lib = _lib()
        except EngineError as exc:
            _answer(answers, ("error", str(exc)))
            return
        while (head := requests.read(8)) and len(head) == 8:
            data = requests.read(int.from_bytes(head, "big"))
            texts, voice, wpm, pitch = pickle.loads(data)
            with _lock:
                _answer(answers, ("ok", [_speak(lib, text, voice, wpm, pitch) for text in texts]))
    except (BrokenPipeError, EOFError, pickle.UnpicklingError):
        pass  # the main process is gone or stopping us


def _answer(pipe, answer: tuple[str, object]) -> None:
    data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
    pipe.write(len(data).to_bytes(8, "big") + data)
    pipe.flush()


def _die_with(parent: int) -> None:
    """On Linux, have the kernel kill this process when its parent dies (PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(0)


SPEC = register(EngineSpec(
    name="espeak", doc="espeak-ng's Korean voice, embedded and offline", settings=EspeakVoice,
    create=lambda voice, group: EspeakEngine(speed=voice.speed, variant=voice.name, pitch=voice.pitch),
    max_chars=None, online=False, supports=frozenset({"name", "pitch"}), voice_names=variants,
    catalogue=lambda online: _voices.espeak_catalogue(online),
))
