"""audioessay: turn a written essay into a podcast episode."""

import warnings

__version__ = "0.1.0"

# pydub looks for ffmpeg on PATH at import and warns when it is absent. audioessay
# never lets pydub run ffmpeg (see audioessay.util.ffmpeg), so the warning is noise.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
