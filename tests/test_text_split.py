"""Issue 17: where a narrator breathes. Paragraph tables, long-sentence pieces, verbatim
slices and inputs that would make a backtracking splitter quadratic."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audioessay.text.normalize import normalize
from audioessay.text.split import pieces, sentence_spans, sentences

PARAGRAPHS = [
    # spaced dates and numbered lists are not sentence ends
    ("영화는 2024. 3. 1. 개봉했다. 반응이 좋았다.", ["영화는 2024. 3. 1. 개봉했다.", "반응이 좋았다."]),
    ("준비물은 1. 여권 2. 항공권 3. 지갑이다. 꼭 챙기자.", ["준비물은 1. 여권 2. 항공권 3. 지갑이다.", "꼭 챙기자."]),
    ("1. 일찍 일어난다. 2. 물을 마신다.", ["1. 일찍 일어난다.", "2. 물을 마신다."]),
    ("준비물\n1. 여권\n2. 항공권\n3. 지갑", ["준비물", "1. 여권", "2. 항공권", "3. 지갑"]),
    ("챙길 것은 다음과 같다\n- 우산과 모자\n- 물병", ["챙길 것은 다음과 같다", "- 우산과 모자", "- 물병"]),
    # abbreviations
    ("Dr. Kim은 U.S. 출신이다. 그는 웃었다.", ["Dr. Kim은 U.S. 출신이다.", "그는 웃었다."]),
    ("자세한 내용은 p. 23을 보라. 끝이다.", ["자세한 내용은 p. 23을 보라.", "끝이다."]),
    ("J. K. 롤링의 책이다. 재미있다.", ["J. K. 롤링의 책이다.", "재미있다."]),
    ("사과, 배 etc. 과일이 많다. 좋다.", ["사과, 배 etc. 과일이 많다.", "좋다."]),
    ("오전 9시 a.m. 기준이다. 늦지 마.", ["오전 9시 a.m. 기준이다.", "늦지 마."]),
    # an ellipsis inside a sentence is a pause
    ("그래서… 우리는 떠났다. 아무도 없었다.", ["그래서… 우리는 떠났다.", "아무도 없었다."]),
    ("그런데... 문이 열렸다.", ["그런데... 문이 열렸다."]),
    ("기다렸다… 그리고 그가 왔다.", ["기다렸다…", "그리고 그가 왔다."]),
    ("정말 그럴까… 모르겠다.", ["정말 그럴까…", "모르겠다."]),
    # headings and verse keep their lines
    ("디지털 시대의 외로움\n영화는 외로움을 다룬다. 사랑도 다룬다.",
     ["디지털 시대의 외로움", "영화는 외로움을 다룬다.", "사랑도 다룬다."]),
    ("산에는 꽃 피네\n꽃이 피네\n갈 봄 여름 없이\n꽃이 피네",
     ["산에는 꽃 피네", "꽃이 피네", "갈 봄 여름 없이", "꽃이 피네"]),
    ("죽는 날까지 하늘을 우러러\n한 점 부끄럼이 없기를\n잎새에 이는 바람에도\n나는 괴로워했다",
     ["죽는 날까지 하늘을 우러러", "한 점 부끄럼이 없기를", "잎새에 이는 바람에도", "나는 괴로워했다"]),
    ("아마 그래서 계속 재개봉이 되나 보다\n〈HER〉은 섬세한 작품이다.",
     ["아마 그래서 계속 재개봉이 되나 보다", "〈HER〉은 섬세한 작품이다."]),
    ("25년 현재를 사는 우리들은 영화\n허에 나오는 인공지능과 비슷한\n챗지피티를 만나고 있다. 놀랍다.",
     ["25년 현재를 사는 우리들은 영화\n허에 나오는 인공지능과 비슷한\n챗지피티를 만나고 있다.", "놀랍다."]),
    # emoji and a trailing ~ end a sentence
    ("정말 좋았다😊 다음에 또 가자.", ["정말 좋았다😊", "다음에 또 가자."]),
    ("오늘 날씨 최고👍👍 산책 가요~ 같이 갈래?", ["오늘 날씨 최고👍👍", "산책 가요~", "같이 갈래?"]),
    ("안녕~ 잘 가.", ["안녕~", "잘 가."]),
    ("서울~부산 구간이다. 멀다.", ["서울~부산 구간이다.", "멀다."]),
    ("반가워요^^ 잘 지내죠?", ["반가워요^^", "잘 지내죠?"]),
    ("진짜 웃기다ㅋㅋ 너무 좋아.", ["진짜 웃기다ㅋㅋ", "너무 좋아."]),
    ("ㅋㅋㅋ 진짜 웃기다.", ["ㅋㅋㅋ 진짜 웃기다."]),
    ("아…. 그렇구나.", ["아….", "그렇구나."]),
    ("그래서 우리는... 결국 헤어졌다.", ["그래서 우리는... 결국 헤어졌다."]),
    ("1) 여권 2) 항공권을 챙긴다. 끝.", ["1) 여권 2) 항공권을 챙긴다.", "끝."]),
    ("그는 Mr. Smith를 만났다. 반가웠다.", ["그는 Mr. Smith를 만났다.", "반가웠다."]),
    ("1부\n겨울\n그해 겨울은 추웠다.", ["1부", "겨울", "그해 겨울은 추웠다."]),
    # punctuation before a quoting word does not end the sentence
    ("‘감정은 무엇인가?’라는 생각이 들었다. 답은 없다.", ["‘감정은 무엇인가?’라는 생각이 들었다.", "답은 없다."]),
    ("내일 올게.라고 말했다. 그는 오지 않았다.", ["내일 올게.라고 말했다.", "그는 오지 않았다."]),
    ("왜? 라고 물었다.", ["왜? 라고 물었다."]),
    ('"정말?" 하고 되물었다. 그렇다.', ['"정말?" 하고 되물었다.', "그렇다."]),
    ("정말 좋았다. 하는 일마다 잘 됐다.", ["정말 좋았다.", "하는 일마다 잘 됐다."]),
    ("누구세요? 하고 물었다.", ["누구세요? 하고 물었다."]),
    # ordinary ends
    ("정말요?! 대단하네요. 축하해요!", ["정말요?!", "대단하네요.", "축하해요!"]),
    ("그녀가 말했다. “사랑해요.” 그는 웃었다.", ["그녀가 말했다.", "“사랑해요.”", "그는 웃었다."]),
    ("1,250명이 왔다. 3.5배 늘었다.", ["1,250명이 왔다.", "3.5배 늘었다."]),
    ("v2.0이 나왔다. 좋다.", ["v2.0이 나왔다.", "좋다."]),
]


@pytest.mark.parametrize(("paragraph", "expected"), PARAGRAPHS)
def test_paragraph_table(paragraph, expected):
    assert sentences(paragraph) == expected


@pytest.mark.parametrize(("paragraph", "expected"), PARAGRAPHS)
def test_sentences_are_verbatim_slices(paragraph, expected):
    for (a, b), sentence in zip(sentence_spans(paragraph), sentences(paragraph)):
        assert paragraph[a:b] == sentence


def test_transcript_keeps_thousands_commas():
    # issue 17 #9: pieces used to split at every comma and join with spaces: "1, 250명"
    sentence = ("행사에는 1,250명이 참석했고 그 가운데 3,400명이 넘는 사람들이 " * 3) + "돌아갔다."
    out = pieces(sentence, 60)
    assert len(out) > 1
    assert all(part in sentence for part in out)  # each piece is a verbatim slice
    assert "1,250명이" in " ".join(out) and "1, 250" not in " ".join(out)


# --- pieces ------------------------------------------------------------------------

LONG = ("그는 아침 일찍 일어나 창문을 열고, 따뜻한 차를 한 잔 마시며 신문을 읽었지만 "
        "마음은 여전히 무거웠는데 어제 들은 이야기가 자꾸 떠올랐기 때문이다.")


def test_pieces_cut_after_clause_endings():
    out = pieces(LONG, 40)
    assert all(len(part) <= 40 for part in out)
    assert re.sub(r"\s", "", "".join(out)) == re.sub(r"\s", "", LONG)
    for part in out[:-1]:
        last = part.rstrip(",").split()[-1]
        assert last.endswith(("고", "며", "지만", "는데", "면서", "어서", "다")) or part.endswith(","), part


def test_pieces_never_cut_between_object_and_verb():
    sentence = "나는 오래된 편지를 " * 2 + "읽었다 그리고 " + "오래된 사진을 천천히 바라보았다 " * 2
    for part in pieces(sentence, 30)[:-1]:
        assert not part.split()[-1].endswith(("을", "를")), part


def test_pieces_keep_a_list_of_nouns_together():
    sentence = "그녀는 대화 속에서 슬픔, 질투, 호기심, 기쁨 등을 표현하고, 인간과 다를 바 없는 감정 상태를 보여준다."
    out = pieces(sentence, 45)
    assert any("슬픔, 질투, 호기심, 기쁨" in part for part in out), out


def test_pieces_no_boundary_cuts_at_a_space():
    sentence = " ".join(["가나다라마바"] * 20)
    out = pieces(sentence, 30)
    assert all(len(part) <= 30 for part in out)
    assert all(word == "가나다라마바" for part in out for word in part.split())


def test_pieces_hard_cut_of_a_long_word_never_raises():
    assert pieces("가" * 25, 10) == ["가" * 10, "가" * 10, "가" * 5]
    assert pieces("가", 0) == ["가"]
    assert pieces("", 10) == []


def test_pieces_measure_spoken_length():
    # 10,000,000원 is 11 written characters but 천만 원 spoken; 2024년 is 이천이십사 년
    sentence = "올해 예산은 2024년 기준 10,000,000원이고 내년 예산은 2025년 기준 20,000,000원이다."
    spoken = lambda s: len(normalize(s))  # noqa: E731
    out = pieces(sentence, 30, measure=spoken)
    assert all(spoken(part) <= 30 for part in out)
    assert " ".join(out) == sentence


def test_pieces_short_sentence_is_whole():
    assert pieces("짧다.", 10) == ["짧다."]


# --- inputs that would make a backtracking splitter quadratic --------------------------


@pytest.mark.parametrize("text", ["!" * 100_000, "." * 100_000, "…" * 100_000, "?!" * 50_000,
                                  "!" * 100_000 + "가", "가" + "." * 100_000 + "가", "😀" * 50_000])
def test_long_runs_of_marks_are_one_sentence(text):
    assert sentences(text) == [text]


def test_long_runs_of_spaces_and_breaks():
    assert sentences(" " * 100_000) == []
    assert sentences("가." + " " * 100_000 + "나.") == ["가.", "나."]
    assert sentences("가\n" * 50_000) == ["가"] * 50_000  # verse-like short lines
    assert len(sentences("다. " * 50_000)) == 50_000


def test_long_runs_in_pieces():
    out = pieces("!" * 100_000, 90)
    assert "".join(out) == "!" * 100_000 and all(len(p) <= 90 for p in out)
    out = pieces("가 " * 50_000, 90)
    assert all(len(p) <= 90 for p in out) and "".join(out).replace(" ", "") == "가" * 50_000


# Issue 27: two normalizer rules rescanned a long run once per character (a run of 20,000
# brackets took 15 s); each piece is bounded (split.LONGEST_PIECE), and these stay linear.
@pytest.mark.parametrize("rule, text", [
    ("read_symbols", "가" + "(" * 20_000 + "나"),  # brackets become spaces before read_symbols
    ("read_symbols", "가" + " " * 20_000 + "나"),
    ("read_symbols", "가" + "~" * 20_000 + "·나"),
    ("read_vulgar_fractions", "1" * 20_000),
    ("read_vulgar_fractions", "1" * 20_000 + "원 ¾"),
])
def test_normalizer_rules_are_linear_on_long_runs(rule, text):
    import time

    from audioessay.text import normalize as n

    text = n.unwrap_brackets(text) if rule == "read_symbols" else text
    started = time.monotonic()
    out = getattr(n, rule)(text)
    assert time.monotonic() - started < 0.5
    assert out.endswith("나") if rule == "read_symbols" else out.startswith("1" * 19_999)


def test_read_symbols_gives_what_tidy_would_anyway():
    from audioessay.text import normalize as n

    for text in ("가  ·  나", "가   나", "가 -  나", "가\t\t/ 나", "가  ~~  나", "A  &  B"):
        assert n.tidy(n.read_symbols(text)) == n.tidy(n.read_symbols(" ".join(text.split())))


# --- properties --------------------------------------------------------------------

WORDS = st.sampled_from(["가나", "다라마", "했다.", "그래서…", "정말?", "좋아!", "1.", "2024.", "Dr.", "U.S.",
                         "😀", "~", "“인용”", "1,250명", "\n", "보다\n", "A.", "3.5배"])
PARAGRAPH = st.lists(WORDS, max_size=25).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(PARAGRAPH)
def test_concatenated_sentences_give_back_the_text(text):
    assert "".join("".join(sentences(text)).split()) == "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(PARAGRAPH, st.integers(min_value=1, max_value=40))
def test_concatenated_pieces_give_back_the_sentence(text, limit):
    out = pieces(text, limit)
    assert "".join("".join(out).split()) == "".join(text.split())
    assert all(part and len(part) <= limit for part in out)
