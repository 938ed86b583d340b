"""Essays you already have -> scripts: the sample essay, a blog post, and the wrong file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from audioessay.script import essay, importer
from audioessay.script import loader as script
from audioessay.errors import InputError
from audioessay.script.frontmatter import parse_front_matter
from audioessay.script.importer import essay_to_script, script_yaml
from audioessay.script.markdown import markdown_document
from audioessay.script.sniff import sniff, text_hint
from audioessay.speech.plan import make_plan

DATA = Path(__file__).resolve().parent / "data" / "writer"
HER = (DATA / "her.txt").read_text(encoding="utf-8")
POST = (DATA / "post.md").read_text(encoding="utf-8")
HER_TITLES = ["디지털 시대의 외로움, 새로운 사랑의 형태", "인공지능과 감정, 무엇이 진짜인가?",
              "관계의 회복과 인간다움에 대한 사색"]


def parsed(yaml_text: str, tmp_path: Path, name: str = "s.yaml") -> script.Script:
    path = tmp_path / name
    path.write_text(yaml_text, encoding="utf-8")
    return script.parse(yaml_text, path)


def validate(doc, filename: str) -> list[str]:
    """The script loader's validation over a located document (script.from_document)."""
    from audioessay.errors import InputError

    try:
        script.from_document(doc, Path(filename))
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


# --- the sample essay: plain text, no blank lines, three unmarked headings ---------------------


def test_sample_essay_gives_three_sections_with_the_original_headings():
    m = essay_to_script(HER, markdown=False, filename="her.txt")
    assert [s["title"] for s in m["sections"]] == HER_TITLES
    assert m["title"] == HER_TITLES[0]  # no title line: the first section's heading names the episode


def test_sample_essay_with_a_title_line_on_top():
    m = essay_to_script("〈HER〉 리뷰\n" + HER.lstrip("\n"), markdown=False)
    assert m["title"] == "〈HER〉 리뷰" and [s["title"] for s in m["sections"]] == HER_TITLES


def test_sample_essay_keeps_every_word_in_order():
    m = essay_to_script(HER, markdown=False, filename="her.txt")
    body = [ln for ln in HER.splitlines() if ln.strip() not in HER_TITLES]
    assert " ".join(s["text"] for s in m["sections"]).split() == " ".join(body).split()


def test_sample_essay_joins_hard_wraps_and_breaks_paragraphs_at_sentence_ends():
    first = essay_to_script(HER, markdown=False)["sections"][0]["text"]
    paragraphs = first.split("\n\n")
    # the wrap "... 우리들은 영화 / 허에 나오는 ... 비슷한 / 챗지피티를" is one sentence again
    assert "우리들은 영화 허에 나오는 인공지능 사만다와 매우 비슷한 챗지피티를 만나고 있다." in paragraphs[0]
    assert paragraphs[1].startswith("〈HER〉은 디지털 문명")  # after "되나 보다", a final ending
    assert len(paragraphs) == 4
    for p in paragraphs:
        assert p[-1] in ".?!다", p[-10:]


def test_sample_essay_script_parses_and_plans(tmp_path):
    s = parsed(importer.import_essay(HER, "her.txt"), tmp_path)
    assert [sec.title for sec in s.sections] == HER_TITLES
    plan = make_plan(s)
    spoken = [u.text for u in plan.utterances if u.kind == "sentence"]
    assert spoken[0].startswith("2025년 5월 한국에서") and spoken[-1].endswith("글을 마칠까 한다.")


@pytest.mark.parametrize("width", [30, 38, 60])
def test_sample_hard_wrapped_with_blank_lines_keeps_its_structure(width, tmp_path):
    """The sample script's text, wrapped at `width` with blank lines between paragraphs."""
    import textwrap

    sample = script.load(Path(__file__).resolve().parent.parent / "scripts" / "her.yaml")
    parts = [f"{sec.title}\n\n" + "\n\n".join(textwrap.fill(p, width) for p in sec.text.split("\n\n"))
             for sec in sample.sections]
    m = essay_to_script("\n\n".join(parts), markdown=False)
    assert [s["title"] for s in m["sections"]] == HER_TITLES
    for got, want in zip(m["sections"], sample.sections):
        assert [p.split() for p in got["text"].split("\n\n")] == [p.split() for p in want.text.split("\n\n")]


# --- plain text with blank lines ---------------------------------------------------------------

PLAIN = """\
나의 여름

첫 부분

여름은 길었다. 이 문장은 둘로
나뉘어 있다.
마침표 없이 끝나는 줄이 있다
그다음 줄.

* * *

둘째 문단이다.

두 번째 부분

마지막 문단이다.
"""


def test_plain_text_with_blank_lines():
    m = essay_to_script(PLAIN, markdown=False)
    assert m["title"] == "나의 여름"  # a title line right above the first heading
    assert m["sections"] == [
        {"title": "첫 부분",
         "text": "여름은 길었다. 이 문장은 둘로 나뉘어 있다. 마침표 없이 끝나는 줄이 있다\n그다음 줄.\n\n둘째 문단이다."},
        {"title": "두 번째 부분", "text": "마지막 문단이다."},
    ]


def test_numbered_headings_and_a_date_line():
    text = "나의 여름\n2025.05.01\n\n1. 시작\n\n첫 문단이다.\n\n2. 끝\n\n마지막 문단이다.\n"
    m = essay_to_script(text, markdown=False)
    assert m["title"] == "나의 여름"
    assert m["sections"] == [{"title": "나의 여름", "text": "2025.05.01"},
                             {"title": "1. 시작", "text": "첫 문단이다."},
                             {"title": "2. 끝", "text": "마지막 문단이다."}]


def test_text_before_the_first_heading_is_an_intro():
    m = essay_to_script("머리말이다.\n\n본론\n\n본문이다.\n", markdown=False)
    assert m["title"] == "본론"
    assert m["sections"] == [{"title": essay.INTRO_TITLE, "text": "머리말이다."},
                             {"title": "본론", "text": "본문이다."}]


def test_no_headings_one_section_named_by_the_file():
    m = essay_to_script("첫 문장이다.\n\n둘째 문단이다.\n", markdown=False, filename="/x/여름 일기.txt")
    assert m["title"] == "여름 일기"
    assert m["sections"] == [{"title": "여름 일기", "text": "첫 문장이다.\n\n둘째 문단이다."}]


@pytest.mark.parametrize("line, heading", [
    ("관계의 회복과 인간다움에 대한 사색", True),
    ("인공지능과 감정, 무엇이 진짜인가?", True),
    ("〈HER〉 리뷰", True),
    ("1. 디지털 시대의 외로움", True),
    ("Ⅲ. 결론", True),
    ("2025.05.01", True),  # a date line at the top: text if it has a title line above it
    ("그래서 계속 재개봉이 되나 보다", False),  # a sentence without its period
    ("짧은 문장이다.", False),
    ("다음과 같다:", False),
    ("정말일까? 아니다.", False),  # two sentences
    ("* * *", False),
    ("이 줄은 사십 자를 넘는 긴 줄이라서 제목이 아니라 본문의 일부로 읽어야 한다 그렇지", False),
])
def test_looks_like_heading(line, heading):
    assert essay.looks_like_heading(line) is heading


def test_short_lines_inside_prose_are_not_headings():
    text = ("첫 문단의 첫 줄은 길게 이어지다가 여기서\n짧게\n끝난다.\n\n"
            "둘째\n문단은 짧은 줄로 시작하는데, 그 줄은 제목이다.\n\n셋째 문단이다.\n\n- 목록 같은 줄\n")
    m = essay_to_script(text, markdown=False, filename="t.txt")
    assert [s["title"] for s in m["sections"]] == [essay.INTRO_TITLE, "둘째"]
    assert m["sections"][0]["text"] == "첫 문단의 첫 줄은 길게 이어지다가 여기서 짧게 끝난다."
    assert m["sections"][1]["text"] == "문단은 짧은 줄로 시작하는데, 그 줄은 제목이다.\n\n셋째 문단이다.\n\n- 목록 같은 줄"


# --- a Markdown post ------------------------------------------------------------------------------


def test_markdown_post_to_script():
    m = essay_to_script(POST, markdown=True, filename="post.md")
    assert m["title"] == "〈HER〉 다시 보기" and m["author"] == "홍길동"
    assert m["date"] == "2025-05-01" and m["voice"] == {"speed": 1.1}
    assert "tags" not in m and "layout" not in m
    # the H1 repeats the front-matter title: not a section of its own; the text under it is the intro
    assert [s["title"] for s in m["sections"]] == ["〈HER〉 다시 보기", "외로움에 대하여", "목소리만 있는 사랑"]
    second = m["sections"][1]["text"].split("\n\n")
    assert second[:5] == ["테오도르는 편지를 대신 써 주는 사람이다. 자세한 줄거리는 나무위키 문서에 있다.",
                          "그가 좋아하는 것은 세 가지다.", "오래된 편지", "밤의 도시", "사만다의 목소리"]


def test_markdown_post_spoken_and_written_text_have_no_markup(tmp_path):
    s = parsed(importer.import_essay(POST, "post.md"), tmp_path)
    plan = make_plan(s)
    for u in plan.utterances:
        for text in (u.text, u.spoken):
            assert not re.search(r"https?:|www\.|example|namu|poster|[*`#<>\[\]]|\]\(|^- ", text), text
    written = " ".join(u.text for u in plan.utterances)
    assert "인라인 코드 사만다는 그대로 읽는다." in written and "이 코드는 읽지 않는다" not in written
    assert s.tags.title == "〈HER〉 다시 보기" and s.tags.date == "2025-05-01" and s.voice.speed == 1.1


def test_import_essay_names_the_dropped_front_matter_keys():
    out = importer.import_essay(POST, "post.md")
    assert out.startswith("# Made by `audioessay init` from post.md: headings became sections")
    assert "# Not carried over from the front matter: tags, layout." in out


def test_markdown_headings_turn_off_the_unmarked_heading_rule():
    m = essay_to_script("## 하나\n\n짧은 줄\n\n본문이다.\n\n- 목록\n- 항목\n", markdown=True)
    assert [s["title"] for s in m["sections"]] == ["하나"]
    m = essay_to_script("제목 줄\n\n본문이다.\n\n- 목록\n\n끝이다.\n", markdown=True, filename="a.md")
    assert [s["title"] for s in m["sections"]] == ["제목 줄"]  # the list item stays text
    assert m["sections"][0]["text"] == "본문이다.\n\n목록\n\n끝이다."


def test_single_h1_is_the_title_and_consecutive_headings_merge():
    m = essay_to_script("# 전체 제목\n\n## 1부\n### 시작\n\n본문이다.\n\n## 2부\n\n끝이다.\n\n## 빈 절\n\n```\nx\n```\n",
                        markdown=True)
    assert m["title"] == "전체 제목"
    assert [s["title"] for s in m["sections"]] == ["1부 — 시작", "2부"]  # the empty one is dropped


def test_same_level_headings_are_all_sections():
    m = essay_to_script("# 하나\n\n첫째.\n\n# 둘\n\n둘째.\n", markdown=True)
    assert m["title"] == "하나" and [s["title"] for s in m["sections"]] == ["하나", "둘"]


# --- front matter --------------------------------------------------------------------------------


def test_windows_line_endings_and_bom_read_the_same():
    crlf = "\ufeff" + POST.replace("\n", "\r\n")
    assert essay_to_script(crlf, markdown=True) == essay_to_script(POST, markdown=True)
    assert essay_to_script(HER.replace("\n", "\r\n"), markdown=False) == essay_to_script(HER, markdown=False)


def test_sample_essay_as_markdown_reads_the_same():
    """Saved as .md, the sample (no blank lines, no # headings) is one CommonMark paragraph;
    the same line rules still find its parts."""
    as_md = essay_to_script(HER, markdown=True, filename="her.md")
    assert as_md == essay_to_script(HER, markdown=False, filename="her.md")


def test_parse_front_matter():
    meta, body, line = parse_front_matter("---\ntitle: 제목\ntags: [a]\n---\n본문\n")
    assert meta == {"title": "제목", "tags": ["a"]} and body == "본문\n" and line == 5
    assert parse_front_matter("본문만\n") == (None, "본문만\n", 1)
    assert parse_front_matter("---\n닫히지 않음\n") == (None, "---\n닫히지 않음\n", 1)
    assert parse_front_matter("---\n---\n본문") == ({}, "본문", 3)


def test_broken_front_matter_reports_the_file_line():
    with pytest.raises(InputError, match=r"post\.md:3: front matter: YAML syntax error"):
        parse_front_matter("---\ntitle: 제목\nauthor: [홍길동\n---\n본문\n", "post.md")
    with pytest.raises(InputError, match=r"post\.md:2: the front matter .* must be key: value"):
        parse_front_matter("---\n- 목록\n---\n본문\n", "post.md")


# --- script_yaml ------------------------------------------------------------------------------------


def test_script_yaml_round_trips_awkward_values(tmp_path):
    mapping = {
        "sections": [
            {"title": "- 대시로 시작: 콜론도", "text": "# 샵으로 시작하는 줄\n\n  들여쓴 줄은 없다: 'x' \"y\""},
            {"title": "〈HER〉 #1", "text": "---\n...\n끝이다.", "pronounce": {"HER": "허"}},
            {"title": "셋", "text": "  들여쓴 첫 줄\n그다음 줄"},
        ],
        "title": "'따옴표' 제목: 부제",
        "date": "2025-05-01",
        "voice": {"engine": "espeak", "speed": 1.2},
    }
    text = script_yaml(mapping, source="x.md", notes=("메모.",))
    assert text.index("title:") < text.index("date:") < text.index("voice:") < text.index("sections:")
    assert "    text: |\n" in text and "# 메모." in text
    s = parsed(text, tmp_path)
    assert s.tags.title == mapping["title"] and s.voice.engine == "espeak" and s.tags.date == "2025-05-01"
    assert [(x.title, x.text) for x in s.sections] == [
        ("- 대시로 시작: 콜론도", "# 샵으로 시작하는 줄\n\n  들여쓴 줄은 없다: 'x' \"y\""),
        ("〈HER〉 #1", "---\n...\n끝이다."),
        ("셋", "들여쓴 첫 줄\n그다음 줄"),  # script.parse strips the text
    ]
    assert s.sections[1].pronounce == (("HER", "허"),)


# --- a Markdown post read as a script document ------------------------------------------------------


def test_markdown_document_matches_init():
    doc = markdown_document(POST, "post.md")
    m = essay_to_script(POST, markdown=True, filename="post.md")
    assert doc.value == m  # the same script either way: render post.md == init + render
    assert validate(doc, "post.md") == []


def test_markdown_document_lines_point_into_the_post():
    doc = markdown_document(POST, "post.md")
    lines = POST.split("\n")

    def at(path):
        return lines[doc.lines[path] - 1]

    assert at(("title",)).startswith("title:") and at(("author",)).startswith("author:")
    assert at(("sections", 0, "text")).startswith("영화를 다시 보았다.")
    assert at(("sections", 1, "title")) == "## 외로움에 대하여"
    assert at(("sections", 1, "text")).startswith("테오도르는")
    assert at(("sections", 2, "title")) == "## 목소리만 있는 사랑"
    assert at(("sections", 2, "text")).startswith("블로그")


def test_bad_front_matter_value_is_reported_at_its_md_line():
    post = POST.replace("  speed: 1.1", "  speed: fast").replace("author:", "auther:")
    problems = validate(markdown_document(post, "post.md"), "post.md")
    assert "post.md:3: auther: unknown key; did you mean 'author'?" in problems
    assert any(p.startswith("post.md:9: voice.speed: must be a number") for p in problems)


def test_markdown_document_title_from_heading_and_section_lines():
    post = "# 제목\n\n## 하나\n\n첫째다.\n"
    doc = markdown_document(post, "a.md")
    assert doc.value == {"title": "제목", "sections": [{"title": "하나", "text": "첫째다."}]}
    assert doc.lines[("title",)] == 1 and doc.lines[("sections", 0)] == 3 and doc.lines[("sections", 0, "text")] == 5


def test_markdown_document_with_sections_in_front_matter_and_a_body_is_an_error():
    with pytest.raises(InputError, match=r"a\.md:2: sections: the headings of the post make the sections"):
        markdown_document("---\nsections: []\n---\n본문.\n", "a.md")


def test_empty_post_is_reported_by_the_validator():
    problems = validate(markdown_document("---\ntitle: 제목\n---\n\n", "a.md"), "a.md")
    assert problems == ["a.md:4: sections: must not be empty; add at least one item"]


# --- the wrong file ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, raw, expected, hint", [
    ("ep.mp3", b"ID3\x04\x00" + bytes(100), "script", "looks like an MP3 file, not a script"),
    ("ep.yaml", b"\xff\xfb\x90\x00" + bytes(100), "script", "audioessay check ep.yaml"),
    ("a.wav", b"RIFF\x00\x00\x00\x00WAVE", "script", "looks like a WAV audio file"),
    ("a.yaml", "title: 제목".encode("utf-16"), "script", "looks like UTF-16 text (save it as UTF-8)"),
    ("her.txt", HER.encode(), "script", "looks like an essay in plain text, not a YAML script; "
                                        "make a script from it with `audioessay init her.txt`"),
    ("post.txt", POST.encode(), "script", "looks like a Markdown post"),
    ("show.yaml", b"title: t\nbase_url: https://a.kr/\nepisodes: ['*.mp3']\n", "script",
     "looks like a show file (for `audioessay feed show.yaml`)"),
    ("ep.yaml", b"title: t\nsections:\n  - title: a\n    text: b\n", "show",
     "looks like an episode script, not a show file; render it with `audioessay render ep.yaml`"),
])
def test_sniff_names_the_file_and_the_command(name, raw, expected, hint):
    assert hint in sniff(Path(name), raw, expected=expected)


@pytest.mark.parametrize("name, raw", [
    ("ep.yaml", b"title: t\nsections:\n  - title: a\n    text: b\n"),
    ("ep.yaml", b"title: t\nsections:\n  - title: a\n    text: b: c\n  bad indent: x\n"),  # broken YAML
    ("post.md", POST.encode()),
    ("x.yaml", b"title: \xc0\x80 bad utf-8"),
    ("empty.yaml", b""),
])
def test_sniff_leaves_scripts_to_the_loader(name, raw):
    assert sniff(Path(name), raw) is None


def test_text_hint_judges_the_document_the_loader_read():
    show = "title: t\nbase_url: https://a.kr/\nepisodes: ['*.mp3']\n"
    assert "looks like a show file" in text_hint(Path("show.yaml"), show, {"title": "t", "base_url": "x"})
    assert text_hint(Path("show.yaml"), show, None) is None  # what was not read is not guessed at
    prose = "짧은 글의 첫 문장이다.\n둘째 문장이다.\n셋째 문장이다.\n"
    assert "plain text" in text_hint(Path("a.yaml"), prose, prose)
    assert text_hint(Path("a.yaml"), prose, {"title": prose}) is None  # a mapping is a script


@pytest.mark.parametrize("name, text, message", [
    ("her.yaml", HER, "looks like an essay in plain text, not a YAML script; make a script from it with "
                      "`audioessay init {path}`"),
    ("post.txt", POST, "looks like a Markdown post, not a YAML script; name it .md to render it as it is, "
                       "or make a script from it with `audioessay init {path}`"),
    ("show.yaml", "title: t\nbase_url: https://a.kr/\nepisodes: ['*.mp3']\n",
     "looks like a show file (for `audioessay feed {path}`), not an episode script; give an episode script "
     "with title: and sections:"),
])
def test_load_says_what_the_wrong_file_looks_like(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        script.load(path)
    assert [str(p) for p in info.value.problems] == [f"{path}: " + message.format(path=path)]


def test_a_script_with_long_text_blocks_is_not_taken_for_prose(tmp_path):
    text = "title: t\nsections:\n  - title: a\n    text: |\n" + "".join(f"      {i}번째 문장이다.\n" for i in range(20))
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(script.load(path).sections) == 1


def test_feed_says_an_episode_script_is_not_a_show_file(tmp_path):
    from audioessay.publish.feed import load_show

    path = tmp_path / "ep.yaml"
    path.write_text("title: t\nsections:\n  - title: a\n    text: b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ep.yaml: looks like an episode script, not a show file"):
        load_show(path)


# --- it renders ------------------------------------------------------------------------------------------


def test_imported_post_renders_with_a_clean_transcript(tmp_path):
    from audioessay.episode import render
    from audioessay.speech.cache import Cache
    from audioessay.export.sidecars import sidecar_paths

    post = "---\ntitle: 짧은 글\n---\n\n## 하나\n\n*첫* 문장이다. [링크](https://a.kr)를 보라.\n\n- 목록 항목\n"
    s = parsed(importer.import_essay(post, "short.md"), tmp_path, "short.yaml").with_engine("espeak")
    result = render.render(s, output=tmp_path / "short.mp3", cache=Cache(tmp_path / "cache"))
    assert result.sections == 1 and result.sentences == 3 and result.duration_ms > 1000
    vtt = sidecar_paths(tmp_path / "short.mp3")["vtt"].read_text(encoding="utf-8")
    assert "첫 문장이다." in vtt and "링크를 보라." in vtt and "목록 항목" in vtt
    assert not re.search(r"https?:|a\.kr|[*\[\]]", vtt)


_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85\ufeff")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(_CHARS, min_size=1, max_size=30).filter(str.strip),
                          st.text(st.one_of(_CHARS, st.just("\n")), min_size=1, max_size=200).filter(str.strip)),
                min_size=1, max_size=3))
def test_script_yaml_writes_any_text_back_as_it_was(sections):
    mapping = {"title": sections[0][0], "sections": [{"title": t, "text": x} for t, x in sections]}
    loaded = yaml.safe_load(script_yaml(mapping))
    assert loaded["title"] == sections[0][0]
    assert [(s["title"], s["text"].strip("\n")) for s in loaded["sections"]] == \
        [(t, x.strip("\n")) for t, x in sections]
