"""Whether a sentence is wholly a quotation (speech/plan.py gives it the dialogue voice)."""

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
