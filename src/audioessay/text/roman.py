"""Roman numerals in Korean text: Ⅱ, Ⅳ, ⅹ and ASCII II, IV where they stand for a number.

A Unicode Roman numeral character (U+2160-U+217F) is always a number. ASCII letters
are a numeral only in a numbering position, so a word such as I, MIX, CIVIL or DIV
stays a word:

- after 제 or glued to a Korean counter (제IV장, Ⅲ부, 엘리자베스 II세): a label, read in
  sino even before a counter that is otherwise native (제사 장, 삼 부, 십이 장, 이 세);
- after a title word (시즌 II, Part III, 챕터 Ⅳ) or as a sequel after a name (로키 II):
  the English number a narrator says (시즌 투, 파트 쓰리, 로키 투), with the particle
  after it fitted to that reading (시즌 III이 -> 시즌 쓰리가). A Latin title word
  is read too (Part -> 파트). As a sequel after any word, ASCII needs two letters or
  more and a value of 2-12 (XL is a size, XX a chromosome pair, not sequels);
- any other Unicode numeral (Ⅱ. 본론) becomes digits.

Runs before NFKC, which folds Ⅱ into the letters II.
"""

from __future__ import annotations

import re
import unicodedata

from .common import HANGUL, space_before
from .numbers import sino
from .scores import attach

# English numbers for titles: 시즌 투, 파트 쓰리, 베스트 일레븐. Above 12: sino (digits).
ENGLISH_NUMBERS = ("", "원", "투", "쓰리", "포", "파이브", "식스", "세븐", "에잇", "나인", "텐",
                   "일레븐", "트웰브")
# Words after which a numeral is a title's part number, and how a Latin one is read.
TITLE_WORDS = {"시즌": "시즌", "파트": "파트", "챕터": "챕터", "에피소드": "에피소드", "페이즈": "페이즈",
               "스테이지": "스테이지", "레벨": "레벨", "볼륨": "볼륨", "Part": "파트", "PART": "파트",
               "part": "파트", "Season": "시즌", "SEASON": "시즌", "Chapter": "챕터", "Episode": "에피소드",
               "Phase": "페이즈", "Stage": "스테이지", "Level": "레벨", "Vol.": "볼륨", "Vol": "볼륨",
               "Act": "액트", "Book": "북"}
# Korean counters a numeral may be glued to (II세, Ⅲ부, 제IV장).
COUNTERS = ("장", "부", "편", "권", "회", "절", "막", "과", "세", "기", "차", "조", "항", "단원")

_VALID = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_UNICODE = "\u2160-\u217f"
_TITLE_KEYS = "|".join(re.escape(k) for k in sorted(TITLE_WORDS, key=len, reverse=True))
_COUNTER_KEYS = "|".join(COUNTERS)

_NUMERAL = re.compile(
    rf"(?P<title>(?<![A-Za-z{HANGUL}])(?:{_TITLE_KEYS}) ?)?"
    rf"(?P<je>(?<![{HANGUL}])제 ?)?"
    rf"(?<![A-Za-z0-9])(?P<roman>[{_UNICODE}]+|[IVXLCDM]+)(?![A-Za-z0-9{_UNICODE}])"
    rf"(?P<counter>(?:{_COUNTER_KEYS})(?!대))?"  # X세대 is a generation, not the tenth 세
    rf"(?P<rest>[{HANGUL}]*)"
)


def roman_value(numeral: str) -> int | None:
    """II -> 2, Ⅻ -> 12, ⅹ -> 10; None when the letters are no valid numeral (IIII, IVX)."""
    letters = unicodedata.normalize("NFKC", numeral).upper()
    if not letters or not _VALID.fullmatch(letters):
        return None
    total = 0
    for i, c in enumerate(letters):
        v = _VALUES[c]
        total += -v if i + 1 < len(letters) and _VALUES[letters[i + 1]] > v else v
    return total


def _english(n: int) -> str:
    return ENGLISH_NUMBERS[n] if 0 < n < len(ENGLISH_NUMBERS) else str(n)


def _numeral(m: re.Match[str]) -> str:
    title, je, roman, counter = m.group("title"), m.group("je"), m.group("roman"), m.group("counter")
    rest = m.group("rest")
    unicode = not roman.isascii()
    value = roman_value(roman)
    if value is None:
        return m.group(0)
    head = space_before(m.string, m.start())
    if title:
        name = TITLE_WORDS[title.strip()]
        if roman.isascii() and not set(roman) <= set("IVX"):
            return m.group(0)
        return head + attach(f"{name} {_english(value)}", (counter or "") + rest)
    if je or counter:
        if roman.isascii() and not je and (len(roman) < 2 or not set(roman) <= set("IVX")):
            return m.group(0)  # V부 or X세 alone is too thin to call a numeral; CD장 is discs
        # A numeral is a label, so sino even where the counter alone would be native (Ⅻ장 십이 장).
        return head + (je.strip() if je else "") + sino(value) + (" " + counter if counter else "") + rest
    before = m.string[max(0, m.start() - 40): m.start()]
    sequel = bool(re.search(rf"[{HANGUL}A-Za-z] $", before)) and 2 <= value <= 12
    if unicode:
        return head + (attach(_english(value), rest) if sequel else str(value) + rest)
    if sequel and len(roman) >= 2 and set(roman) <= set("IVX"):
        return head + attach(_english(value), rest)
    return m.group(0)


def read_roman_numerals(text: str) -> str:
    """제IV장 -> 제사 장, 시즌 II -> 시즌 투, Part III -> 파트 쓰리, 로키 II -> 로키 투, Ⅲ부 -> 삼 부;
    I, MIX, CIVIL, DIV stay words."""
    return _NUMERAL.sub(_numeral, text)
