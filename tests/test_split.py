"""Sentence splitting on written Korean text."""

import pytest

from audioessay.text.split import MAX_PIECE, paragraphs, pieces, sentences


@pytest.mark.parametrize("text, expected", [
    ("안녕하세요. 반갑습니다.", ["안녕하세요.", "반갑습니다."]),
    ("정말요? 그렇습니다!", ["정말요?", "그렇습니다!"]),
    ("그래서… 끝났다.", ["그래서… 끝났다."]),  # issue 17: an ellipsis after a connective is a pause
    ("기다렸다... 그리고 왔다.", ["기다렸다...", "그리고 왔다."]),
    ("3.5배 늘었다. 좋다.", ["3.5배 늘었다.", "좋다."]),
    ("영화는 ‘감정은 무엇으로 증명되는가?’라는 질문을 던진다.", ["영화는 ‘감정은 무엇으로 증명되는가?’라는 질문을 던진다."]),
    ('그는 "정말인가?" 하고 물었다. 답은 없었다.', ['그는 "정말인가?" 하고 물었다.', "답은 없었다."]),
    ("그녀가 말했다. “사랑해요.” 그는 웃었다.", ["그녀가 말했다.", "“사랑해요.”", "그는 웃었다."]),
    ("〈HER〉은 작품이다. 《책》도 있다.", ["〈HER〉은 작품이다.", "《책》도 있다."]),
    ("되나 보다\n〈HER〉은 작품이다.", ["되나 보다", "〈HER〉은 작품이다."]),
    ("사만다는 몸은\n없지만 말한다.", ["사만다는 몸은\n없지만 말한다."]),  # issue 17: verbatim slice
    ("끝나지 않는 문장", ["끝나지 않는 문장"]),
    ("정말?!", ["정말?!"]),
    ("v2.0 버전이다.", ["v2.0 버전이다."]),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


def test_paragraphs_split_on_blank_lines():
    assert paragraphs("첫 문단.\n이어진다.\n\n  \n둘째 문단.\r\n\r\n셋째.") == ["첫 문단.\n이어진다.", "둘째 문단.", "셋째."]


def test_pieces_short_sentence_is_whole():
    assert pieces("짧은 문장이다.") == ["짧은 문장이다."]


def test_pieces_prefer_commas_and_never_cut_words():
    words = ["가나다라마"] * 40
    long = " ".join(words[:15]) + ", " + " ".join(words[15:])
    out = pieces(long)
    assert all(len(p) <= MAX_PIECE for p in out)
    assert " ".join(out).replace(" ", "") == long.replace(" ", "")
    assert out[0].endswith(",")  # first cut at the comma
    assert all(w == "가나다라마" for p in out for w in p.rstrip(",").split())


def test_pieces_single_overlong_word_cut_hard():
    # issue 17: a word longer than the limit is cut between characters (it was kept whole)
    word = "가" * 150
    assert pieces(word) == ["가" * MAX_PIECE, "가" * (150 - MAX_PIECE)]
