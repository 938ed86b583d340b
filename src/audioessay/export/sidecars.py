"""Files beside the MP3, read from the Timeline: chapters, captions (VTT, SRT), transcript.

Podcasting 2.0 chapters JSON, WebVTT and SubRip captions and a Podcasting 2.0 JSON
transcript, all carrying the original written text.

`sidecar_texts` makes every file's content without touching the disk, so a caller can write
them to temporaries and commit them together with the MP3; `write_sidecars` is the simple way."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from audioessay import versions
from audioessay.util.fsutil import atomic_write
from audioessay.mix.timeline import Cue, Timeline

LINE_TARGET = 42  # characters per VTT line we aim for
LINE_MAX = 65  # never exceeded in VTT
SRT_LINE_MAX = 32  # podcastindex's transcript guidance for SRT: 32 characters ...
CUE_LINES = 2  # ... and at most 2 lines per cue (we keep VTT to 2 lines as well)

# key -> (file name ending, MIME type); one declaration for paths, texts and the feed
SIDECARS = {
    "chapters": (".chapters.json", "application/json+chapters"),
    "vtt": (".vtt", "text/vtt"),
    "srt": (".srt", "application/x-subrip"),
    "json": (".transcript.json", "application/json"),
}


def sidecar_paths(mp3_path: str | Path) -> dict[str, Path]:
    """Where each sidecar of `mp3_path` lives: keys "chapters", "vtt", "srt", "json"."""
    stem = Path(mp3_path).with_suffix("")
    return {key: stem.with_name(stem.name + ending) for key, (ending, _) in SIDECARS.items()}


def sidecar_texts(timeline: Timeline) -> dict[str, str]:
    """The content of every sidecar, keyed like `sidecar_paths`."""
    return {
        "chapters": chapters_json(timeline),
        "vtt": vtt(timeline),
        "srt": srt(timeline),
        "json": transcript_json(timeline),
    }


def write_sidecars(mp3_path: str | Path, timeline: Timeline) -> list[Path]:
    """Write every sidecar beside the MP3, each atomically; returns their paths."""
    paths = sidecar_paths(mp3_path)
    for key, text in sidecar_texts(timeline).items():
        atomic_write(paths[key], text)
    return list(paths.values())


def chapters_json(timeline: Timeline, *, end_times: bool = True) -> str:
    """Podcasting 2.0 chapters file (version 1.2.0); times in seconds."""
    chapters = []
    for ch in timeline.chapters:
        item: dict = {"startTime": ch.start_ms / 1000, "title": ch.title}
        if end_times:
            item["endTime"] = ch.end_ms / 1000
        chapters.append(item)
    return json.dumps({"version": versions.CHAPTERS, "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"


def transcript_json(timeline: Timeline) -> str:
    """Podcasting 2.0 JSON transcript: one segment per heading or sentence, or one per word
    when the cue carries word timings; `speaker` when the cue names one."""
    segments = []
    for cue, end in _timed_cues(timeline, headings=True):
        pieces = cue.words or ((cue.start_ms, end, cue.text),)
        for start_ms, end_ms, body in pieces:
            segment: dict = {"startTime": start_ms / 1000, "endTime": end_ms / 1000, "body": body}
            if cue.speaker:
                segment = {"speaker": cue.speaker, **segment}
            segments.append(segment)
    doc = {"version": versions.TRANSCRIPT, "segments": segments}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def vtt(timeline: Timeline, *, headings: bool = True) -> str:
    """WebVTT captions: a cue per heading and per sentence (lines of at most 65 characters,
    at most 2 lines; a longer sentence becomes several cues)."""
    blocks = ["WEBVTT\n"]
    for n, (start, end, lines, speaker) in enumerate(_spoken_cues(timeline, LINE_TARGET, LINE_MAX, headings),
                                                      start=1):
        text = "\n".join(_vtt_escape(line) for line in lines)
        if speaker:  # a voice span names who speaks (the episode has more than one voice)
            text = f"<v {_vtt_escape(speaker)}>{text}</v>"
        blocks.append(f"{n}\n{_clock(start, '.')} --> {_clock(end, '.')}\n{text}\n")
    return "\n".join(blocks)


def srt(timeline: Timeline, *, headings: bool = True) -> str:
    """SubRip captions: at most 2 lines of at most 32 characters per cue; a longer sentence is
    split into several cues, its time shared out by characters."""
    blocks = []
    for n, (start, end, lines) in enumerate(caption_cues(timeline, SRT_LINE_MAX, SRT_LINE_MAX, headings), start=1):
        text = "\n".join(lines)
        blocks.append(f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{text}\n")
    return "\n".join(blocks)


def _timed_cues(timeline: Timeline, headings: bool) -> list[tuple[Cue, int]]:
    """(cue, end_ms) in time order, each ending no later than the next starts."""
    kinds = {"sentence", "title"} if headings else {"sentence"}
    cues: list[Cue] = sorted((c for c in timeline.cues if c.kind in kinds), key=lambda c: c.start_ms)
    out = []
    for i, cue in enumerate(cues):
        end = min(cue.end_ms, timeline.duration_ms)
        if i + 1 < len(cues):
            end = min(end, cues[i + 1].start_ms)  # players show overlapping cues stacked
        out.append((cue, max(end, cue.start_ms)))
    return out


def caption_cues(timeline: Timeline, target: int, limit: int, headings: bool = True) -> list[tuple[int, int, list[str]]]:
    """(start_ms, end_ms, lines) in time order; lines of at most `limit` characters, at most
    CUE_LINES per cue; a sentence too long for one cue is split, its time shared by characters."""
    return [(start, stop, lines) for start, stop, lines, _ in _spoken_cues(timeline, target, limit, headings)]


def _spoken_cues(timeline: Timeline, target: int, limit: int,
                 headings: bool) -> list[tuple[int, int, list[str], str | None]]:
    """caption_cues, each with its cue's speaker (None when the episode has one voice)."""
    out = []
    for cue, end in _timed_cues(timeline, headings):
        chunks = split_text(cue.text, target, limit)
        for (start, stop), chunk in zip(_share(cue.start_ms, end, chunks), chunks, strict=True):
            out.append((start, stop, wrap(chunk, target, limit), cue.speaker))
    return out


def split_text(text: str, target: int, limit: int, lines: int = CUE_LINES) -> list[str]:
    """`text` as few, evenly filled pieces as possible, each wrapping to at most `lines` lines."""
    def fits(piece: str) -> bool:
        if len(piece) <= target:
            return True
        if len(piece) > lines * (limit + 1):  # more characters than `lines` full lines hold
            return False
        if lines == 2:  # wrap gives two lines iff some break leaves both halves within `limit`
            return _two_lines(piece, target, limit)
        return len(wrap(piece, target, limit)) <= lines

    if fits(text):
        return [" ".join(text.split())]
    words = [piece for w in text.split() for piece in _chop(w, limit)]
    greedy: list[list[str]] = [[]]
    for w in words:
        if greedy[-1] and not fits(" ".join(greedy[-1] + [w])):
            greedy.append([])
        greedy[-1].append(w)
    balanced = _balanced(words, len(greedy))
    if all(fits(piece) for piece in balanced):
        return balanced
    return [" ".join(piece) for piece in greedy]


def _share(start: int, end: int, pieces: list[str]) -> list[tuple[int, int]]:
    """Split [start, end) among `pieces` in proportion to their characters (spaces not counted)."""
    weights = [max(1, len(p.replace(" ", ""))) for p in pieces]
    total, done, bounds = sum(weights), 0, [start]
    for w in weights:
        done += w
        bounds.append(start + round((end - start) * done / total))
    return list(zip(bounds, bounds[1:]))


def wrap(text: str, target: int = LINE_TARGET, limit: int = LINE_MAX) -> list[str]:
    """Caption lines for `text`, broken at spaces: one line if it fits `target`, else two
    balanced lines if both fit `limit`, else as few balanced lines of <= `target` as possible."""
    return list(_wrap(text, target, limit))


@lru_cache(maxsize=4096)  # split_text asks about the same pieces again when it lays them out
def _wrap(text: str, target: int, limit: int) -> tuple[str, ...]:
    words = text.split()
    if not words:
        return ("",)
    one = " ".join(words)
    if len(one) <= target:
        return (one,)
    words = [piece for w in words for piece in _chop(w, target)]
    two = _balanced(words, 2)
    if max(map(len, two)) <= limit:
        return tuple(two)
    return tuple(_balanced(words, _greedy_count(words, target)))


def _two_lines(text: str, target: int, limit: int) -> bool:
    """Whether `text` (longer than `target`) wraps to at most two lines: some break
    between its words leaves both lines at most `limit` (then wrap's balanced two-line
    split does too)."""
    words = [piece for w in text.split() for piece in _chop(w, target)]
    total = sum(map(len, words)) + len(words) - 1
    left = -1
    for w in words[:-1]:
        left += 1 + len(w)
        if left <= limit and total - left - 1 <= limit:
            return True
    return False


def _chop(word: str, width: int) -> list[str]:
    """A word longer than a line (no space to break at) split into line-sized pieces."""
    return [word[i : i + width] for i in range(0, len(word), width)] or [word]


def _greedy_count(words: list[str], width: int) -> int:
    lines, current = 1, -1
    for w in words:
        if current + 1 + len(w) > width and current >= 0:
            lines, current = lines + 1, len(w)
        else:
            current += 1 + len(w)
    return lines


def _balanced(words: list[str], n: int) -> list[str]:
    """Split words into at most n lines minimising the longest line."""
    n = min(n, len(words))
    k = len(words)
    prefix = [0]
    for w in words:
        prefix.append(prefix[-1] + len(w))

    def width(i: int, j: int) -> int:  # words[i:j] joined by spaces
        return prefix[j] - prefix[i] + (j - i - 1)

    if n == 2:  # the usual case, in one pass (the same first best break as below)
        split = min(range(1, k), key=lambda i: max(width(0, i), width(i, k)))
        return [" ".join(words[:split]), " ".join(words[split:])]
    # best[m][j]: smallest possible longest line putting words[:j] on m lines
    best = [[math.inf] * (k + 1) for _ in range(n + 1)]
    cut = [[0] * (k + 1) for _ in range(n + 1)]
    best[0][0] = 0
    for m in range(1, n + 1):
        for j in range(1, k + 1):
            for i in range(m - 1, j):
                cost = max(best[m - 1][i], width(i, j))
                if cost < best[m][j]:
                    best[m][j], cut[m][j] = cost, i
    lines, j = [], k
    for m in range(n, 0, -1):
        i = cut[m][j]
        lines.append(" ".join(words[i:j]))
        j = i
    return lines[::-1]


def _clock(ms: int, sep: str) -> str:
    ms = max(0, int(ms))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _vtt_escape(line: str) -> str:
    # WebVTT cue text treats & and < as markup, and "-->" would end the cue timing
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
