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


# -- issue 27: huge runs, grapheme-safe cuts -----------------------------------------------

import time  # noqa: E402
import unicodedata  # noqa: E402

from audioessay.text.split import LONGEST_PIECE, MAX_RUN, grapheme_cut, overlong_run  # noqa: E402


@pytest.mark.parametrize("text, run", [
    ("안녕하세요 반갑습니다", 0),
    ("https://example.com/" + "a" * 10_050, 10_050),  # ':', '/' and '.' are punctuation: they end a run
    ("https://example.com/" + "a" * 9_990, 0),  # the whole word is longer than the limit, its runs are not
    ("가" * 10_000, 0),
    ("가" * 10_001, 10_001),
    ("가" * 12_000, 12_000),
    ("1" * 12_000 + " 번", 12_000),
    ("😀" * 11_000, 11_000),  # emoji are symbols, not punctuation
    ("가" + "-" * 50_000 + "나", 0),  # punctuation only: no run
    ("가" + "~" * 12_000 + "+=$^" * 3_000 + "나", 0),  # math, currency and modifier symbols count as punctuation
    ("👩\u200d💻" * 4_000, 12_000),  # a joiner inside an emoji sequence does not end the run
    ("가" * 11_000 + "!" + "나" * 3, 11_000),
    ("", 0),
])
def test_overlong_run(text, run):
    assert overlong_run(text) == run


def test_overlong_run_is_linear_on_two_megabytes():
    started = time.monotonic()
    assert overlong_run(("가" * 9_000 + ".") * 220) == 0
    assert overlong_run(("가" * 9_000 + ".") * 220, 8_000) == 9_000
    assert time.monotonic() - started < 2.0


JOINED = [
    "\u1112\u1161\u11ab" * 40,  # 한 written as jamo: L V T
    "e\u0301" * 60,  # e and a combining acute
    "👩\u200d💻" * 40,  # a ZWJ sequence
    "👍🏽" * 60,  # a skin tone
    "🇰🇷" * 60,  # flags: pairs of regional indicators
    "❤\ufe0f" * 60,  # a variation selector
]


def graphemes_whole(piece: str, family: str) -> bool:
    unit = {"\u1112": "\u1112\u1161\u11ab", "e": "e\u0301", "👩": "👩\u200d💻", "👍": "👍🏽", "🇰": "🇰🇷",
            "❤": "❤\ufe0f"}[family[0]]
    return len(piece) % len(unit) == 0 and piece == unit * (len(piece) // len(unit))


@pytest.mark.parametrize("word", JOINED)
def test_a_word_cut_between_characters_never_splits_a_grapheme(word):
    out = pieces(word, 25)
    assert "".join(out) == word and len(out) > 1
    assert all(graphemes_whole(p, word) for p in out), out


@pytest.mark.parametrize("word", JOINED)
def test_grapheme_cut_finds_a_boundary_near_any_position(word):
    for i in range(1, len(word)):
        j = grapheme_cut(word, i)
        assert 0 < j <= len(word)
        assert graphemes_whole(word[:j], word) and graphemes_whole(word[j:], word)


def test_grapheme_cut_keeps_precomposed_hangul_as_it_is():
    assert grapheme_cut("가나다라", 2) == 2
    assert unicodedata.normalize("NFD", "한")[1:] and grapheme_cut(unicodedata.normalize("NFD", "한국"), 1) == 3


@pytest.mark.parametrize("run", ["가" * 9_999, "1" * 9_999, "a" * 9_999, "😀" * 9_999, "-" * 50_000])
def test_a_long_run_under_the_limit_is_cut_to_bounded_pieces(run):
    out = pieces(run, LONGEST_PIECE)
    assert "".join(out) == run and all(0 < len(p) <= LONGEST_PIECE for p in out)


def test_pieces_of_a_long_sentence_is_linear():
    sentence = "가나다라마바사 " * 200_000  # 1.6 MB, spaces but no stop
    started = time.monotonic()
    out = pieces(sentence, LONGEST_PIECE)
    assert time.monotonic() - started < 10
    assert all(len(p) <= LONGEST_PIECE for p in out) and " ".join(out) == sentence.strip()


def test_the_run_limit_is_above_the_longest_piece():
    assert MAX_RUN > LONGEST_PIECE
