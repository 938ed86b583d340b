"""Clips -> Mix: the speech track laid out with its pauses, the Timeline, and the music bed."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from audioessay import music
from audioessay.audio import resample_float
from audioessay.groups import AudioFormat, Layout, Music, SectionMusic
from audioessay.plan import Plan
from audioessay.synthesize import Clips
from audioessay.timeline import Chapter, Cue, Timeline


@dataclass(frozen=True)
class Mix:
    samples: np.ndarray  # float32, shaped (frames, channels)
    rate: int
    timeline: Timeline


def lay_out(plan: Plan, clips: Clips, rate: int, start_ms: int = 0) -> tuple[np.ndarray, Timeline]:
    """Concatenate clips and pauses once (no quadratic joins) and time every cue.

    The track is built at the clips' own rate and resampled once to `rate`.
    """
    native = clips.rate
    parts: list[bytes] = [b"\0\0" * _frames(start_ms, native)]
    cues: list[Cue] = []
    frames = len(parts[0]) // 2
    for u, clip in zip(plan.utterances, clips.audio):
        start = frames
        parts.append(clip.raw_data)
        frames += len(clip.raw_data) // 2
        cues.append(Cue(u.kind, u.section, u.text, _ms(start, native), _ms(frames, native)))
        pause = _frames(u.pause_ms, native)
        parts.append(b"\0\0" * pause)
        frames += pause
    pcm = np.frombuffer(b"".join(parts), dtype="<i2").astype(np.float32) / 32768.0
    return resample_float(pcm, native, rate)[:, None], Timeline(tuple(cues), (), _ms(frames, native))


def chapters(titles: tuple[str, ...], cues: tuple[Cue, ...], duration_ms: int, intro_ms: int,
             outro_ms: int) -> tuple[Chapter, ...]:
    """One chapter per section (from its heading), plus intro/outro when present."""
    out: list[Chapter] = []
    if intro_ms:
        out.append(Chapter("인트로", 0, intro_ms))
    starts: dict[int, int] = {}
    for cue in cues:
        starts.setdefault(cue.section, cue.start_ms)
    speech_end = duration_ms - outro_ms
    for i, title in enumerate(titles):
        start = 0 if (i == 0 and not intro_ms) else starts.get(i, 0)
        end = starts.get(i + 1, speech_end) if i + 1 < len(titles) else speech_end
        out.append(Chapter(title, start, end))
    if outro_ms:
        out.append(Chapter("아웃트로", speech_end, duration_ms))
    return tuple(out)


def assemble(plan: Plan, clips: Clips, audio: AudioFormat, bed_settings: Music | None = None,
             layout: Layout = Layout(), section_music: tuple[SectionMusic | None, ...] = (),
             bed: np.ndarray | None = None) -> Mix:
    """Speech track, then (when there is music) intro, ducked bed and outro.

    `bed` is the decoded music file (music.load_bed), loaded before synthesis by the caller;
    `section_music` is each section's override of the bed level (None: the bed's own).
    """
    rate, channels = audio.sample_rate, audio.channels
    speech, timeline = lay_out(plan, clips, rate)
    cues, shift = timeline.cues, 0
    if bed_settings is None:
        samples = np.repeat(speech, channels, axis=1) if channels > 1 else speech
        outro = 0
    else:
        if bed is None:
            bed = music.load_bed(bed_settings.file, rate, channels=channels)
        samples, shift = _with_music(speech, timeline, bed, rate, bed_settings, layout, section_music)
        cues = tuple(replace(c, start_ms=c.start_ms + shift, end_ms=c.end_ms + shift) for c in cues)
        outro = layout.outro
    duration = _ms(len(samples), rate)
    chaps = chapters(plan.section_titles, cues, duration, shift, outro)
    return Mix(samples, rate, Timeline(cues, chaps, duration))


def _with_music(speech: np.ndarray, timeline: Timeline, bed: np.ndarray, rate: int, m: Music, layout: Layout,
                section_music: tuple[SectionMusic | None, ...]) -> tuple[np.ndarray, int]:
    spans = timeline.speech()
    # The bed alone (speech zeroed), so sections marked `music: none` can be muted in it.
    bed_only, shift = music.with_intro_outro(np.zeros_like(speech), spans, bed, rate, m, layout)
    if any(sm is not None for sm in section_music):
        bed_only *= _section_mask(section_music, m.volume, timeline, len(bed_only), rate, shift)[:, None]
    start = _frames(shift, rate)
    bed_only[start:start + len(speech)] += speech  # mono speech broadcasts over the bed's channels
    return bed_only, shift


def _section_mask(section_music: tuple[SectionMusic | None, ...], bed_volume: float, timeline: Timeline,
                  n: int, rate: int, shift_ms: int) -> np.ndarray:
    """Gain on the bed per section: 1.0 by default, 0.0 under `music: none`, the level
    difference under `music: {volume: dB}`; changes ramp over 500 ms before the section."""
    mask = np.ones(n, dtype=np.float32)
    starts: dict[int, int] = {}
    for cue in timeline.cues:
        starts.setdefault(cue.section, cue.start_ms)
    ramp = _frames(500, rate)
    previous = 1.0
    b = n
    for i, sm in enumerate(section_music):
        level = None if sm is None else sm.volume
        gain = 1.0 if level is None else 0.0 if level == float("-inf") else 10 ** ((level - bed_volume) / 20)
        a = max(_frames(starts[i] + shift_ms - 500, rate), 0) if i in starts else 0
        end_ms = starts[i + 1] - 500 if i + 1 in starts else timeline.duration_ms  # the outro starts there
        b = min(_frames(end_ms + shift_ms, rate), n)
        mask[a:b] = gain
        r = min(ramp, a)
        if r and gain != previous:
            mask[a - r:a] = np.linspace(previous, gain, r, dtype=np.float32)
        previous = gain
    r = min(ramp, n - b)
    if r and previous != 1.0:  # the outro plays at the bed's own level
        mask[b:b + r] = np.linspace(previous, 1.0, r, dtype=np.float32)
    return mask


def _frames(ms: int, rate: int) -> int:
    return round(ms * rate / 1000)


def _ms(frames: int, rate: int) -> int:
    return round(frames * 1000 / rate)
