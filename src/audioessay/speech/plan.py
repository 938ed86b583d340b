"""Script -> Plan: the ordered utterances with their spoken text and the pause after each."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audioessay.config.groups import Pauses, Reading, Voice
from audioessay.config.settings import Group, digest_material
from audioessay.errors import InputError, Problem
from audioessay.text import split
from audioessay.text.quotes import quoted_parts
from audioessay.versions import output as output_versions
from audioessay.text.normalize import apply_pronounce, normalize

if TYPE_CHECKING:
    from audioessay.script.loader import Script, Section

DIGEST_FORMAT = 3  # bump when the meaning of the digest material changes


@dataclass(frozen=True)
class Utterance:
    kind: str  # "title" or "sentence"
    section: int
    text: str  # as written: the transcript shows this
    spoken: str  # what the engine receives
    pause_ms: int  # silence after it
    voice: int = 0  # index into Plan.voices


@dataclass(frozen=True)
class Plan:
    utterances: tuple[Utterance, ...]
    section_titles: tuple[str, ...]
    unused_pronounce: tuple[str, ...]  # lexicon entries that never matched
    voices: tuple[Voice, ...] = (Voice(),)  # every distinct voice; [0] is the script's

    @property
    def sentence_count(self) -> int:
        return sum(u.kind == "sentence" for u in self.utterances)

    def warnings(self) -> list[str]:
        """What the writer should hear about before a render (nothing stops it)."""
        return [f"warning: pronounce entry {key!r} never matches the text; check its spelling"
                for key in self.unused_pronounce]


def spoken_form(text: str, reading: Reading, lexicon: dict[str, str], used: set[str]) -> str:
    """Written -> spoken: the user's lexicon first, then (unless `normalize: false`) the
    built-in rules. Lexicon entries that matched are added to `used`."""
    out, hits = apply_pronounce(text, lexicon)
    used.update(hits)
    return normalize(out) if reading.normalize else out


def plan_sections(sections: Sequence[Section], pauses: Pauses, reading: Reading, voice: Voice = Voice(),
                  limit_for: Callable[[Voice], int | None] = lambda v: None) -> Plan:
    """`limit_for(voice)` is the longest spoken text one request of that voice's engine may
    carry (None: no limit); longer sentences are cut at phrase boundaries. Without a
    limit, sentences longer than split.LONGEST_PIECE written characters are cut too."""
    utterances: list[Utterance] = []
    used: set[str] = set()
    all_keys: set[str] = set(reading.pronounce)
    voices = [voice]
    for index, section in enumerate(sections):
        own = section.voice or voice
        if own not in voices:
            voices.append(own)
        v = voices.index(own)
        limit = limit_for(own)
        quoted = section.dialogue  # voice.dialogue: who speaks quoted speech
        lexicon = dict(reading.pronounce) | dict(section.pronounce)

        def spoken_length(text: str, lexicon: dict[str, str] = lexicon) -> int:
            return len(spoken_form(text, reading, lexicon, set()))

        all_keys |= {k for k, _ in section.pronounce}
        utterances.append(Utterance("title", index, section.title,
                                    spoken_form(section.title, reading, lexicon, used), pauses.title, v))
        paras = split.paragraphs(section.text)
        for p_index, paragraph in enumerate(paras):
            sents = split.sentences(paragraph)
            for s_index, sentence in enumerate(sents):
                # voice.dialogue: quoted speech (a whole sentence or inside one) is the dialogue voice's
                runs = quoted_parts(sentence) if quoted is not None else [(sentence, False)]
                for r_index, (run, is_quote) in enumerate(runs):
                    by, most = v, limit
                    if is_quote and quoted is not None:
                        if quoted not in voices:  # listed once used, so an unused voice needs no engine
                            voices.append(quoted)
                        by, most = voices.index(quoted), limit_for(quoted)
                    parts = split.pieces(run, split.LONGEST_PIECE) if most is None \
                        else split.pieces(run, most, spoken_length)
                    for k, part in enumerate(parts):
                        spoken = spoken_form(part, reading, lexicon, used)
                        if k < len(parts) - 1 or r_index < len(runs) - 1:
                            # a piece with nothing to say (a run of marks) takes no breath
                            pause = pauses.clause if speaks(spoken) else 0
                        elif s_index < len(sents) - 1:
                            pause = pauses.sentence
                        elif p_index < len(paras) - 1:
                            pause = pauses.paragraph
                        else:
                            pause = pauses.section
                        utterances.append(Utterance("sentence", index, part, spoken, pause, by))
    if utterances:  # no long dead air at the very end; the outro (if any) follows
        last = utterances[-1]
        utterances[-1] = dataclasses.replace(last, pause_ms=min(last.pause_ms, 1000))
    return Plan(tuple(utterances), tuple(s.title for s in sections), tuple(sorted(all_keys - used)),
                tuple(voices))


def make_plan(script: Script, limit_for: Callable[[Voice], int | None] | None = None) -> Plan:
    """The plan of `script`; `limit_for` gives each voice's request limit (default: the
    registered engine's max_chars; auto: the smallest of the engines auto may choose).
    A section whose every sentence is spoken as nothing is refused (InputError)."""
    plan = plan_sections(script.sections, script.pauses, script.reading, script.voice,
                         limit_for or engine_limit)
    problems = silent_sections(script, plan)
    if problems:
        raise InputError(problems)
    return plan


def silent_sections(script: Script, plan: Plan) -> list[Problem]:
    """A problem for each section with text whose every sentence is spoken as nothing
    (no letter or digit left after pronounce: and normalization): it would be silence."""
    spoken: dict[int, bool] = {}
    for u in plan.utterances:
        if u.kind == "sentence":
            spoken[u.section] = spoken.get(u.section, False) or speaks(u.spoken)
    problems = []
    for index, said in sorted(spoken.items()):
        if said:
            continue
        section = script.sections[index]
        bare = [spoken_form(u.text, script.reading, {}, set()) for u in plan.utterances
                if u.section == index and u.kind == "sentence"]
        if any(speaks(b) for b in bare):
            why = ("has nothing left to speak: the pronounce: entries turn every sentence into nothing; "
                   "change them or write the section's text")
        else:
            why = ("has nothing left to speak (only laughter, emoji or symbols, which are not read aloud); "
                   "write the section's text")
        where = f"sections[{index}].{'file' if section.source is not None else 'text'}"
        problems.append(Problem(str(script.path), section.line, where, why))
    return problems


def speaks(spoken: str) -> bool:
    """Whether a spoken form has anything to say (a letter or a digit)."""
    return any(ch.isalnum() for ch in spoken)


def engine_limit(voice: Voice) -> int | None:
    from audioessay.speech import engines

    if voice.engine != "auto":
        return engines.spec(voice.engine).max_chars
    limits = [s.max_chars for n in engines.AUTO_ORDER if (s := engines.registered().get(n)) and s.max_chars]
    return min(limits) if limits else None


def episode_digest(script: Script, plan: Plan, engine: dict[str, object] | Sequence[dict[str, object]],
                  versions: dict[str, str] | None = None) -> str:
    """A hash of everything that affects the audio or the tags: tells an up-to-date output.

    Every settings group of the script goes in whole (each field that `affects` the
    output, files by content), so a new key cannot be forgotten here; so do the
    versions of every stage (`audioessay.versions.output()` unless given).
    """
    groups = {}
    for f in dataclasses.fields(script):
        value = getattr(script, f.name)
        if isinstance(value, Group) or f.name == "music":
            groups[f.name] = digest_material(value)
    identities = [engine] if isinstance(engine, dict) else list(engine)
    voiced = [(u.kind, u.section, u.spoken, u.pause_ms) + ((u.voice,) if u.voice else ())
              for u in plan.utterances]
    material = {
        "format": DIGEST_FORMAT,
        "versions": versions if versions is not None else output_versions(),
        "engine": identities[0] if len(identities) == 1 else identities,
        "engine_settings": [digest_material(script.engine_settings.get(str(e.get("name")))) for e in identities]
        if len(identities) > 1 else digest_material(script.engine_settings.get(str(identities[0].get("name")))),
        "groups": groups,
        "sections": [digest_material(s.music) for s in script.sections],
        "voices": [digest_material(v) for v in plan.voices],
        "utterances": voiced,
    }
    blob = json.dumps(material, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()
