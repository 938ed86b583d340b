"""The script's settings groups, each declared once (see settings.py for what derives from them).

Engines declare their own groups beside their code (engines/*.py) and register them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from audioessay.config import presets
from audioessay.config.options import (REQUIRED, Bool, Choice, Context, Invalid, ListOf, Number, Option, Schema,
                                Text, TextMap)
from audioessay.config.settings import Group, setting

EPISODE_TYPES = ("full", "trailer", "bonus")


class EngineName(Option):
    """auto, or the name of a registered engine (looked up when a script is read)."""

    def check(self, value: Any) -> str:
        from audioessay.config import engines

        names = ("auto", *engines.names())
        return Choice(names).check(value)


class DateText(Option):
    def check(self, value: Any) -> str:
        import datetime as dt

        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise Invalid(f"must be a date like 2025-05-01, not {value!r}") from None


class MusicOption(Option):
    """`music: none`, a file name, or a mapping (validated by `schema`)."""

    def __init__(self, schema: Schema, doc: str = ""):
        super().__init__(None, doc)
        self.schema = schema

    def validate(self, value: Any, path: tuple, ctx: Context) -> Any:
        if value in ("none", False):
            return "none"
        if isinstance(value, str) and "file" in self.schema.fields:
            return self.schema.validate({"file": value}, path, ctx)
        if isinstance(value, dict):
            if "rise_after" in value and "bridge" in self.schema.fields and "bridge" not in value:
                value = {("bridge" if k == "rise_after" else k): v for k, v in value.items()}  # older name
            return self.schema.validate(value, path, ctx)
        raise Invalid("must be 'none', a file name, or a mapping with 'file:'")


def _ms(default: int | None, doc: str, maximum: int = 60000) -> Number:
    return Number(default, doc, minimum=0, maximum=maximum, integer=True, unit="ms")


@dataclasses.dataclass(frozen=True)
class Tags(Group):
    """Top-level keys that name the episode (ID3 tags, feed)."""

    doc = "episode tags"
    title: str = setting(Text(REQUIRED, "episode title (ID3 title)"))
    author: str = setting(Text("", "author / narrator (ID3 artist)", non_empty=False))
    show: str = setting(Text("", "podcast or album name (ID3 album); defaults to the title", non_empty=False))
    description: str = setting(Text("", "episode description (ID3 comment, feed)", non_empty=False))
    episode: int | None = setting(Number(None, "episode number", minimum=1, maximum=1_000_000, integer=True))
    season: int | None = setting(Number(None, "season number (feed)", minimum=1, maximum=100_000, integer=True))
    episode_type: str = setting(Choice(EPISODE_TYPES, "full", "full, trailer or bonus (feed)"))
    date: str | None = setting(DateText(None, "publication date, YYYY-MM-DD"))
    cover: Path | None = setting(Text(None, "cover art, JPEG or PNG, square 1400-3000 px, relative to the script"))
    link: str | None = setting(Text(None, "the episode's web page (feed)"))
    image: str | None = setting(Text(None, "the episode's own artwork URL (feed)"))
    language: str = setting(Choice(("ko",), "ko", "narration language; only Korean for now"))


@dataclasses.dataclass(frozen=True)
class Reading(Group):
    """Top-level keys that shape the spoken text."""

    doc = "reading rules"
    normalize: bool = setting(Bool(True, "turn numbers, Latin letters and symbols into spoken Korean"))
    pronounce: dict[str, str] = setting(TextMap({}, "pronunciation lexicon: written form -> spoken form"))


@dataclasses.dataclass(frozen=True)
class Voice(Group):
    """The voice shared by every engine; each engine adds its own keys under voice.<engine>."""

    key = "voice"
    doc = "voice"
    engine: str = setting(EngineName("auto", "auto, or an engine: edge or gtts (online), espeak (offline)"),
                          affects=False, why="the engine that speaks is in the digest by its identity")
    speed: float = setting(Number(1.0, "speaking speed factor", minimum=0.5, maximum=2.0))
    name: str = setting(Text("", "the engine's voice: edge ko-KR-InJoonNeural, espeak m3 or f2; "
                                 "empty = the engine's default (see audioessay voices)", non_empty=False))
    pitch: int = setting(Number(0, "pitch shift in Hz, 0 = the voice's own (edge, espeak)",
                                minimum=-50, maximum=50, integer=True, unit="Hz"))


@dataclasses.dataclass(frozen=True)
class Pauses(Group):
    key = "pauses"
    doc = "pauses"
    clause: int = setting(_ms(200, "between pieces of an over-long sentence", 20000))
    sentence: int = setting(_ms(400, "after each sentence", 20000))
    paragraph: int = setting(_ms(900, "after each paragraph", 20000))
    title: int = setting(_ms(900, "after a section heading", 20000))
    section: int = setting(_ms(1800, "after each section", 20000))


@dataclasses.dataclass(frozen=True)
class Music(Group):
    """The background bed. Levels are set relative to the voice unless `volume` is given
    (then it is absolute, as in scripts written before). `duck` is a positive number of dB."""

    key = "music"
    doc = "music bed"
    file: Path = setting(Text(REQUIRED, "music file (any format ffmpeg reads), relative to the script"))
    under: float = setting(Number(22.0, "how far the bed sits under the voice while it speaks, LU "
                                        "(used when volume is not given)", minimum=6, maximum=40, unit="LU"))
    volume: float | None = setting(Number(None, "absolute bed level between sentences, LUFS in the episode "
                                                "(under speech: volume - duck); unset: set by under",
                                          minimum=-60, maximum=0, unit="LUFS"))
    duck: float = setting(Number(12.0, "how many dB the bed rises in pauses longer than bridge "
                                       "(its dip under speech)", minimum=0, maximum=40, unit="dB"))
    solo: float = setting(Number(-4.0, "level of the music-only intro and outro, LU relative to "
                                       "mastering.loudness", minimum=-30, maximum=0, unit="LU"))
    fade_in: int = setting(_ms(1000, "fade-in at the start, ms"))
    fade_out: int = setting(_ms(3000, "fade-out at the end, ms"))
    offset: int = setting(_ms(0, "start this many ms into the music file", 24 * 3600 * 1000))
    loop: bool = setting(Bool(True, "loop the music to cover the whole episode"))
    crossfade: int | None = setting(_ms(None, "loop seam crossfade, ms; 0 declares the bed seamless; "
                                              "unset: none if the bed loops seamlessly (detected), else 1500", 20000))
    attack: int = setting(_ms(250, "ramp down before speech, ms", 5000))
    release: int = setting(_ms(600, "ramp up after speech, ms", 10000))
    bridge: int = setting(_ms(3000, "pauses shorter than this keep the bed ducked; longer ones let it rise, ms"))
    transition: int = setting(_ms(1000, "ramp from the intro into the first sentence and from the last "
                                        "sentence into the outro, ms", 20000))


@dataclasses.dataclass(frozen=True)
class Layout(Group):
    """Top-level keys that place sound around and between the narration."""

    doc = "intro and outro"
    intro: int = setting(_ms(0, "music-only intro length, ms (needs music)", 120000))
    outro: int = setting(_ms(0, "music-only outro length, ms (needs music)", 120000))
    room_tone: float | None = setting(Number(None, "low noise instead of digital silence in pauses when there "
                                                   "is no music, dBFS; unset: off", minimum=-90, maximum=-40,
                                             unit="dBFS"))


def _preset_doc() -> str:
    figures = ", ".join(f"{p.name} {p.loudness:g} LUFS / {p.true_peak:g} dBTP" for p in presets.PRESETS.values())
    return (f"delivery preset ({figures}): gives loudness and true_peak when they are not set, "
            "and is what audioessay check holds the episode to")


def _from_preset(what: str) -> str:
    return f"{what}; unset: the preset's"


@dataclasses.dataclass(frozen=True)
class Mastering(Group):
    """What the episode is mastered to. A loudness or true peak the script gives wins over
    the preset's; the group holds the resolved numbers, so master/ and episode/ read
    `loudness` and `true_peak` and never the preset."""

    key = "mastering"
    doc = "mastering"
    preset: str = setting(Choice(tuple(presets.PRESETS), presets.DEFAULT, _preset_doc()))
    loudness: float = setting(Number(None, _from_preset("integrated loudness target, LUFS"),
                                     minimum=-36, maximum=-8, unit="LUFS"))
    true_peak: float = setting(Number(None, _from_preset("true-peak ceiling, dBTP"),
                                      minimum=-9, maximum=0, unit="dBTP"))

    def __post_init__(self) -> None:
        chosen = presets.named(self.preset)
        if self.loudness is None:
            object.__setattr__(self, "loudness", chosen.loudness)
        if self.true_peak is None:
            object.__setattr__(self, "true_peak", chosen.true_peak)


@dataclasses.dataclass(frozen=True)
class AudioFormat(Group):
    key = "audio"
    doc = "output format"
    sample_rate: int = setting(Choice((22050, 24000, 32000, 44100, 48000), 44100, "output sample rate, Hz"))
    bitrate: int = setting(Number(96, "MP3 constant bitrate, kbps", minimum=32, maximum=320, integer=True, unit="kbps"))
    channels: int = setting(Choice((1, 2), 1, "1 mono, 2 stereo"))


@dataclasses.dataclass(frozen=True)
class SectionMusic(Group):
    """`sections[].music: {volume: dB}`: the bed's level under one section."""

    key = "sections[].music"
    volume: float = setting(Number(REQUIRED, "bed level under this section, dB", minimum=-60, maximum=0, unit="dB"))


class VoiceOverride(Option):
    """`sections[].voice`: any of the shared Voice keys, changing only those for one section."""

    def validate(self, value: Any, path: tuple, ctx: Context) -> dict[str, Any]:
        fields = Voice.schema_fields()
        if not isinstance(value, dict):
            raise Invalid(f"must be a mapping of voice keys ({', '.join(fields)})")
        out: dict[str, Any] = {}
        for key, raw in value.items():
            if key not in fields:
                import difflib

                hint = difflib.get_close_matches(str(key), list(fields), n=1)
                ctx.problem(path + (key,), f"unknown voice key; {f'did you mean {hint[0]!r}?' if hint else ', '.join(fields)}",
                            key_line=True)
                continue
            from audioessay.config.options import run

            out[key] = run(fields[key], raw, path + (key,), ctx)
        return out


_IN_TEXT = "part of the spoken text, which the digest holds sentence by sentence"


@dataclasses.dataclass(frozen=True)
class SectionKeys(Group):
    """One item of `sections:` (script.Section holds it once read)."""

    key = "sections[]"
    doc = "a section"
    title: str = setting(Text(REQUIRED, "section heading; read aloud, used as the chapter title"),
                         affects=False, why=_IN_TEXT)
    text: str | None = setting(Text(None, "the section's text (blank lines separate paragraphs); "
                                          "give text or file", non_empty=False), affects=False, why=_IN_TEXT)
    file: str | None = setting(Text(None, "a UTF-8 text file holding the section's text, relative to the script"),
                               affects=False, why=_IN_TEXT)
    pronounce: dict[str, str] = setting(TextMap({}, "extra pronunciation entries for this section only"),
                                        affects=False, why=_IN_TEXT)
    music: Any = setting(MusicOption(SectionMusic.schema(), "'none' silences the bed under this section; "
                                                            "{volume: dB} changes its level"),
                         affects=False, why="held per section as SectionMusic, which the digest walks")
    voice: Any = setting(VoiceOverride({}, "this section's voice: any voice key (engine, speed, name, pitch)"),
                         affects=False, why="held per section as a Voice, which the digest walks")


@dataclasses.dataclass(frozen=True)
class Episode(Group):
    """Top-level keys for the parts and where the MP3 goes."""

    doc = "episode"
    music: Any = setting(MusicOption(Music.schema(), "background music bed: a file name, a mapping "
                                                      "(music.* below), or none"),
                         affects=False, why="read into the Music group, which the digest walks")
    sections: list = setting(ListOf(SectionKeys.schema(), REQUIRED, "the essay's parts, in order"),
                             affects=False, why=_IN_TEXT)
    output: str | None = setting(Text(None, "output MP3 path, relative to the script; -o overrides"),
                                 affects=False, why="where the episode is written, not what it holds")


GROUPS: list[type[Group]] = [Tags, Reading, Voice, Pauses, Episode, Music, Layout, Mastering, AudioFormat,
                             SectionKeys, SectionMusic]


def readme_table() -> str:
    """Every script key, engines' own included, as README shows it (tests keep them equal)."""
    from audioessay.config import engines
    from audioessay.config.settings import key_table

    specs = engines.registered().values()
    groups = GROUPS[:3] + [s.settings for s in specs] + GROUPS[3:]
    aliases = {f"voice.{s.name}.{k}": f"voice.{k}" for s in specs for k in s.legacy_keys}
    return key_table(groups, aliases)
