"""Standard pronunciation (표준 발음법) for espeak: each rule alone, then the whole table."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audioessay.text import pronounce as p
from audioessay.text.pronounce import STEPS, pronounce

TABLE = [
    # the examples
    ("입니다", "임니다"),
    ("신라", "실라"),
    ("밥 먹었어", "밤 머거써"),
    ("학교", "학꾜"),
    ("같이", "가치"),
    ("좋아", "조아"),
    ("닭이", "달기"),
    ("국물", "궁물"),
    ("많다", "만타"),
    # 연음, double finals included
    ("먹었어", "머거써"),
    ("한국어", "한구거"),
    ("옷을", "오슬"),
    ("부엌에", "부어케"),
    ("값을", "갑쓸"),
    ("앉아", "안자"),
    ("읽어", "일거"),
    ("삶이", "살미"),
    ("넋이", "넉씨"),
    ("젊은", "절믄"),
    ("없어", "업써"),
    ("있어요", "이써요"),
    # ㅎ 탈락 and 격음화
    ("좋다", "조타"),
    ("놓고", "노코"),
    ("많이", "마니"),
    ("싫어", "시러"),
    ("않네", "안네"),
    ("놓는", "논는"),
    ("국화", "구콰"),
    ("입학", "이팍"),
    ("맏형", "마텽"),
    ("밝히다", "발키다"),
    ("앉히다", "안치다"),
    ("그렇게", "그러케"),
    ("어떻게", "어떠케"),
    ("닿소", "다쏘"),
    # 구개음화
    ("굳이", "구지"),
    ("해돋이", "해도지"),
    ("밭이", "바치"),
    ("닫히다", "다치다"),
    # 비음화
    ("감사합니다", "감사함니다"),
    ("했습니다", "핻씀니다"),
    ("받는", "반는"),
    ("먹는", "멍는"),
    ("앞날", "암날"),
    ("종로", "종노"),
    ("침략", "침냑"),
    ("대통령", "대통녕"),
    ("국립", "궁닙"),
    ("협력", "혐녁"),
    ("몇 명", "면 명"),
    ("꽃말", "꼰말"),
    # 유음화
    ("연락", "열락"),
    ("설날", "설랄"),
    ("칼날", "칼랄"),
    ("난로", "날로"),
    # 경음화
    ("먹다", "먹따"),
    ("없다", "업따"),
    ("있다", "읻따"),
    ("꽃다발", "꼳따발"),
    ("입고", "입꼬"),
    ("맑게", "말께"),
    ("넓다", "널따"),
    ("앉다", "안따"),
    ("젊다", "점따"),
    ("책상", "책쌍"),
    # 경음화 after the attributive -ㄹ
    ("할 수 있다", "할 쑤 읻따"),
    ("갈 곳이 없다", "갈 꼬시 업따"),
    ("먹을 것이 많다", "머글 꺼시 만타"),
    ("그럴 줄 알았다", "그럴 쭐 아랃따"),
    ("갈 거야", "갈 꺼야"),
    ("볼 바다", "볼 바다"),
    ("살 집", "살 집"),
    # unchanged
    ("안녕하세요", "안녕하세요"),
    ("사랑", "사랑"),
    ("나는 학교에 갑니다", "나는 학꾜에 감니다"),
    ("ABC 123", "ABC 123"),
    ("", ""),
]


@pytest.mark.parametrize(("spoken", "sounded"), TABLE)
def test_pronounce(spoken, sounded):
    assert pronounce(spoken) == sounded


@pytest.mark.parametrize(
    ("step", "spoken", "sounded"),
    [
        (p.h_rules, "좋다", "조타"),
        (p.h_rules, "좋아", "조아"),
        (p.h_rules, "국화", "구콰"),
        (p.h_rules, "사랑", "사랑"),
        (p.palatalize, "같이", "가치"),
        (p.palatalize, "굳이", "구지"),
        (p.palatalize, "같은", "같은"),
        (p.link, "먹어", "머거"),
        (p.link, "닭이", "달기"),
        (p.link, "강이", "강이"),
        (p.final_sounds, "꽃다발", "꼳다발"),
        (p.final_sounds, "닭도", "닥도"),
        (p.final_sounds, "꽃이", "꽃이"),
        (p.lateralize, "신라", "실라"),
        (p.lateralize, "신문", "신문"),
        (p.nasalize, "입니다", "임니다"),
        (p.nasalize, "밥 먹어", "밤 먹어"),
        (p.nasalize, "종로", "종노"),
        (p.tense, "학교", "학꾜"),
        (p.tense, "산길", "산길"),
        (p.tense_after_attributive, "할 수", "할 쑤"),
        (p.tense_after_attributive, "한 수", "한 수"),
    ],
)
def test_step(step, spoken, sounded):
    assert step(spoken) == sounded


def test_every_step_is_tested():
    assert STEPS == [p.tense_after_attributive, p.palatalize, p.h_rules, p.link, p.final_sounds, p.lateralize, p.nasalize, p.tense]


def test_steps_can_be_swapped():
    assert pronounce("입니다", steps=[]) == "입니다"
    assert pronounce("학교에 갑니다", steps=[p.tense]) == "학꾜에 갑니다"


HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
TEXT = st.lists(st.one_of(HANGUL, st.sampled_from(" ,.?!a1")), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_keeps_length_and_everything_but_hangul(text):
    sounded = pronounce(text)
    assert len(sounded) == len(text)  # a syllable stays one syllable
    for a, b in zip(text, sounded):
        assert ("가" <= a <= "힣") == ("가" <= b <= "힣")
        if not "가" <= a <= "힣":
            assert a == b


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_vowels_never_change(text):
    def vowels(s):
        return [(ord(c) - 0xAC00) // 28 % 21 for c in s if "가" <= c <= "힣"]
    assert vowels(pronounce(text)) == vowels(text)
