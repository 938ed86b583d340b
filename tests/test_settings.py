"""Every setting is declared once: the digest, the README table and validation all derive
from the declarations, and a field forgotten by the digest makes a test fail."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from audioessay.config import groups, presets
from audioessay.script import loader as script
from audioessay.config import settings
from audioessay.config.groups import DateText, EngineName, Music, SectionMusic
from audioessay.config.options import Bool, Choice, Number, Text, TextMap
from audioessay.speech.plan import episode_digest, make_plan
from audioessay.config.settings import Group

ROOT = Path(__file__).resolve().parent.parent
ENGINE = {"name": "gtts", "version": "1", "lang": "ko"}

FULL = """\
title: 제목
author: 글쓴이
cover: cover.jpg
music: {file: bed.ogg}
intro: 1000
outro: 1000
voice: {engine: gtts}
sections:
  - title: 하나
    text: 첫 문장이다.
  - title: 둘
    music: {volume: -30}
    text: 둘째 문장이다.
"""

# Declared fields that deliberately stay out of the digest; each says why in its declaration.
NOT_IN_DIGEST = {
    "Voice.engine", "EdgeVoice.concurrency", "EdgeVoice.timeout", "EdgeVoice.deadline", "EdgeVoice.retries",
    "GttsVoice.concurrency", "GttsVoice.rate_limit", "GttsVoice.timeout", "GttsVoice.retries",
    "GttsVoice.deadline",
    "ClovaVoice.concurrency", "ClovaVoice.timeout", "ClovaVoice.deadline", "ClovaVoice.retries",
    "GoogleVoice.concurrency", "GoogleVoice.timeout", "GoogleVoice.deadline", "GoogleVoice.retries",
    "AzureVoice.concurrency", "AzureVoice.timeout", "AzureVoice.deadline", "AzureVoice.retries",
    "OnnxVoice.model", "OnnxVoice.workers",  # the model reaches the digest by its content digest (identity)
    "SectionKeys.title", "SectionKeys.text", "SectionKeys.file", "SectionKeys.pronounce", "SectionKeys.music",
    "SectionKeys.voice",
    "Episode.music", "Episode.sections", "Episode.output",
}


@pytest.fixture
def full(tmp_path):
    (tmp_path / "cover.jpg").write_bytes((ROOT / "audio" / "cover.jpg").read_bytes())
    (tmp_path / "bed.ogg").write_bytes((ROOT / "audio" / "ambient_pad.ogg").read_bytes())
    (tmp_path / "other.bin").write_bytes(b"different content")
    p = tmp_path / "ep.yaml"
    p.write_text(FULL, encoding="utf-8")
    return script.load(p)


def other_value(option, value, tmp_path: Path):
    """A different valid value for a declared option."""
    if isinstance(value, Path):
        return tmp_path / "other.bin"
    if isinstance(option, Bool):
        return not value
    if isinstance(option, (Choice, EngineName)):
        choices = getattr(option, "choices", None) or ("espeak", "gtts")
        # A one-choice option (language: ko) still must reach the digest: any other value.
        return next((c for c in choices if c != value), f"{value}-other")
    if isinstance(option, Number):
        lo, hi = option.minimum, option.maximum
        base = value if value is not None else lo
        step = 1 if option.integer else 0.5
        return base + step if hi is None or base + step <= hi else base - step
    if isinstance(option, DateText):
        return "2001-02-03" if value != "2001-02-03" else "2002-03-04"
    if isinstance(option, TextMap):
        return {**(value or {}), "하나": "한"}
    if isinstance(option, Text):
        return (value or "") + "x"
    raise AssertionError(f"no other value for {option!r}")


def group_fields(s: script.Script):
    """(path to set it, group, field name, option) of every declared field a Script holds."""
    for f in dataclasses.fields(s):
        value = getattr(s, f.name)
        if isinstance(value, Group):
            for name, option, _ in type(value).declared():
                yield (f.name,), value, name, option
    for engine, group in s.engine_settings.items():
        for name, option, _ in type(group).declared():
            yield ("engine_settings", engine), group, name, option
    for i, sec in enumerate(s.sections):
        if sec.music is not None:
            for name, option, _ in type(sec.music).declared():
                yield ("sections", i), sec.music, name, option


def replaced(s: script.Script, where: tuple, group: Group, name: str, value) -> script.Script:
    new_group = dataclasses.replace(group, **{name: value})
    if where[0] == "engine_settings":
        return dataclasses.replace(s, engine_settings={**s.engine_settings, where[1]: new_group})
    if where[0] == "sections":
        secs = list(s.sections)
        secs[where[1]] = dataclasses.replace(secs[where[1]], music=new_group)
        return dataclasses.replace(s, sections=tuple(secs))
    return dataclasses.replace(s, **{where[0]: new_group})


def digest_blind_spots(s: script.Script, tmp_path: Path) -> set[str]:
    """Fields that affect the output but whose change leaves the digest as it was."""
    plan = make_plan(s)
    before = episode_digest(s, plan, ENGINE)
    blind = set()
    for where, group, name, option in group_fields(s):
        field = next(f for f in dataclasses.fields(group) if f.name == name)
        if not field.metadata["affects"]:
            continue
        if where[0] == "engine_settings" and where[1] != ENGINE["name"]:
            continue  # only the engine that voices the episode reaches its digest (through its identity)
        changed = replaced(s, where, group, name, other_value(option, getattr(group, name), tmp_path))
        if episode_digest(changed, plan, ENGINE) == before:
            blind.add(f"{type(group).__name__}.{name}")
    return blind


def test_every_affecting_field_changes_the_digest(full, tmp_path):
    seen = {f"{type(g).__name__}.{n}" for _, g, n, _ in group_fields(full)}
    assert {"Music.bridge", "Music.duck", "Tags.cover", "SectionMusic.volume", "GttsVoice.tld"} <= seen
    assert digest_blind_spots(full, tmp_path) == set()


def test_the_completeness_check_catches_a_forgotten_field(full, tmp_path, monkeypatch):
    """Mutation: a digest that skips music.bridge (the bug this replaced) is caught."""
    real = settings.affecting

    def forgetful(group):
        return ((n, v) for n, v in real(group) if not (isinstance(group, Music) and n == "bridge"))

    monkeypatch.setattr(settings, "affecting", forgetful)
    assert digest_blind_spots(full, tmp_path) == {"Music.bridge"}


def test_the_completeness_check_catches_forgotten_section_music(full, tmp_path, monkeypatch):
    real = settings.digest_material
    monkeypatch.setattr(settings, "digest_material",
                        lambda v: None if isinstance(v, SectionMusic) else real(v))
    import audioessay.speech.plan as plan_mod

    monkeypatch.setattr(plan_mod, "digest_material", settings.digest_material)
    assert "SectionMusic.volume" in digest_blind_spots(full, tmp_path)


def test_fields_outside_the_digest_are_exactly_the_listed_ones():
    from audioessay.speech import engines

    declared = list(groups.GROUPS) + [s.settings for s in engines.registered().values()]
    outside = set()
    for group in declared:
        for name, _option, f in group.declared():
            if not f.metadata["affects"]:
                assert f.metadata["why"], f"{group.__name__}.{name} must say why it is not in the digest"
                outside.add(f"{group.__name__}.{name}")
    assert outside == NOT_IN_DIGEST


def test_section_text_and_lexicon_reach_the_digest_through_the_plan(full):
    base = episode_digest(full, make_plan(full), ENGINE)
    sec = full.sections[0]
    for change in ({"text": sec.text + " 더."}, {"title": "새 제목"}, {"pronounce": (("첫", "처음"),)}):
        s = dataclasses.replace(full, sections=(dataclasses.replace(sec, **change), *full.sections[1:]))
        assert episode_digest(s, make_plan(s), ENGINE) != base, change


def test_a_section_voice_reaches_the_digest(full):
    base = episode_digest(full, make_plan(full), ENGINE)
    sec = full.sections[1]
    for change in ({"speed": 1.5}, {"pitch": 5}, {"name": "f2"}):
        s = dataclasses.replace(full, sections=(full.sections[0],
                                                dataclasses.replace(sec, voice=dataclasses.replace(sec.voice, **change))))
        assert episode_digest(s, make_plan(s), ENGINE) != base, change


def test_readme_key_table_is_generated_from_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- keys:start -->\n", 1)[1].split("<!-- keys:end -->", 1)[0]
    assert block == groups.readme_table(), "run: python scripts/update_readme_keys.py"
    for key in ("music.transition", "music.bridge", "voice.gtts.tld", "sections[].music.volume"):
        assert f"`{key}`" in block


def test_defaults_come_from_the_declaration(write_script):
    s = script.load(write_script("title: t\nmusic: bed.ogg\nsections:\n  - title: a\n    text: 가.\n"
                                 .replace("music: bed.ogg\n", "")))
    for group in (s.pauses, s.mastering, s.audio, s.voice, s.layout):
        for name, option, _ in type(group).declared():
            expected = option.default
            if group is s.mastering and expected is None:  # unset: the preset's
                expected = getattr(presets.PRESETS[s.mastering.preset], name)
            assert getattr(group, name) == expected, (type(group).__name__, name)


def test_validation_names_the_declared_range(write_script):
    with pytest.raises(Exception) as info:
        script.load(write_script("title: t\nmusic: {file: x.ogg, transition: -5}\n"
                                 "sections:\n  - title: a\n    text: 가.\n"))
    assert "music.transition: -5 is out of range (from 0 to 20000 ms)" in str(info.value)


def test_legacy_flat_gtts_keys_still_work(write_script):
    s = script.load(write_script("title: t\nvoice: {engine: gtts, tld: co.kr, concurrency: 2}\n"
                                 "sections:\n  - title: a\n    text: 가.\n"))
    assert s.engine_settings["gtts"].tld == "co.kr" and s.engine_settings["gtts"].concurrency == 2
    s2 = script.load(write_script("title: t\nvoice: {gtts: {tld: co.kr}}\nsections:\n  - title: a\n    text: 가.\n",
                                  "b.yaml"))
    assert s2.engine_settings["gtts"].tld == "co.kr"
