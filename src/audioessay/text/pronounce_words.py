"""Pronunciation rules that need the word, not just the letters (engine form for espeak only).

Three steps run before the letter rules of pronounce.py:

- ``insert_n``: ㄴ 첨가 in the compounds listed in data/n_insertion.txt (표준 발음법 제29항):
  꽃잎 -> 꽃닙, which the letter rules then make [꼰닙]; 물약 -> 물냑 -> [물략].
- ``tense_sino_l``: ㄹ + ㄷ/ㅅ/ㅈ tenses in the Sino-Korean words of data/sino_l_tensing.txt
  (제26항): 활동 -> 활똥, 열정 -> 열쩡.
- ``double_finals``: a double final before a consonant (제10, 11, 24, 25항). In a verb or
  adjective stem ㄺ before ㄱ keeps ㄹ and the consonant after ㄻ ㄼ ㄾ ㄵ is tense
  (pronounce.py already does this); in a noun it is plain: 칡과 [칙꽈], 삶과 [삼과].
  밟- is always [밥] (밟고 [밥꼬]) and 넓- is [넙] in 넓죽하다, 넓둥글다 (제10항 다만).
  Syllables that are only ever nouns or only ever stems are listed; the analyser
  (text/morph.py) is loaded only when another syllable with such a final is met.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

# The letter tables, repeated here so that pronounce.py can call this module without a cycle.
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
          "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
TENSE = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}


def _split(ch: str) -> list | None:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return None
    lead, rest = divmod(code, 588)
    vowel, tail = divmod(rest, 28)
    return [INITIALS[lead], vowel, FINALS[tail]]


def _join(s: list) -> str:
    return chr(0xAC00 + INITIALS.index(s[0]) * 588 + s[1] * 28 + FINALS.index(s[2]))

Y_VOWELS = {20, 2, 6, 12, 17}  # ㅣ ㅑ ㅕ ㅛ ㅠ


@lru_cache(maxsize=None)
def _words(name: str) -> tuple[str, ...]:
    text = files("audioessay.text").joinpath(f"data/{name}").read_text(encoding="utf-8")
    rows = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(sorted({r for r in rows if r}, key=len, reverse=True))


def _rewrite(text: str, words: tuple[str, ...], change) -> str:
    if not any(w in text for w in words):
        return text
    pattern = re.compile("|".join(map(re.escape, words)))
    return pattern.sub(lambda m: change(m.group()), text)


def _n_inserted(word: str) -> str:
    """The ㄴ goes on the last 이/야/여/요/유 after a consonant final (식용유 -> 식용뉴)."""
    chars = list(word)
    for i in range(len(chars) - 1, 0, -1):
        a, b = _split(chars[i - 1]), _split(chars[i])
        if a and b and a[2] and b[0] == "ㅇ" and b[1] in Y_VOWELS:
            b[0] = "ㄴ"
            chars[i] = _join(b)
            break
    return "".join(chars)


def insert_n(text: str) -> str:
    """ㄴ 첨가 (제29항) in listed compounds: 꽃잎 -> 꽃닙, 식용유 -> 식용뉴, 물약 -> 물냑."""
    return _rewrite(text, _words("n_insertion.txt"), _n_inserted)


def _l_tensed(word: str) -> str:
    chars = list(word)
    for i in range(1, len(chars)):
        a, b = _split(chars[i - 1]), _split(chars[i])
        if a and b and a[2] == "ㄹ" and b[0] in ("ㄷ", "ㅅ", "ㅈ"):
            b[0] = TENSE[b[0]]
            chars[i] = _join(b)
    return "".join(chars)


def tense_sino_l(text: str) -> str:
    """ㄹ 뒤 경음화 in listed Sino-Korean words (제26항): 활동 -> 활똥, 일정 -> 일쩡."""
    return _rewrite(text, _words("sino_l_tensing.txt"), _l_tensed)


AMBIGUOUS_FINALS = ("ㄺ", "ㄻ", "ㄼ", "ㄾ", "ㄵ")
NOUN_NEUTRAL = {"ㄺ": "ㄱ", "ㄻ": "ㅁ", "ㄼ": "ㄹ", "ㄾ": "ㄹ", "ㄵ": "ㄴ"}
# Syllables with such a final that are only nouns or numerals, or only verb/adjective stems.
NOUN_ONLY = set("닭흙칡덟앎")
STEM_ONLY = set("맑밝읽늙긁굵묽얽넓짧얇떫엷핥훑젊닮옮굶앉얹")
# Stems read with their second letter (제10항 다만): 밟- [밥], 넓죽-/넓둥- [넙].
B_STEMS = re.compile(r"밟(?=[가-힣])|넓(?=[죽둥])")


def _next_consonant(text: str, i: int) -> tuple[int, list | None]:
    j = i + 1
    if j < len(text) and text[j] == " ":
        j += 1
    nxt = _split(text[j]) if j < len(text) else None
    return j, nxt if nxt and nxt[0] != "ㅇ" else None


def _is_noun_at(text: str, i: int) -> bool:
    from .morph import analyse

    for m in analyse(text):
        if m.start <= i < m.end:
            return m.tag.startswith(("NN", "NR", "NP"))
    return False


def double_finals(text: str) -> str:
    """Double finals before a consonant, by word class: 칡과 -> 칙꽈, 밟고 -> 밥꼬, 삶과 -> 삼과."""
    chars: list[str] = list(text)
    for i, ch in enumerate(text):
        s = _split(ch)
        if not s or s[2] not in AMBIGUOUS_FINALS:
            continue
        j, nxt = _next_consonant(text, i)
        if nxt is None:
            continue
        if B_STEMS.match(text, i):
            s[2] = "ㅂ"
            if nxt[0] in TENSE:
                nxt[0] = TENSE[nxt[0]]
                chars[j] = _join(nxt)
            chars[i] = _join(s)
            continue
        if ch in STEM_ONLY:
            continue  # pronounce.py's stem rule applies
        if ch in NOUN_ONLY or _is_noun_at(text, i):
            s[2] = NOUN_NEUTRAL[s[2]]  # the letter rules then tense after ㄱ (칙꽈), not after ㅁ
            chars[i] = _join(s)
    return "".join(chars)


def word_rules(text: str) -> str:
    """All three, in order: they look at words as written, before any letter moves."""
    return double_finals(tense_sino_l(insert_n(text)))


__all__ = ["double_finals", "insert_n", "tense_sino_l", "word_rules"]
