"""espeak-ng's Korean voice, driven in-process from the espeakng-loader wheel.

Never touches the network. The library keeps global state, so calls are serialized.
"""

from __future__ import annotations

import array
import ctypes
import threading
from functools import lru_cache

from pydub import AudioSegment

from audioessay.engines.base import Engine
from audioessay.errors import EngineError

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_RATE = 1  # espeakRATE parameter id
_DEFAULT_WPM = 175
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
        self.buffer = array.array("h")
        self.pending: BaseException | None = None
        self.callback = _CALLBACK(self._collect)
        lib.espeak_SetSynthCallback(self.callback)
        if lib.espeak_SetVoiceByName(b"ko") != 0:
            raise EngineError("espeak-ng has no Korean (ko) voice in its data; reinstall espeakng-loader")
        self.version = (lib.espeak_Info(None) or b"?").decode()

    def _collect(self, wav, count, events) -> int:
        # An exception cannot cross the C callback (ctypes would print and drop it), so
        # Ctrl-C arriving here is kept, synthesis is stopped (return 1), and it is re-raised.
        try:
            if wav and count > 0:
                self.buffer.extend(ctypes.cast(wav, ctypes.POINTER(ctypes.c_short * count)).contents)
            return 0  # keep going
        except BaseException as exc:
            self.pending = exc
            return 1


@lru_cache(maxsize=1)
def _lib() -> _Lib:
    return _Lib()


class EspeakEngine(Engine):
    name = "espeak"

    def __init__(self, speed: float = 1.0):
        self.speed = speed
        self.version = _lib().version

    def settings(self) -> dict[str, object]:
        return {"voice": "ko", "wpm": self.wpm}

    @property
    def wpm(self) -> int:
        return round(_DEFAULT_WPM * self.speed)

    def synthesize(self, text: str) -> AudioSegment:
        lib = _lib()
        data = text.encode("utf-8") + b"\0"
        with _lock:
            lib.buffer = array.array("h")
            lib.lib.espeak_SetParameter(_RATE, self.wpm, 0)
            status = lib.lib.espeak_Synth(data, len(data), 0, 0, 0, _CHARS_UTF8, None, None)
            if lib.pending is not None:
                pending, lib.pending = lib.pending, None
                raise pending
            if status != 0:
                raise EngineError(f"espeak-ng could not speak {text[:30]!r} (status {status})")
            samples = lib.buffer
        return AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=lib.rate, channels=1)
