"""Script -> Plan: the ordered utterances with their spoken text and the pause after each."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audioessay.groups import Pauses, Reading
from audioessay.settings import Group, digest_material
from audioessay.text import split
from audioessay.text.normalize import apply_pronounce, normalize

if TYPE_CHECKING:
    from audioessay.script import Script, Section

DIGEST_FORMAT = 3  # bump when the meaning of the digest material changes


@dataclass(frozen=True)
class Utterance:
    kind: str  # "title" or "sentence"
    section: int
    text: str  # as written: the transcript shows this
    spoken: str  # what the engine receives
    pause_ms: int  # silence after it


@dataclass(frozen=True)
class Plan:
    utterances: tuple[Utterance, ...]
    section_titles: tuple[str, ...]
    unused_pronounce: tuple[str, ...]  # lexicon entries that never matched

    @property
    def sentence_count(self) -> int:
        return sum(u.kind == "sentence" for u in self.utterances)


def spoken_form(text: str, reading: Reading, lexicon: dict[str, str], used: set[str]) -> str:
    """Written -> spoken: the user's lexicon first, then (unless `normalize: false`) the
    built-in rules. Lexicon entries that matched are added to `used`."""
    out, hits = apply_pronounce(text, lexicon)
    used.update(hits)
    return normalize(out) if reading.normalize else out


def plan_sections(sections: Sequence[Section], pauses: Pauses, reading: Reading) -> Plan:
    utterances: list[Utterance] = []
    used: set[str] = set()
    all_keys: set[str] = set(reading.pronounce)
    for index, section in enumerate(sections):
        lexicon = dict(reading.pronounce) | dict(section.pronounce)
        all_keys |= {k for k, _ in section.pronounce}
        utterances.append(Utterance("title", index, section.title,
                                    spoken_form(section.title, reading, lexicon, used), pauses.title))
        paras = split.paragraphs(section.text)
        for p_index, paragraph in enumerate(paras):
            sents = split.sentences(paragraph)
            for s_index, sentence in enumerate(sents):
                parts = split.pieces(sentence)
                for k, part in enumerate(parts):
                    if k < len(parts) - 1:
                        pause = pauses.clause
                    elif s_index < len(sents) - 1:
                        pause = pauses.sentence
                    elif p_index < len(paras) - 1:
                        pause = pauses.paragraph
                    else:
                        pause = pauses.section
                    utterances.append(Utterance("sentence", index, part,
                                                spoken_form(part, reading, lexicon, used), pause))
    if utterances:  # no long dead air at the very end; the outro (if any) follows
        last = utterances[-1]
        utterances[-1] = dataclasses.replace(last, pause_ms=min(last.pause_ms, 1000))
    return Plan(tuple(utterances), tuple(s.title for s in sections), tuple(sorted(all_keys - used)))


def make_plan(script: Script) -> Plan:
    return plan_sections(script.sections, script.pauses, script.reading)


def episode_digest(script: Script, plan: Plan, engine: dict[str, object]) -> str:
    """A hash of everything that affects the audio or the tags: tells an up-to-date output.

    Every settings group of the script goes in whole (each field that `affects` the
    output, files by content), so a new key cannot be forgotten here.
    """
    groups = {}
    for f in dataclasses.fields(script):
        value = getattr(script, f.name)
        if isinstance(value, Group) or f.name == "music":
            groups[f.name] = digest_material(value)
    material = {
        "format": DIGEST_FORMAT,
        "engine": engine,
        "engine_settings": digest_material(script.engine_settings.get(str(engine.get("name")))),
        "groups": groups,
        "sections": [digest_material(s.music) for s in script.sections],
        "utterances": [(u.kind, u.section, u.spoken, u.pause_ms) for u in plan.utterances],
    }
    blob = json.dumps(material, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()
