"""Split written Korean text into paragraphs, sentences and engine-sized pieces.

Pure functions on the original text; normalization happens later, per sentence.
"""

from __future__ import annotations

import re

# Closing quotes/brackets that belong to the sentence they end.
_CLOSERS = "\"'”’」』》〉)]"
# A sentence ends at . ? ! … (or runs of them), plus any closing quotes after it,
# when followed by whitespace or the end. "3.5" is safe: no space follows the dot.
_END = re.compile(rf"(?:[.?!…]+|\.\.\.)[{re.escape(_CLOSERS)}]*(?=\s|$)")
# A line break right after a Korean final ending ends a sentence even without a period.
_BARE_END = re.compile(r"(?<=[다요까죠네지라자])[ \t]*\n")
# After a quoted question or exclamation, a quotative verb continues the sentence:
# 그는 "정말인가?" 하고 물었다.
_QUOTATIVE = re.compile(r"\s+(?:하고|하며|하면서|하는|하자|라고|라며|라는|이라고|고)(?:\s|$)")

MAX_PIECE = 90  # characters; gTTS cuts at 100 mid-word, so stay under it with room for normalization


def paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single line breaks inside one are kept for `sentences`."""
    parts = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [p.strip() for p in parts if p.strip()]


def sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, keeping punctuation and quotes attached."""
    paragraph = _BARE_END.sub("\n\n", paragraph)
    out: list[str] = []
    for block in paragraph.split("\n\n"):
        block = " ".join(block.split())
        start = 0
        for m in _END.finditer(block):
            if m.group()[-1] in _CLOSERS and _QUOTATIVE.match(block, m.end()):
                continue
            piece = block[start:m.end()].strip()
            if piece and not _only_punct(piece):
                out.append(piece)
            elif piece and out:
                out[-1] += piece  # a stray "?!" joins the sentence before it
            start = m.end()
        rest = block[start:].strip()
        if rest:
            if _only_punct(rest) and out:
                out[-1] += rest
            else:
                out.append(rest)
    return out


def _only_punct(s: str) -> bool:
    return not any(ch.isalnum() for ch in s)


def pieces(sentence: str, limit: int = MAX_PIECE) -> list[str]:
    """Cut an over-long sentence at clause boundaries (commas), then at spaces.

    Never cuts inside a word; a single word longer than `limit` stays whole.
    """
    if len(sentence) <= limit:
        return [sentence]
    clauses = re.findall(r"[^,，、]+[,，、]?\s*", sentence)
    out: list[str] = []
    current = ""
    for clause in clauses:
        for unit in _fit(clause.strip(), limit):
            joined = f"{current} {unit}".strip()
            if current and len(joined) > limit:
                out.append(current)
                current = unit
            else:
                current = joined
    if current:
        out.append(current)
    return out


def _fit(clause: str, limit: int) -> list[str]:
    """A clause longer than `limit` is cut at spaces into balanced pieces."""
    if len(clause) <= limit:
        return [clause]
    words = clause.split()
    n = -(-len(clause) // limit)  # pieces needed
    target = len(clause) / n
    out, current = [], ""
    for word in words:
        joined = f"{current} {word}".strip()
        if current and (len(joined) > limit or len(current) >= target):
            out.append(current)
            current = word
        else:
            current = joined
    if current:
        out.append(current)
    return out
