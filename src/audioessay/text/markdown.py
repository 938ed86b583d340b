"""Markdown -> what a listener should hear. Pure functions over markdown-it-py's tokens.

Kept: the words of paragraphs, headings, list items, quotes and table cells;
the text of emphasis, strikethrough, links and inline code.
Removed: link targets, images (alt text too), code blocks and fences, HTML tags
and comments (the text between tags stays; <script>/<style> bodies go),
list/quote/heading markers, table pipes, footnote marks like [^1].

URLs: a bare URL (http://, https://, www.) is dropped, never read letter by
letter, and a link whose text is itself a URL goes with it. Dropping it (rather
than saying its host name) is one rule for both the spoken text and the
transcript, which show the same written text: a host name would appear in the
transcript and still be read out letter by letter by some engines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt

# A bare URL runs until whitespace or a bracket/quote; trailing punctuation is the sentence's.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]{}\"'“”‘’〈〉《》「」]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?…"
# A URL alone in brackets goes with them: "블로그(https://a.kr)에" -> "블로그에".
_BRACKETED_URL = re.compile(rf"[(\[〈《「]\s*(?:{_URL.pattern})\s*[)\]〉》」]", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\]:?")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[,.?!:;])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# CommonMark leaves **〈HER〉**은 unparsed (a closing run after punctuation, before a
# letter, is not "right-flanking"): Korean particles hit this all the time.
_LEFTOVER_EMPHASIS = re.compile(r"(\*\*\*|\*\*|\*|__|~~)(?=\S)(.+?)(?<=\S)\1")


@dataclass(frozen=True)
class Block:
    """One block of a post as heard: a heading or a run of text lines.

    `lines` pairs each reduced line with its 1-based line in the source, so
    a loader can point errors at the right place. `prose` is false for list
    items, quotes and table rows: only plain paragraphs may be taken for
    unmarked headings.
    """

    kind: str  # "heading" or "text"
    lines: tuple[tuple[int, str], ...]
    level: int = 0  # 1-6 for headings
    prose: bool = True

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.lines)


def drop_urls(text: str) -> str:
    """Remove bare URLs and the empty brackets they leave: '블로그(https://a.kr/x)에' -> '블로그에'."""
    def cut(m: re.Match[str]) -> str:
        url = m.group(0)
        tail = url[len(url.rstrip(_URL_TAIL)):]
        return tail

    return _URL.sub(cut, _BRACKETED_URL.sub("", text))


def tidy_line(text: str) -> str:
    """One reduced line: no control characters, single spaces, no space before punctuation."""
    text = _CONTROL.sub("", text)
    text = " ".join(text.split())
    return _SPACE_BEFORE_PUNCT.sub("", text)


class _TextOnly(HTMLParser):
    """HTML -> its visible text; comments, <script> and <style> are dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1
        elif tag in ("p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def strip_html(html: str) -> str:
    """'<p>글 <b>굵게</b></p><!-- 메모 -->' -> '글 굵게' (block tags become line breaks)."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def leftover_emphasis(text: str) -> str:
    """'**〈HER〉**은' -> '〈HER〉은': emphasis the parser left as text; '5 * 3' stays."""
    return _LEFTOVER_EMPHASIS.sub(r"\2", text)


def _parser() -> MarkdownIt:
    # Without text_join, escaped characters (\*) stay apart from text, so
    # leftover_emphasis never touches what the writer escaped.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("text_join")


def _inline_lines(children) -> list[str]:
    """An inline token's children -> its lines as heard (split at soft and hard breaks)."""
    lines: list[str] = []
    current: list[str] = []
    skip_link = 0  # inside a link whose text is its own URL
    for tok in children or []:
        kind = tok.type
        if kind in ("softbreak", "hardbreak"):
            lines.append("".join(current))
            current = []
        elif kind == "link_open":
            href = tok.attrs.get("href", "") if tok.attrs else ""
            skip_link += tok.markup == "autolink" or _is_url_link(tok, children, href)
        elif kind == "link_close":
            skip_link = max(0, skip_link - 1)
        elif skip_link or kind == "image":
            continue
        elif kind == "text":
            current.append(leftover_emphasis(tok.content))
        elif kind in ("text_special", "code_inline"):
            current.append(tok.content)
        elif kind == "html_inline":
            current.append(strip_html(tok.content).replace("\n", " "))
        # em/strong/s open/close: markup only
    lines.append("".join(current))
    return [tidy_line(drop_urls(_FOOTNOTE_MARK.sub("", line))) for line in lines]


def _is_url_link(link_open, children, href: str) -> bool:
    """[https://a.kr](https://a.kr): the text is the URL, so the whole link goes."""
    i = children.index(link_open)
    texts = []
    for tok in children[i + 1:]:
        if tok.type == "link_close":
            break
        texts.append(tok.content)
    text = "".join(texts).strip()
    return bool(text) and (text == href or bool(_URL.fullmatch(text)))


def _lines_of(token, inline) -> tuple[tuple[int, str], ...]:
    start = (token.map or inline.map or [0])[0]
    return tuple((start + i, line) for i, line in enumerate(_inline_lines(inline.children)))


def blocks(markdown: str, first_line: int = 1) -> list[Block]:
    """The post's blocks as heard, in order. `first_line` is the source line of
    the text's first line (after front matter), so line numbers are the file's."""
    tokens = _parser().parse(markdown)
    out: list[Block] = []
    depth = 0  # inside lists, quotes, tables: not prose
    row: list[str] = []
    row_line = 0
    lines: Sequence[tuple[int, str]]  # (source line, text)
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"):
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close", "table_close"):
            depth -= 1
        elif kind == "heading_open":
            lines = _lines_of(tok, tokens[i + 1])
            text = tidy_line(" ".join(t for _, t in lines))
            if text:
                out.append(Block("heading", ((lines[0][0] + first_line, text),), int(tok.tag[1:])))
        elif kind == "paragraph_open":
            lines = [(n + first_line, t) for n, t in _lines_of(tok, tokens[i + 1]) if t]
            if lines:
                out.append(Block("text", tuple(lines), prose=depth == 0))
        elif kind == "tr_open":
            row, row_line = [], (tok.map or [0])[0] + first_line
        elif kind == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            cell = tidy_line(" ".join(_inline_lines(tok.children)))
            if cell:
                row.append(cell)
        elif kind == "tr_close" and row:
            out.append(Block("text", ((row_line, ", ".join(row)),), prose=False))
        elif kind == "html_block":
            start = (tok.map or [0])[0] + first_line
            texts = [tidy_line(drop_urls(t)) for t in strip_html(tok.content).split("\n")]
            lines = [(start, t) for t in texts if t]  # the tags hide which source line each came from
            if lines:
                out.append(Block("text", tuple(lines), prose=False))
        # fence, code_block, hr, images: nothing to hear
    return out


def to_speech(markdown: str) -> str:
    """The whole post as plain text: one block per paragraph, blank lines between."""
    return "\n\n".join("\n".join(t for _, t in b.lines) for b in blocks(markdown))
