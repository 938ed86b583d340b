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
