"""Script -> Plan: the ordered utterances with their spoken text and the pause after each."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from audioessay.script import Script
from audioessay.text import split
from audioessay.text.normalize import apply_pronounce, normalize


@dataclass(frozen=True)
class Utterance:
    kind: str  # "title" or "sentence"
    section: int
    text: str  # as written: the transcript shows this
    spoken: str  # what the engine receives
    pause_ms: int  # silence after it


@dataclass(frozen=True)
class Plan:
    script: Script
    utterances: tuple[Utterance, ...]
    unused_pronounce: tuple[str, ...]  # lexicon entries that never matched

    @property
    def sentence_count(self) -> int:
        return sum(u.kind == "sentence" for u in self.utterances)


def spoken_form(text: str, script: Script, lexicon: dict[str, str], used: set[str]) -> str:
    """Written -> spoken: the user's lexicon first, then (unless `normalize: false`) the
    built-in rules. Lexicon entries that matched are added to `used`."""
    out, hits = apply_pronounce(text, lexicon)
    used.update(hits)
    return normalize(out) if script.normalize else out


def make_plan(script: Script) -> Plan:
    pauses = script.pauses
    utterances: list[Utterance] = []
    used: set[str] = set()
    all_keys: set[str] = {k for k, _ in script.pronounce}
    for index, section in enumerate(script.sections):
        lexicon = dict(script.pronounce) | dict(section.pronounce)
        all_keys |= {k for k, _ in section.pronounce}
        utterances.append(Utterance("title", index, section.title,
                                    spoken_form(section.title, script, lexicon, used), pauses.title))
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
                                                spoken_form(part, script, lexicon, used), pause))
    if utterances:  # no long dead air at the very end; the outro (if any) follows
        last = utterances[-1]
        utterances[-1] = Utterance(last.kind, last.section, last.text, last.spoken, min(last.pause_ms, 1000))
    return Plan(script, tuple(utterances), tuple(sorted(all_keys - used)))


def plan_digest(plan: Plan, engine_id: dict[str, object]) -> str:
    """A hash of everything that affects the audio: used to tell an up-to-date output."""
    s = plan.script
    material = {
        "engine": engine_id,
        "utterances": [(u.kind, u.section, u.spoken, u.pause_ms) for u in plan.utterances],
        "sections": [(sec.title, str(sec.music_volume)) for sec in s.sections],
        "tags": [s.title, s.author, s.show, s.description, s.episode, s.date],
        "music": None if s.music is None else [
            *map(str, (s.music.volume, s.music.duck, s.music.fade_in, s.music.fade_out, s.music.offset,
                       s.music.loop, s.music.crossfade, s.music.attack, s.music.release, s.music.rise_after)),
            _file_hash(s.music.file)],
        "cover": _file_hash(s.cover) if s.cover else None,
        "intro_outro": [s.intro, s.outro],
        "master": [s.loudness, s.true_peak],
        "audio": [s.sample_rate, s.bitrate, s.channels],
        "format": 1,
    }
    blob = json.dumps(material, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


def _file_hash(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
