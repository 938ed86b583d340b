"""Music beds: load, lay over an episode (loop, fades), duck under speech, mix.

All audio is float32 shaped (frames, channels) at the output rate. Speech
positions come only from the Timeline's spans (start_ms, end_ms); nothing here
listens to the audio to find speech.

Every function takes the script's `Music` group (groups.py): no defaults of its own.

Typical assembly::

    bed = music.load_bed(path, rate, channels=2)
    mixed, offset_ms = music.with_intro_outro(speech, spans, bed, rate, settings, layout)
    # shift every timeline position by offset_ms
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from audioessay import ffmpeg
from audioessay.audio import as_frames
from audioessay.errors import ToolError
from audioessay.groups import Layout, Music


class BedError(ValueError):
    """The music file cannot serve as a bed; the message says why, in audio terms.
    (The caller adds where in the script the file was named.)"""

SILENCE_DBFS = -60.0  # a bed whose peak is under this is treated as silent


def load_bed(path: str | Path, rate: int, channels: int = 2) -> np.ndarray:
    """Decode any ffmpeg-readable file to float32 (frames, channels) at `rate`.

    Raises BedError if the file is missing, cannot be decoded, or is silent.
    """
    path = Path(path)
    if not path.is_file():
        raise BedError(f"music file not found: {path}; check the path (relative to the script)")
    try:
        bed = ffmpeg.decode(str(path), rate, channels)
    except ToolError as exc:
        raise BedError(
            f"music file could not be decoded: {path} ({exc}); use an audio file such as MP3, OGG, WAV or FLAC"
        ) from exc
    if len(bed) == 0:
        raise BedError(f"music file has no audio: {path}; use an audio file such as MP3, OGG, WAV or FLAC")
    peak = float(np.abs(bed).max())
    if peak < 10.0 ** (SILENCE_DBFS / 20.0):
        raise BedError(f"music file is silent: {path} (peak below {SILENCE_DBFS:.0f} dBFS); "
                         "use a file with audible music, or set music: none")
    return bed


def bed_track(bed: np.ndarray, n_frames: int, rate: int, m: Music) -> np.ndarray:
    """Lay `bed` over `n_frames`: float32 (n_frames, bed channels).

    Playback starts `m.offset` ms into the bed. With `m.loop`, the bed repeats to
    cover the whole length, each seam crossfaded over `m.crossfade` ms with
    equal-power curves; without it the bed plays once and silence follows.
    The music fades in from exact silence and fades out to silence at its end
    (the track's end, or the bed's end if it stops sooner); `m.volume` dB is
    applied throughout.
    """
    loop, crossfade_ms, offset_ms = m.loop, m.crossfade, m.offset
    fade_in_ms, fade_out_ms, volume_db = m.fade_in, m.fade_out, m.volume
    bed = as_frames(bed)
    length, channels = bed.shape
    if length == 0:
        raise ValueError("bed is empty")
    out = np.zeros((max(0, n_frames), channels), dtype=np.float32)
    if n_frames <= 0:
        return out
    offset = _frames(offset_ms, rate)
    if loop:
        xfade = min(_frames(crossfade_ms, rate), length // 2)
        unit = _loop_unit(bed, xfade)
        period = len(unit)
        offset %= period
        pos, src = 0, offset
        while pos < n_frames:  # each pass copies up to one period into the preallocated track
            take = min(period - src, n_frames - pos)
            out[pos : pos + take] = unit[src : src + take]
            pos, src = pos + take, 0
        # The very first pass plays the bed's true head, not the tail-to-head crossfade.
        head = min(xfade - offset, n_frames) if offset < xfade else 0
        if head > 0:
            out[:head] = bed[offset : offset + head]
        music_end = n_frames
    else:
        if offset >= length:
            raise BedError(
                f"music offset {offset_ms} ms is past the end of the music ({length * 1000 // rate} ms); "
                "use a smaller offset or enable looping"
            )
        music_end = min(n_frames, length - offset)
        out[:music_end] = bed[offset : offset + music_end]

    _fade(out, music_end, _frames(fade_in_ms, rate), _frames(fade_out_ms, rate))
    out *= np.float32(_db_to_gain(volume_db))
    return out


def duck_gain(speech_spans_ms: list[tuple[int, int]], n_frames: int, rate: int, m: Music) -> np.ndarray:
    """Linear gain envelope (n_frames,) for the music: 1.0 without speech,
    m.duck dB lower under speech.

    Spans closer than `m.rise_after` ms are joined, so the music stays down between
    sentences instead of pumping. Each ducked stretch ramps down over
    `m.attack` ms ending where speech starts and back up over `m.release` ms after
    it ends, along raised-cosine curves in dB.
    """
    attack, release = _frames(m.attack, rate), _frames(m.release, rate)
    depth = _duck_depth(_merged(speech_spans_ms, rate, _frames(m.rise_after, rate)), n_frames, attack, release)
    return _depth_to_gain(depth, m.duck)


def mix(speech: np.ndarray, music: np.ndarray, gain: np.ndarray | None = None) -> np.ndarray:
    """speech + music * gain, as float32 (frames, channels).

    A mono side is broadcast to the other's channel count. All three must have
    the same number of frames. No clipping is done: mastering sets the level.
    """
    s, m = as_frames(speech), as_frames(music)
    if len(s) != len(m) or (gain is not None and len(gain) != len(s)):
        raise ValueError(
            f"mix lengths differ: speech {len(s)}, music {len(m)}, gain {None if gain is None else len(gain)}"
        )
    if s.shape[1] != m.shape[1] and 1 not in (s.shape[1], m.shape[1]):
        raise ValueError(f"cannot mix {s.shape[1]} speech channels with {m.shape[1]} music channels")
    if gain is not None:
        m = m * np.asarray(gain, dtype=np.float32)[:, None]
    return (s + m).astype(np.float32, copy=False)


def with_intro_outro(speech: np.ndarray, speech_spans_ms: list[tuple[int, int]], bed: np.ndarray,
                     rate: int, m: Music, layout: Layout) -> tuple[np.ndarray, int]:
    """Music-only intro, narration over the ducked bed, music-only outro.

    `speech` (frames, channels) is the narration; `speech_spans_ms` its spans
    on the narration's own clock. Returns (mixed, shift_ms): the mixed audio is
    intro + len(speech) + outro long and every narration position moves
    later by shift_ms (== layout.intro), so callers shift their Timeline by it.

    The music plays at `m.volume` in the intro and outro, dips by `m.duck` dB
    under speech (ramping over `m.transition` ms into the first sentence and out
    of the last one, `m.attack`/`m.release` elsewhere), fades in at the start
    and out at the very end.
    """
    intro_ms, outro_ms = layout.intro, layout.outro
    s = as_frames(speech)
    intro, outro = _frames(intro_ms, rate), _frames(outro_ms, rate)
    n = intro + len(s) + outro
    padded = np.zeros((n, s.shape[1]), dtype=np.float32)
    padded[intro : intro + len(s)] = s

    music = bed_track(bed, n, rate, m)
    spans = _merged([(a + intro_ms, b + intro_ms) for a, b in speech_spans_ms], rate, _frames(m.rise_after, rate))
    attack, release = _frames(m.attack, rate), _frames(m.release, rate)
    depth = _duck_depth(spans, n, attack, release, first_attack=_frames(m.transition, rate),
                        last_release=_frames(m.transition, rate))  # fmt: skip
    return mix(padded, music, _depth_to_gain(depth, m.duck)), int(intro_ms)


# --- internals ---------------------------------------------------------------


def _loop_unit(bed: np.ndarray, xfade: int) -> np.ndarray:
    """One loop period (len(bed) - xfade frames) whose head is the bed's tail
    crossfaded into its head, so repeating it has no seam step."""
    if xfade <= 0:
        return bed
    t = (np.arange(xfade, dtype=np.float64) / xfade) * (math.pi / 2)
    fade_in, fade_out = np.sin(t)[:, None], np.cos(t)[:, None]  # equal power: sin^2 + cos^2 = 1
    unit = np.empty((len(bed) - xfade, bed.shape[1]), dtype=np.float32)
    unit[:xfade] = bed[-xfade:] * fade_out + bed[:xfade] * fade_in
    unit[xfade:] = bed[xfade:-xfade]
    return unit


def _fade(out: np.ndarray, end: int, fade_in: int, fade_out: int) -> None:
    """In place: raised-cosine fade in from exact 0 at frame 0, fade out to 0 at `end`."""
    fade_in, fade_out = min(fade_in, end // 2), min(fade_out, end - min(fade_in, end // 2))
    if fade_in > 0:
        out[:fade_in] *= _raised_cosine(fade_in)[:, None]
    if fade_out > 0:
        out[end - fade_out : end] *= _raised_cosine(fade_out)[::-1, None]


def _raised_cosine(n: int) -> np.ndarray:
    """n points rising from exactly 0 towards 1 (the next point would be 1)."""
    return (0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)).astype(np.float32)


def _merged(spans_ms: list[tuple[int, int]], rate: int, min_gap: int) -> list[tuple[int, int]]:
    """Spans in frames, sorted, with gaps shorter than min_gap joined."""
    merged: list[list[int]] = []
    for a, b in sorted((_frames(a, rate), _frames(b, rate)) for a, b in spans_ms):
        if b < a:
            raise ValueError(f"speech span ends before it starts: {a}..{b} frames")
        if merged and a - merged[-1][1] < min_gap:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _duck_depth(
    spans: list[tuple[int, int]],
    n: int,
    attack: int,
    release: int,
    *,
    first_attack: int | None = None,
    last_release: int | None = None,
) -> np.ndarray:
    """0 (no duck) .. 1 (full duck) per frame: 1 on spans, raised-cosine ramps around them."""
    depth = np.zeros(n, dtype=np.float32)
    for i, (a, b) in enumerate(spans):
        att = first_attack if (i == 0 and first_attack is not None) else attack
        rel = last_release if (i == len(spans) - 1 and last_release is not None) else release
        depth[max(0, a) : max(0, min(n, b))] = 1.0
        _ramp_max(depth, a - att, a, rising=True)
        _ramp_max(depth, b, b + rel, rising=False)
    return depth


def _ramp_max(depth: np.ndarray, start: int, stop: int, *, rising: bool) -> None:
    """In place: depth = max(depth, a raised-cosine ramp over [start, stop)), clipped to the array."""
    length = stop - start
    if length <= 0:
        return
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(length, dtype=np.float32) + 1) / (length + 1))
    if not rising:
        ramp = ramp[::-1]
    lo, hi = max(0, start), min(len(depth), stop)
    if lo < hi:
        np.maximum(depth[lo:hi], ramp[lo - start : hi - start], out=depth[lo:hi])


def _depth_to_gain(depth: np.ndarray, duck: float) -> np.ndarray:
    # Linear in dB, so the ramp sounds even rather than sagging at the end.
    return np.power(np.float32(10.0), depth * np.float32(-duck / 20.0)).astype(np.float32)




def _frames(ms: float, rate: int) -> int:
    return int(round(ms * rate / 1000.0))


def _db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)
