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
    ENGLISH_DIGITS,
    PARTICLES,
    NAMED_DAY_NOUNS,
    NAMED_DAYS,
    NUMBERED_NOUNS,
    PEOPLE_BUN,
    SINO_DIGITS,
    month_name,
    native,
    read_count,
    read_digits,
    read_fraction,
    sino,
    split_counter,
    with_particle,
)
from .units import CURRENCY, DOMAIN_WORDS, FRACTIONS, OPERATORS, POWERS, RATE_UNITS, UNITS

try:  # Hanja -> Hangul with 두음법칙 (the `hanja` package); without it Hanja is left as written
    import hanja as _hanja
except ImportError:  # pragma: no cover - the package is a declared dependency
    _hanja = None

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


_POWER = re.compile("([A-Za-z0-9)])([" + "".join(POWERS) + "])")
_VULGAR = re.compile(r"(\d*)\s?([" + "".join(FRACTIONS) + "])")


def read_powers(text: str) -> str:
    """Superscript powers, before NFKC folds them into digits: y³ -> y 세제곱, 10² -> 10 제곱."""
    return _POWER.sub(lambda m: f"{m.group(1)} {POWERS[m.group(2)]}", text)


def _vulgar(m: re.Match[str]) -> str:
    num, den = FRACTIONS[m.group(2)]
    spoken = read_fraction(num, den)
    if m.group(1):
        return _space_before(m.string, m.start()) + with_particle(sino(int(m.group(1))), "과", "와") + " " + spoken
    return _space_before(m.string, m.start()) + spoken


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


_HANJA_RUN = re.compile(f"[{HANJA}]+")


def read_hanja(text: str) -> str:
    """Standalone Hanja in Hangul, with 두음법칙 at the start of a word: 人生 -> 인생, 勞動 -> 노동."""
    if _hanja is None:
        return text
    return _HANJA_RUN.sub(lambda m: _space_before(m.string, m.start()) + _hanja.translate(m.group(0), "substitution"), text)


_WEEKDAYS = {"월": "월요일", "화": "화요일", "수": "수요일", "목": "목요일", "금": "금요일", "토": "토요일",
             "일": "일요일", "月": "월요일", "火": "화요일", "水": "수요일", "木": "목요일", "金": "금요일",
             "土": "토요일", "日": "일요일", "Mon": "월요일", "Tue": "화요일", "Wed": "수요일",
             "Thu": "목요일", "Fri": "금요일", "Sat": "토요일", "Sun": "일요일"}
_WEEKDAY = re.compile(r"(?<=[\d일.])\s?\((" + "|".join(_WEEKDAYS) + r")\)")


_COMPANY = {"(주)": "주식회사 ", "(사)": "사단법인 ", "(재)": "재단법인 ", "(유)": "유한회사 "}
_COMPANY_MARK = re.compile("|".join(re.escape(k) for k in _COMPANY))


def read_company_marks(text: str) -> str:
    """(주)한국 -> 주식회사 한국 (㈜ arrives here as (주) after NFKC)."""
    return _COMPANY_MARK.sub(lambda m: _space_before(m.string, m.start()) + _COMPANY[m.group(0)], text)


def read_weekdays(text: str) -> str:
    """A weekday in parentheses after a date: 5월 9일(금) -> 5월 9일 금요일."""
    return _WEEKDAY.sub(lambda m: " " + _WEEKDAYS[m.group(1)], text)


# Angle brackets around a title (<기생충>, ‹토지›); a lone < or > is math, not a bracket.
_TITLE_ANGLE = re.compile(r"<([^<>=\n]{1,80})>|‹([^‹›\n]{1,80})›|«([^«»\n]{1,80})»")


def read_title_brackets(text: str) -> str:
    """<기생충>을 -> 기생충을 (as 〈〉 are): an opening bracket becomes a space, the closing one goes."""
    return _TITLE_ANGLE.sub(lambda m: " " + (m.group(1) or m.group(2) or m.group(3)), text)


_QUOTED_STOP = re.compile(r"[.?!…]+(?=[\"'”’」』》〉)\]]*(?:라고|라는|라며|라면서|이라고|이라는|하고|하며|하는|하면서))")


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


# --- Latin script ---------------------------------------------------------------


def _bounded(word: str) -> str:
    """Regex for `word` not running into neighbouring Latin letters (or digits, at a digit edge)."""
    left = r"(?<![A-Za-z0-9])" if word[0].isdigit() else r"(?<![A-Za-z])"
    right = r"(?![A-Za-z0-9])" if word[-1].isdigit() else r"(?![A-Za-z])" if word[-1].isascii() else ""
    return left + re.escape(word) + right


_LEXICON = re.compile("|".join(_bounded(w) for w in sorted(LEXICON, key=len, reverse=True)))
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")
# A lone capital next to Hangul is a letter name: A형, X세대, B급, 앤 B.
_LONE_LETTER = re.compile(
    rf"(?<![A-Za-z])[A-Z](?![A-Za-z])(?:(?= ?[{HANGUL}])|(?<=[{HANGUL}] .)|(?<=[{HANGUL}].))"
)


_EMAIL = re.compile(r"(?<![A-Za-z0-9_.가-힣])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_URL = re.compile(r"(?:https?://|(?<![A-Za-z0-9_.가-힣])(?=www\.))([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?:[/?#][^\s<>\"'()가-힣]*)?"
                  r"|(?<![A-Za-z0-9_.가-힣])([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|net|org|kr|io|co|me|tv))(?![A-Za-z_])(?!\.\w)(?:/[^\s<>\"'()가-힣]*)?")


def _spoken_label(label: str) -> str:
    """One part of a domain or mailbox: a known word, else spelled with letter and digit names."""
    key = label.lower()
    if key in DOMAIN_WORDS:
        return DOMAIN_WORDS[key]
    for word, spoken in LEXICON.items():
        if word.lower() == key:
            return spoken
    if len(label) > 4 and label.isalpha() and re.search("[aeiouAEIOU]", label):
        return label  # a pronounceable word (example) is read as a word by the engine
    return "".join(LETTER_NAMES.get(c.upper(), "") or (SINO_DIGITS[int(c)] if c.isdigit() else " ") for c in label).strip()


def _domain(host: str) -> str:
    """naver.com -> 네이버 닷컴, korea.go.kr -> 코리아 닷 고 닷 케이알 (닷컴 and 닷넷 are one word)."""
    parts = [p for p in host.split(".") if p]
    out = _spoken_label(parts[0])
    for part in parts[1:]:
        out += (" 닷" if part.lower() in ("com", "net") else " 닷 ") + _spoken_label(part)
    return out


def read_urls(text: str) -> str:
    """Addresses as a narrator reads them: abc@naver.com -> 에이비씨 골뱅이 네이버 닷 컴;
    https://www.example.com/path -> 더블유더블유더블유 닷 ... (the scheme and the path are not read)."""
    text = _EMAIL.sub(lambda m: _space_before(m.string, m.start())
                      + " ".join(_spoken_label(p) for p in re.split(r"[._-]", m.group(1)) if p)
                      + " 골뱅이 " + _domain(m.group(2)), text)
    return _URL.sub(lambda m: _space_before(m.string, m.start()) + _domain(m.group(1) or m.group(2)), text)


def read_lexicon(text: str) -> str:
    """Built-in readings for loanwords and brands: ChatGPT -> 챗지피티, HER은 -> 허은."""
    return _LEXICON.sub(lambda m: LEXICON[m.group(0)], text)


def _spell(m: re.Match[str]) -> str:
    return "".join(LETTER_NAMES[c] for c in m.group(0))


# Latin letters mixed with digits: MP3, K2, H5N1, NO2, KF94. At least one capital and one digit.
_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*\d)[A-Za-z][A-Za-z0-9]*(?![A-Za-z0-9]|\.\d)")


def _code(m: re.Match[str]) -> str:
    out = []
    for part in re.findall(r"[A-Za-z]+|\d+", m.group(0)):
        if part.isdigit():
            # A single digit in a code is said in English (K2 케이투); longer runs are numbers (KF94).
            out.append(ENGLISH_DIGITS[int(part)] if len(part) == 1 else " " + sino(int(part)) + " ")
        elif part.isupper() or len(part) <= 2:
            out.append("".join(LETTER_NAMES[c.upper()] for c in part))
        else:
            out.append(" " + part + " ")
    return _space_before(m.string, m.start()) + " ".join("".join(out).split())


_BASEMENT = re.compile(r"(?<![A-Za-z0-9])B(\d{1,2})(?=\s?층)")


def read_codes(text: str) -> str:
    """Letter-and-digit codes: K2 -> 케이투, H5N1 -> 에이치파이브엔원, NO2 -> 엔오투, KF94 -> 케이에프 구십사;
    a basement floor is 지하: B1층 -> 지하 1층."""
    text = _BASEMENT.sub(lambda m: _space_before(m.string, m.start()) + "지하 " + m.group(1), text)
    return _CODE.sub(_code, text)


_HASHTAG = re.compile(rf"(?<![\w#])#(?=[{HANGUL}A-Za-z])")


def read_hashtags(text: str) -> str:
    """#여행 -> 해시태그 여행, as a narrator reads a tag; a # elsewhere stays silent."""
    return _HASHTAG.sub(lambda m: _space_before(m.string, m.start()) + "해시태그 ", text)


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

_UNIT_KEYS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_RATE_KEYS = "|".join(re.escape(u) for u in sorted(RATE_UNITS, key=len, reverse=True))
_CURRENCY_AMOUNT = re.compile(rf"([$₩€¥£])\s?({NUMBER}(?:[만억조천]{{1,2}})?)")
_DEGREES = re.compile(r"°C(?![A-Za-z])|℃|°")
_RATE = re.compile(rf"({NUMBER}[만천]?)\s?({_RATE_KEYS})(?![A-Za-z])")
# After a number, or after 만/억/천/조 written after one: 3만km, 5천mAh.
_UNIT_AFTER_NUMBER = re.compile(rf"(?<=[\d만억천조])\s?({_UNIT_KEYS})(?![A-Za-z0-9²³])")
_PERCENT_POINT = re.compile(r"%\s?[pP](?![A-Za-z])|%\s?포인트")
_BELOW_ZERO = re.compile(r"영하\s*-(?=\d)")


def read_units(text: str) -> str:
    """Unit signs become words the number rule can count with: 50% -> 50퍼센트, $5 -> 5달러,
    3%p -> 3퍼센트포인트, 100km/h -> 시속 100킬로미터, 84㎡ -> 84제곱미터, 2TB -> 2테라바이트."""
    text = _CURRENCY_AMOUNT.sub(lambda m: m.group(2) + CURRENCY[m.group(1)], text)
    text = _RATE.sub(lambda m: _space_before(m.string, m.start()) + f"{RATE_UNITS[m.group(2)][0]} "
                     f"{m.group(1)}{RATE_UNITS[m.group(2)][1]}", text)
    # 3만km -> 3만 킬로미터: after a place-value word the unit is its own word
    text = _UNIT_AFTER_NUMBER.sub(lambda m: ("" if m.string[m.start() - 1].isdigit() else " ") + UNITS[m.group(1)], text)
    # °C only as a whole: in °CNN the C belongs to the next word.
    text = _DEGREES.sub("도", text)
    text = _BELOW_ZERO.sub("영하 ", text)
    text = _PERCENT_POINT.sub("퍼센트포인트", text)
    return text.replace("%", "퍼센트")


# --- numbers in special shapes ------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(\d{2,3})-(\d{3,4})-(\d{4})(?!\d)")
# Four-four service numbers (1588-1234) and the short numbers read digit by digit (112, 119).
_SERVICE = re.compile(r"(?<![\d-])(15\d\d|16\d\d|18\d\d)-(\d{4})(?![\d-]|\s?년)")
_SHORT_NUMBER = re.compile(rf"(?<![\d.,])(112|119|114|1330|1366|1577|1588|1899|129|131|1339)(?![\d%]|[.,]\d)( ?[{HANGUL}]*)")
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


def _short_number(m: re.Match[str]) -> str:
    number, word = m.groups()
    if split_counter(word.strip())[0]:
        return m.group(0)  # 112명 is a count, not a phone number
    sep = "" if word.startswith(PARTICLES) or not word.strip() else " "
    return _space_before(m.string, m.start()) + read_digits(number) + sep + word.lstrip()


def read_service_numbers(text: str) -> str:
    """1588-1234 -> 일오팔팔 일이삼사, 112에 -> 일일이에, 119구급대 -> 일일구 구급대."""
    text = _SERVICE.sub(lambda m: _space_before(m.string, m.start())
                        + " ".join(read_digits(g) for g in m.groups()), text)
    return _SHORT_NUMBER.sub(_short_number, text)


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


_NAMED_DAY = re.compile(r"(?<![\d.])(" + "|".join(re.escape(k) for k in sorted(NAMED_DAYS, key=len, reverse=True))
                        + r")(?![\d])(?=\s?(?:" + "|".join(NAMED_DAY_NOUNS) + "))")


def read_named_days(text: str) -> str:
    """Days named by their date: 6.25 전쟁 -> 육이오 전쟁, 5.18 민주화운동 -> 오일팔 민주화운동, 3.1절 -> 삼일절."""
    return _NAMED_DAY.sub(lambda m: _space_before(m.string, m.start()) + NAMED_DAYS[m.group(1)], text)


# A version: two or more dots (4.2.1), or a number after a product name or before 버전.
_VERSION_NAMES = ("버전", "ver", "Ver", "v", "V", "맥오에스", "아이오에스", "안드로이드", "윈도우", "파이썬",
                  "리눅스", "우분투", "자바", "크롬", "아이패드오에스", "워치오에스", "업데이트", "펌웨어")
_VERSION = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+){2,})(?![\d.]*\d)"
    r"|(?<![A-Za-z])(" + "|".join(_VERSION_NAMES) + r")(\.? ?)(\d+\.\d+)(?![\d.]*\d)"
    r"|(?<![\d.])(\d+\.\d+)(?= ?버전)"
)


def _version(m: re.Match[str]) -> str:
    number = m.group(1) or m.group(4) or m.group(5)
    lead = m.group(2) + " " if m.group(2) else _space_before(m.string, m.start())
    return lead + " 점 ".join(sino(int(part)) for part in number.split("."))


def read_versions(text: str) -> str:
    """Version numbers are read part by part: 맥오에스 10.15 -> 맥오에스 십 점 십오, 4.2.1 -> 사 점 이 점 일."""
    return _VERSION.sub(_version, text)


# Hours:minutes:seconds is a duration (a race time), read with 시간.
_RACE_TIME = re.compile(r"(?<![\d:])(\d):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?![\d:])")
# A score written with a hyphen: 105-99로 이겼다, 2-1 승리.
_HYPHEN_SCORE = re.compile(rf"(?<![\d.-])(\d{{1,3}})-(\d{{1,3}})(?![\d-])(?=\s?(?:로|으로|승|패|스코어|완승|완패|역전|리드|무승부|동점|[{HANGUL}]*(?:이겼|졌|앞섰|뒤졌|비겼|끝났|마쳤)))")
# A written fraction: 3/4 -> 사분의 삼 (small denominators only, so 3/15 is no fraction).
_FRACTION = re.compile(r"(?<![\d/.])(\d{1,3})\s?/\s?(2|3|4|5|6|7|8|9|10|100|1000)(?![\d/])")


def read_race_times(text: str) -> str:
    """3:15:42 -> 세 시간 십오 분 사십이 초: one-digit hours with seconds are a race time;
    12:30:15 stays a clock time for read_times."""
    def spoken(m: re.Match[str]) -> str:
        h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if mi > 59 or se > 59:
            return m.group(0)
        parts = [native(h) + " 시간"] if h else []
        parts += [sino(mi) + " 분"] if mi else []
        sec = sino(se) + (" 점 " + read_digits(m.group(4), zero=SINO_DIGITS[0]) if m.group(4) else "")
        parts += [sec + " 초"] if se or m.group(4) else []
        return _space_before(m.string, m.start()) + " ".join(parts)
    return _RACE_TIME.sub(spoken, text)


# A season spanning two years: 2024-25 시즌 -> 이천이십사 이십오 시즌.
_SEASON = re.compile(r"(?<![\d.-])(\d{4})\s?[-–/~]\s?(\d{2})(?![\d-])(?=\s?시즌)")


def read_scores(text: str) -> str:
    """A hyphenated score before 로/승/이겼다 ...: 105-99로 -> 백오 대 구십구로; a season
    that spans two years is two numbers: 2024-25 시즌 -> 이천이십사 이십오 시즌."""
    text = _SEASON.sub(lambda m: _space_before(m.string, m.start())
                       + f"{sino(int(m.group(1)))} {sino(int(m.group(2)))}", text)
    return _HYPHEN_SCORE.sub(lambda m: _space_before(m.string, m.start())
                             + f"{sino(int(m.group(1)))} 대 {sino(int(m.group(2)))}", text)


def read_fractions(text: str) -> str:
    """3/4 -> 사분의 삼, 1/2 -> 이분의 일 (numerator smaller than the denominator)."""
    def spoken(m: re.Match[str]) -> str:
        num, den = int(m.group(1)), int(m.group(2))
        if not 0 < num < den:
            return m.group(0)
        return _space_before(m.string, m.start()) + read_fraction(num, den)
    return _FRACTION.sub(spoken, text)


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


# 장 is a chapter (삼 장), not sheets (세 장), when 부 or 절 is counted nearby: 2부 3장, 3장 2절.
_BOOK_PARTS = re.compile(r"\d\s?(?:부|절|권)(?![가-힣])|제\s?\d|\d\s?장\s?\d|책|저자|소설|본문|교재|논문|단원")


def _count(m: re.Match[str]) -> str:
    sign, number, word = m.groups()
    word = word or ""
    before, after = m.string[: m.start()], m.string[m.end():]
    sino_only = (
        bool(_JE_BEFORE.search(before))
        or (word == "번" and after.lstrip().startswith(NUMBERED_NOUNS))
        or (word.startswith("장") and bool(_BOOK_PARTS.search(m.string[max(0, m.start() - 20):m.end() + 20])))
        or (word == "대" and after[:2].strip()[:1].isdigit())  # 3대 1로: a score
    )
    if word.startswith("분") and not sign and (word + after).startswith(PEOPLE_BUN) and int(number.replace(",", "") or 0) < 100 and "." not in number:
        return _space_before(m.string, m.start()) + native(int(number.replace(",", ""))) + " " + word
    spoken = read_count((sign or "") + number, word, sino_only=sino_only)
    return _space_before(m.string, m.start()) + spoken


def read_numbers(text: str) -> str:
    """Every other number with the word glued to it: 2025년 -> 이천이십오 년, 3번째 -> 세 번째,
    제86회 -> 제 팔십육 회, 3.5배 -> 삼 점 오 배, 10만 -> 십만, 6월 -> 유월, -5 -> 마이너스 오."""
    return _COUNT.sub(_count, text)


# --- formulas ------------------------------------------------------------------------

_ROOT = re.compile(r"√\s?")
# A formula: something = something, or numbers and letters joined by × ÷ + -.
_FORMULA = re.compile(r"[=×÷±≠≤≥≈]")
# - is an operator only between two operands (5-3, 오 - 삼); a leading - is a sign.
_OPERATOR = re.compile(r"\s*([+×÷±≠≤≥≈])\s*")
_MINUS = re.compile(r"(?<=[0-9A-Za-z가-힣])\s*([-−])\s*(?=[0-9A-Za-z가-힣])")
_EQUALS = re.compile(r"\s*=\s*")
_LOWER_LETTER = re.compile(r"(?<![A-Za-z])[a-z]{1,2}(?![A-Za-z])")  # x, y, mc


def read_math(text: str) -> str:
    """Formulas: √3 -> 루트 삼, 2×3=6 -> 이 곱하기 삼은 육, x+y=5 -> 엑스 더하기 와이는 오.

    Runs after the numbers are read. + stays 플러스 and - a hyphen outside a formula
    (a text with =, ×, ÷ or a power in it)."""
    text = _ROOT.sub(lambda m: _space_before(m.string, m.start()) + "루트 ", text)
    if not (_FORMULA.search(text) or "제곱" in text or "루트" in text):
        return text
    text = _LOWER_LETTER.sub(lambda m: "".join(LETTER_NAMES[c.upper()] for c in m.group(0)), text)
    text = _EQUALS.sub(lambda m: _particle_before(m.string, m.start()) + " ", text)
    # silent marks (and comparisons, not read yet) go now, so they cannot hide a minus
    text = _SILENT.sub(" ", text)
    text = _OPERATOR.sub(lambda m: f" {OPERATORS[m.group(1)]} ", text)
    return _MINUS.sub(lambda m: f" {OPERATORS[m.group(1)]} ", text)  # after: 더하기 -3 is then binary


def _particle_before(text: str, i: int) -> str:
    """은 or 는 for the word ending at i: 육은, 이는; nothing when no word comes before."""
    if not text[:i].strip():
        return ""
    return with_particle(text[:i], "은", "는")[i:]


# --- punctuation ------------------------------------------------------------------

_PAUSE = re.compile(r"\s*(?:…|\.{2,}|[—―–]|-{2,}|[·・‧/]|[ㅡ\u1173]+|※)\s*")  # NFKC turns ㅡ into U+1173
_SILENT = re.compile(r"[~〜～*_#`|\\^<>=@]")


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
    read_vulgar_fractions,  # before NFKC, which turns 1¾ into 13⁄4
    read_powers,  # before NFKC, which turns y³ into y3
    unify_forms,
    remove_invisible,
    read_company_marks,
    read_weekdays,  # before glosses: 9일(金) is a weekday, not a gloss
    drop_glosses,
    read_hanja,
    read_title_brackets,
    silence_quoted_stops,  # needs the closing quotes unwrap_brackets removes
    unwrap_brackets,
    read_urls,
    read_units,  # before acronyms: 2GB is 기가바이트, not 지비
    read_lexicon,
    read_codes,
    spell_acronyms,
    read_hashtags,
    read_phone_numbers,
    read_service_numbers,
    read_dates,
    read_named_days,
    read_versions,
    read_race_times,
    read_times,
    read_scores,
    read_dotted_dates,
    read_fractions,
    read_ranges,
    read_numbers,
    read_math,  # after numbers: 2×3=6 is read from 이×삼=육
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
