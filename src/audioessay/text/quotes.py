"""Quotations: whether a sentence is wholly one, and the quoted speech inside it (for voice.dialogue)."""

from __future__ import annotations

# opening mark -> its closing mark (straight quotes close themselves)
PAIRS = {"“": "”", '"': '"', "‘": "’", "'": "'", "「": "」", "『": "』", "„": "“", "«": "»"}
# what may follow the closing mark in a wholly quoted sentence (sentence-final marks)
TRAILING = set(".,!?…。、！？~·-–—)]） \t\n")


def wholly_quoted(sentence: str) -> bool:
    """True when `sentence` is one quotation, start to end: it opens with a quotation mark,
    that quotation closes only at the end, and nothing but closing punctuation follows.
    `“왜 쓰는가?”` and `"Why?" ` are; `그는 "왜?"라고 물었다.`, `“A,” he said, “B.”` are not."""
    text = sentence.strip()
    if len(text) < 2 or text[0] not in PAIRS:
        return False
    opening, closing = text[0], PAIRS[text[0]]
    end = -1
    if opening == closing:
        end = text.find(closing, 1)
    else:
        depth = 0
        for i, ch in enumerate(text):
            depth += (ch == opening) - (ch == closing)
            if depth == 0:
                end = i
                break
    if end < 0:
        return False
    return all(c in TRAILING for c in text[end + 1:]) and any(c.isalnum() for c in text[1:end])


# a quotation that is itself a sentence ends with one of these inside its marks
_FINAL = set(".?!…。！？,")  # a comma too: “그래,” 그가 말했다.


def _closing(text: str, start: int) -> int:
    """Index of the mark closing the quotation opened at `start`, or -1."""
    opening, closing = text[start], PAIRS[text[start]]
    if opening == closing:
        end = text.find(closing, start + 1)
        if opening == "'":  # an apostrophe (don't, 'n') is not a closing mark
            while end > 0 and end + 1 < len(text) and text[end + 1].isascii() and text[end + 1].isalpha():
                end = text.find(closing, end + 1)
        return end
    depth = 0
    for i in range(start, len(text)):
        depth += (text[i] == opening) - (text[i] == closing)
        if depth == 0:
            return i
    return -1


def quoted_parts(sentence: str) -> list[tuple[str, bool]]:
    """`sentence` cut into (text, quoted) parts, in order, that together are the sentence.

    A wholly quoted sentence is one quoted part. Inside a sentence, a quotation that is
    itself a sentence (it ends with . ? ! … or , inside its marks) is a quoted part, so a
    dialogue voice says it: 이 영화는 "감정이 진짜일 수 있는가?"라는 질문을 던진다. ->
    [이 영화는] ["감정이 진짜일 수 있는가?"] [라는 질문을 던진다.]. Scare quotes and titles
    (‘감정’, 「책」) stay in the narrator's part."""
    if wholly_quoted(sentence):
        return [(sentence, True)]
    parts: list[tuple[str, bool]] = []
    start = i = 0
    while i < len(sentence):
        ch = sentence[i]
        after_word = i > 0 and sentence[i - 1].isalnum()
        if ch in PAIRS and not (ch == "'" and after_word):
            end = _closing(sentence, i)
            inner = sentence[i + 1:end].rstrip() if end > 0 else ""
            if inner and inner[-1] in _FINAL and any(c.isalnum() for c in inner):
                before = sentence[start:i]
                if before.strip():
                    parts.append((before.strip(), False))
                parts.append((sentence[i:end + 1], True))
                start = i = end + 1
                continue
            if end > 0:
                i = end  # a scare quote or a title: skip it whole
        i += 1
    rest = sentence[start:]
    if rest.strip():
        parts.append((rest.strip(), False))
    return parts or [(sentence, False)]
