"""Markdown reduced to what a listener hears: each construct in, the words out."""

from __future__ import annotations

import pytest

from pathlib import Path

from audioessay.text.markdown import Block, blocks, drop_urls, strip_html, tidy_line, to_speech

DATA = Path(__file__).resolve().parent / "data" / "writer"


@pytest.mark.parametrize("source, heard", [
    ("*기울임*과 **굵게**와 ~~지움~~", "기울임과 굵게와 지움"),
    ("[나무위키 문서](https://namu.wiki/w/HER)에 있다.", "나무위키 문서에 있다."),
    ("[참고][1]를 보라.\n\n[1]: https://example.com", "참고를 보라."),
    ("포스터 ![포스터 그림](poster.jpg) 아래", "포스터 아래"),
    ("코드 `print()`와 `사만다`", "코드 print()와 사만다"),
    ("글 <b>굵게</b> <!-- 메모 --> 끝", "글 굵게 끝"),
    ("주소는 <https://example.com>이다.", "주소는 이다."),
    ("[https://t.co/x](https://t.co/x) 링크", "링크"),
    ("블로그 https://example.com/her?ref=1 에도", "블로그 에도"),
    ("문장 끝 www.example.com.", "문장 끝."),
    ("각주가 있다[^1].", "각주가 있다."),
    ("\\*별표\\*는 글자다", "*별표*는 글자다"),
    ("&amp; 기호", "& 기호"),
    ("**〈HER〉**은 ~~\"취소\"~~다", "〈HER〉은 \"취소\"다"),  # CommonMark leaves these; we don't
    ("5 * 3 = 15, 파일_이름_둘", "5 * 3 = 15, 파일_이름_둘"),
])
def test_inline_markup_is_reduced(source, heard):
    assert to_speech(source) == heard


def test_blocks_markers_go_text_stays():
    post = ("# 제목\n\n첫 문단\n둘째 줄\n\n- 하나\n- 둘\n\n1. 첫째\n\n> 인용\n> 계속\n\n"
            "```\ncode()\n```\n\n    indented code\n\n---\n\n| 가 | 나 |\n|---|---|\n| 1 | 2 |\n")
    out = blocks(post)
    assert [(b.kind, [t for _, t in b.lines]) for b in out] == [
        ("heading", ["제목"]),
        ("text", ["첫 문단", "둘째 줄"]),
        ("text", ["하나"]), ("text", ["둘"]), ("text", ["첫째"]),
        ("text", ["인용", "계속"]),
        ("text", ["가, 나"]), ("text", ["1, 2"]),
    ]
    assert [b.prose for b in out] == [True, True, False, False, False, False, False, False]
    assert out[0].level == 1


def test_lines_are_the_source_lines():
    post = "# 제목\n\n첫 줄\n![그림](a.png)\n셋째 줄\n\n## 둘\n"
    out = blocks(post, first_line=11)  # the body starts on line 11 of the file
    assert out[0] == Block("heading", ((11, "제목"),), 1)
    assert out[1].lines == ((13, "첫 줄"), (15, "셋째 줄"))  # the image line is gone, numbering kept
    assert out[2].lines == ((17, "둘"),) and out[2].level == 2


def test_setext_heading_and_heading_markup():
    out = blocks("**굵은** 제목\n===\n\n본문.\n")
    assert out[0].kind == "heading" and out[0].text == "굵은 제목"


def test_html_blocks_keep_visible_text_only():
    post = "<div>\n<p>보이는 글</p>\n<script>alert('x')</script>\n<style>p{}</style>\n</div>\n\n<!-- 전체 주석 -->\n"
    assert [t for b in blocks(post) for _, t in b.lines] == ["보이는 글"]


def test_strip_html():
    assert strip_html("<p>글 <b>굵게</b></p><!-- 메모 -->").strip() == "글 굵게"


@pytest.mark.parametrize("text, out", [
    ("블로그(https://a.kr/x)에", "블로그에"),
    ("보라: https://a.kr/x, 그리고", "보라: , 그리고"),  # tidy_line closes the gap later
    ("(앞) 〈https://a.kr〉 (뒤)", "(앞)  (뒤)"),
    ("HTTPS://A.KR 끝", " 끝"),
    ("3.5는 숫자다.", "3.5는 숫자다."),
    ("email@example.com", "email@example.com"),
])
def test_drop_urls(text, out):
    assert drop_urls(text) == out


def test_tidy_line():
    assert tidy_line("보라: ,  그리고\x07 끝 .") == "보라:, 그리고 끝."


def test_no_url_or_markup_survives_a_whole_post():
    heard = to_speech((DATA / "post.md").read_text(encoding="utf-8").split("---\n", 2)[2])
    for bad in ("http", "www.", "example.com", "namu.wiki", "poster.jpg", "print(", "*", "`", "<", ">",
                "](", "#", "- ", "이 코드는"):
        assert bad not in heard, bad
    for kept in ("편지를 대신 써 주는 사람이다", "나무위키 문서에 있다", "사만다의 목소리", "용인된 광기다",
                 "예고편은 여기에서 볼 수 있다", "인라인 코드 사만다는"):
        assert kept in heard, kept
