"""An essay's structure: plain text or a Markdown body -> its title and sections.

One set of rules for plain text and Markdown:

* Section titles are Markdown headings, or, when a post has none (and always
  in plain text), short stand-alone lines: at most 40 characters, not ending
  in . … , ; : or a Korean final ending (다 요 죠 까), one sentence at most,
  after a blank line (or, in text without blank lines, after a heading or a
  finished sentence), with text after them; with a text line right under
  it, at most GLUED_RATIO of that line's length (a hard-wrapped paragraph's
  first line is about as long as its second). A line ending in ? or ! counts
  when it is one sentence ("인공지능과 감정, 무엇이 진짜인가?").
* The episode title is the one given (front matter `title`); else a heading (or
  title line) at the very top that is the only one of its level or is followed
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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from audioessay.text import markdown as md
from audioessay.text import split

INTRO_TITLE = "들어가며"
MAX_TITLE = 40  # characters: a longer line is prose, not a heading
GLUED_RATIO = 0.6  # a heading with text right under it is at most this long relative to that line

_CLOSERS = "\"'”’」』》〉)]"
_STOPS = ".…。,;:"
# The finals after which split.py ends a sentence at a line break (its _BARE_END).
_BARE_FINALS = "다요까죠네지라자"
# A line ending in one of these without a period is a sentence, not a heading.
_SENTENCE_FINALS = "다요죠까"
# "1. 시작", "2) 끝", "Ⅲ. 결론", "가. 처음": a numbered heading's number is not a sentence.
_ENUMERATOR = re.compile(r"^(?:\d{1,3}|[IVX]{1,5}|[Ⅰ-Ⅻ]|[가-하])[.)]\s+")


@dataclass
class Line:
    """One line of the body, with its line number in the file."""

    line: int
    text: str
    kind: str  # "text", "heading" or "blank"
    level: int = 0
    prose: bool = True


@dataclass
class Section:
    """A heading and the paragraphs under it."""

    title: str
    title_line: int
    paragraphs: list[str] = field(default_factory=list)
    text_line: int | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Essay:
    title: str
    title_line: int
    sections: list[Section]  # only those with text


def read_lines(body: str, first_line: int, markdown: bool) -> list[Line]:
    """The body's lines, each marked text, heading or blank, with its line in the file."""
    return _markdown_lines(body, first_line) if markdown else _plain_lines(body, first_line)


def _plain_lines(body: str, first_line: int) -> list[Line]:
    out = []
    for i, raw in enumerate(body.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        text = md.tidy_line(raw)
        has_words = any(c.isalnum() for c in text)  # "* * *" and "---" separate, they are not text
        out.append(Line(first_line + i, text, "text") if has_words else Line(first_line + i, "", "blank"))
    return out


def _markdown_lines(body: str, first_line: int) -> list[Line]:
    out: list[Line] = []
    for block in md.blocks(body, first_line):
        if out:
            out.append(Line(block.lines[0][0], "", "blank"))
        for n, text in block.lines:
            out.append(Line(n, text, block.kind, block.level, block.prose))
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


def _paragraph_mode(lines: list[Line]) -> bool:
    """True when blank lines separate paragraphs: some blank line has prose on both sides
    (blank lines around headings alone do not count)."""
    def prose(x: Line) -> bool:
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


def _mark_headings(lines: list[Line], blank_paragraphs: bool) -> None:
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


def _title_heading(lines: list[Line]) -> Line | None:
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


def structure(lines: list[Line], *, title: str | None, title_line: int, filename: str) -> Essay:
    """The essay's title and sections (rules in the module's docstring). `title` is the one
    given (front matter), else None; `filename` titles an essay that names nothing."""
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
    return Essay(title, title_line, sections)


def _sections(lines: list[Line], blank_paragraphs: bool, intro_title: str) -> tuple[list[Section], Section | None]:
    """Headings start sections; lines join into paragraphs. Returns the sections that
    have text, and the one made for text before the first heading (or None)."""
    sections: list[Section] = []
    current: Section | None = None
    intro: Section | None = None
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
                current = Section(ln.text, ln.line)
                sections.append(current)
        elif ln.kind == "blank":
            flush()
        else:
            if current is None:
                current = intro = Section(intro_title, ln.line)
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

