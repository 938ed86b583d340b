"""The wrong file: a one-line hint when a command is given something plainly not its own.

Not a script: an MP3, an image, an essay in plain text, a Markdown post, a show
file; not a show file (for `feed`): an episode script.

The bytes tell binary files (`binary_hint`). Whether a text is YAML at all needs the
document as the loader read it (`text_hint` takes its value), so nothing here parses
the YAML a second time.
"""

from __future__ import annotations

import re
from pathlib import Path

from audioessay.script import frontmatter
from audioessay.script.markdown import SUFFIXES as MARKDOWN_SUFFIXES

_MAGIC = (
    (b"ID3", "an MP3 file"), (b"RIFF", "a WAV audio file"), (b"OggS", "an Ogg audio file"),
    (b"fLaC", "a FLAC audio file"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (a .docx or .hwpx document?)"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"), (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
)
_YAML_LINE = re.compile(r"\s*(?:- |-$|[\w.-]+\s*:(?:\s|$)|#)")
_UNREAD = object()


def binary_kind(raw: bytes) -> str | None:
    """What the first bytes say the file is ("an MP3 file"), or None for text."""
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return what
    if len(raw) > 1 and raw[0] == 0xFF and raw[1] & 0xE6 == 0xE2:
        return "an MP3 file"  # MPEG layer III frame sync without an ID3 tag
    if raw[4:8] == b"ftyp":
        return "an MP4/M4A file"
    return None


def binary_hint(path: str | Path, raw: bytes, *, expected: str = "script") -> str | None:
    """The hint for a binary file (from its bytes alone), else None."""
    path = Path(path)
    kind = binary_kind(raw)
    if kind == "an MP3 file":
        return (f"{path} looks like an MP3 file, not a script; give the .yaml script it was made from "
                f"(check a finished episode with `audioessay check {path}`)")
    if kind:
        return f"{path} looks like {kind}, not a {expected} file"
    return None


def text_hint(path: str | Path, text: str, value: object, *, expected: str = "script") -> str | None:
    """The hint for a text file, else None. `value` is the document as the YAML loader
    read it (None when it could not: a broken YAML file, or prose that is not YAML)."""
    path = Path(path)
    if path.suffix.lower() in MARKDOWN_SUFFIXES and expected == "script":
        return None
    fm, body, _ = frontmatter.split(text)
    if fm is not None:
        value = None  # front matter and a body: a post, whatever the YAML reader made of it
    if (fm is not None and body.strip()) or (not isinstance(value, dict) and _is_prose(text)):
        if fm is not None or re.search(r"(?m)^#{1,6} ", text):
            return (f"{path} looks like a Markdown post, not a YAML {expected}; name it .md to render it "
                    f"as it is, or make a script from it with `audioessay init {path}`")
        return (f"{path} looks like an essay in plain text, not a YAML {expected}; make a script from it "
                f"with `audioessay init {path}`")
    if not isinstance(value, dict):
        return None
    if expected == "script" and "sections" not in value and ("episodes" in value or "base_url" in value):
        return (f"{path} looks like a show file (for `audioessay feed {path}`), not an episode script; "
                "give an episode script with title: and sections:")
    if expected == "show" and "sections" in value:
        return (f"{path} looks like an episode script, not a show file; render it with "
                f"`audioessay render {path}`; feed takes a show file with base_url: and episodes:")
    return None


def sniff(path: str | Path, raw: bytes, *, expected: str = "script", value: object = _UNREAD) -> str | None:
    """A one-line hint when `raw` is plainly not what the command takes, else None.

    `expected` is "script" (render, text, validate, preview, watch) or "show" (feed).
    `value` is the document as the caller's YAML loader read it (None: it could not);
    only a caller that will not read the YAML itself leaves it out, and then it is
    read here.
    """
    hint = binary_hint(path, raw, expected=expected)
    if hint:
        return hint
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # the loader says where the bad byte is
    if value is _UNREAD:
        value = _read(text, Path(path), expected)
    return text_hint(path, text, value, expected=expected)


def _read(text: str, path: Path, expected: str) -> object:
    """The YAML document's value, or None, for a caller that does not read it itself."""
    if (path.suffix.lower() in MARKDOWN_SUFFIXES and expected == "script") or frontmatter.split(text)[0] is not None:
        return None  # text_hint does not look at it
    import yaml

    try:
        return yaml.safe_load(text)
    except Exception:  # noqa: BLE001 - only a guess; the loader reports the real problem
        return None


def _is_prose(text: str) -> bool:
    """Lines of words, most of them not `key: value`, `- item` or comments (a broken
    YAML script is still YAML, and its error is the loader's to report)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    yamlish = sum(bool(_YAML_LINE.match(ln)) for ln in lines)
    return len(re.findall(r"\w+", text)) >= 3 and yamlish * 2 < len(lines)
