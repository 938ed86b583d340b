"""Clips -> Mix: the Timeline, and the episode as blocks (speech, pauses, the music bed).

Assembly lays every clip out from its length and the pauses alone; no samples are
joined here. The Mix it returns makes any block of the episode on demand (mixer.py),
which mastering reads twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from audioessay.mix import ducking, music
from audioessay.config.groups import AudioFormat, Layout, Mastering, Music, SectionMusic
from audioessay.mix.stems import Stems
from audioessay.mix.mixer import BLOCK, FRAME_GRID, ClipSource, Mixdown, SegmentClips, Track
from audioessay.speech.plan import Plan
from audioessay.speech.synthesize import Clips
from audioessay.mix.timeline import INTRO, OUTRO, Chapter, Cue, Timeline


@dataclass(frozen=True)
class Mix:
    rate: int
    channels: int
    timeline: Timeline
    mixdown: Mixdown

    def stems(self, block: int = BLOCK) -> Iterator[Stems]:
        return self.mixdown.stems(block)

    @property
    def samples(self) -> np.ndarray:
        """The whole mix in memory, voice at its own level (tests and short pieces only)."""
        return self.mixdown.to_array()


def speaker_names(plan: Plan) -> tuple[str, ...]:
    """A name per voice for transcripts, only when the episode has more than one voice:
    the voice's name, else its engine (the script's own voice is "narrator")."""
    if len(plan.voices) < 2:
        return ()
    return tuple(v.name or ("narrator" if i == 0 else f"{v.engine} voice {i + 1}")
                 for i, v in enumerate(plan.voices))


def lay_out(plan: Plan, clips: ClipSource, rate: int, start_ms: int = 0,
            words: tuple[tuple[tuple[int, int, str], ...], ...] = ()) -> tuple[Track, Timeline]:
    """Time every cue from clip lengths and pauses (no samples touched).

    Clips are placed at the output rate; the episode starts `start_ms` in (the intro).
    Every section after the first starts on the MP3 frame grid (its pause grows by
    less than one frame, 26 ms): a section whose earlier sections changed length is
    then the same audio moved by whole frames, which the encoder can reuse."""
    native = clips.rate
    pos = _frames(start_ms, rate)
    cues: list[Cue] = []
    starts: list[int] = []
    lengths: list[int] = []
    cuts: list[int] = []
    speakers = speaker_names(plan)
    for i, u in enumerate(plan.utterances):
        if i and u.section != plan.utterances[i - 1].section:
            pos = -(-pos // FRAME_GRID) * FRAME_GRID
            cuts.append(pos)
        n = round(clips.length(i) * rate / native)
        a, b = _ms(pos, rate), _ms(pos + n, rate)
        # Word timings name the words the engine spoke; transcripts keep the writer's words,
        # so a cue carries them only when the sentence was spoken as written.
        spoken_as_written = u.spoken == u.text
        timed = tuple((min(a + s, b), min(a + e, b), w) for s, e, w in (words[i] if i < len(words) else ())
                      if spoken_as_written)
        cues.append(Cue(u.kind, u.section, u.text, a, b, speaker=speakers[u.voice] if speakers else None,
                        words=timed))
        starts.append(pos)
        lengths.append(n)
        pos += n + _frames(u.pause_ms, rate)
    return (Track(rate, pos, tuple(starts), tuple(lengths), tuple(cuts)),
            Timeline(tuple(cues), (), _ms(pos, rate)))


def chapters(titles: tuple[str, ...], cues: tuple[Cue, ...], duration_ms: int, intro_ms: int,
             outro_ms: int) -> tuple[Chapter, ...]:
    """One chapter per section (from its heading), plus intro/outro when present."""
    out: list[Chapter] = []
    if intro_ms:
        out.append(Chapter(INTRO, 0, intro_ms))
    starts: dict[int, int] = {}
    for cue in cues:
        starts.setdefault(cue.section, cue.start_ms)
    speech_end = duration_ms - outro_ms
    for i, title in enumerate(titles):
        start = 0 if (i == 0 and not intro_ms) else starts.get(i, 0)
        end = starts.get(i + 1, speech_end) if i + 1 < len(titles) else speech_end
        out.append(Chapter(title, start, end))
    if outro_ms:
        out.append(Chapter(OUTRO, speech_end, duration_ms))
    return tuple(out)


def assemble(plan: Plan, clips: Clips | ClipSource, audio: AudioFormat, bed_settings: Music | None = None,
             layout: Layout = Layout(), section_music: tuple[SectionMusic | None, ...] = (),
             bed: np.ndarray | None = None, *, mastering: Mastering) -> Mix:
    """The Timeline and the block source: speech, then (when there is music) intro,
    bed at its levels and outro.

    `bed` is the decoded music file if the caller has it; otherwise only as much of
    the file as the episode needs is decoded. `section_music` is each section's
    override of the bed level (None: the bed's own). The bed's levels are set against
    `mastering.loudness`, the loudness the episode is mastered to."""
    rate, channels = audio.sample_rate, audio.channels
    if isinstance(clips, Clips):
        source: ClipSource = clips.source or SegmentClips(clips.audio, clips.rate)
    else:
        source = clips
    words = clips.words if isinstance(clips, Clips) else ()
    if bed_settings is None:
        track, timeline = lay_out(plan, source, rate, words=words)
        chaps = chapters(plan.section_titles, timeline.cues, timeline.duration_ms, 0, 0)
        mixdown = Mixdown(track, source, channels, room_tone_db=layout.room_tone)
        return Mix(rate, channels, Timeline(timeline.cues, chaps, timeline.duration_ms), mixdown)

    intro, outro = layout.intro, layout.outro
    track, timeline = lay_out(plan, source, rate, start_ms=intro, words=words)
    n = track.frames + _frames(outro, rate)
    track = dataclasses.replace(track, frames=n)
    duration = _ms(n, rate)
    if bed is None:
        laid = music.Bed.open(bed_settings.file, rate, channels, bed_settings, n)
    else:
        laid = music.Bed(bed, rate, bed_settings)
    laid.anchor(track.cuts)
    # Speech spans in frames from the layout itself (not from cue milliseconds), so a
    # section moved by whole frames gets exactly the same bed levels.
    spans = [(a, a + k) for a, k in zip(track.starts, track.lengths)]
    levels = ducking.Levels(spans, n, laid.end(n), laid.loudness, rate, bed_settings,
                            ducking.LevelPlan.of(bed_settings, mastering.loudness), intro, outro,
                            _sections(plan, track, section_music, n - _frames(outro, rate)))
    chaps = chapters(plan.section_titles, timeline.cues, duration, intro, outro)
    return Mix(rate, channels, Timeline(timeline.cues, chaps, duration),
               Mixdown(track, source, channels, laid, levels))


def _sections(plan: Plan, track: Track, section_music: tuple[SectionMusic | None, ...],
              speech_end: int) -> list[tuple[int, int, SectionMusic | None]]:
    """(first frame, end frame, override) per section, from its first clip."""
    starts: dict[int, int] = {}
    for u, start in zip(plan.utterances, track.starts):
        starts.setdefault(u.section, start)
    out = []
    for i, sm in enumerate(section_music):
        if i not in starts:
            continue
        end = starts.get(i + 1, speech_end)
        out.append((starts[i], end, sm))
    return out


def _frames(ms: int, rate: int) -> int:
    return round(ms * rate / 1000)


def _ms(frames: int, rate: int) -> int:
    return round(frames * 1000 / rate)
