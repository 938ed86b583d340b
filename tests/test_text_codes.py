"""Issue 26 families 2, 3, 5, 6: digits in names and codes, colon scores vs times, Roman
numerals, symbols, unit powers, math variables and chemical formulas. Each family has
negatives: a quantity that stays a number, a time that stays a time, a word that stays a word."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audioessay.text import normalize as n
from audioessay.text.normalize import normalize
from audioessay.text.roman import roman_value
from audioessay.text.scores import attach

CODES = [  # family 2
    ("메르스15 사태를 겪었다.", "메르스 일오 사태를 겪었다."),
    ("응답하라1994를 다시 봤다.", "응답하라 일구구사를 다시 봤다."),
    ("B737 기종이 결항됐다.", "비 칠삼칠 기종이 결항됐다."),
    ("OZ204편은 지연됐다.", "오제트 이공사편은 지연됐다."),
    ("RTX4080 그래픽카드", "알티엑스 사공팔공 그래픽카드"),
    ("3040세대의 고민", "삼공사공 세대의 고민"),
    ("5060 세대를 겨냥한 상품", "오공육공 세대를 겨냥한 상품"),
    ("T-50 훈련기", "티 오십 훈련기"),
    ("SR-71 정찰기", "에스알 칠십일 정찰기"),
    # negatives: quantities stay numbers
    ("예산은 4050원이다.", "예산은 사천오십 원이다."),
    ("2040년까지 줄인다.", "이천사십 년까지 줄인다."),
    ("512호에 묵었다.", "오백십이 호에 묵었다."),
    ("약300명이 모였다.", "약 삼백 명이 모였다."),
    ("가격1500원", "가격 천오백 원"),
    ("아이폰16을 샀다.", "아이폰 십육을 샀다."),
    ("A200 칩", "에이 이백 칩"),  # a round number stays a number
    ("KF80 마스크", "케이에프 팔십 마스크"),  # two digits stay a number
    ("2018 평창", "이천십팔 평창"),
    ("2002 월드컵", "이천이 월드컵"),  # not 이천이월드컵 (a month)
    ("3050세대", "삼공오공 세대"),
    ("5030세대", "오천삼십 세대"),  # not two rising decades: a count
]

SCORES = [  # family 3
    ("우리 팀이 4:10으로 졌다.", "우리 팀이 사 대 십으로 졌다."),
    ("원정에서 5:3으로 이기고 돌아왔다.", "원정에서 오 대 삼으로 이기고 돌아왔다."),
    ("2:2로 비겼다.", "이 대 이로 비겼다."),
    ("1:4 대패였다.", "일 대 사 대패였다."),
    ("세트 스코어 3:2에서 뒤집혔다.", "세트 스코어 삼 대 이에서 뒤집혔다."),
    ("12:10으로 승리했다.", "십이 대 십으로 승리했다."),
    ("3:10로 역전패했다.", "삼 대 십으로 역전패했다."),  # the particle fits the spoken form
    ("결승 2:1", "결승 이 대 일"),
    # negatives: times stay times
    ("저녁 7:20에 보자.", "저녁 일곱 시 이십 분에 보자."),
    ("4:10 출발 버스", "네 시 십 분 출발 버스"),
    ("경기는 6:30에 시작한다.", "경기는 여섯 시 삼십 분에 시작한다."),
    ("경기 시작은 8:15이다.", "경기 시작은 여덟 시 십오 분이다."),
    ("열차가 5:40으로 미뤄졌다.", "열차가 다섯 시 사십 분으로 미뤄졌다."),
    ("11:30까지 기다렸다.", "열한 시 삼십 분까지 기다렸다."),
]

ROMAN = [  # family 5
    ("제Ⅲ장을 펼쳤다.", "제삼 장을 펼쳤다."),
    ("제VII장", "제칠 장"),
    ("Ⅱ부에서 밝혀진다.", "이 부에서 밝혀진다."),
    ("Ⅺ장", "십일 장"),
    ("ⅲ번째 문단", "세 번째 문단"),
    ("시즌 III이 나온다.", "시즌 쓰리가 나온다."),
    ("시즌 Ⅳ", "시즌 포"),
    ("Part II에서 끝난다.", "파트 투에서 끝난다."),
    ("Chapter V", "챕터 파이브"),
    ("록키 III를 봤다.", "록키 쓰리를 봤다."),
    ("대부 Ⅱ", "대부 투"),
    ("루이 XIV세", "루이 십사 세"),
    ("베스트 XI에 뽑혔다.", "베스트 일레븐에 뽑혔다."),
    ("Ⅲ. 결론", "삼. 결론"),
    # negatives: words stay words
    ("사이즈 XL을 샀다.", "사이즈 엑스엘을 샀다."),
    ("X세대", "엑스세대"),
    ("CD장을 정리했다.", "씨디장을 정리했다."),
    ("V 라이브", "브이 라이브"),
    ("XX 염색체", "엑스엑스 염색체"),
]

SYMBOLS = [  # family 6
    ("▶ 이번 주 소식", "이번 주 소식"),
    ("◆ 핵심 정리", "핵심 정리"),
    ("☆ 별점 다섯 개", "별점 다섯 개"),
    ("✓ 확인 완료", "확인 완료"),
    ("□ 준비물", "준비물"),
    ("입력 ▷ 출력", "입력, 출력"),
    ("봄 ⇒ 여름", "봄, 여름"),
    ("평수는 84m²이다.", "평수는 팔십사 제곱미터이다."),
    ("물 2cm³를 넣었다.", "물 이 세제곱센티미터를 넣었다."),
    ("면적 3km²에 달한다.", "면적 삼 제곱킬로미터에 달한다."),
    ("m²당 천만 원", "제곱미터당 천만 원"),
    ("πr²이 넓이다.", "파이 알 제곱이 넓이다."),
    ("a² + b²", "에이 제곱 더하기 비 제곱"),
    ("2πr²로 구한다.", "이 파이 알 제곱으로 구한다."),  # the particle fits 제곱, not r
    ("b²를 구하라.", "비 제곱을 구하라."),
    ("60m²으로 넓혔다.", "육십 제곱미터로 넓혔다."),
    ("y가 -2일 때 x의 값은?", "와이가 마이너스 이일 때 엑스의 값은?"),
    ("기온이 -4일 때는 얼음이 언다.", "기온이 마이너스 사일 때는 얼음이 언다."),
    ("k가 1.5일 때", "케이가 일 점 오일 때"),
    ("θ는 30도다.", "세타는 삼십 도다."),
    ("저항은 10Ω이다.", "저항은 십 옴이다."),
    ("MgO는 산화마그네슘이다.", "엠지오는 산화마그네슘이다."),
    ("NaHCO3는 베이킹소다다.", "엔에이에이치씨오쓰리는 베이킹소다다."),
    ("KCl 용액", "케이씨엘 용액"),
    ("SO2 배출", "에스오투 배출"),
    # negatives
    ("5월 3일 때 만나자.", "오월 삼 일 때 만나자."),  # a date stays a date
    ("3일 때문에 늦었다.", "삼 일 때문에 늦었다."),
]


@pytest.mark.parametrize(("written", "spoken"), CODES + SCORES + ROMAN + SYMBOLS)
def test_reading(written, spoken):
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), CODES + SCORES + ROMAN + SYMBOLS)
def test_reading_is_a_fixed_point(written, spoken):
    assert normalize(spoken) == spoken


@pytest.mark.parametrize(
    ("step", "written", "spoken"),
    [
        (n.read_generations, "2030세대", "이공삼공 세대"),
        (n.read_generations, "3020세대", "3020세대"),
        (n.read_generations, "2030년", "2030년"),
        (n.read_name_digits, "코로나19에", " 일구에".join(["코로나", ""])),
        (n.read_name_digits, "가격3000원", "가격3000원"),
        (n.read_name_digits, "총1000", "총1000"),
        (n.read_name_digits, "아이폰15", "아이폰15"),
        (n.read_chemical_formulas, "NaCl", "엔에이씨엘"),
        (n.read_chemical_formulas, "Fe2O3", "에프이투오쓰리"),
        (n.read_chemical_formulas, "H2O", "H2O"),  # capitals only: a code for read_codes
        (n.read_chemical_formulas, "McDonald", "McDonald"),
        (n.read_chemical_formulas, "CoCo 카레", "CoCo 카레"),  # one repeated symbol: no formula
        (n.read_chemical_formulas, "LaLa Land", "LaLa Land"),
        (n.read_chemical_formulas, "InBody", "InBody"),
        (n.read_hyphen_codes, "F-16", "에프 16"),
        (n.read_hyphen_codes, "D-3", "D-3"),
        (n.read_hyphen_codes, "K-팝", "K-팝"),
        (n.read_codes, "A380", "에이 삼팔공"),
        (n.read_codes, "KE017", "케이이 공일칠"),
        (n.read_codes, "S500", "에스 오백"),
        (n.read_colon_scores, "2:1로 이겼다", "이 대 일로 이겼다"),
        (n.read_colon_scores, "오후 3:10에", "오후 3:10에"),
        (n.read_colon_scores, "3:10 승객", "3:10 승객"),
        (n.read_roman_numerals, "제IV장", "제사 장"),
        (n.read_roman_numerals, "I think MIX CIVIL DIV", "I think MIX CIVIL DIV"),
        (n.read_roman_numerals, "DJ MIX", "DJ MIX"),
        (n.read_roman_numerals, "Ⅻ", "12"),
        (n.read_bullets, "▶ 제목\n■ 요약\n본문 → 끝", "제목\n요약\n본문, 끝"),
        (n.read_unit_powers, "84m²", "84제곱미터"),
        (n.read_unit_powers, "x²", "x²"),
        (n.read_unit_powers, "m²", "m²"),  # no number, no 당: a power for read_powers
        (n.read_greek, "πr", "파이 r"),
        (n.read_math_variables, "x가 -3일 때", "엑스가 마이너스 삼일 때"),
        (n.read_math_variables, "3일 때문에", "3일 때문에"),
        (n.read_math_variables, "2일 때 보자", "2일 때 보자"),  # no math: a day
    ],
)
def test_step(step, written, spoken):
    assert step(written) == spoken


@pytest.mark.parametrize(("numeral", "value"), [("II", 2), ("IV", 4), ("XIV", 14), ("Ⅻ", 12), ("ⅹ", 10),
                                                 ("MCMXC", 1990), ("IIII", None), ("IVX", None), ("CIVIL", None)])
def test_roman_value(numeral, value):
    assert roman_value(numeral) == value


@pytest.mark.parametrize(("spoken", "word", "joined"), [("십", "로", "십으로"), ("일", "으로", "일로"),
                                                        ("이", "으로도", "이로도"), ("삼", "가", "삼이"),
                                                        ("이", "은", "이는"), ("영", "", "영")])
def test_particle_fits_the_spoken_form(spoken, word, joined):
    assert attach(spoken, word) == joined


def test_no_bullet_or_shape_reaches_the_engine():
    text = "▶ 첫 줄\n■ 둘째 줄 ◆ 중간 ★ 별\n※ 참고 → 다음 • 점 ✓ 확인 ☞ 손"
    spoken = normalize(text)
    assert not re.search("[\u2190-\u21ff\u25a0-\u25ff\u2600-\u27bf※•]", spoken), spoken
    assert spoken.startswith("첫 줄")


PIECES = st.sampled_from(
    list("가나다년월일명세대장부 .,:~²³ⅡⅣⅻπθΩ▶■→※★abxyzIVXCDLMNaClO0123456789")
    + ["세대", "코로나", "으로 졌다", "로 이겼다", "완패", "오후 ", "시즌 ", "Part ", "제", "일 때", "m²", "cm³",
       "NaCl", "CO2", "A380", "F-35", "\n", "스코어 ", "x가 "]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=25).map("".join))
def test_idempotent_and_digit_free(text):
    once = normalize(text)
    assert normalize(once) == once
    assert not re.search(r"\d", once)
    assert not re.search("[\u2160-\u217f²³▶■→※★π]", once)
