"""script.yaml -> frozen Script. Every problem is collected before anything is synthesized.

Validation runs in two phases, both always: each key on its own (from the declarations
in groups.py), then the checks that look at several keys or at files (`_cross_checks`).
All problems of both phases are reported together, in file order.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audioessay.config import engines
from audioessay.config import yamlsource
from audioessay.errors import InputError, Problem
from audioessay.config.groups import (AudioFormat, Layout, Mastering, Music, Pauses, Reading, SectionMusic, Tags,
                                      Voice)
from audioessay.config.options import Context, Invalid, Schema, run
from audioessay.config.settings import Group
from audioessay.script import markdown, sniff as sniffing
from audioessay.script.schema import script_schema
from audioessay.text import split

MAX_SCRIPT_BYTES = 2_000_000  # a script larger than this is refused (yamlsource.MAX_BYTES)
MAX_TEXT_BYTES = 1_000_000  # a section's text file larger than this is refused (hours of speech)


@dataclass(frozen=True)
class Section:
    title: str
    text: str
    pronounce: tuple[tuple[str, str], ...]
    music: SectionMusic | None  # None: the bed's own level; volume -inf: no bed (music: none)
    line: int | None
    source: Path | None  # the text file, when given with `file:`
    voice: Voice | None = None  # the voice of this section (set once the script's voice is known)
    overrides: tuple[tuple[str, Any], ...] = ()  # the section's own voice keys, as written
    dialogue: Voice | None = None  # the voice of its wholly quoted sentences (voice.dialogue), if any

    @property
    def music_volume(self) -> float | None:
        return None if self.music is None else self.music.volume


@dataclass(frozen=True)
class Script:
    path: Path
    tags: Tags
    reading: Reading
    voice: Voice
    engine_settings: dict[str, Group]  # each registered engine's own group, by engine name
    pauses: Pauses
    music: Music | None
    layout: Layout
    mastering: Mastering
    audio: AudioFormat
    sections: tuple[Section, ...]
    output: Path
    music_line: int | None = None  # where `music:` is, for errors found while decoding it
    dialogue: tuple[tuple[str, Any], ...] = ()  # voice.dialogue's keys, as written (empty: none)

    def with_engine(self, engine: str) -> Script:
        """The script voiced by `engine` (--engine): every section that does not name its own."""
        sections = tuple(s if s.voice is None or "engine" in dict(s.overrides)
                         else dataclasses.replace(s, voice=dataclasses.replace(s.voice, engine=engine))
                         for s in self.sections)
        if "engine" not in dict(self.dialogue):  # a dialogue voice without its own engine follows
            sections = tuple(s if s.dialogue is None else dataclasses.replace(
                s, dialogue=dataclasses.replace(s.dialogue, engine=engine)) for s in sections)
        return dataclasses.replace(self, voice=dataclasses.replace(self.voice, engine=engine), sections=sections)


def _section_music(value: Any) -> SectionMusic | None:
    if value == "none":
        return SectionMusic(volume=float("-inf"))
    return SectionMusic.from_values(value) if isinstance(value, dict) else None


def read_text_file(path: Path, what: str = "section file") -> str:
    """Read a UTF-8 text file (a regular file of at most MAX_TEXT_BYTES, no control
    characters); raise Invalid with the fix when that is impossible."""
    from audioessay.util.fsutil import read_limited

    if not path.exists():
        raise Invalid(f"file not found: {path}; check the path (it is relative to the script)")
    if path.is_dir():
        raise Invalid(f"{path} is a directory; give a text file")
    try:
        data = read_limited(path, MAX_TEXT_BYTES, what)
    except InputError as exc:
        raise Invalid(str(exc.problems[0]).removeprefix(": ").removeprefix(f"{what} ")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path} is not UTF-8 text (bad byte at offset {exc.start}); "
                      "save it as UTF-8") from None
    bad = yamlsource.bad_character(text)
    if bad:
        raise Invalid(f"{path}: {yamlsource.character_message(*bad)}")
    return text


def load(path: str | Path) -> Script:
    """Read and validate a script: YAML, or a Markdown post (front matter + headings).
    Raises InputError listing every problem (or the one-line hint for the wrong file)."""
    path = Path(path)
    text = read_script_text(path)
    if path.suffix.lower() in markdown.SUFFIXES:
        return from_document(markdown.markdown_document(text, str(path)), path)
    doc, problems = yamlsource.load(text, str(path))
    hint = sniffing.text_hint(path, text, doc.value if doc is not None else None)
    if hint:  # an essay, a post or a show file: say so instead of its YAML problems
        raise InputError([Problem(str(path), None, "", hint.removeprefix(f"{path} "))])
    return _validated(doc, problems, path)


def read_script_text(path: Path, *, sniff: bool = True) -> str:
    """The script's text; a one-line InputError when it is missing, special, huge, binary
    (`sniff`: an MP3, an image...) or not UTF-8."""
    from audioessay.util.fsutil import read_limited

    name = str(path)

    def fail(message: str, line: int | None = None) -> InputError:
        return InputError([Problem(name, line, "", message)])

    if not path.exists() and not path.is_symlink():
        raise fail("script not found; check the path")
    if path.is_dir():
        raise fail("is a directory; give a .yaml script file")
    try:
        raw = read_limited(path, MAX_SCRIPT_BYTES, "script")
    except InputError as exc:
        message = str(exc.problems[0]).removeprefix(": ").removeprefix(f"script {path}: ")
        if "the limit is" in message:
            with open(path, "rb") as f:  # a regular file: say what it looks like (an MP3?)
                hint = sniffing.sniff(path, f.read(4096)) if sniff else None
            if hint and "not a" in hint and "looks like" in hint and "plain text" not in hint:
                raise fail(hint.removeprefix(f"{path} ")) from None
            message += "; put long texts in section files"
        raise fail(message) from None
    hint = sniffing.binary_hint(path, raw) if sniff else None
    if hint:
        raise fail(hint.removeprefix(f"{path} "))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail("not UTF-8 text; save the script as UTF-8", line) from None


def parse(text: str, path: Path) -> Script:
    """Validate a script's YAML text (`path` names it and is where relative files are)."""
    doc, problems = yamlsource.load(text, str(path))
    return _validated(doc, problems, path)


def _validated(doc: yamlsource.Located | None, problems: list[Problem], path: Path) -> Script:
    name = str(path)
    if doc is None:
        raise InputError(problems)
    if not isinstance(doc.value, dict):
        what = "empty" if doc.value is None else f"a {type(doc.value).__name__}"
        problems.append(Problem(name, doc.line(()) or 1, "",
                                f"the script is {what}; it must be a mapping with title: and sections:"))
        raise InputError(problems)
    return from_document(doc, path, problems)


# Keys an episode inherits from its show file's `defaults:` (and `author` from the show).
INHERITED = ("author", "cover", "voice", "music", "intro", "outro", "pauses", "mastering", "audio",
             "normalize", "pronounce", "language")
_RELATIVE = {("cover",), ("music", "file")}  # file names, relative to the file that gives them


def show_file(doc: yamlsource.Located, path: Path) -> Path | None:
    """The show file whose defaults this script inherits: `show: file.yaml` in the script,
    else a show.yaml beside it."""
    value = doc.value.get("show") if isinstance(doc.value, dict) else None
    if isinstance(value, str) and value.lower().endswith((".yaml", ".yml")):
        import os

        return Path(os.path.normpath(path.parent / value))
    beside = path.parent / "show.yaml"
    if beside.is_file() and beside.resolve() != path.resolve():
        return beside
    return None


def inherit(doc: yamlsource.Located, path: Path, problems: list[Problem]) -> None:
    """Fill keys the script does not set from its show file (validated there, with its lines)."""
    show = show_file(doc, path)
    if show is None or not isinstance(doc.value, dict):
        return
    explicit = isinstance(doc.value.get("show"), str) and doc.value["show"].lower().endswith((".yaml", ".yml"))
    try:
        text = read_script_text(show, sniff=False)
    except InputError as exc:
        if explicit:
            problems.append(Problem(str(path), doc.line(("show",)), "show", exc.problems[0].message))
        return
    sdoc, sproblems = yamlsource.load(text, str(show))
    if sdoc is None or not isinstance(sdoc.value, dict):
        problems.extend(sproblems)
        return
    if explicit:
        doc.value["show"] = sdoc.value.get("title") if isinstance(sdoc.value.get("title"), str) else ""
    raw = sdoc.value.get("defaults") or {}
    output = doc.value.get("output")
    mp3 = path.parent / output if isinstance(output, str) and output else path.with_suffix(".mp3")
    sctx = Context(sdoc, str(show), problems, published=mp3.is_file())
    if not isinstance(raw, dict):
        sctx.problem(("defaults",), f"must be a mapping of script keys ({', '.join(INHERITED)})")
        return
    fields = script_schema().fields
    for key in raw:
        if key not in INHERITED:
            sctx.problem(("defaults", key), f"cannot be a show default; keys that can: {', '.join(INHERITED)}",
                         key_line=True)
    before = len(problems)
    run(Schema({k: fields[k] for k in INHERITED}), {k: v for k, v in raw.items() if k in INHERITED},
        ("defaults",), sctx)
    if len(problems) > before:
        return  # reported in the show file; do not report them again in the script
    given = {k: v for k, v in raw.items() if k in INHERITED}
    if "author" not in given and isinstance(sdoc.value.get("author"), str):
        given["author"] = sdoc.value["author"]
    for key, value in given.items():
        value = _rebased(key, value, show.parent, path.parent)
        mine = doc.value.get(key)
        if mine is None:
            doc.value[key] = value
        elif isinstance(mine, dict) and isinstance(value, dict) and key != "pronounce":
            doc.value[key] = {**value, **mine}
        elif key == "pronounce" and isinstance(mine, dict) and isinstance(value, dict):
            doc.value[key] = {**value, **mine}


def _rebased(key: str, value: Any, show_dir: Path, script_dir: Path) -> Any:
    """A file named in the show file, as a path the script's folder can use."""
    import os

    def rebase(name: Any) -> Any:
        return os.path.relpath(show_dir / name, script_dir) if isinstance(name, str) and name != "none" else name

    if key == "cover":
        return rebase(value)
    if key == "voice" and isinstance(value, dict) and isinstance(value.get("onnx"), dict) \
            and "model" in value["onnx"]:  # an onnx model named in show defaults
        return {**value, "onnx": {**value["onnx"], "model": rebase(value["onnx"]["model"])}}
    if key == "music":
        if isinstance(value, dict) and "file" in value:
            return {**value, "file": rebase(value["file"])}
        return rebase(value)
    return value


def from_document(doc: yamlsource.Located, path: Path, problems: list[Problem] | None = None) -> Script:
    """Validate a located document (from YAML, or from a Markdown post) into a Script."""
    problems = problems if problems is not None else []
    inherit(doc, path, problems)
    ctx = Context(doc, str(path), problems)
    data = run(script_schema(), doc.value, (), ctx) or {}
    sections = _sections(data, path.parent, ctx)
    _cross_checks(data, path, ctx)
    if ctx.problems:
        raise InputError(sorted(ctx.problems, key=lambda p: p.line or 0))
    return _build(data, path, sections, ctx)


def _sections(data: dict, base: Path, ctx: Context) -> list[Section]:
    doc = ctx.doc
    sections = []
    for i, sec in enumerate(data.get("sections") or []):
        if sec is None:
            continue
        spath = ("sections", i)
        has_text, has_file = sec["text"] is not None, sec["file"] is not None
        body: str | None = ""
        if has_text == has_file:
            ctx.problem(spath, "give exactly one of text: or file:" if has_text
                        else "has no text; add text: or file:")
        elif has_file:
            try:
                body = read_text_file(base / sec["file"])
            except Invalid as exc:
                ctx.problem(spath + ("file",), str(exc))
                body = None
        else:
            body = sec["text"]
        if body is not None and (has_text != has_file) and not body.strip():
            ctx.problem(spath + ("text" if has_text else "file",),
                        "must not be empty; write the section's text or remove the section")
        elif body and not any(ch.isalnum() for ch in body):
            ctx.problem(spath + ("text" if has_text else "file",),
                        "has nothing to say (only symbols, punctuation or emoji); write the section's text")
        elif body and (run := split.overlong_run(body)):
            ctx.problem(spath + ("text" if has_text else "file",),
                        f"a run of {run:,} characters without a space or punctuation; the limit is "
                        f"{split.MAX_RUN:,}; break it up")
        if len(sec["title"] or "") > split.LONGEST_PIECE:
            ctx.problem(spath + ("title",), f"is {len(sec['title']):,} characters long; the limit is "
                        f"{split.LONGEST_PIECE:,} (a heading is spoken in one go); shorten it")
        sections.append(Section(
            title=sec["title"] or "", text=(body or "").strip(),
            pronounce=tuple((sec["pronounce"] or {}).items()), music=_section_music(sec["music"]),
            line=doc.line(spath), source=(base / sec["file"]) if has_file and not has_text else None,
            overrides=tuple((sec.get("voice") or {}).items()),
        ))
    return sections


def _cross_checks(data: dict, path: Path, ctx: Context) -> None:
    """Checks that involve several keys or the files they name; run even when other keys
    have problems, so every problem of a script comes out in one run."""
    base = path.parent
    music = data.get("music")
    if isinstance(music, dict) and music.get("file"):
        file = base / music["file"]
        if not file.exists():
            ctx.problem(("music", "file"), f"music file not found: {file}; check the path (relative to the script)")
        elif not file.is_file() or not file.stat().st_size:
            from audioessay.util.fsutil import regular_file

            try:
                regular_file(file, "music file")
                ctx.problem(("music", "file"), f"music file {file}: is empty; use an audio file")
            except InputError as exc:
                ctx.problem(("music", "file"), str(exc.problems[0]).removeprefix(": ").removeprefix("music file "))
    if (data.get("intro") or data.get("outro")) and not isinstance(music, dict):
        ctx.problem(("intro",) if data.get("intro") else ("outro",),
                    "an intro/outro needs music:; add a music bed or set it to 0")
    _voice_checks(data, ctx)
    if data.get("cover"):
        from audioessay.util import cover

        for message in cover.file_problems(base / data["cover"]):
            ctx.problem(("cover",), message)
    output = data.get("output")
    if output:
        out = (base / output).resolve()
        inputs = {path.resolve(): "the script itself"}
        if isinstance(music, dict) and music.get("file"):
            inputs[(base / music["file"]).resolve()] = "the music file"
        if data.get("cover"):
            inputs[(base / data["cover"]).resolve()] = "the cover"
        for sec in data.get("sections") or []:
            if sec and sec.get("file"):
                inputs[(base / sec["file"]).resolve()] = "a section's text file"
        if out in inputs:
            ctx.problem(("output",), f"would overwrite {inputs[out]}; choose another output file")


def _voice_checks(data: dict, ctx: Context) -> None:
    """voice.name and voice.pitch must be something the chosen engine can do."""
    voice = data.get("voice") or {}
    base = {k: voice.get(k) for k in ("engine", "name", "pitch")}
    wheres: list[tuple[tuple, dict]] = [(("voice",), base)]
    for i, sec in enumerate(data.get("sections") or []):
        if sec and sec.get("voice"):
            wheres.append((("sections", i, "voice"), merged_voice(base, sec["voice"])))
    if voice.get("dialogue"):
        wheres.append((("voice", "dialogue"), merged_voice(base, voice["dialogue"])))
    for path, v in wheres:
        engine = v.get("engine")
        if not engine or engine == "auto" or engine not in engines.registered():
            continue  # auto: each engine honours what it can (see README)
        problem = engines.spec(engine).voice_problem(v.get("name") or "", v.get("pitch") or 0)
        if problem:
            ctx.problem(path + (problem[0],), problem[1])


def merged_voice(base: dict, override: dict) -> dict:
    """A section's voice: the script's, changed by the section's keys. A section that names
    another engine does not inherit the script's voice name (it belongs to the other engine)."""
    out = {**base, **override}
    if "engine" in override and override["engine"] != base.get("engine") and "name" not in override:
        out["name"] = ""
    return out


def input_files(script: Script) -> dict[Path, str]:
    """Every file a script reads, resolved, with what it is (outputs must be none of them)."""
    found = {script.path.resolve(): "the script itself"}
    if script.music is not None:
        found[script.music.file.resolve()] = "the music file"
    if script.tags.cover is not None:
        found[script.tags.cover.resolve()] = "the cover"
    for sec in script.sections:
        if sec.source is not None:
            found[sec.source.resolve()] = f"the text file of section {sec.title!r}"
    return found


def _build(data: dict, path: Path, sections: list[Section], ctx: Context) -> Script:
    base = path.parent
    music = None
    if isinstance(data["music"], dict):
        music = Music.from_values(data["music"], file=base / data["music"]["file"])
    cover = base / data["cover"] if data["cover"] else None
    tags = Tags.from_values(data, cover=cover, show=data["show"] or data["title"])
    voice_data = data["voice"]
    engine_settings = {name: spec.settings.from_values(voice_data.get(name) or {})
                       for name, spec in engines.registered().items()}
    output = base / data["output"] if data["output"] else path.with_suffix(".mp3")
    voice = Voice.from_values(voice_data)
    sections = [dataclasses.replace(s, voice=Voice.from_values(merged_voice(dataclasses.asdict(voice), dict(s.overrides))))
                for s in sections]
    dialogue = tuple((voice_data.get("dialogue") or {}).items())
    if dialogue:
        sections = [dataclasses.replace(s, dialogue=Voice.from_values(merged_voice(dataclasses.asdict(s.voice), dict(dialogue))))
                    if s.voice is not None else s for s in sections]
    return Script(
        path=path, tags=tags, reading=Reading.from_values(data), voice=voice,
        engine_settings=engine_settings, pauses=Pauses.from_values(data["pauses"]), music=music,
        layout=Layout.from_values(data), mastering=Mastering.from_values(data["mastering"]),
        audio=AudioFormat.from_values(data["audio"]), sections=tuple(sections), output=output,
        music_line=ctx.doc.line(("music",)), dialogue=dialogue,
    )
