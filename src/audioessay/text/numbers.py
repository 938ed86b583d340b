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
    "걸음", "봉지", "그릇", "접시", "마디", "자루", "시즌", "바퀴", "모금", "방울",
    "조각", "다발", "상자", "묶음", "포기", "숟가락", "움큼", "가구", "덩이", "뭉치",
    "개", "명", "살", "시", "권", "잔", "번", "달", "장", "곳", "통", "채",
    "벌", "쌍", "척", "병", "판", "줄", "대", "배", "골", "자", "곡", "칸", "끼", "알", "톨",
    "해", "발",
    # sets in a match and kitchen measures: 세 세트, 두 큰술, 한 컵 (도움 stays sino: 일 도움)
    "세트", "큰술", "작은술", "스푼", "컵",
)

# Words that start like a native counter but take sino numbers (3개월 삼 개월,
# 3달러 삼 달러) or are not counters at all (2시즌).
NOT_NATIVE = (
    "개월", "개국", "개년", "개사", "개소", "개교", "시대", "시청", "시장",
    "시리즈", "달러", "번지", "장면", "통계", "통화", "판매", "병원", "대학", "대회", "대표",
    "대통령", "배럴", "배수", "자회담", "해리", "발전",
)
# 분 counts people (세 분) only with an honorific after it; otherwise it is minutes.
PEOPLE_BUN = ("분께서", "분께", "분들", "분 모두", "분이 오", "분이 계", "분을 모시", "분과 함께")
# Before 대, round tens are ages and decades (20대 이십 대); other numbers count vehicles (세 대).
AGE_DECADE = "대"
# Counters read with English numbers in sports: 투 아웃, 쓰리 볼.
ENGLISH_COUNTERS = ("아웃", "스트라이크", "볼", "쿠션")
ENGLISH_DIGITS = ("제로", "원", "투", "쓰리", "포", "파이브", "식스", "세븐", "에잇", "나인")

# Counters read with sino numbers; used to find the unit repeated in a range
# (3~5명 -> 세 명에서 다섯 명). Longest first.
SINO_COUNTERS = (
    "퍼센트포인트", "킬로미터", "센티미터", "밀리미터", "킬로그램", "밀리리터", "퍼센트", "페이지",
    "개월", "년대", "학년", "달러", "미터", "그램", "리터", "파운드", "유로",
    "년", "월", "일", "원", "분", "초", "회", "층", "도", "배", "주", "세",
    "점", "등", "위", "차", "호", "대", "엔", "쪽", "편", "부", "기", "장", "인", "박",
)

# Place-value words written after digits (10만, 3억); they attach with no space.
BIG_UNITS = "십백천만억조경"
# Particles and suffixes that attach to the number itself (iPhone 15를, 10여 명, 3쯤).
PARTICLES = ("으로", "까지", "부터", "보다", "처럼", "에서", "에게", "을", "를", "이", "가", "은", "는",
             "의", "에", "와", "과", "로", "여", "쯤", "씩", "째", "뿐", "만큼", "이나", "나", "랑")
# After these nouns 번 is a label, read in sino (1번 출구 -> 일 번 출구), not a count.
NUMBERED_NOUNS = ("출구", "선수", "버스", "문제", "트랙", "좌석", "게이트", "홈", "국도", "채널", "타자",
                  "곡", "항목", "질문", "카드", "방", "라인", "도로", "승강장", "테이블")

# Days named by their date, read digit by digit: 6.25 전쟁 -> 육이오 전쟁.
NAMED_DAYS = {
    "3.1": "삼일", "4.3": "사삼", "4.19": "사일구", "5.16": "오일육", "5.18": "오일팔",
    "6.10": "육십", "6.15": "육일오", "6.25": "육이오", "6.29": "육이구", "8.15": "팔일오",
    "9.11": "구일일", "10.26": "십이륙", "12.12": "십이십이", "2.28": "이이팔", "3.15": "삼일오",
    "10.4": "십사", "7.4": "칠사", "7.7": "칠칠",
}
# Words after a named day that show it is one (not a decimal number).
NAMED_DAY_NOUNS = ("전쟁", "운동", "혁명", "사태", "항쟁", "민주", "선언", "테러", "사건", "쿠데타",
                   "기념", "참전", "사변", "세대", "정신", "당시", "이후", "직후", "공동", "남북",
                   "묘역", "특별법", "민중", "의거", "절", "때", "광복", "정상")

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


MAX_NAMED_DIGITS = 20  # up to 해 (10^20); a longer run is read digit by digit


def read_integer(number: str) -> str:
    """Digits (commas allowed) in sino-Korean; leading zeros are read digit by digit."""
    body = number.replace(",", "")
    if (len(body) > 1 and body.startswith("0")) or len(body) > MAX_NAMED_DIGITS:
        return read_digits(body)  # 007 is 공공칠, not 칠; past 경 there are no names to read
    return sino(int(body))


def read_decimal(number: str) -> str:
    """3.5 -> 삼 점 오, 0.05 -> 영 점 영오, -1.5 -> 마이너스 일 점 오."""
    sign = ""
    if number.startswith("-"):
        sign, number = "마이너스 ", number[1:]
    whole, _, frac = number.partition(".")
    spoken = read_integer(whole or "0") if len(whole.replace(",", "")) > 1 else sino(int(whole or "0"))
    if frac:
        spoken += " 점 " + read_digits(frac, zero=SINO_DIGITS[0])
    return sign + spoken


def read_fraction(numerator: int, denominator: int) -> str:
    """3/4 -> 사분의 삼: the denominator first, then 분의, then the numerator."""
    return f"{sino(denominator)}분의 {sino(numerator)}"


def with_particle(word: str, consonant: str, vowel: str) -> str:
    """`word` plus the particle form that fits its last syllable: 일과, 이와, 삼은, 사는."""
    last = word[-1:] or "가"
    has_final = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0
    return word + (consonant if has_final else vowel)


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
        if negative and word.startswith("도"):
            return _join("영하 " + read_decimal(body), word)  # -3.5도 -> 영하 삼 점 오 도
        return _join(read_decimal(number), word)
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > MAX_SINO_DIGITS:
        return _join(("마이너스 " if negative else "") + read_integer(body), word)
    n = -int(digits) if negative else int(digits)
    if n < 0 and word.startswith("도"):
        return _join("영하 " + sino(-n), word)  # -15도 -> 영하 십오 도
    if 0 < n < 10 and word.startswith(ENGLISH_COUNTERS):
        return ENGLISH_DIGITS[n] + " " + word  # 2아웃 -> 투 아웃
    if word.startswith(AGE_DECADE) and n % 10 == 0:
        sino_only = True  # 20대 -> 이십 대 (an age), 3대 -> 세 대 (vehicles)
    if n > 0 and not sino_only:
        if word.startswith("번째"):
            return ordinal(n) + " " + word
        if is_native_counter(word):
            return native(n) + " " + word
    if n > 0 and word.startswith("월") and not word.startswith("월드"):  # 2002 월드컵 is no month
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
