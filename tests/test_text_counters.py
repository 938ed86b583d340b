"""Issue 26, family 4: counters whose number system depends on the noun's sense (분, 편, 장).

Written -> spoken through the whole pipeline; each spoken form is a fixed point.
"""

import subprocess
import sys

import pytest

from audioessay.text.counters import choose
from audioessay.text.normalize import normalize

SENSE = [
    # 분: people (native) vs minutes (sino)
    ("할머니 2분께서 오셨다.", "할머니 두 분께서 오셨다."),
    ("어르신 4분이 계셨다.", "어르신 네 분이 계셨다."),
    ("손님 5분을 모셨다.", "손님 다섯 분을 모셨다."),
    ("15분 동안 달렸다.", "십오 분 동안 달렸다."),
    ("40분 후에 도착한다.", "사십 분 후에 도착한다."),
    ("20분 만에 끝났다.", "이십 분 만에 끝났다."),
    # 편: works counted (native) vs an instalment label (sino)
    ("논문 3편을 냈다.", "논문 세 편을 냈다."),
    ("하루에 4편씩 본다.", "하루에 네 편씩 본다."),
    ("2편의 소설을 읽었다.", "두 편의 소설을 읽었다."),
    ("시리즈 2편이 더 낫다.", "시리즈 이 편이 더 낫다."),
    # 장: sheets (native) vs chapters (sino)
    ("엽서 6장을 보냈다.", "엽서 여섯 장을 보냈다."),
    ("티켓 2장 주세요.", "티켓 두 장 주세요."),
    ("3장씩 나눠 가졌다.", "세 장씩 나눠 가졌다."),
    ("7장의 결론은 짧다.", "칠 장의 결론은 짧다."),
    ("제3장에서 설명한다.", "제 삼 장에서 설명한다."),
    ("이 책의 6장은 어렵다.", "이 책의 육 장은 어렵다."),
    # 세트: a set of a match is labelled (sino), sets counted are native
    ("1세트에서 밀렸지만 2세트를 따냈다.", "일 세트에서 밀렸지만 이 세트를 따냈다."),
    ("3세트 초반에 흔들렸다.", "삼 세트 초반에 흔들렸다."),
    ("두 팀은 4세트 만에 끝냈다.", "두 팀은 네 세트 만에 끝냈다."),
    ("수건 2세트를 샀다.", "수건 두 세트를 샀다."),
    # a quarter of the year is 삼사분기; any other fraction stays a fraction
    ("2/4분기 매출이 늘었다.", "이사분기 매출이 늘었다."),
    ("작년 4/4분기에", "작년 사사분기에"),
    ("케이크의 3/4을 먹었다.", "케이크의 사분의 삼을 먹었다."),
    ("1/3분기", "삼분의 일분기"),
]


@pytest.mark.parametrize("written, spoken", SENSE)
def test_counter_by_sense(written, spoken):
    assert normalize(written) == spoken
    assert normalize(spoken) == spoken


NO_OPINION = [
    ("3", "분기", "", ""),  # 분기 is not 분
    ("2", "편집", "", ""),
    ("4", "장면", "", ""),
    ("150", "분", "", " 동안"),  # 100 and over: the general table reads it
    ("2.5", "분", "", " 동안"),
]


@pytest.mark.parametrize("number, word, before, after", NO_OPINION)
def test_no_opinion_outside_the_three_senses(number, word, before, after):
    assert choose(number, word, before, after) is None


def test_minutes_and_people_disagree():
    assert choose("3", "분", "", " 동안") == "sino"
    assert choose("3", "분께서", "", "") == "native"


def test_validate_and_text_modules_do_not_load_the_analyser():
    """kiwipiepy is imported only when a rule needs it, not by importing the text package."""
    code = ("import sys, audioessay.text.normalize, audioessay.text.pronounce, audioessay.script.loader, "
            "audioessay.text.counters, audioessay.text.morph; from audioessay.text.normalize import normalize; "
            "normalize('종이 4장과 30분 동안'); print('kiwipiepy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
