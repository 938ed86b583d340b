"""Turn one written Korean sentence into the text a TTS engine should speak.

Each rule is a small pure ``str -> str`` function; ``STEPS`` lists them in the
order they run and a caller may pass its own list. Tables live in
``lexicon.py`` and ``numbers.py``; this module only holds the matching.

Order matters: glosses go before brackets (they need the parentheses), the
lexicon before acronyms (HER is 허, not 에이치이알), units before numbers
(50% -> 50퍼센트 -> 오십 퍼센트), and every rule that reads digits before the
generic number rule. After the steps no digit, bracket or quote is left, so a
second run changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from .lexicon import LETTER_NAMES, LEXICON
from .numbers import (
    NUMBERED_NOUNS,
    SINO_DIGITS,
    month_name,
    native,
    read_count,
    read_digits,
    sino,
    split_counter,
)

HANGUL = "가-힣"
HANJA = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A written number: digits with optional thousands commas and decimal part.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"


def _space_before(text: str, start: int) -> str:
    """A space if the reading inserted at `start` would otherwise glue onto a Hangul word."""
    return " " if start > 0 and "가" <= text[start - 1] <= "힣" else ""


# --- cleanup ----------------------------------------------------------------

# Zero-width and joiner characters that some editors leave in text.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\ufe00-\ufe0f\u20e3]")
# Emoji and pictographs: an engine reads their names or stalls on them.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\U000e0000-\U000e007f]")


def unify_forms(text: str) -> str:
    """Fold compatibility forms (fullwidth digits, ㎞, ①) so later rules see one spelling."""
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-")


def remove_invisible(text: str) -> str:
    """Drop zero-width characters, emoji and control characters; line breaks become spaces."""
    text = _EMOJI.sub("", _INVISIBLE.sub("", text))
    return "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs", "Cn")
    )


# --- brackets and glosses -----------------------------------------------------

# A Hanja or Latin gloss in parentheses right after a Hangul word is for the
# reader only: 인생(人生), 인공지능(AI).
_GLOSS = re.compile(rf"(?<=[{HANGUL}])\s?\(\s*[{HANJA}A-Za-z][{HANJA}A-Za-z .,'&-]*\)")

_OPENING = "〈《「『“‘([{【〔"
_CLOSING = "〉》」』”’)]}】〕"
# An apostrophe inside a Latin word (don't) is not a quote.
_APOSTROPHE = re.compile("(?<=[A-Za-z])['’](?=[A-Za-z])")


def drop_glosses(text: str) -> str:
    """인생(人生) -> 인생, 운영체제(OS) -> 운영체제; other parentheses are kept for now."""
    return _GLOSS.sub("", text)


def unwrap_brackets(text: str) -> str:
    """Remove brackets and quotes but keep what they enclose (〈HER〉은 -> HER은).

    An opening mark becomes a space so 영화〈HER〉 keeps two words; a closing mark
    just goes, so the particle after it stays attached. Straight quotes open
    and close in turn.
    """
    text = _APOSTROPHE.sub("", text)
    out = []
    open_quote = {'"': False, "'": False}
    for c in text:
        if c in _OPENING:
            out.append(" ")
        elif c in _CLOSING:
            continue
        elif c in open_quote:
            out.append("" if open_quote[c] else " ")
            open_quote[c] = not open_quote[c]
        else:
            out.append(c)
    return "".join(out)


# --- Latin script ---------------------------------------------------------------


def _bounded(word: str) -> str:
    """Regex for `word` not running into neighbouring Latin letters (or digits, at a digit edge)."""
    left = r"(?<![A-Za-z0-9])" if word[0].isdigit() else r"(?<![A-Za-z])"
    right = r"(?![A-Za-z0-9])" if word[-1].isdigit() else r"(?![A-Za-z])"
    return left + re.escape(word) + right


_LEXICON = re.compile("|".join(_bounded(w) for w in sorted(LEXICON, key=len, reverse=True)))
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")
# A lone capital next to Hangul is a letter name: A형, X세대, B급, 앤 B.
_LONE_LETTER = re.compile(
    rf"(?<![A-Za-z])[A-Z](?![A-Za-z])(?:(?= ?[{HANGUL}])|(?<=[{HANGUL}] .)|(?<=[{HANGUL}].))"
)


def read_lexicon(text: str) -> str:
    """Built-in readings for loanwords and brands: ChatGPT -> 챗지피티, HER은 -> 허은."""
    return _LEXICON.sub(lambda m: LEXICON[m.group(0)], text)


def _spell(m: re.Match[str]) -> str:
    return "".join(LETTER_NAMES[c] for c in m.group(0))


def spell_acronyms(text: str) -> str:
    """All-capital words are spelled with Korean letter names: CGV에서 -> 씨지브이에서."""
    return _ACRONYM.sub(_spell, text)


def spell_letters(text: str) -> str:
    """A single capital beside Hangul is a letter name: A형 -> 에이형, 앤 B -> 앤 비.

    Repeated until stable: each spelled letter is new Hangul beside the next (A B C형).
    """
    previous = None
    while text != previous:
        previous, text = text, _LONE_LETTER.sub(_spell, text)
    return text


# --- units and symbols next to numbers --------------------------------------------

_CURRENCY = {"$": "달러", "₩": "원", "€": "유로", "¥": "엔", "£": "파운드"}
_METRIC = {
    "km": "킬로미터", "cm": "센티미터", "mm": "밀리미터", "m": "미터",
    "kg": "킬로그램", "mg": "밀리그램", "g": "그램", "ml": "밀리리터", "L": "리터",
}
_CURRENCY_AMOUNT = re.compile(rf"([$₩€¥£])\s?({NUMBER})")
_DEGREES = re.compile(r"°C(?![A-Za-z])|℃|°")
_METRIC_AFTER_NUMBER = re.compile(
    r"(?<=\d)\s?(" + "|".join(sorted(_METRIC, key=len, reverse=True)) + r")(?![A-Za-z])"
)


def read_units(text: str) -> str:
    """Unit signs become words the number rule can count with: 50% -> 50퍼센트, $5 -> 5달러."""
    text = _CURRENCY_AMOUNT.sub(lambda m: m.group(2) + _CURRENCY[m.group(1)], text)
    text = _METRIC_AFTER_NUMBER.sub(lambda m: _METRIC[m.group(1)], text)
    # °C only as a whole: in °CNN the C belongs to the next word.
    text = _DEGREES.sub("도", text)
    return text.replace("%", "퍼센트")


# --- numbers in special shapes ------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(\d{2,3})-(\d{3,4})-(\d{4})(?!\d)")
_DATE = re.compile(r"(?<![\d.])(\d{4})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{1,2})(?![\d])(?:\.(?!\d))?")
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_RATIO = re.compile(r"(?<![\d:])(\d+):(\d+)(?![\d:])")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})[·・‧](\d{1,2})(?![\d])")
_RANGE = re.compile(
    rf"(?<![\d.])((?:(?<![0-9A-Za-z{HANGUL}])-)?{NUMBER})\s*([~〜～–-])\s*(-?{NUMBER})(?: ?([{HANGUL}]+))?"
)


def read_phone_numbers(text: str) -> str:
    """010-1234-5678 -> 공일공 일이삼사 오육칠팔, digit by digit."""
    return _PHONE.sub(
        lambda m: _space_before(m.string, m.start()) + " ".join(read_digits(g) for g in m.groups()),
        text,
    )


def _date(m: re.Match[str]) -> str:
    year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return _space_before(m.string, m.start()) + f"{sino(year)} 년 {month_name(month)} {sino(day)} 일"


def read_dates(text: str) -> str:
    """2025.5.1, 2025-05-01, 2025. 5. 1. -> 이천이십오 년 오월 일 일."""
    return _DATE.sub(_date, text)


def _time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3)) if m.group(3) else 0
    if hour > 24 or minute > 59 or second > 59:
        return m.group(0)
    parts = [(native(hour) if hour else sino(hour)) + " 시"]
    if minute:
        parts.append(sino(minute) + " 분")
    if second:
        parts.append(sino(second) + " 초")
    return _space_before(m.string, m.start()) + " ".join(parts)


def read_times(text: str) -> str:
    """12:30 -> 열두 시 삼십 분; a pair that is no time is a score: 3:72 -> 삼 대 칠십이."""
    text = _TIME.sub(_time, text)
    return _RATIO.sub(
        lambda m: _space_before(m.string, m.start())
        + f"{read_count(m.group(1))} 대 {read_count(m.group(2))}",
        text,
    )


def read_dotted_dates(text: str) -> str:
    """Historical dates joined by a middle dot are read digit by digit: 3·1절 -> 삼일절, 6·25 -> 육이오."""
    return _DOTTED.sub(
        lambda m: _space_before(m.string, m.start())
        + read_digits(m.group(1) + m.group(2), zero=SINO_DIGITS[0]),
        text,
    )


def _range(m: re.Match[str]) -> str:
    first, dash, last, word = m.groups()
    counter, _ = split_counter(word or "")
    if dash == "-" and not counter:
        return m.group(0)  # a hyphen is a range only with a unit after it: 3-5명
    # The counter is written once but said twice: 3~5명 -> 세 명에서 다섯 명.
    head = read_count(first, counter)
    tail = read_count(last, word or "")
    return _space_before(m.string, m.start()) + f"{head}에서 {tail}"


def read_ranges(text: str) -> str:
    """3~5명 -> 세 명에서 다섯 명, 1990~2000년 -> 천구백구십 년에서 이천 년, 3-5명 too."""
    return _RANGE.sub(_range, text)


# --- numbers in general -------------------------------------------------------------

# A minus sign only where it cannot be a hyphen (start of a word).
_COUNT = re.compile(rf"((?<![0-9A-Za-z{HANGUL}])-)?({NUMBER})(?: ?([{HANGUL}]+))?")
# 제 as a word of its own makes the number an ordinal read in sino: 제3장.
_JE_BEFORE = re.compile(rf"(?:^|[^{HANGUL}])제 ?$")


def _count(m: re.Match[str]) -> str:
    sign, number, word = m.groups()
    sino_only = bool(_JE_BEFORE.search(m.string[: m.start()])) or (
        word == "번" and m.string[m.end():].lstrip().startswith(NUMBERED_NOUNS))
    spoken = read_count((sign or "") + number, word or "", sino_only=sino_only)
    return _space_before(m.string, m.start()) + spoken


def read_numbers(text: str) -> str:
    """Every other number with the word glued to it: 2025년 -> 이천이십오 년, 3번째 -> 세 번째,
    제86회 -> 제 팔십육 회, 3.5배 -> 삼 점 오 배, 10만 -> 십만, 6월 -> 유월, -5 -> 마이너스 오."""
    return _COUNT.sub(_count, text)


# --- punctuation ------------------------------------------------------------------

_PAUSE = re.compile(r"\s*(?:…|\.{2,}|[—―–]|-{2,}|[·・‧/])\s*")
_SILENT = re.compile(r"[~〜～*_#`|\\^]")


def read_symbols(text: str) -> str:
    """Symbols between words: · / … — become a comma pause, & is 앤, + is 플러스, ~ is dropped."""
    text = _PAUSE.sub(", ", text)
    text = text.replace("&", " 앤 ").replace("+", " 플러스 ")
    return _SILENT.sub(" ", text)


_TIDY = (
    (re.compile(r"\s+"), " "),
    (re.compile(r" (?=[,.?!:;])"), ""),  # no space before punctuation
    (re.compile(r"\.{2,}"), "."),  # ". ." closed up is one stop, not an ellipsis
    (re.compile(r",(?=[,.?!:;])"), ""),  # a pause before a stop is just the stop
    (re.compile(r"(?<=[.?!:;]),"), ""),
    (re.compile(r",(?=[^ ])"), ", "),  # a pause is followed by a space
    (re.compile(r"^[ ,]+|[ ,]+$"), ""),
)


def tidy(text: str) -> str:
    """Collapse whitespace and stray commas; keep the punctuation that shapes intonation."""
    previous = None
    while text != previous:
        previous = text
        for pattern, repl in _TIDY:
            text = pattern.sub(repl, text)
    return text


STEPS: list[Callable[[str], str]] = [
    unify_forms,
    remove_invisible,
    drop_glosses,
    unwrap_brackets,
    read_lexicon,
    spell_acronyms,
    read_units,
    read_phone_numbers,
    read_dates,
    read_times,
    read_dotted_dates,
    read_ranges,
    read_numbers,
    read_symbols,
    tidy,
    spell_letters,  # after tidy: it looks at single spaces next to Hangul
]


# --- user lexicon and entry point ------------------------------------------------


def apply_pronounce(text: str, pronounce: Mapping[str, str]) -> tuple[str, set[str]]:
    """Replace user lexicon entries (written -> spoken), longest key first, in one pass.

    Returns the new text and the keys that matched, so the caller can warn
    about entries that never match anything.
    """
    keys = sorted((k for k in pronounce if k), key=len, reverse=True)
    if not keys:
        return text, set()
    used: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        used.add(m.group(0))
        return pronounce[m.group(0)]

    pattern = re.compile("|".join(re.escape(k) for k in keys))
    return pattern.sub(replace, text), used


def normalize(
    text: str,
    pronounce: Mapping[str, str] | None = None,
    steps: Sequence[Callable[[str], str]] | None = None,
) -> str:
    """Written sentence -> spoken sentence.

    `pronounce` (user lexicon, written -> spoken) is applied first, longest key
    first, before the built-in rules; `steps` replaces ``STEPS``.
    """
    if pronounce:
        text, _ = apply_pronounce(text, pronounce)
    for step in STEPS if steps is None else steps:
        text = step(text)
    return text
