"""Korean number readings: pure conversions from digits to spoken Hangul.

Two number systems are in use. Sino-Korean (일, 이, 삼 ...) is the default and
the only one for dates, money, measures and anything above 99. Native Korean
(한, 두, 세 ...) is used before counters of things, people, times and hours.
The tables come first; the functions below them only look things up.
"""

from __future__ import annotations

# --- data -------------------------------------------------------------------

SINO_DIGITS = "영일이삼사오육칠팔구"
PHONE_DIGITS = "공일이삼사오육칠팔구"  # 0 is 공 when digits are read one by one

# Units inside a group of four digits, and the group units above them.
SMALL_UNITS = ((1000, "천"), (100, "백"), (10, "십"), (1, ""))
GROUP_UNITS = ("", "만", "억", "조", "경")

# Native numbers in their attributive form (the form used before a counter).
NATIVE_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")

# Months whose names are not plain sino number + 월 (the final consonant drops).
MONTH_NAMES = {6: "유월", 10: "시월"}

# Counters read with native numbers. Longest first so 시간 wins over 시.
NATIVE_COUNTERS = (
    "번째", "시간", "사람", "켤레", "그루", "마리", "가지", "송이", "군데", "차례",
    "걸음", "봉지", "그릇", "접시", "마디",
    "개", "명", "살", "시", "권", "잔", "번", "달", "장", "곳", "통", "채",
    "벌", "쌍", "척", "병", "판", "줄",
)

# Words that start like a native counter but take sino numbers (3개월 삼 개월,
# 3달러 삼 달러) or are not counters at all (2시즌).
NOT_NATIVE = (
    "개월", "개국", "개년", "개사", "개소", "개교", "시즌", "시대", "시청", "시장",
    "시리즈", "달러", "번지", "장면", "통계", "통화", "판매", "병원",
)

# Counters read with sino numbers; used to find the unit repeated in a range
# (3~5명 -> 세 명에서 다섯 명). Longest first.
SINO_COUNTERS = (
    "킬로미터", "센티미터", "밀리미터", "킬로그램", "밀리리터", "퍼센트", "페이지",
    "개월", "년대", "학년", "달러", "미터", "그램", "리터", "파운드", "유로",
    "년", "월", "일", "원", "분", "초", "회", "층", "도", "배", "주", "세",
    "점", "등", "위", "차", "호", "대", "엔", "쪽", "편", "부", "기", "장",
)

# Place-value words written after digits (10만, 3억); they attach with no space.
BIG_UNITS = "십백천만억조경"
# Particles and suffixes that attach to the number itself (iPhone 15를, 10여 명, 3쯤).
PARTICLES = ("으로", "까지", "부터", "보다", "처럼", "에서", "에게", "을", "를", "이", "가", "은", "는",
             "의", "에", "와", "과", "로", "여", "쯤", "씩", "째", "뿐", "만큼", "이나", "나", "랑")
# After these nouns 번 is a label, read in sino (1번 출구 -> 일 번 출구), not a count.
NUMBERED_NOUNS = ("출구", "선수", "버스", "문제", "트랙", "좌석", "게이트", "홈", "국도", "채널", "타자",
                  "곡", "항목", "질문", "카드", "방", "라인", "도로", "승강장", "테이블")

# Above this many digits nobody says the number; read it digit by digit.
MAX_SINO_DIGITS = 20


# --- conversions ------------------------------------------------------------


def _under_10000(n: int) -> str:
    """1..9999 in sino-Korean; a leading 1 before 천/백/십 is not said."""
    out = []
    for value, unit in SMALL_UNITS:
        d = n // value % 10
        if d:
            out.append(("" if d == 1 and unit else SINO_DIGITS[d]) + unit)
    return "".join(out)


def sino(n: int) -> str:
    """Sino-Korean reading with 만/억/조 groups: 123456789 -> 일억 이천삼백사십오만 육천칠백팔십구."""
    if n < 0:
        return "마이너스 " + sino(-n)
    if n == 0:
        return SINO_DIGITS[0]
    if len(str(n)) > MAX_SINO_DIGITS:
        return read_digits(str(n), zero=SINO_DIGITS[0])
    groups = []
    for unit in GROUP_UNITS:
        n, g = divmod(n, 10000)
        if g:
            # 10000 is 만, not 일만; but 일억, 일조 keep the 일.
            groups.append(unit if g == 1 and unit == "만" else _under_10000(g) + unit)
        if not n:
            break
    return " ".join(reversed(groups))


def native(n: int) -> str:
    """Native Korean attributive form for 1..99 (한, 두, 스무, 스물한); sino otherwise."""
    if not 1 <= n <= 99:
        return sino(n)
    tens, ones = divmod(n, 10)
    if n == 20:
        return "스무"  # 스물 loses its ㄹ before a counter
    return NATIVE_TENS[tens] + NATIVE_ONES[ones]


def ordinal(n: int) -> str:
    """Number before 번째: 1 -> 첫, 2 -> 두, 11 -> 열한; sino above 99."""
    return "첫" if n == 1 else native(n)


def month_name(n: int) -> str:
    """Name of a month: 6 -> 유월, 10 -> 시월, 5 -> 오월."""
    return MONTH_NAMES.get(n, sino(n) + "월")


def read_digits(digits: str, zero: str = "공") -> str:
    """Digit by digit, as for phone numbers: 010 -> 공일공."""
    return "".join(zero if int(c) == 0 else SINO_DIGITS[int(c)] for c in digits if c.isdigit())


def read_integer(number: str) -> str:
    """Digits (commas allowed) in sino-Korean; leading zeros are read digit by digit."""
    body = number.replace(",", "")
    if len(body) > 1 and body.startswith("0"):
        return read_digits(body)  # 007 is 공공칠, not 칠
    return sino(int(body))


def read_decimal(number: str) -> str:
    """3.5 -> 삼 점 오, 0.05 -> 영 점 영오, -1.5 -> 마이너스 일 점 오."""
    sign = ""
    if number.startswith("-"):
        sign, number = "마이너스 ", number[1:]
    whole, _, frac = number.partition(".")
    spoken = sino(int(whole.replace(",", "") or "0"))
    if frac:
        spoken += " 점 " + read_digits(frac, zero=SINO_DIGITS[0])
    return sign + spoken


def is_native_counter(word: str) -> bool:
    """Whether the Hangul after a number starts with a counter that takes native numbers."""
    if word.startswith(NOT_NATIVE):
        return False
    return word.startswith(NATIVE_COUNTERS)


def split_counter(word: str) -> tuple[str, str]:
    """Split the Hangul after a number into (counter, rest); counter is '' if none is known."""
    known = [c for c in (*NATIVE_COUNTERS, *SINO_COUNTERS, *BIG_UNITS) if word.startswith(c)]
    if word.startswith(NOT_NATIVE):
        known = [c for c in SINO_COUNTERS if word.startswith(c)]
    if not known:
        return "", word
    counter = max(known, key=len)
    return counter, word[len(counter):]


def read_count(number: str, word: str = "", sino_only: bool = False) -> str:
    """Read a written number and the Hangul word glued to it, choosing the number system.

    `number` is digits with optional sign, thousands commas and decimal part;
    `word` is the Hangul run after it (its counter, possibly with a particle).
    `sino_only` is set after 제 (제3장 -> 제 삼 장).
    """
    negative = number.startswith("-")
    body = number.lstrip("-")
    digits = body.replace(",", "")
    if "." in body:
        return _join(read_decimal(number), word)
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > MAX_SINO_DIGITS:
        return _join(("마이너스 " if negative else "") + read_integer(body), word)
    n = -int(digits) if negative else int(digits)
    if n > 0 and not sino_only:
        if word.startswith("번째"):
            return ordinal(n) + " " + word
        if is_native_counter(word):
            return native(n) + " " + word
    if n > 0 and word.startswith("월"):
        return month_name(n) + word[1:]
    if word[:1] and word[0] in BIG_UNITS:
        # 10만 -> 십만, 1만 -> 만; the place value joins the number.
        lead = "" if n == 1 and word[0] in "십백천만" else sino(n)
        return lead + word
    return _join(sino(n), word)


def _join(spoken: str, word: str) -> str:
    """The number's reading and the word after it: a counter is its own word (이천 년),
    a particle stays attached (십오를, 십여 명)."""
    if not word:
        return spoken
    if not split_counter(word)[0] and word.startswith(PARTICLES):
        return spoken + word
    return f"{spoken} {word}"
