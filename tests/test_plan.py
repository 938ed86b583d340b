"""Script -> Plan: utterance order, pauses, spoken forms, lexicon warnings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from audioessay.script import loader as script
from audioessay.speech.plan import episode_digest, make_plan


def plan_digest(s, engine):
    return episode_digest(s, make_plan(s), engine)


def load(tmp_path: Path, text: str):
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return script.load(p)


BASE = """\
title: t
pauses: {clause: 100, sentence: 300, paragraph: 700, title: 500, section: 1500}
sections:
  - title: 하나
    text: |
      첫 문장이다. 둘째 문장이다.

      새 문단이다.
  - title: 둘
    text: 3번째 문장이다.
"""


def test_order_kinds_and_pauses(tmp_path):
    plan = make_plan(load(tmp_path, BASE))
    got = [(u.kind, u.section, u.text, u.pause_ms) for u in plan.utterances]
    assert got == [
        ("title", 0, "하나", 500),
        ("sentence", 0, "첫 문장이다.", 300),
        ("sentence", 0, "둘째 문장이다.", 700),
        ("sentence", 0, "새 문단이다.", 1500),
        ("title", 1, "둘", 500),
        ("sentence", 1, "3번째 문장이다.", 1000),  # the last pause is capped: no dead air at the end
    ]
    assert plan.sentence_count == 4


def test_spoken_form_is_normalized_but_text_kept(tmp_path):
    plan = make_plan(load(tmp_path, BASE))
    last = plan.utterances[-1]
    assert last.text == "3번째 문장이다." and last.spoken == "세 번째 문장이다."


def test_normalize_false_keeps_text_but_applies_lexicon(tmp_path):
    s = load(tmp_path, BASE + "normalize: false\npronounce: {문장: 글월}\n")
    last = make_plan(s).utterances[-1]
    assert last.spoken == "3번째 글월이다."


def test_pronounce_section_override_and_unused_warning(tmp_path):
    text = BASE.replace("    text: 3번째 문장이다.\n",
                        "    text: 3번째 문장이다.\n    pronounce: {문장: 말}\n")
    s = load(tmp_path, text + "pronounce: {문장: 글, 없는말: 무엇}\n")
    plan = make_plan(s)
    spoken = {u.text: u.spoken for u in plan.utterances}
    assert spoken["첫 문장이다."] == "첫 글이다."
    assert spoken["3번째 문장이다."] == "세 번째 말이다."
    assert plan.unused_pronounce == ("없는말",)


def test_long_sentence_is_cut_to_the_engines_limit_with_clause_pauses(tmp_path):
    long = "가나다라 " * 40 + "끝이다."
    s = load(tmp_path, f"title: t\nvoice: {{engine: gtts}}\nsections:\n  - title: a\n    text: {long}\n")
    pieces = [u for u in make_plan(s).utterances if u.kind == "sentence"]
    assert len(pieces) >= 2
    assert all(len(u.spoken) <= 100 for u in pieces)  # gtts's limit, on the spoken form
    assert all(u.pause_ms == 200 for u in pieces[:-1])
    assert " ".join(u.text for u in pieces) == long.strip()
    espeak = dataclasses.replace(s, voice=dataclasses.replace(s.voice, engine="espeak"))
    whole = [u for u in make_plan(espeak.with_engine("espeak")).utterances if u.kind == "sentence"]
    assert [u.text for u in whole] == [long.strip()]  # espeak has no request limit


def test_limit_counts_the_spoken_length(tmp_path):
    # 13 written characters that speak as far more: the cut follows the spoken form.
    text = "1,234,567,890원과 " * 6 + "끝이다."
    s = load(tmp_path, f"title: t\nvoice: {{engine: gtts}}\nsections:\n  - title: a\n    text: {text}\n")
    pieces = [u for u in make_plan(s).utterances if u.kind == "sentence"]
    assert len(pieces) >= 2 and all(len(u.spoken) <= 100 for u in pieces)
    assert len(text) < 120


def test_digest_changes_with_what_affects_audio(tmp_path):
    s = load(tmp_path, BASE)
    engine = {"name": "espeak", "version": "1", "wpm": 175}
    d = plan_digest(s, engine)
    assert d == plan_digest(load(tmp_path, BASE), engine)
    assert d != plan_digest(s, {**engine, "wpm": 200})
    assert d != plan_digest(load(tmp_path, BASE.replace("첫 문장", "첫째 문장")), engine)
    assert d != plan_digest(load(tmp_path, BASE.replace("sentence: 300", "sentence: 350")), engine)
    assert d != plan_digest(load(tmp_path, BASE + "audio: {bitrate: 128}\n"), engine)


# -- issue 27: nothing left to speak; sentences and runs too long for one utterance ----------

import pytest  # noqa: E402

from audioessay.errors import InputError  # noqa: E402
from audioessay.text.split import LONGEST_PIECE, MAX_RUN  # noqa: E402

SILENT_BY_PRONOUNCE = """\
title: t
voice: {engine: espeak}
pronounce: {안녕하세요: "", 좋습니다: ""}
sections:
  - title: 하나
    text: 안녕하세요. 좋습니다.
"""


def problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        make_plan(load(tmp_path, text))
    assert info.value.exit_code == 2
    return info.value.lines()


def test_pronounce_that_empties_every_sentence_is_refused_at_the_sections_line(tmp_path):
    assert problems(tmp_path, SILENT_BY_PRONOUNCE) == [
        f"error: {tmp_path / 's.yaml'}:5: sections[0].text: has nothing left to speak: the pronounce: entries "
        "turn every sentence into nothing; change them or write the section's text"]


def test_section_pronounce_that_empties_its_sentences_names_that_section(tmp_path):
    text = ("title: t\nsections:\n  - title: 하나\n    text: 첫 문장이다.\n"
            "  - title: 둘\n    pronounce: {좋습니다: ''}\n    text: 좋습니다.\n")
    [line] = problems(tmp_path, text)
    assert line.startswith(f"error: {tmp_path / 's.yaml'}:5: sections[1].text: has nothing left to speak: "
                           "the pronounce")


def test_laughter_only_is_nothing_left_to_speak_and_every_silent_section_is_named(tmp_path):
    text = "title: t\nsections:\n  - title: 하나\n    text: ㅋㅋㅋ ㅠㅠ\n  - title: 둘\n    text: 😀 ㅎㅎ\n"
    assert problems(tmp_path, text) == [
        f"error: {tmp_path / 's.yaml'}:{line}: sections[{i}].text: has nothing left to speak (only laughter, "
        "emoji or symbols, which are not read aloud); write the section's text" for i, line in ((0, 3), (1, 5))]


def test_one_sentence_that_speaks_is_enough(tmp_path):
    plan = make_plan(load(tmp_path, SILENT_BY_PRONOUNCE.replace("좋습니다.", "좋습니다. 그래도 말한다.")))
    assert [u.spoken for u in plan.utterances if u.kind == "sentence"][-1] == "그래도 말한다."


def test_normalize_false_keeps_what_the_engine_is_given(tmp_path):
    plan = make_plan(load(tmp_path, "title: t\nnormalize: false\nsections:\n  - title: 하나\n    text: ㅋㅋㅋ\n"))
    assert [u.spoken for u in plan.utterances] == ["하나", "ㅋㅋㅋ"]


def test_a_sentence_longer_than_one_utterance_is_cut_even_without_an_engine_limit(tmp_path):
    long = "가나다라마바사 아자차카타파하는 " * 150 + "끝이다."  # 2,400 characters, no stop
    s = load(tmp_path, f"title: t\nvoice: {{engine: espeak}}\nsections:\n  - title: a\n    text: {long}\n")
    pieces = [u for u in make_plan(s).utterances if u.kind == "sentence"]
    assert len(pieces) == 3 and all(len(u.text) <= LONGEST_PIECE for u in pieces)
    assert " ".join(u.text for u in pieces) == long.strip()
    assert [u.pause_ms for u in pieces[:-1]] == [s.pauses.clause] * 2


@pytest.mark.parametrize("run", ["가" * (MAX_RUN + 1), "7" * (MAX_RUN + 5), "😀" * (MAX_RUN + 1),
                                 "https://example.com/" + "x" * (MAX_RUN + 1)])
def test_a_run_over_the_limit_is_refused_with_its_line(tmp_path, run):
    p = tmp_path / "s.yaml"
    p.write_text(f"title: t\nsections:\n  - title: a\n    text: 앞 {run} 뒤\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        script.load(p)
    n = len(run) - (len("https://example.com/") if run.startswith("http") else 0)
    assert info.value.lines() == [f"error: {p}:4: sections[0].text: a run of {n:,} characters without a space or "
                                  f"punctuation; the limit is {MAX_RUN:,}; break it up"]


def test_a_run_under_the_limit_is_planned_in_bounded_utterances(tmp_path):
    s = load(tmp_path, "title: t\nvoice: {engine: espeak}\nsections:\n  - title: a\n"
                       f"    text: 번호 {'7' * MAX_RUN}\n")
    pieces = [u for u in make_plan(s).utterances if u.kind == "sentence"]
    assert len(pieces) == MAX_RUN // LONGEST_PIECE + 1 and all(len(u.text) <= LONGEST_PIECE for u in pieces)


def test_a_title_longer_than_one_utterance_is_refused(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(f"title: t\nsections:\n  - title: {'제목 ' * 400}\n    text: 본문이다.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r":3: sections\[0\]\.title: is 1,199 characters long; the limit is 1,000 "
                                         r"\(a heading is spoken in one go\); shorten it$"):
        script.load(p)


def test_pieces_with_nothing_to_say_take_no_breath(tmp_path):
    text = "가" + "-" * 3_500 + "나 다음이다."
    s = load(tmp_path, f"title: t\nvoice: {{engine: espeak}}\nsections:\n  - title: a\n    text: \"{text}\"\n")
    pieces = [u for u in make_plan(s).utterances if u.kind == "sentence"]
    assert "".join(u.text for u in pieces).replace(" ", "") == text.replace(" ", "")
    assert len(pieces) == 4 and all(len(u.text) <= LONGEST_PIECE for u in pieces)
    silent = [u for u in pieces[:-1] if not any(ch.isalnum() for ch in u.spoken)]
    assert silent and all(u.pause_ms == 0 for u in silent)
    assert pieces[0].pause_ms == s.pauses.clause  # "가---" speaks: a breath after it
