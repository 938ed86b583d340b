"""The Timeline: who speaks what, from when to when.

Computed once by assembly (assemble.lay_out); the chapters (ID3 CHAP frames, the
chapters file) and the transcripts (VTT, SRT, JSON) read it. The feed reads the
chapters back from the MP3's tags, and ducking reads the frame layout (mixer.Track)
the Timeline is made from, exact to the frame where the Timeline's milliseconds are
rounded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    """One spoken sentence (or heading) placed on the episode's clock."""

    kind: str  # "title" (a section heading) or "sentence"
    section: int  # 0-based section index
    text: str  # the original written text (never the spoken form)
    start_ms: int
    end_ms: int
    speaker: str | None = None  # the voice's name when a section has its own voice
    words: tuple[tuple[int, int, str], ...] = ()  # (start_ms, end_ms, word) when the engine gives them


INTRO = "인트로"  # the chapter titles of the music-only intro and outro (check finds them by these)
OUTRO = "아웃트로"


@dataclass(frozen=True)
class Chapter:
    """A stretch of the episode: a section, or the music-only intro/outro."""

    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Timeline:
    cues: tuple[Cue, ...]
    chapters: tuple[Chapter, ...]
    duration_ms: int
