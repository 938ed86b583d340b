"""An essay you already have (plain text or a Markdown post) -> a script.

`essay_to_script` turns the text into a script mapping, `script_yaml` writes it
as YAML (what `audioessay init` saves), and `markdown_document` reads a
Markdown post as a script document directly, with every node's line in the
.md file, so the usual validation points into the post.

How the text is read (one set of rules for plain text and Markdown):

* Section titles are Markdown headings, or, when a post has none (and always
  in plain text), short stand-alone lines: at most 40 characters, not ending
  in . … , ; : or a Korean final ending (다 요 죠 까), one sentence at most,
  after a blank line (or, in text without blank lines, after a heading or a
  finished sentence), with text after them; with a text line right under
  it, at most GLUED_RATIO of that line's length (a hard-wrapped paragraph's
  first line is about as long as its second). A line ending in ? or ! counts
  when it is one sentence ("인공지능과 감정, 무엇이 진짜인가?").
* The episode title is the front matter's `title`; else a heading (or title
  line) at the very top that is the only one of its level or is followed
  directly by another heading; else the first section title (the sample
  essay's three parts give it "디지털 시대의 외로움, 새로운 사랑의 형태");
  else the file name.
* Text before the first section title becomes a first section titled with the
  episode title when there is an explicit one (front matter or title heading),
  else titled INTRO_TITLE. Two headings in a row become one title joined by
  " — "; a heading with nothing to hear under it is dropped.
* Paragraphs: when the essay separates paragraphs with blank lines, a blank
  line ends a paragraph and the lines inside are joined with a space. When it
  has none (the sample essay), a line that ends a sentence ends a paragraph.
  A line break right after a Korean final ending with no period (되나 보다)
  is kept, because the sentence splitter ends a sentence there.
* Front matter: `init` carries over the keys that are script keys (title,
  author, date, description, voice, music, ...; `summary`/`excerpt` become the
  description) and drops the rest (tags, categories, ...), naming them in the
  YAML's comment header. A Markdown post read directly ignores the usual blog
  keys (BLOG_KEYS) and leaves any other key to the validator, so a typo such as
  `auther:` is reported with the .md line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from audioessay.config import yamlsource
from audioessay.errors import InputError, Problem
from audioessay.text import markdown as md
from audioessay.text import split

INTRO_TITLE = "들어가며"
MAX_TITLE = 40  # characters: a longer line is prose, not a heading
GLUED_RATIO = 0.6  # a heading with text right under it is at most this long relative to that line
# Keys a blog engine puts in front matter that mean nothing to a script.
BLOG_KEYS = frozenset((
    "tags", "categories", "category", "layout", "draft", "slug", "permalink", "excerpt", "summary",
    "image", "thumbnail", "comments", "toc", "weight", "lastmod", "updated", "modified", "aliases",
    "keywords", "series", "published", "lang", "authors", "url", "type", "hidden", "featured",
    "subtitle", "math", "sidebar", "share", "header", "og_image", "canonical_url",
))
DESCRIPTION_ALIASES = ("summary", "excerpt")

_CLOSERS = "\"'”’」』》〉)]"
_STOPS = ".…。,;:"
# The finals after which split.py ends a sentence at a line break (its _BARE_END).
_BARE_FINALS = "다요까죠네지라자"
# A line ending in one of these without a period is a sentence, not a heading.
_SENTENCE_FINALS = "다요죠까"
_FRONT_OPEN = re.compile(r"---[ \t]*")
_FRONT_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
# "1. 시작", "2) 끝", "Ⅲ. 결론", "가. 처음": a numbered heading's number is not a sentence.
_ENUMERATOR = re.compile(r"^(?:\d{1,3}|[IVX]{1,5}|[Ⅰ-Ⅻ]|[가-하])[.)]\s+")
_DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}(?=[T ])")


# --- front matter ------------------------------------------------------------------


def _split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, 1-based line where the body starts)."""
    lines = text.split("\n")
    if not lines or not _FRONT_OPEN.fullmatch(lines[0].lstrip("\ufeff").rstrip("\r")):
        return None, text, 1
    for i in range(1, len(lines)):
        if _FRONT_CLOSE.fullmatch(lines[i].rstrip("\r")):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None, text, 1  # no closing line: not front matter


def _load_front_matter(text: str, filename: str) -> tuple[yamlsource.Located | None, str, int]:
    """The located front matter (lines are the file's), the body, and its first line."""
    fm, body, body_line = _split_front_matter(text)
    if fm is None:
        return None, body, body_line
    doc, problems = yamlsource.load(fm, filename)
    problems = [Problem(p.file, p.line + 1 if p.line else 2, p.where, p.message) for p in problems]
    if problems:
        raise InputError([Problem(p.file, p.line, p.where, f"front matter: {p.message}") for p in problems])
    assert doc is not None  # yamlsource.load returns no document only with problems
    if doc.value is None:
        doc.value = {}
    if not isinstance(doc.value, dict):
        raise InputError([Problem(filename, 2, "", "the front matter between the --- lines must be "
                                  "key: value lines (a YAML mapping)")])
    doc.lines = {k: v + 1 for k, v in doc.lines.items()}
    doc.key_lines = {k: v + 1 for k, v in doc.key_lines.items()}
    return doc, body, body_line


def parse_front_matter(text: str, filename: str = "essay") -> tuple[dict | None, str, int]:
    """`---` YAML front matter -> (its mapping or None, the body, the body's first line).

    Raises InputError (with the file's line) when the front matter is not valid YAML."""
    doc, body, body_line = _load_front_matter(text, filename)
    if doc is None:
        return None, body, body_line
    assert isinstance(doc.value, dict)  # _load_front_matter refuses anything else
    return doc.value, body, body_line


def _date_value(value: Any) -> Any:
    """Blog dates -> YYYY-MM-DD: datetimes, and '2025-05-01T10:00' or '2025-05-01 10:00 +0900'."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE_PREFIX.match(value.strip()):
        return value.strip()[:10]
    return value


# --- lines and structure -------------------------------------------------------------


@dataclass
class _Line:
    line: int
    text: str
    kind: str  # "text", "heading" or "blank"
    level: int = 0
    prose: bool = True


@dataclass
class _Section:
    title: str
    title_line: int
    paragraphs: list[str] = field(default_factory=list)
    text_line: int | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class _Essay:
    title: str
    title_line: int
    sections: list[_Section]


def _plain_lines(body: str, first_line: int) -> list[_Line]:
    out = []
    for i, raw in enumerate(body.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        text = md.tidy_line(raw)
        has_words = any(c.isalnum() for c in text)  # "* * *" and "---" separate, they are not text
        out.append(_Line(first_line + i, text, "text") if has_words else _Line(first_line + i, "", "blank"))
    return out


def _markdown_lines(body: str, first_line: int) -> list[_Line]:
    out: list[_Line] = []
    for block in md.blocks(body, first_line):
        if out:
            out.append(_Line(block.lines[0][0], "", "blank"))
        for n, text in block.lines:
            out.append(_Line(n, text, block.kind, block.level, block.prose))
    return out


def _bare(text: str) -> str:
    return text.rstrip(_CLOSERS).rstrip()


def _ends_sentence(text: str) -> bool:
    bare = _bare(text)
    return bool(bare) and (bare[-1] in ".?!…。" or bare[-1] in _BARE_FINALS)


def looks_like_heading(text: str) -> bool:
    """Short, and not a sentence: '관계의 회복과 인간다움에 대한 사색' yes, '보다.' no."""
    bare = _bare(text)
    if not bare or len(text) > MAX_TITLE or not any(c.isalnum() for c in text):
        return False
    last = bare[-1]
    if last in _STOPS or last in _SENTENCE_FINALS:
        return False
    return len(split.sentences(_ENUMERATOR.sub("", text))) == 1  # no sentence ends inside it


def _paragraph_mode(lines: list[_Line]) -> bool:
    """True when blank lines separate paragraphs: some blank line has prose on both sides
    (blank lines around headings alone do not count)."""
    def prose(x: _Line) -> bool:
        return x.kind == "text" and not looks_like_heading(x.text)

    prev, gap = None, False
    for ln in lines:
        if ln.kind == "blank":
            gap = True
            continue
        if gap and prev is not None and prose(prev) and prose(ln):
            return True
        prev, gap = ln, False
    return False


def _mark_headings(lines: list[_Line], blank_paragraphs: bool) -> None:
    """Turn stand-alone short prose lines into headings (when the text has no marked ones)."""
    for i, ln in enumerate(lines):
        if ln.kind != "text" or not ln.prose or not looks_like_heading(ln.text):
            continue
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if blank_paragraphs:  # after a blank line (or at the top)
            alone = prev is None or prev.kind == "blank"
        elif prev is not None and prev.kind == "heading":  # title, then a heading over its text
            alone = nxt is not None and nxt.kind == "text"
        else:  # after a blank line or a finished sentence
            alone = prev is None or prev.kind == "blank" or _ends_sentence(prev.text)
        # Glued to the next line, a heading is much shorter than it; the first
        # line of a hard-wrapped paragraph is about as long as the next.
        glued_ok = nxt is None or nxt.kind != "text" or len(ln.text) <= GLUED_RATIO * len(nxt.text)
        if alone and glued_ok and any(x.kind == "text" for x in lines[i + 1:]):
            ln.kind = "heading"


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _title_heading(lines: list[_Line]) -> _Line | None:
    """The heading at the very top that names the whole essay, if there is one."""
    content = [x for x in lines if x.kind != "blank"]
    if not content or content[0].kind != "heading":
        return None
    first, rest = content[0], content[1:]
    others = [x for x in rest if x.kind == "heading"]
    if not others or (rest and rest[0].kind == "heading"):
        return first
    if first.level and first.level < min(x.level for x in others):
        return first
    return None


def _structure(lines: list[_Line], *, title: str | None, title_line: int, filename: str) -> _Essay:
    blank_paragraphs = _paragraph_mode(lines)
    if not any(x.kind == "heading" for x in lines):
        _mark_headings(lines, blank_paragraphs)
    top = _title_heading(lines)
    if top is not None and (title is None or _same(top.text, title)):
        if title is None:
            title, title_line = top.text, top.line
        lines = [x for x in lines if x is not top]
    explicit = title is not None
    sections, intro = _sections(lines, blank_paragraphs, title if title is not None else INTRO_TITLE)
    headed = [s for s in sections if s is not intro]
    if title is None:
        title, title_line = (headed[0].title, headed[0].title_line) if headed else (Path(filename).stem, 1)
    if intro is not None and not headed and not explicit:
        intro.title = title  # no headings at all: the file name titles the one section
    return _Essay(title, title_line, sections)


def _sections(lines: list[_Line], blank_paragraphs: bool, intro_title: str) -> tuple[list[_Section], _Section | None]:
    """Headings start sections; lines join into paragraphs. Returns the sections that
    have text, and the one made for text before the first heading (or None)."""
    sections: list[_Section] = []
    current: _Section | None = None
    intro: _Section | None = None
    para: list[str] = []

    def flush() -> None:
        if para and current is not None:
            current.paragraphs.append("".join(para))
        para.clear()

    for ln in lines:
        if ln.kind == "heading":
            flush()
            if current is not None and not current.paragraphs:
                current.title = f"{current.title} — {ln.text}"  # two headings in a row: one title
            else:
                current = _Section(ln.text, ln.line)
                sections.append(current)
        elif ln.kind == "blank":
            flush()
        else:
            if current is None:
                current = intro = _Section(intro_title, ln.line)
                sections.append(current)
            if current.text_line is None:
                current.text_line = ln.line
            if para:  # a hard wrap; the splitter needs the break after a bare final ending
                para.append("\n" if _bare(para[-1])[-1:] in tuple(_BARE_FINALS) else " ")
            para.append(ln.text)
            if not blank_paragraphs and _ends_sentence(ln.text):
                flush()
    flush()
    return [s for s in sections if s.paragraphs], intro


# --- the two readers ----------------------------------------------------------------


def _lines(body: str, first_line: int, markdown: bool) -> list[_Line]:
    return _markdown_lines(body, first_line) if markdown else _plain_lines(body, first_line)


def _script_keys() -> tuple[str, ...]:
    from audioessay.script.loader import script_schema  # here: script.load imports this module

    return tuple(script_schema().fields)


def _fm_title(meta: dict) -> str | None:
    value = meta.get("title")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def essay_to_script(text: str, *, markdown: bool, filename: str = "essay.txt") -> dict:
    """Plain text or a Markdown post -> a script mapping (title, front-matter script keys,
    sections: [{title, text}]). `filename` names the file in messages and, when nothing
    else does, the episode."""
    mapping, _ = _essay_mapping(text, markdown=markdown, filename=filename)
    return mapping


def _essay_mapping(text: str, *, markdown: bool, filename: str) -> tuple[dict, list[str]]:
    meta, body, body_line = parse_front_matter(text, filename)
    meta = dict(meta or {})
    keys = _script_keys()
    kept = {k: (_date_value(v) if k == "date" else v) for k, v in meta.items()
            if k in keys and k != "sections" and v is not None}
    for alias in DESCRIPTION_ALIASES:
        if alias in meta and "description" not in kept:
            kept["description"] = meta.pop(alias)
    dropped = [str(k) for k in meta if k not in keys or k == "sections"]
    essay = _structure(_lines(body, body_line, markdown), title=_fm_title(meta), title_line=1,
                       filename=filename)
    kept["title"] = essay.title
    kept["sections"] = [{"title": s.title, "text": s.text} for s in essay.sections]
    return kept, dropped


def markdown_document(text: str, filename: str) -> yamlsource.Located:
    """A Markdown post as a script document: front matter keys as written, title and
    sections from the headings, text reduced to what is heard; every node's line is
    its line in the .md file. Raises InputError for broken front matter."""
    fm, body, body_line = _load_front_matter(text, filename)
    doc = fm or yamlsource.Located({})
    front = doc.value
    assert isinstance(front, dict)  # _load_front_matter refuses anything else
    value: dict = {k: v for k, v in front.items() if k not in BLOG_KEYS}
    for alias in DESCRIPTION_ALIASES:
        if alias in front and "description" not in value:
            value["description"] = front[alias]
            doc.lines[("description",)] = doc.lines.get((alias,), 1)
    if "date" in value:
        value["date"] = _date_value(value["date"])
    lines = _lines(body, body_line, markdown=True)
    if "sections" in value:
        if any(x.kind != "blank" for x in lines):
            raise InputError([Problem(filename, doc.key_lines.get(("sections",)), "sections",
                                      "the headings of the post make the sections; remove sections: "
                                      "from the front matter")])
        doc.value = value
        return doc
    essay = _structure(lines, title=_fm_title(value), title_line=doc.line(("title",)) or 1,
                       filename=filename)
    if value.get("title") is None:  # a title that is there but wrong is the validator's to report
        value["title"] = essay.title
        doc.lines[("title",)] = essay.title_line
    value["sections"] = [{"title": s.title, "text": s.text} for s in essay.sections]
    doc.lines[()] = 1
    doc.lines[("sections",)] = essay.sections[0].title_line if essay.sections else body_line
    for i, s in enumerate(essay.sections):
        doc.lines[("sections", i)] = doc.lines[("sections", i, "title")] = s.title_line
        doc.lines[("sections", i, "text")] = s.text_line or s.title_line
    doc.value = value
    return doc


# --- writing the script ----------------------------------------------------------------


def _dump(key: str, value: Any) -> str:
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=10_000).rstrip("\n")


def _block(text: str, indent: str) -> str:
    """Text as a YAML literal block scalar body, every line indented."""
    return "\n".join(indent + line if line else "" for line in text.split("\n"))


def script_yaml(mapping: dict, *, source: str | None = None, notes: tuple[str, ...] = ()) -> str:
    """A script mapping -> YAML text: keys in the README's order, section text as `|`
    blocks, and a comment header saying how it was made."""
    order = _script_keys()
    made = f"# Made by `audioessay init` from {source}" if source else "# Made by `audioessay init`"
    head = [f"{made}: headings became sections, blank lines separate paragraphs.",
            "# Edit freely; `audioessay text` shows what will be spoken, `audioessay render` makes the MP3."]
    head += [f"# {note}" for note in notes]
    out = head
    keys = [k for k in order if k in mapping] + [k for k in mapping if k not in order]
    for key in keys:
        if key != "sections":
            out.append(_dump(key, mapping[key]))
            continue
        out.append("sections:")
        for sec in mapping["sections"]:
            out.append("  - " + _dump("title", sec["title"]))
            for k, v in sec.items():
                if k == "text":  # |2 when the first line is indented: YAML would take it as the margin
                    out.append("    text: |2" if v.strip("\n")[:1].isspace() else "    text: |")
                    out.append(_block(v.strip("\n"), "      "))
                elif k != "title":
                    out.append("\n".join("    " + ln for ln in _dump(k, v).split("\n")))
    return "\n".join(out) + "\n"


def import_essay(text: str, filename: str) -> str:
    """What `audioessay init ESSAY` writes: the script YAML for a .txt or .md essay."""
    markdown = Path(filename).suffix.lower() in (".md", ".markdown")
    mapping, dropped = _essay_mapping(text, markdown=markdown, filename=filename)
    notes = (f"Not carried over from the front matter: {', '.join(dropped)}.",) if dropped else ()
    return script_yaml(mapping, source=Path(filename).name, notes=notes)


# --- the wrong file -------------------------------------------------------------------

_MAGIC = (
    (b"ID3", "an MP3 file"), (b"RIFF", "a WAV audio file"), (b"OggS", "an Ogg audio file"),
    (b"fLaC", "a FLAC audio file"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (a .docx or .hwpx document?)"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"), (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
)


def _binary_kind(raw: bytes) -> str | None:
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return what
    if len(raw) > 1 and raw[0] == 0xFF and raw[1] & 0xE6 == 0xE2:
        return "an MP3 file"  # MPEG layer III frame sync without an ID3 tag
    if raw[4:8] == b"ftyp":
        return "an MP4/M4A file"
    return None


def sniff(path: str | Path, raw: bytes, *, expected: str = "script") -> str | None:
    """A one-line hint when `raw` is plainly not what the command takes, else None.

    `expected` is "script" (render, text, validate, preview, watch) or "show" (feed).
    """
    path = Path(path)
    kind = _binary_kind(raw)
    if kind == "an MP3 file":
        return (f"{path} looks like an MP3 file, not a script; give the .yaml script it was made from "
                f"(check a finished episode with `audioessay check {path}`)")
    if kind:
        return f"{path} looks like {kind}, not a {expected} file"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # the loader says where the bad byte is
    if path.suffix.lower() in (".md", ".markdown") and expected == "script":
        return None
    fm, body, _ = _split_front_matter(text)
    try:
        value = yaml.safe_load(text) if fm is None else None
    except Exception:  # noqa: BLE001 - only a guess; the loader reports the real problem
        value = None
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


_YAML_LINE = re.compile(r"\s*(?:- |-$|[\w.-]+\s*:(?:\s|$)|#)")


def _is_prose(text: str) -> bool:
    """Lines of words, most of them not `key: value`, `- item` or comments (a broken
    YAML script is still YAML, and its error is the loader's to report)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    yamlish = sum(bool(_YAML_LINE.match(ln)) for ln in lines)
    return len(re.findall(r"\w+", text)) >= 3 and yamlish * 2 < len(lines)
