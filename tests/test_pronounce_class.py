"""Issue 26, family 8: espeak respelling that needs the word (ㄴ 첨가, 한자어 ㄹ 경음화, 겹받침).

The respelling is the engine form only: the written and spoken forms keep the writer's
letters (tests/test_pronounce.py covers the letter rules).
"""

import pytest

from audioessay.text.pronounce import pronounce
from audioessay.text.pronounce_words import word_rules

WORDS = [
    # ㄴ 첨가 (제29항) in compounds
    ("막일", "망닐"),
    ("눈요기", "눈뇨기"),
    ("담요", "담뇨"),
    ("늑막염", "능망념"),
    ("식용유", "시굥뉴"),
    # 한자어 ㄹ 뒤 경음화 (제26항)
    ("절도", "절또"),
    ("일시", "일씨"),
    ("물질", "물찔"),
    # 겹받침: noun vs stem
    ("닭과", "닥꽈"),
    ("읽고", "일꼬"),
    ("밟지", "밥찌"),
    ("여덟과", "여덜과"),
]


@pytest.mark.parametrize("written, engine_form", WORDS)
def test_word_class_pronunciation(written, engine_form):
    assert pronounce(written) == engine_form


NEGATIVE = [
    ("송이", "송이"),  # not a compound: no ㄴ
    ("달도", "달도"),  # native 달 + particle: no tensing
    ("물이", "무리"),
    ("알고", "알고"),  # 알- is not a double final
]


@pytest.mark.parametrize("written, engine_form", NEGATIVE)
def test_no_word_rule_where_none_applies(written, engine_form):
    assert pronounce(written) == engine_form


def test_word_rules_leave_plain_text_alone():
    text = "그녀는 아무 말도 하지 않았다."
    assert word_rules(text) == text
