"""Pure number conversions: sino, native, and the counter-aware reader."""

import pytest

from audioessay.text.numbers import (
    is_native_counter,
    month_name,
    native,
    ordinal,
    read_count,
    read_decimal,
    read_digits,
    read_integer,
    sino,
    split_counter,
)


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (0, "영"),
        (1, "일"),
        (9, "구"),
        (10, "십"),
        (11, "십일"),
        (20, "이십"),
        (86, "팔십육"),
        (100, "백"),
        (101, "백일"),
        (110, "백십"),
        (999, "구백구십구"),
        (1000, "천"),
        (1001, "천일"),
        (2013, "이천십삼"),
        (2025, "이천이십오"),
        (1990, "천구백구십"),
        (10000, "만"),
        (10001, "만 일"),
        (11000, "만 천"),
        (20000, "이만"),
        (100000, "십만"),
        (110000, "십일만"),
        (1000000, "백만"),
        (10000000, "천만"),
        (100000000, "일억"),
        (100010000, "일억 만"),
        (123456789, "일억 이천삼백사십오만 육천칠백팔십구"),
        (300000000, "삼억"),
        (10**12, "일조"),
        (1234 * 10**12 + 5, "천이백삼십사조 오"),
        (10**16, "일경"),
        (-5, "마이너스 오"),
        (-10000, "마이너스 만"),
    ],
)
def test_sino(n, spoken):
    assert sino(n) == spoken


def test_sino_huge_number_is_read_digit_by_digit():
    assert sino(10**25) == "일" + "영" * 25


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (1, "한"),
        (2, "두"),
        (3, "세"),
        (4, "네"),
        (5, "다섯"),
        (9, "아홉"),
        (10, "열"),
        (11, "열한"),
        (12, "열두"),
        (20, "스무"),
        (21, "스물한"),
        (24, "스물네"),
        (30, "서른"),
        (40, "마흔"),
        (50, "쉰"),
        (60, "예순"),
        (70, "일흔"),
        (80, "여든"),
        (90, "아흔"),
        (99, "아흔아홉"),
        (100, "백"),  # native stops at 99
        (250, "이백오십"),
        (0, "영"),
    ],
)
def test_native(n, spoken):
    assert native(n) == spoken


@pytest.mark.parametrize(("n", "spoken"), [(1, "첫"), (2, "두"), (3, "세"), (11, "열한"), (20, "스무"), (100, "백")])
def test_ordinal(n, spoken):
    assert ordinal(n) == spoken


@pytest.mark.parametrize(
    ("n", "spoken"),
    [(1, "일월"), (5, "오월"), (6, "유월"), (10, "시월"), (11, "십일월"), (12, "십이월")],
)
def test_month_name(n, spoken):
    assert month_name(n) == spoken


def test_read_digits():
    assert read_digits("010") == "공일공"
    assert read_digits("2025", zero="영") == "이영이오"


@pytest.mark.parametrize(
    ("written", "spoken"),
    [("1,000", "천"), ("1,000,000", "백만"), ("007", "공공칠"), ("0", "영"), ("42", "사십이")],
)
def test_read_integer(written, spoken):
    assert read_integer(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("3.5", "삼 점 오"),
        ("0.5", "영 점 오"),
        ("3.14", "삼 점 일사"),
        ("3.05", "삼 점 영오"),
        ("-1.5", "마이너스 일 점 오"),
        ("1,000.5", "천 점 오"),
    ],
)
def test_read_decimal(written, spoken):
    assert read_decimal(written) == spoken


@pytest.mark.parametrize(
    ("number", "word", "sino_only", "spoken"),
    [
        ("3", "번째", False, "세 번째"),
        ("1", "번째", False, "첫 번째"),
        ("2", "개", False, "두 개"),
        ("20", "살", False, "스무 살"),
        ("3", "시", False, "세 시"),
        ("30", "분", False, "삼십 분"),
        ("3", "개월", False, "삼 개월"),
        ("3", "달러", False, "삼 달러"),
        ("100", "명", False, "백 명"),
        ("2025", "년", False, "이천이십오 년"),
        ("6", "월", False, "유월"),
        ("6", "월에", False, "유월에"),
        ("10", "만", False, "십만"),
        ("1", "만", False, "만"),
        ("1", "억", False, "일억"),
        ("3", "장", True, "삼 장"),
        ("3", "장", False, "세 장"),
        ("3.5", "배", False, "삼 점 오 배"),
        ("-5", "도", False, "영하 오 도"),  # issue 17: below zero
        ("0", "명", False, "영 명"),
        ("007", "", False, "공공칠"),
        ("5", "", False, "오"),
    ],
)
def test_read_count(number, word, sino_only, spoken):
    assert read_count(number, word, sino_only=sino_only) == spoken


@pytest.mark.parametrize(
    ("word", "native_"),
    [("명", True), ("명이", True), ("시간", True), ("개월", False), ("년", False), ("달러", False), ("", False)],
)
def test_is_native_counter(word, native_):
    assert is_native_counter(word) is native_


@pytest.mark.parametrize(
    ("word", "split"),
    [
        ("명이", ("명", "이")),
        ("시간에", ("시간", "에")),
        ("년", ("년", "")),
        ("개월", ("개월", "")),
        ("퍼센트", ("퍼센트", "")),
        ("만", ("만", "")),
        ("그리고", ("", "그리고")),
        ("", ("", "")),
    ],
)
def test_split_counter(word, split):
    assert split_counter(word) == split
