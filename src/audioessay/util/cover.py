"""Cover art: read a PNG or JPEG header, and the podcast directories' rules for it.

Used by script validation, ID3 export and `check`.
"""

from __future__ import annotations

import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from audioessay.errors import InputError, Problem

COVER_MIN_PX = 1400
COVER_MAX_PX = 3000
MAX_COVER_BYTES = 20 << 20
HINT = (f"; export it as a square RGB JPEG of {COVER_MIN_PX}-{COVER_MAX_PX} px "
        "(e.g. 3000x3000, no transparency)")


@dataclass(frozen=True)
class ImageInfo:
    mime: str
    width: int
    height: int
    mode: str  # "RGB", "RGBA", "L", "LA", "P", "CMYK", ...


def image_info(data: bytes) -> ImageInfo | None:
    """Format, size and colour mode from a PNG or JPEG header; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_info(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_info(data)
    return None


def _png_info(data: bytes) -> ImageInfo | None:
    if len(data) < 33 or data[12:16] != b"IHDR":
        return None
    width, height, _depth, color_type = struct.unpack(">IIBB", data[16:26])
    mode = {0: "L", 2: "RGB", 3: "P", 4: "LA", 6: "RGBA"}.get(color_type, "?")
    if mode in ("RGB", "P") and _png_has_trns(data):
        mode += "+tRNS"  # transparency declared by a tRNS chunk is alpha too
    return ImageInfo("image/png", width, height, mode)


def _png_has_trns(data: bytes) -> bool:
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"tRNS":
            return True
        if kind in (b"IDAT", b"IEND"):
            return False
        pos += 12 + length
    return False


# SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_info(data: bytes) -> ImageInfo | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF:
            if pos + 10 > len(data):
                return None
            height, width, components = struct.unpack(">HHB", data[pos + 5 : pos + 10])
            mode = {1: "L", 3: "RGB", 4: "CMYK"}.get(components, "?")
            return ImageInfo("image/jpeg", width, height, mode)
        if marker == 0xDA:  # start of scan without a frame header: broken file
            return None
        pos += 2 + length
    return None


def cover_problems(info: ImageInfo | None) -> list[str]:
    """What is wrong with a cover image for podcast directories (empty if fine)."""
    if info is None:
        return ["must be a JPEG or PNG image"]
    problems = []
    if info.width != info.height:
        problems.append(f"must be square, but is {info.width}x{info.height} px")
    if not (COVER_MIN_PX <= info.width <= COVER_MAX_PX and COVER_MIN_PX <= info.height <= COVER_MAX_PX):
        problems.append(
            f"must be {COVER_MIN_PX} to {COVER_MAX_PX} px on each side, but is {info.width}x{info.height} px"
        )
    if info.mode not in ("RGB", "P"):
        problems.append(f"must be RGB without transparency, but is {info.mode}")
    return problems


def check_cover(path: str | Path, *, file_label: str) -> tuple[str, int, int]:
    """Return (mime, width, height) of a usable cover, or raise InputError saying how to fix it."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError([Problem(file_label, None, "cover", f"cannot read {path}: {exc.strerror}")]) from exc
    info = image_info(data)
    problems = cover_problems(info)
    if problems:
        hint = (
            f"; export it as a square RGB JPEG of {COVER_MIN_PX}-{COVER_MAX_PX} px "
            "(e.g. 3000x3000, no transparency)"
        )
        raise InputError([Problem(file_label, None, "cover", f"{path}: {p}{hint}") for p in problems])
    assert info is not None
    return info.mime, info.width, info.height




def file_problems(path: Path) -> list[str]:
    """What is wrong with the cover file at `path`, each with its fix (empty if fine)."""
    from audioessay.util.fsutil import read_limited

    if not path.exists():
        return [f"cover file not found: {path}; check the path (relative to the script)"]
    try:
        data = read_limited(path, MAX_COVER_BYTES, "cover")
    except InputError as exc:
        return [str(exc.problems[0]).removeprefix(": ").removeprefix("cover ")]
    problems = cover_problems(image_info(data))
    if not problems and not _decodes(path):
        problems = ["cannot be decoded: its header is valid but its image data is broken"]
    return [f"{path}: {p}{HINT}" for p in problems]


def _decodes(path: Path) -> bool:
    """A header can lie: let ffmpeg decode the picture once."""
    from audioessay.util import ffmpeg
    from audioessay.errors import ToolError

    try:
        ffmpeg.run(["-err_detect", "explode", "-xerror", "-i", ffmpeg.file_input(path), "-f", "null", "-"])
    except ToolError:
        return False
    return True
