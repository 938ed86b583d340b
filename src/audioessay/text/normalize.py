"""Turn one written Korean sentence into the text a TTS engine should speak.

Each rule is a small pure ``str -> str`` function; ``STEPS`` lists them in the
order they run and a caller may pass its own list. This module holds cleanup,
brackets, punctuation and the pipeline; the Latin/Hanja rules are in
``latin.py`` and the number rules in ``shapes.py``. Tables live in
``lexicon.py`` (loanwords, letter names), ``numbers.py`` (counters, named days)
and ``units.py`` (units, operators, domain words); the rule modules only hold the
matching.

Order matters: superscripts and ¾ before NFKC folds them into digits; weekdays
before glosses (9일(金) is a weekday); glosses before brackets (they need the
parentheses) and before Hanja; units before acronyms (2GB is 기가바이트, not 지비);
the lexicon before acronyms (HER is 허, not 에이치이알); every rule that reads
digits in a special shape (phones, dates, versions, scores, fractions) before
the generic number rule; formulas after it. After the steps no digit, bracket
or quote is left, so a second run changes nothing.

Addresses are read as a narrator would, not replaced: an e-mail address is
mailbox, 골뱅이, domain (abc@naver.com -> 에이비씨 골뱅이 네이버 닷컴); a URL is its
host only (https://www.youtube.com/watch?v=1 -> 더블유더블유더블유 닷 유튜브 닷컴): the
scheme, path and query are dropped. Known labels are words (naver, com, kr),
short or unpronounceable ones are spelled, longer Latin words are left to the
engine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from .codes import read_chemical_formulas, read_generations, read_hyphen_codes, read_name_digits
from .common import HANGUL, HANJA, SILENT, space_before
from .english import read_capital_words, read_english, read_mixed_forms
from .latin import (
    read_abbreviations,
    read_codes,
    read_hanja,
    read_hashtags,
    read_lexicon,
    read_urls,
    spell_acronyms,
    spell_letters,
)
from .numbers import read_fraction, sino, with_particle
from .shapes import (
    mark_equations,
    read_dates,
    read_dotted_dates,
    read_fractions,
    read_math,
    read_meridiem,
    read_named_days,
    read_numbers,
    read_phone_numbers,
    read_race_times,
    read_ranges,
    read_scores,
    read_service_numbers,
    read_times,
    read_units,
    read_versions,
)
from .roman import read_roman_numerals
from .scores import attach, read_colon_scores
from .symbols import read_bullets, read_greek, read_math_variables, read_unit_powers
from .units import FRACTIONS, POWERS


# --- cleanup ----------------------------------------------------------------

# Zero-width and joiner characters that some editors leave in text.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\ufe00-\ufe0f\u20e3]")
# Emoji and pictographs: an engine reads their names or stalls on them.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\U000e0000-\U000e007f]")


_POWER = re.compile("([A-Za-z0-9)])([" + "".join(POWERS) + "])([가-힣]*)")
# (?<!\d): a match starts where the digits do, so a long run of digits is read once, not once a digit.
_VULGAR = re.compile(r"(?<!\d)(\d*)\s?([" + "".join(FRACTIONS) + "])")


def read_powers(text: str) -> str:
    """Superscript powers, before NFKC folds them into digits: y³ -> y 세제곱, 10² -> 10 제곱."""
    # the particle after it fits the reading: πr²로 -> πr 제곱으로 (issue 26)
    return _POWER.sub(lambda m: f"{m.group(1)} " + attach(POWERS[m.group(2)], m.group(3)), text)


def _vulgar(m: re.Match[str]) -> str:
    num, den = FRACTIONS[m.group(2)]
    spoken = read_fraction(num, den)
    if m.group(1):
        return space_before(m.string, m.start()) + with_particle(sino(int(m.group(1))), "과", "와") + " " + spoken
    return space_before(m.string, m.start()) + spoken


def read_vulgar_fractions(text: str) -> str:
    """¾ -> 사분의 삼, 1¾ -> 일과 사분의 삼 (before NFKC turns 1¾ into 13⁄4)."""
    return _VULGAR.sub(_vulgar, text)


def unify_forms(text: str) -> str:
    """Fold compatibility forms (fullwidth digits, ㎞, ①) so later rules see one spelling."""
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").replace("\u2044", "/")


# Runs of bare letters are laughter or crying (ㅋㅋ, ㅠㅠ), not words; NFKC made them conjoining
# jamo. ㅡ is left alone: it is a dash (read_symbols).
_BARE_JAMO = re.compile("[\u1100-\u1172\u1174-\u11ff\u3131-\u3160\u3162-\u318e]{2,}")


def remove_invisible(text: str) -> str:
    """Drop zero-width characters, emoji, laughter letters (ㅋㅋ) and control characters;
    line breaks become spaces."""
    text = _BARE_JAMO.sub(" ", _EMOJI.sub("", _INVISIBLE.sub("", text)))
    return "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs", "Cn")
    )


# --- brackets and glosses -----------------------------------------------------

# A Hanja or Latin gloss in parentheses right after a Hangul word is for the
# reader only: 인생(人生), 인공지능(AI).
_GLOSS = re.compile(rf"(?<=[{HANGUL}])\s?\(\s*[{HANJA}A-Za-z][{HANJA}A-Za-z .,'&-]*\)")

_OPENING = "〈《「『“‘([{【〔«‹"
_CLOSING = "〉》」』”’)]}】〕»›"
# An apostrophe inside a Latin word (don't) is not a quote.
_APOSTROPHE = re.compile("(?<=[A-Za-z])['’](?=[A-Za-z])")


def drop_glosses(text: str) -> str:
    """인생(人生) -> 인생, 운영체제(OS) -> 운영체제; other parentheses are kept for now."""
    return _GLOSS.sub("", text)


_WEEKDAYS = {"월": "월요일", "화": "화요일", "수": "수요일", "목": "목요일", "금": "금요일", "토": "토요일",
             "일": "일요일", "月": "월요일", "火": "화요일", "水": "수요일", "木": "목요일", "金": "금요일",
             "土": "토요일", "日": "일요일", "Mon": "월요일", "Tue": "화요일", "Wed": "수요일",
             "Thu": "목요일", "Fri": "금요일", "Sat": "토요일", "Sun": "일요일"}
_WEEKDAY = re.compile(r"(?<=[\d일.])\s?\((" + "|".join(_WEEKDAYS) + r")\)")


_COMPANY = {"(주)": "주식회사 ", "(사)": "사단법인 ", "(재)": "재단법인 ", "(유)": "유한회사 "}
_COMPANY_MARK = re.compile("|".join(re.escape(k) for k in _COMPANY))


def read_company_marks(text: str) -> str:
    """(주)한국 -> 주식회사 한국 (㈜ arrives here as (주) after NFKC)."""
    return _COMPANY_MARK.sub(lambda m: space_before(m.string, m.start()) + _COMPANY[m.group(0)], text)


def read_weekdays(text: str) -> str:
    """A weekday in parentheses after a date: 5월 9일(금) -> 5월 9일 금요일."""
    return _WEEKDAY.sub(lambda m: " " + _WEEKDAYS[m.group(1)], text)


# Angle brackets around a title (<기생충>, ‹토지›); a lone < or > is math, not a bracket.
_TITLE_ANGLE = re.compile(r"<([^<>=\n]{1,80})>|‹([^‹›\n]{1,80})›|«([^«»\n]{1,80})»")


def read_title_brackets(text: str) -> str:
    """<기생충>을 -> 기생충을 (as 〈〉 are): an opening bracket becomes a space, the closing one goes."""
    return _TITLE_ANGLE.sub(lambda m: " " + (m.group(1) or m.group(2) or m.group(3)), text)


_QUOTED_STOP = re.compile(r"(?<![.?!…])[.?!…]+(?=[\"'”’」』》〉)\]]*(?:라고|라는|라며|라면서|이라고|이라는|하고|하며|하는|하면서))")


def silence_quoted_stops(text: str) -> str:
    """Punctuation before a quoting particle is not voiced: 올게.라고 -> 올게라고, 되는가?’라는 -> 되는가’라는."""
    return _QUOTED_STOP.sub("", text)


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


# --- punctuation ------------------------------------------------------------------

_PAUSE = re.compile(r"\s*(?:…|\.{2,}|[—―–]|-{2,}|[·・‧/]|[ㅡ\u1173]+|※|[→←↔⇒]|(?<![^\s,])[-•▪◦](?![^\s,]))\s*")  # NFKC turns ㅡ into U+1173


_SPACES = re.compile(r"\s{2,}")


def read_symbols(text: str) -> str:
    """Symbols between words: · / … — ㅡ ※ and a lone - or • become a comma pause, & is 앤,
    + is 플러스, ~ is dropped."""
    # silent marks and words first: ~- and -+ leave a lone - for the pause rule
    text = SILENT.sub(" ", text).replace("&", " 앤 ").replace("+", " 플러스 ")
    # One space for many (tidy would make it so anyway): _PAUSE's \s* then never rescans a long run.
    text = _SPACES.sub(" ", text)
    previous = None
    while text != previous:  # each pass removes marks; /- leaves a lone - for the next pass
        previous, text = text, _PAUSE.sub(", ", text)
    return text


_TIDY = (
    (re.compile(r"\s+"), " "),
    (re.compile(r" (?=[,.?!:;])"), ""),  # no space before punctuation
    (re.compile(r"\.{2,}"), "."),  # ". ." closed up is one stop, not an ellipsis
    (re.compile(r",(?=[,.?!:;])"), ""),  # a pause before a stop is just the stop
    (re.compile(r"(?<=[.?!:;]),(?= |$)"), ""),
    (re.compile(r"(?<=[.?!:;]),"), " "),  # www.,a: the stop stays apart from what follows (no new host name)
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
    read_roman_numerals,  # before NFKC, which turns Ⅱ into II
    read_vulgar_fractions,  # before NFKC, which turns 1¾ into 13⁄4
    read_unit_powers,  # before read_powers: 30m² is 30제곱미터, not 30미터 제곱
    read_powers,  # before NFKC, which turns y³ into y3
    unify_forms,
    read_bullets,  # while line breaks still mark a line start
    remove_invisible,
    read_company_marks,
    read_weekdays,  # before glosses: 9일(金) is a weekday, not a gloss
    drop_glosses,
    read_hanja,
    read_title_brackets,
    silence_quoted_stops,  # needs the closing quotes unwrap_brackets removes
    unwrap_brackets,
    read_urls,
    read_abbreviations,  # before units: p.23 is 23쪽, not 23 and a p
    read_units,  # before acronyms: 2GB is 기가바이트, not 지비
    read_meridiem,  # before acronyms: PM is 오후, not 피엠
    read_chemical_formulas,  # NaCl before the lexicon and the acronyms see its letters
    read_lexicon,
    read_codes,
    read_hyphen_codes,
    read_mixed_forms,  # K-팝, D-7, 1+1 행사: before acronyms and numbers
    read_capital_words,  # before acronyms: NETFLIX is 넷플릭스, KBS stays for spelling
    spell_acronyms,
    read_hashtags,
    read_generations,  # 2030세대 before any digit is read as a quantity
    read_name_digits,  # 코로나19
    read_greek,
    mark_equations,  # before any digit is read: 2=2 is an equation, 사진=연합 is not
    read_phone_numbers,
    read_service_numbers,
    read_dates,
    read_named_days,
    read_versions,
    read_race_times,
    read_colon_scores,  # before read_times: 3:10으로 졌다 is a score
    read_times,
    read_scores,
    read_dotted_dates,
    read_fractions,
    read_ranges,
    read_math_variables,  # before numbers: -3일 때 is 마이너스 삼일 때, not a day
    read_numbers,
    read_math,  # after numbers: 2×3=6 is read from 이×삼=육
    read_symbols,
    read_english,  # after every rule that makes Hangul: the Beatles의 -> 더 비틀스의, e메일 -> 이메일
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
    if steps is None:
        return _built_in(text)
    for step in steps:
        text = step(text)
    return text


@lru_cache(maxsize=8192)
def _built_in(text: str) -> str:
    """The built-in rules, remembered: planning asks for the same pieces again while it
    looks for where to cut a long sentence, and every render plans the whole script."""
    for step in STEPS:
        text = step(text)
    return text
