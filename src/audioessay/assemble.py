"""Clips -> Mix: the speech track laid out with its pauses, the Timeline, and the music bed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audioessay.plan import Plan
from audioessay.synthesize import Clips
from audioessay.timeline import Chapter, Cue, Timeline


@dataclass(frozen=True)
class Mix:
    samples: np.ndarray  # float32, shaped (frames, channels)
    rate: int
    timeline: Timeline


def lay_out(plan: Plan, clips: Clips, rate: int, start_ms: int = 0) -> tuple[np.ndarray, Timeline]:
    """Concatenate clips and pauses once (no quadratic joins) and time every cue."""
    parts: list[bytes] = [b"\0\0" * _frames(start_ms, rate)]
    cues: list[Cue] = []
    frames = len(parts[0]) // 2
    for u, clip in zip(plan.utterances, clips.audio):
        start = frames
        parts.append(clip.raw_data)
        frames += len(clip.raw_data) // 2
        cues.append(Cue(u.kind, u.section, u.text, _ms(start, rate), _ms(frames, rate)))
        pause = _frames(u.pause_ms, rate)
        parts.append(b"\0\0" * pause)
        frames += pause
    pcm = np.frombuffer(b"".join(parts), dtype="<i2").astype(np.float32) / 32768.0
    return pcm[:, None], Timeline(tuple(cues), (), _ms(frames, rate))


def chapters(plan: Plan, cues: tuple[Cue, ...], duration_ms: int, intro_ms: int, outro_ms: int) -> tuple[Chapter, ...]:
    """One chapter per section (from its heading), plus intro/outro when present."""
    out: list[Chapter] = []
    if intro_ms:
        out.append(Chapter("Intro", 0, intro_ms))
    starts = {}
    for cue in cues:
        starts.setdefault(cue.section, cue.start_ms)
    sections = plan.script.sections
    speech_end = duration_ms - outro_ms
    for i, section in enumerate(sections):
        start = 0 if (i == 0 and not intro_ms) else starts.get(i, 0)
        end = starts.get(i + 1, speech_end) if i + 1 < len(sections) else speech_end
        out.append(Chapter(section.title, start, end))
    if outro_ms:
        out.append(Chapter("Outro", speech_end, duration_ms))
    return tuple(out)


def assemble(plan: Plan, clips: Clips) -> Mix:
    rate, channels = plan.script.sample_rate, plan.script.channels
    speech, timeline = lay_out(plan, clips, rate)
    samples = np.repeat(speech, channels, axis=1) if channels > 1 else speech
    chaps = chapters(plan, timeline.cues, timeline.duration_ms, 0, 0)
    return Mix(samples, rate, Timeline(timeline.cues, chaps, timeline.duration_ms))


def _frames(ms: int, rate: int) -> int:
    return round(ms * rate / 1000)


def _ms(frames: int, rate: int) -> int:
    return round(frames * 1000 / rate)
