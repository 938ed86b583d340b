"""Digits inside names and codes, read as a narrator does rather than as quantities.

- Generation labels, two decades joined: 2030세대 -> 이공삼공 세대, 4050 세대 -> 사공오공 세대.
- A name with digits glued to it: 코로나19 -> 코로나 일구 (the names in DIGIT_NAMES, two
  digits), 응답하라1988 -> 응답하라 일구팔팔 (three or four digits after a word of two
  syllables or more). A counter after the digits makes it a quantity again (가격3000원
  is not matched: 원 is a counter), and so does a word such as 약 or 총 before them.
- Chemical formulas with two-letter element symbols: NaCl -> 엔에이씨엘, Fe2O3 ->
  에프이투오쓰리 (H2O and CO2, all capitals, are read by latin.read_codes).
- Letter codes joined to digits by a hyphen: F-35 -> 에프 삼십오, SR-71 -> 에스알 칠십일.

Digits inside Latin codes (A380 에이 삼팔공, KE017 케이이 공일칠) are read in
latin.read_codes. A real quantity stays a number: 3000원, 2030년, 302호 (삼백이 호).
Pure ``str -> str`` steps for ``normalize.STEPS``.
"""

from __future__ import annotations

import re

from .common import HANGUL, space_before
from .lexicon import LETTER_NAMES
from .numbers import ENGLISH_DIGITS, read_digits, sino, split_counter

# Names whose two-digit number is a year or a label, read digit by digit.
DIGIT_NAMES = ("코로나", "메르스", "사스")
# Words after which glued digits are still a quantity: 약300, 총1000, 제3.
NUMBER_PREFIXES = ("약", "총", "제", "각", "매", "단", "무려", "불과", "최대", "최소", "최고", "최저", "평균",
                   "대략", "오전", "오후", "시속", "초속", "영하", "영상", "섭씨", "화씨", "해발", "누적", "합계",
                   "금", "월", "연", "일", "전", "후", "만", "지하", "지상", "무", "근", "한", "그", "이", "저")

_GENERATION = re.compile(r"(?<![\d.,])([1-9]0)([1-9]0)(?!\d)(?=\s?(?:세대|층))")
_NAME_DIGITS = re.compile(rf"(?<=[{HANGUL}])(\d{{2,4}})(?![\d.,:/%A-Za-z])([{HANGUL}]*)")

# Element symbols (two letters; one-letter ones are capitals only).
ELEMENTS = frozenset(
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Nd Pt Au Hg Tl Pb Bi Po Rn Ra U Pu".split()
)
_SYMBOLS = "|".join(sorted(ELEMENTS, key=len, reverse=True))
_FORMULA = re.compile(rf"(?<![A-Za-z])((?:(?:{_SYMBOLS})\d{{0,2}}){{2,}})(?![A-Za-z])")  # 2NaCl: a coefficient
_PART = re.compile(r"([A-Z][a-z]?)(\d{0,2})")
_HYPHEN_CODE = re.compile(r"(?<![A-Za-z0-9-])([A-CE-Z][A-Z]{0,2})-(\d+)(?!\d|[.,]\d|-\d)")


def read_generations(text: str) -> str:
    """2030세대 -> 이공삼공 세대, 4050 층 -> 사공오공 층 (an earlier decade, then a later one)."""
    def spoken(m: re.Match[str]) -> str:
        if int(m.group(1)) >= int(m.group(2)):
            return m.group(0)
        return space_before(m.string, m.start()) + read_digits(m.group(1) + m.group(2)) + " "
    return _GENERATION.sub(spoken, text)


def _name_digits(m: re.Match[str]) -> str:
    digits, word = m.groups()
    name = re.search(rf"[{HANGUL}]+$", m.string[max(0, m.start() - 40): m.start()])
    name_text = name.group(0) if name else ""
    if split_counter(word)[0] or name_text.endswith(NUMBER_PREFIXES) and name_text not in DIGIT_NAMES:
        return m.group(0)
    if len(digits) == 2 and not name_text.endswith(DIGIT_NAMES):
        return m.group(0)
    if len(digits) > 2 and len(name_text) < 2:
        return m.group(0)
    return " " + read_digits(digits, zero="공") + word


def read_name_digits(text: str) -> str:
    """코로나19 -> 코로나 일구, 응답하라1988을 -> 응답하라 일구팔팔을; 가격3000원, 약300명 stay numbers."""
    return _NAME_DIGITS.sub(_name_digits, text)


def _formula(m: re.Match[str]) -> str:
    token = m.group(1)
    parts = _PART.findall(token)
    symbols = [symbol for symbol, _ in parts]
    if (any(s not in ELEMENTS for s in symbols) or not any(len(s) == 2 for s in symbols)
            or len(set(symbols)) < 2):
        return token  # CoCo, LaLa, McDonald: not formulas
    out = []
    for symbol, count in parts:
        out.append("".join(LETTER_NAMES[c.upper()] for c in symbol))
        if count:
            out.append(ENGLISH_DIGITS[int(count)] if len(count) == 1 else sino(int(count)))
    return space_before(m.string, m.start()) + "".join(out)


def read_chemical_formulas(text: str) -> str:
    """NaCl -> 엔에이씨엘, NaOH -> 엔에이오에이치, CaCO3 -> 씨에이씨오쓰리 (needs a two-letter
    element symbol; capitals-only formulas such as H2O are codes)."""
    return _FORMULA.sub(_formula, text)


def read_hyphen_codes(text: str) -> str:
    """F-35 -> 에프 35, SR-71 -> 에스알 71: letters spelled, the number left to the number rules
    (D-3 is a countdown and K-팝 a prefix: not matched)."""
    return _HYPHEN_CODE.sub(lambda m: space_before(m.string, m.start())
                            + "".join(LETTER_NAMES[c] for c in m.group(1)) + " " + m.group(2), text)
