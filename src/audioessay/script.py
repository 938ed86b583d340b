"""script.yaml -> frozen Script. Every problem is collected before anything is synthesized."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audioessay.errors import InputError, Problem
from audioessay.options import (REQUIRED, Bool, Choice, Context, Invalid, ListOf, Number,
                                Option, Schema, Text, TextMap, run)
from audioessay import yamlsource

ENGINES = ("auto", "espeak", "gtts")


class MusicOption(Option):
    """`music: none`, a file name, or a mapping (validated by `schema`)."""

    def __init__(self, schema: Schema, doc: str = ""):
        super().__init__(None, doc)
        self.schema = schema

    def validate(self, value: Any, path: tuple, ctx: Context) -> Any:
        if value in ("none", False):
            return "none"
        if isinstance(value, str) and "file" in self.schema.fields:
            return self.schema.validate({"file": value}, path, ctx)
        if isinstance(value, dict):
            return self.schema.validate(value, path, ctx)
        raise Invalid("must be 'none', a file name, or a mapping with 'file:'")


class DateOption(Option):
    def check(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise Invalid(f"must be a date like 2025-05-01, not {value!r}") from None


MUSIC = Schema({
    "file": Text(REQUIRED, "music file (any format ffmpeg reads), relative to the script"),
    "volume": Number(-20.0, "bed level in dB relative to full scale", minimum=-60, maximum=0, unit="dB"),
    "duck": Number(12.0, "how many dB the bed dips under speech", minimum=0, maximum=40, unit="dB"),
    "fade_in": Number(2000, "fade-in at the start, ms", minimum=0, maximum=60000, integer=True, unit="ms"),
    "fade_out": Number(3000, "fade-out at the end, ms", minimum=0, maximum=60000, integer=True, unit="ms"),
    "offset": Number(0, "start this many ms into the music file", minimum=0, integer=True, unit="ms"),
    "loop": Bool(True, "loop the music to cover the whole episode (crossfaded seam)"),
    "crossfade": Number(1500, "loop seam crossfade, ms", minimum=0, maximum=20000, integer=True, unit="ms"),
    "attack": Number(250, "ramp down before speech, ms", minimum=0, maximum=5000, integer=True, unit="ms"),
    "release": Number(600, "ramp up after speech, ms", minimum=0, maximum=10000, integer=True, unit="ms"),
    "rise_after": Number(1500, "only pauses longer than this let the bed rise, ms",
                         minimum=0, maximum=60000, integer=True, unit="ms"),
})

SECTION = Schema({
    "title": Text(REQUIRED, "section heading; read aloud, used as the chapter title"),
    "text": Text(None, "the section's text (blank lines separate paragraphs)", non_empty=False),
    "file": Text(None, "a UTF-8 text file holding the section's text, relative to the script"),
    "pronounce": TextMap({}, "extra pronunciation entries for this section only"),
    "music": MusicOption(Schema({"volume": Number(REQUIRED, "bed level under this section, dB",
                                                  minimum=-60, maximum=0, unit="dB")}),
                         "'none' silences the bed under this section; {volume: dB} changes its level"),
})

SCRIPT = Schema({
    "title": Text(REQUIRED, "episode title (ID3 title)"),
    "author": Text("", "author / narrator (ID3 artist)", non_empty=False),
    "show": Text("", "podcast or album name (ID3 album); defaults to the title", non_empty=False),
    "description": Text("", "episode description (ID3 comment, feed)", non_empty=False),
    "episode": Number(None, "episode number", minimum=1, integer=True),
    "date": DateOption(None, "publication date, YYYY-MM-DD"),
    "cover": Text(None, "cover art, JPEG or PNG, square 1400-3000 px, relative to the script"),
    "language": Choice(("ko",), "ko", "narration language; only Korean for now"),
    "voice": Schema({
        "engine": Choice(ENGINES, "auto", "auto, espeak or gtts"),
        "speed": Number(1.0, "speaking speed factor", minimum=0.5, maximum=2.0),
        "tld": Text("com", "Google host for gtts, e.g. com or co.kr"),
        "slow": Bool(False, "gtts slow reading"),
        "concurrency": Number(4, "gtts requests in flight", minimum=1, maximum=16, integer=True),
        "rate_limit": Number(0.0, "gtts requests per second, 0 = unlimited", minimum=0, maximum=100),
        "timeout": Number(20.0, "gtts read timeout per request, seconds", minimum=1, maximum=300, unit="s"),
        "retries": Number(4, "gtts retries after a failed request", minimum=0, maximum=10, integer=True),
    }),
    "pauses": Schema({
        name: Number(default, doc, minimum=0, maximum=20000, integer=True, unit="ms")
        for name, default, doc in (
            ("clause", 200, "between pieces of an over-long sentence"),
            ("sentence", 400, "after each sentence"),
            ("paragraph", 900, "after each paragraph"),
            ("title", 900, "after a section heading"),
            ("section", 1800, "after each section"),
        )
    }),
    "normalize": Bool(True, "turn numbers, Latin letters and symbols into spoken Korean"),
    "pronounce": TextMap({}, "pronunciation lexicon: written form -> spoken form"),
    "music": MusicOption(MUSIC, "background music bed, or 'none'"),
    "intro": Number(0, "music-only intro length, ms (needs music)", minimum=0, maximum=120000, integer=True, unit="ms"),
    "outro": Number(0, "music-only outro length, ms (needs music)", minimum=0, maximum=120000, integer=True, unit="ms"),
    "mastering": Schema({
        "loudness": Number(-16.0, "integrated loudness target, LUFS", minimum=-36, maximum=-8, unit="LUFS"),
        "true_peak": Number(-1.0, "true-peak ceiling, dBTP", minimum=-9, maximum=0, unit="dBTP"),
    }),
    "audio": Schema({
        "sample_rate": Choice((22050, 24000, 32000, 44100, 48000), 44100, "output sample rate, Hz"),
        "bitrate": Number(96, "MP3 constant bitrate, kbps", minimum=32, maximum=320, integer=True, unit="kbps"),
        "channels": Choice((1, 2), 1, "1 mono, 2 stereo"),
    }),
    "sections": ListOf(SECTION, REQUIRED, "the essay's parts, in order"),
    "output": Text(None, "output MP3 path, relative to the script; -o overrides"),
})


@dataclass(frozen=True)
class Voice:
    engine: str
    speed: float
    tld: str
    slow: bool
    concurrency: int
    rate_limit: float
    timeout: float
    retries: int


@dataclass(frozen=True)
class Pauses:
    clause: int
    sentence: int
    paragraph: int
    title: int
    section: int


@dataclass(frozen=True)
class Music:
    file: Path
    volume: float
    duck: float
    fade_in: int
    fade_out: int
    offset: int
    loop: bool
    crossfade: int
    attack: int
    release: int
    rise_after: int
    line: int | None  # where `music:` is in the script, for errors found later


@dataclass(frozen=True)
class Section:
    title: str
    text: str
    pronounce: tuple[tuple[str, str], ...]
    music_volume: float | None  # None: the bed's own level; -inf: no bed under this section
    line: int | None
    source: Path | None  # the text file, when given with `file:`


@dataclass(frozen=True)
class Script:
    path: Path
    title: str
    author: str
    show: str
    description: str
    episode: int | None
    date: str | None
    cover: Path | None
    language: str
    voice: Voice
    pauses: Pauses
    normalize: bool
    pronounce: tuple[tuple[str, str], ...]
    music: Music | None
    intro: int
    outro: int
    loudness: float
    true_peak: float
    sample_rate: int
    bitrate: int
    channels: int
    sections: tuple[Section, ...]
    output: Path

    def with_engine(self, engine: str) -> "Script":
        from dataclasses import replace

        return replace(self, voice=replace(self.voice, engine=engine))


def _section_volume(value) -> float | None:
    if value == "none":
        return float("-inf")
    return value["volume"] if isinstance(value, dict) else None


def _read_text_file(path: Path) -> str:
    """Read a UTF-8 text file; raise Invalid with the fix when that is impossible."""
    if not path.exists():
        raise Invalid(f"file not found: {path}; check the path (it is relative to the script)")
    if path.is_dir():
        raise Invalid(f"{path} is a directory; give a text file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Invalid(f"cannot read {path} ({exc.strerror}); check its permissions") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path} is not UTF-8 text (bad byte at offset {exc.start}); "
                      "save it as UTF-8") from None


def load(path: str | Path) -> Script:
    """Read and validate a script file. Raises InputError listing every problem."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(name, None, "", "script not found; check the path")]) from None
    except IsADirectoryError:
        raise InputError([Problem(name, None, "", "is a directory; give a .yaml script file")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot read ({exc.strerror})")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(name, line, "", "not UTF-8 text; save the script as UTF-8")]) from None
    return parse(text, path)


def parse(text: str, path: Path) -> Script:
    name = str(path)
    doc, problems = yamlsource.load(text, name)
    if doc is None:
        raise InputError(problems)
    if not isinstance(doc.value, dict):
        what = "empty" if doc.value is None else f"a {type(doc.value).__name__}"
        problems.append(Problem(name, doc.line(()) or 1, "",
                                f"the script is {what}; it must be a mapping with title: and sections:"))
        raise InputError(problems)
    ctx = Context(doc, name, problems)
    data = run(SCRIPT, doc.value, (), ctx)
    base = path.parent
    sections = []
    for i, sec in enumerate((data or {}).get("sections") or []):
        if sec is None:
            continue
        spath = ("sections", i)
        has_text, has_file = sec["text"] is not None, sec["file"] is not None
        body = ""
        if has_text == has_file:
            ctx.problem(spath, "give exactly one of text: or file:" if has_text
                        else "has no text; add text: or file:")
        elif has_file:
            try:
                body = _read_text_file(base / sec["file"])
            except Invalid as exc:
                ctx.problem(spath + ("file",), str(exc))
                body = None
        else:
            body = sec["text"]
        if body is not None and (has_text != has_file) and not body.strip():
            ctx.problem(spath + ("text" if has_text else "file",),
                        "must not be empty; write the section's text or remove the section")
        sections.append(Section(
            title=sec["title"] or "", text=(body or "").strip(),
            pronounce=tuple((sec["pronounce"] or {}).items()), music_volume=_section_volume(sec["music"]),
            line=doc.line(spath), source=(base / sec["file"]) if has_file and not has_text else None,
        ))
    if problems:
        raise InputError(_in_order(problems))
    return _build(data, path, sections, ctx)


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Problems as they appear in the file, top to bottom."""
    return sorted(problems, key=lambda p: p.line or 0)


def _build(data: dict, path: Path, sections: list[Section], ctx: Context) -> Script:
    base = path.parent
    music = None
    if isinstance(data["music"], dict):
        m = data["music"]
        music = Music(base / m["file"], m["volume"], m["duck"], m["fade_in"], m["fade_out"], m["offset"],
                      m["loop"], m["crossfade"], m["attack"], m["release"], m["rise_after"],
                      ctx.doc.line(("music", "file")))
        if not music.file.is_file():
            ctx.problem(("music", "file"), f"music file not found: {music.file}; check the path (relative to the script)")
    if (data["intro"] or data["outro"]) and music is None:
        ctx.problem(("intro",) if data["intro"] else ("outro",), "an intro/outro needs music:; add a music bed or set it to 0")
    cover = base / data["cover"] if data["cover"] else None
    if cover is not None and not cover.is_file():
        ctx.problem(("cover",), f"cover file not found: {cover}; check the path (relative to the script)")
    if cover is not None and cover.is_file():
        from audioessay.export.id3 import check_cover

        try:
            check_cover(cover, file_label=str(path))
        except InputError as exc:
            line = ctx.doc.line(("cover",))
            ctx.problems.extend(Problem(p.file, line, p.where, p.message) for p in exc.problems)
    if ctx.problems:
        raise InputError(_in_order(ctx.problems))
    output = base / data["output"] if data["output"] else path.with_suffix(".mp3")
    return Script(
        path=path, title=data["title"], author=data["author"], show=data["show"] or data["title"],
        description=data["description"], episode=data["episode"], date=data["date"], cover=cover,
        language=data["language"], voice=Voice(**data["voice"]), pauses=Pauses(**data["pauses"]),
        normalize=data["normalize"], pronounce=tuple(data["pronounce"].items()), music=music,
        intro=data["intro"], outro=data["outro"], loudness=data["mastering"]["loudness"],
        true_peak=data["mastering"]["true_peak"], sample_rate=data["audio"]["sample_rate"],
        bitrate=data["audio"]["bitrate"], channels=data["audio"]["channels"],
        sections=tuple(sections), output=output,
    )
