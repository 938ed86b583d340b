"""Issue 26 (9): Hanja read from the packaged Unihan-derived table, with 두음법칙."""

import sys

import pytest

from audioessay.text.hanja_readings import read_run, table
from audioessay.text.normalize import normalize

READINGS = [
    ("學校", "학교"),
    ("家族", "가족"),
    ("禮儀", "예의"),  # 례 -> 예 at the start
    ("良心", "양심"),  # 량 -> 양
    ("落葉", "낙엽"),  # 락 -> 낙
    ("年金", "연금"),  # 년 -> 연
    ("老人", "노인"),  # 로 -> 노
    ("少女", "소녀"),  # 녀 stays inside a word
    ("改良", "개량"),  # 량 stays inside a word
    ("規律", "규율"),  # 률 -> 율 after a vowel
    ("法律", "법률"),  # but not after ㅂ
    ("旋律", "선율"),  # and after ㄴ (the old package said 선률 here)
]


@pytest.mark.parametrize(("written", "spoken"), READINGS)
def test_hanja_runs(written: str, spoken: str) -> None:
    assert read_run(written) == spoken


def test_in_a_sentence_the_first_syllable_takes_the_initial_rule() -> None:
    assert normalize("그는 冷情했다") == "그는 냉정했다"
    assert normalize("이것은 流行이다") == "이것은 유행이다"


def test_hangul_and_unknown_characters_pass_through() -> None:
    assert read_run("한글") == "한글"
    assert "\u4e00" in table() and "가" not in table()
    assert normalize("오늘은 맑음") == "오늘은 맑음"


def test_the_old_package_is_not_imported() -> None:
    normalize("人生")
    assert "hanja" not in sys.modules
