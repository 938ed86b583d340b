"""Numbers in Korean text: units, counted numbers, formulas, and shapes such as dates and phones.

The shapes: phone numbers, dates, times, scores, versions, fractions.

Rules only; the readings live in ``numbers.py`` and ``units.py``. Each rule is a
pure ``str -> str`` step used by ``normalize.STEPS``.
"""

from __future__ import annotations

import re

from .common import HANGUL, NUMBER, SILENT, space_before
from .counters import choose as choose_counter
from .lexicon import LETTER_NAMES
from .numbers import (
    NAMED_DAY_NOUNS,
    NAMED_DAYS,
    NUMBERED_NOUNS,
    PARTICLES,
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
from .units import CURRENCY, OPERATORS, RATE_UNITS, UNITS


# --- units and symbols next to numbers --------------------------------------------

_UNIT_KEYS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_RATE_KEYS = "|".join(re.escape(u) for u in sorted(RATE_UNITS, key=len, reverse=True))
_CURRENCY_AMOUNT = re.compile(rf"(US\$|[$₩€¥£])\s?({NUMBER}(?:[만억조천]{{1,2}})?)")
_DEGREES = re.compile(r"°C(?![A-Za-z])|℃|°")
_RATE = re.compile(rf"({NUMBER}[만천]?)\s?({_RATE_KEYS})(?![A-Za-z])")
# After a number, or after 만/억/천/조 written after one: 3만km, 5천mAh.
_UNIT_AFTER_NUMBER = re.compile(rf"(?<=[\d만억천조])\s?({_UNIT_KEYS})(?![A-Za-z0-9²³])")
_PERCENT_POINT = re.compile(r"%\s?[pP](?![A-Za-z])|%\s?포인트")
_BELOW_ZERO = re.compile(r"영하\s*-(?=\d)")


def _read_rate(m: re.Match) -> str:
    """100km/h -> 시속 100킬로미터; the writer's own 시속 (시속 100km/h) is not doubled."""
    before, after = RATE_UNITS[m.group(2)]
    if m.string[:m.start()].rstrip().endswith(before):
        return f"{m.group(1)}{after}"
    return space_before(m.string, m.start()) + f"{before} {m.group(1)}{after}"


def read_units(text: str) -> str:
    """Unit signs become words the number rule can count with: 50% -> 50퍼센트, $5 -> 5달러,
    3%p -> 3퍼센트포인트, 100km/h -> 시속 100킬로미터, 84㎡ -> 84제곱미터, 2TB -> 2테라바이트."""
    text = _CURRENCY_AMOUNT.sub(lambda m: m.group(2) + CURRENCY[m.group(1)], text)
    text = _RATE.sub(_read_rate, text)
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
# A ratio may have thousands commas and decimals: 1,500:1 (경쟁률), 1:1.2 (물과 쌀).
_RATIO = re.compile(r"(?<![\d:.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?):(\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:\.\d+)?)(?![\d:])")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})[·・‧](\d{1,2})(?![\d])")
_RANGE = re.compile(
    rf"(?<![\d.])((?:(?<![0-9A-Za-z{HANGUL}])-)?{NUMBER})\s*([~〜～–-])\s*(-?{NUMBER})(?: ?([{HANGUL}]+))?"
)


# AM/PM written next to a clock time: 2:30 PM -> 오후 2:30.
_MERIDIEM = {"AM": "오전", "am": "오전", "a.m.": "오전", "A.M.": "오전",
             "PM": "오후", "pm": "오후", "p.m.": "오후", "P.M.": "오후"}
_MERIDIEM_KEYS = "|".join(re.escape(k) for k in _MERIDIEM)
_TIME_THEN_MERIDIEM = re.compile(rf"(\d{{1,2}}(?::\d{{2}})?)\s?({_MERIDIEM_KEYS})(?![A-Za-z])")
_MERIDIEM_THEN_TIME = re.compile(rf"(?<![A-Za-z])({_MERIDIEM_KEYS})\s?(\d{{1,2}}:\d{{2}})")


def read_meridiem(text: str) -> str:
    """AM/PM become 오전/오후 before the time: 2:30 PM -> 오후 2:30, AM 10:00 -> 오전 10:00."""
    text = _TIME_THEN_MERIDIEM.sub(lambda m: space_before(m.string, m.start())
                                   + f"{_MERIDIEM[m.group(2)]} {m.group(1)}"
                                   + ("" if ":" in m.group(1) else "시"), text)  # 3pm -> 오후 3시
    return _MERIDIEM_THEN_TIME.sub(lambda m: f"{_MERIDIEM[m.group(1)]} {m.group(2)}", text)


def read_phone_numbers(text: str) -> str:
    """010-1234-5678 -> 공일공 일이삼사 오육칠팔, digit by digit."""
    return _PHONE.sub(
        lambda m: space_before(m.string, m.start()) + " ".join(read_digits(g) for g in m.groups()),
        text,
    )


def _short_number(m: re.Match[str]) -> str:
    number, word = m.groups()
    if split_counter(word.strip())[0]:
        return m.group(0)  # 112명 is a count, not a phone number
    sep = "" if word.startswith(PARTICLES) or not word.strip() else " "
    return space_before(m.string, m.start()) + read_digits(number) + sep + word.lstrip()


def read_service_numbers(text: str) -> str:
    """1588-1234 -> 일오팔팔 일이삼사, 112에 -> 일일이에, 119구급대 -> 일일구 구급대."""
    text = _SERVICE.sub(lambda m: space_before(m.string, m.start())
                        + " ".join(read_digits(g) for g in m.groups()), text)
    return _SHORT_NUMBER.sub(_short_number, text)


def _date(m: re.Match[str]) -> str:
    year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return space_before(m.string, m.start()) + f"{sino(year)} 년 {month_name(month)} {sino(day)} 일"


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
    return space_before(m.string, m.start()) + " ".join(parts)


def read_times(text: str) -> str:
    """12:30 -> 열두 시 삼십 분; a pair that is no time is a score: 3:72 -> 삼 대 칠십이."""
    text = _TIME.sub(_time, text)
    return _RATIO.sub(
        lambda m: space_before(m.string, m.start())
        + f"{read_count(m.group(1))} 대 {read_count(m.group(2))}",
        text,
    )


_NAMED_DAY = re.compile(r"(?<![\d.])(" + "|".join(re.escape(k) for k in sorted(NAMED_DAYS, key=len, reverse=True))
                        + r")(?![\d])(?=\s?(?:" + "|".join(NAMED_DAY_NOUNS) + "))")


def read_named_days(text: str) -> str:
    """Days named by their date: 6.25 전쟁 -> 육이오 전쟁, 5.18 민주화운동 -> 오일팔 민주화운동, 3.1절 -> 삼일절."""
    return _NAMED_DAY.sub(lambda m: space_before(m.string, m.start()) + NAMED_DAYS[m.group(1)], text)


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
    name = {"v": "버전", "V": "버전", "ver": "버전", "Ver": "버전"}.get(m.group(2), m.group(2))
    lead = name + " " if name else space_before(m.string, m.start())
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
        return space_before(m.string, m.start()) + " ".join(parts)
    return _RACE_TIME.sub(spoken, text)


# A season spanning two years: 2024-25 시즌 -> 이천이십사 이십오 시즌.
_SEASON = re.compile(r"(?<![\d.-])(\d{4})\s?[-–/~]\s?(\d{2})(?![\d-])(?=\s?시즌)")


def read_scores(text: str) -> str:
    """A hyphenated score before 로/승/이겼다 ...: 105-99로 -> 백오 대 구십구로; a season
    that spans two years is two numbers: 2024-25 시즌 -> 이천이십사 이십오 시즌."""
    text = _SEASON.sub(lambda m: space_before(m.string, m.start())
                       + f"{sino(int(m.group(1)))} {sino(int(m.group(2)))}", text)
    return _HYPHEN_SCORE.sub(lambda m: space_before(m.string, m.start())
                             + f"{sino(int(m.group(1)))} 대 {sino(int(m.group(2)))}", text)


def read_fractions(text: str) -> str:
    """3/4 -> 사분의 삼, 1/2 -> 이분의 일 (numerator smaller than the denominator); 3/4분기 -> 삼사분기."""
    def spoken(m: re.Match[str]) -> str:
        num, den = int(m.group(1)), int(m.group(2))
        if den == 4 and 0 < num <= 4 and m.string.startswith("분기", m.end()):
            return space_before(m.string, m.start()) + SINO_DIGITS[num] + SINO_DIGITS[den]  # 3/4분기 -> 삼사분기
        if not 0 < num < den:
            return m.group(0)
        return space_before(m.string, m.start()) + read_fraction(num, den)
    return _FRACTION.sub(spoken, text)


def read_dotted_dates(text: str) -> str:
    """Historical dates joined by a middle dot are read digit by digit: 3·1절 -> 삼일절, 6·25 -> 육이오."""
    return _DOTTED.sub(
        lambda m: space_before(m.string, m.start())
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
    return space_before(m.string, m.start()) + f"{head}에서 {tail}"


# A tilde after a counted number whose other end is written in full: 9시~오후 6시, 1일~5일.
_OPEN_RANGE = re.compile(rf"(?:(?<=\d)([{HANGUL}]+)|(?<= )([시분초]))\s*[~〜～]\s*(?=[\d{HANGUL}])")


def read_ranges(text: str) -> str:
    """3~5명 -> 세 명에서 다섯 명, 1990~2000년 -> 천구백구십 년에서 이천 년, 3-5명 too;
    9시~오후 6시 -> 9시에서 오후 6시, and after a time already read: 열 시 삼십 분~ -> 분에서."""
    text = _RANGE.sub(_range, text)
    return _OPEN_RANGE.sub(lambda m: (m.group(1) or m.group(2)) + "에서 ", text)


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
    # a window, not the whole text: a copy per number made long runs of numbers quadratic
    before, after = m.string[max(0, m.start() - 40): m.start()], m.string[m.end(): m.end() + 40]
    sino_only = (
        bool(_JE_BEFORE.search(before))
        or (word == "번" and after.lstrip().startswith(NUMBERED_NOUNS))
        or (word.startswith("장") and bool(_BOOK_PARTS.search(m.string[max(0, m.start() - 20):m.end() + 20])))
        or (word == "대" and after[:2].strip()[:1].isdigit())  # 3대 1로: a score
    )
    sense = None if sign or "." in number or sino_only else choose_counter(number, word, before, after)
    if sense == "native" and word.startswith(("분", "편", "장")):
        return space_before(m.string, m.start()) + native(int(number.replace(",", ""))) + " " + word
    if sense == "sino":
        sino_only = True
    if word.startswith("분") and not sign and (word + after).startswith(PEOPLE_BUN) and int(number.replace(",", "") or 0) < 100 and "." not in number:
        return space_before(m.string, m.start()) + native(int(number.replace(",", ""))) + " " + word
    spoken = read_count((sign or "") + number, word, sino_only=sino_only)
    return space_before(m.string, m.start()) + spoken


def read_numbers(text: str) -> str:
    """Every other number with the word glued to it: 2025년 -> 이천이십오 년, 3번째 -> 세 번째,
    제86회 -> 제 팔십육 회, 3.5배 -> 삼 점 오 배, 10만 -> 십만, 6월 -> 유월, -5 -> 마이너스 오."""
    return _COUNT.sub(_count, text)


# --- formulas ------------------------------------------------------------------------

_ROOT = re.compile(r"√\s?")
# A formula: something = something, or numbers and letters joined by × ÷ + -.
# A formula: an operator, a power, a root, or an equation sign marked by mark_equations.
_FORMULA = re.compile(r"[×÷±≠≤≥≈＝]|제곱|루트")
# = with a digit, a Latin letter, ) or a power next to it is math (x=5, 2×3=6); between
# words it is a news credit (사진=연합뉴스) and stays a silent mark.
_EQUATION = re.compile(r"(?<=[A-Za-z0-9)²³])\s?=|=(?=\s?[A-Za-z0-9(√-])")
EQUATION_SIGN = "＝"  # fullwidth: NFKC has already run, so it survives until read_math


def mark_equations(text: str) -> str:
    """Mark the = of an equation while its digits are still digits: 1+1=2 -> 1+1＝2."""
    return _EQUATION.sub(EQUATION_SIGN, text)


_OPERATOR = re.compile(r"\s*([+×÷±≠≤≥≈])\s*")
_MINUS = re.compile(r"(?<=[0-9A-Za-z가-힣])\s*([-−])\s*(?=[0-9A-Za-z가-힣])")
_EQUALS = re.compile(r"\s*＝\s*")
_LOWER_LETTER = re.compile(r"(?<![A-Za-z])[a-z]{1,2}(?![A-Za-z])")  # x, y, mc


def read_math(text: str) -> str:
    """Formulas: √3 -> 루트 삼, 2×3=6 -> 이 곱하기 삼은 육, x+y=5 -> 엑스 더하기 와이는 오.

    Runs after the numbers are read. + stays 플러스 and - a hyphen outside a formula
    (a text with an equation sign marked by mark_equations, ×, ÷, a power or a root)."""
    text = _ROOT.sub(lambda m: space_before(m.string, m.start()) + "루트 ", text)
    if not _FORMULA.search(text):
        return text
    text = _LOWER_LETTER.sub(lambda m: "".join(LETTER_NAMES[c.upper()] for c in m.group(0)), text)
    text = _EQUALS.sub(lambda m: _particle_before(m.string, m.start()) + " ", text)
    # silent marks (and comparisons, not read yet) go now, so they cannot hide a minus
    text = SILENT.sub(" ", text)
    text = _OPERATOR.sub(lambda m: f" {OPERATORS[m.group(1)]} ", text)
    return _MINUS.sub(lambda m: f" {OPERATORS[m.group(1)]} ", text)  # after: 더하기 -3 is then binary


def _particle_before(text: str, i: int) -> str:
    """은 or 는 for the word ending at i: 육은, 이는; nothing when no word comes before."""
    if not text[:i].strip():
        return ""
    return with_particle(text[:i], "은", "는")[i:]
