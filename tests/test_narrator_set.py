"""Every row of tests/data/narrator_set.tsv is read as a narrator would.

The set is 256 sentences of our own across reviews, sports, economy, tech, travel,
recipes, science, school notices, K-pop fandom and shopping, each mixing counters, dates,
times, money, ranges, codes, English words, symbols and Hanja. Spacing is ignored in the
comparison (it does not change what is said); every other character must match.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audioessay.text.normalize import normalize

SET = Path(__file__).parent / "data" / "narrator_set.tsv"


def _rows() -> list[tuple[int, str, str]]:
    rows = []
    for number, line in enumerate(SET.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        written, spoken = line.split("\t")
        rows.append((number, written, spoken))
    return rows


ROWS = _rows()


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_set_is_large() -> None:
    assert len(ROWS) >= 250
    assert len({written for _, written, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(("line", "written", "spoken"), ROWS, ids=[f"line{n}" for n, _, _ in ROWS])
def test_reads_as_a_narrator(line: int, written: str, spoken: str) -> None:
    got = normalize(written)
    assert _key(got) == _key(spoken), f"{SET.name}:{line}: {written!r} -> {got!r}, narrator: {spoken!r}"


# The rules added for the set's failures, each with a case that must stay as it was.
RULE_CASES = [
    # ratios with thousands commas and decimals are scores, not a number cut at its comma
    ("청약 경쟁률이 1,500:1을 기록했다.", "청약 경쟁률이 천오백 대 일을 기록했다."),
    ("물과 쌀은 1:1.2로 맞춘다.", "물과 쌀은 일 대 일 점 이로 맞춘다."),
    ("회의는 1:30에 시작한다.", "회의는 한 시 삼십 분에 시작한다."),  # a time stays a time
    ("관객 1,500명이 왔다.", "관객 천오백 명이 왔다."),  # a number stays a number
    # native counters: sets in a match, kitchen measures
    ("5세트 접전 끝에 이겼다.", "다섯 세트 접전 끝에 이겼다."),
    ("설탕 3큰술, 소금 1작은술, 물 2컵", "설탕 세 큰술, 소금 한 작은술, 물 두 컵"),
    ("2002월드컵", "이천이 월드컵"),  # 컵 inside a word is no counter
    # hexadecimal numbers digit by digit
    ("오류 0x1F가 났다.", "오류 영엑스 일에프가 났다."),
    ("A380은 크다.", "에이 삼팔공은 크다."),
    # a known word inside a code is a word; an unknown one is spelled
    ("코드 SALE50을 넣으세요.", "코드 세일 오십을 넣으세요."),
    ("코드 XQZ50을 넣으세요.", "코드 엑스큐제트 오십을 넣으세요."),
    # single capitals in a comma list are letter names
    ("S, M, L 사이즈", "에스, 엠, 엘 사이즈"),
    ("pH 7은 중성이다.", "피에이치 칠은 중성이다."),
    ("MAMA 시상식", "마마 시상식"),
]


@pytest.mark.parametrize(("written", "spoken"), RULE_CASES)
def test_rule(written: str, spoken: str) -> None:
    assert normalize(written) == spoken
