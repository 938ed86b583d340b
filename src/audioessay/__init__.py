"""audioessay: turn a written essay into a podcast episode; the public API is what `__all__` names.

    script = audioessay.load_script("her.yaml")      # InputError lists every problem
    result = audioessay.render(script)               # -> the MP3, its sidecars and figures
    rows = audioessay.check("her.mp3")               # podcast delivery checks

Every other module is private and may change.
"""

import importlib
import warnings

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads it the same)

from audioessay.versions import PACKAGE as __version__

# pydub looks for ffmpeg on PATH at import and warns when it is absent. audioessay
# never lets pydub run ffmpeg (see audioessay.util.ffmpeg), so the warning is noise.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)

__all__ = [
    "render",
    "load_script",
    "check",
    "AudioessayError",
    "InputError",
    "EngineError",
    "ToolError",
    "OutputError",
]

# Public name -> (module, name there). Each is imported on first use, so `import audioessay`
# loads no numpy: the CLI's "up to date" answer stays quick.
_SOURCES = {
    "render": ("audioessay.episode.render", "render"),
    "load_script": ("audioessay.script.loader", "load"),
    "check": ("audioessay.publish.check", "check"),
    "AudioessayError": ("audioessay.errors", "AudioessayError"),
    "InputError": ("audioessay.errors", "InputError"),
    "EngineError": ("audioessay.errors", "EngineError"),
    "ToolError": ("audioessay.errors", "ToolError"),
    "OutputError": ("audioessay.errors", "OutputError"),
}

if TYPE_CHECKING:  # what mypy sees; at run time __getattr__ below imports them
    from audioessay.errors import AudioessayError, EngineError, InputError, OutputError, ToolError
    from audioessay.publish.check import check
    from audioessay.episode.render import render
    from audioessay.script.loader import load as load_script
else:
    def __getattr__(name: str) -> object:
        if name not in _SOURCES:
            raise AttributeError(f"module 'audioessay' has no attribute {name!r}")
        module, attr = _SOURCES[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
