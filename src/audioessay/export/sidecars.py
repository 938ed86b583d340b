"""Files beside the MP3, read from the Timeline: Podcasting 2.0 chapters JSON and
WebVTT / SubRip transcripts carrying the original written text."""

from __future__ import annotations

import json
import math
from pathlib import Path

from audioessay.fsutil import atomic_write
from audioessay.timeline import Cue, Timeline

LINE_TARGET = 42  # characters per caption line we aim for
LINE_MAX = 65  # never exceeded
CHAPTERS_VERSION = "1.2.0"


def sidecar_paths(mp3_path: str | Path) -> dict[str, Path]:
    """Where each sidecar of `mp3_path` lives: keys "chapters", "vtt", "srt"."""
    mp3_path = Path(mp3_path)
    stem = mp3_path.with_suffix("")
    return {
        "chapters": stem.with_name(stem.name + ".chapters.json"),
        "vtt": stem.with_name(stem.name + ".vtt"),
        "srt": stem.with_name(stem.name + ".srt"),
    }


def chapters_json(timeline: Timeline, *, end_times: bool = True) -> str:
    """Podcasting 2.0 chapters file (version 1.2.0); times in seconds."""
    chapters = []
    for ch in timeline.chapters:
        item: dict = {"startTime": ch.start_ms / 1000, "title": ch.title}
        if end_times:
            item["endTime"] = ch.end_ms / 1000
        chapters.append(item)
    return json.dumps({"version": CHAPTERS_VERSION, "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"


def vtt(timeline: Timeline, *, headings: bool = False) -> str:
    """WebVTT transcript: one cue per sentence (and per heading if `headings`)."""
    blocks = ["WEBVTT\n"]
    for n, (start, end, lines) in enumerate(_caption_cues(timeline, headings), start=1):
        text = "\n".join(_vtt_escape(line) for line in lines)
        blocks.append(f"{n}\n{_clock(start, '.')} --> {_clock(end, '.')}\n{text}\n")
    return "\n".join(blocks)


def srt(timeline: Timeline, *, headings: bool = False) -> str:
    """SubRip transcript: one cue per sentence (and per heading if `headings`)."""
    blocks = []
    for n, (start, end, lines) in enumerate(_caption_cues(timeline, headings), start=1):
        text = "\n".join(lines)
        blocks.append(f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{text}\n")
    return "\n".join(blocks)


def write_sidecars(mp3_path: str | Path, timeline: Timeline) -> list[Path]:
    """Write <stem>.chapters.json, <stem>.vtt and <stem>.srt beside the MP3, atomically."""
    paths = sidecar_paths(mp3_path)
    atomic_write(paths["chapters"], chapters_json(timeline))
    atomic_write(paths["vtt"], vtt(timeline))
    atomic_write(paths["srt"], srt(timeline))
    return [paths["chapters"], paths["vtt"], paths["srt"]]


def _caption_cues(timeline: Timeline, headings: bool) -> list[tuple[int, int, list[str]]]:
    """(start_ms, end_ms, lines) in time order, each ending no later than the next starts."""
    kinds = {"sentence", "title"} if headings else {"sentence"}
    cues: list[Cue] = sorted((c for c in timeline.cues if c.kind in kinds), key=lambda c: c.start_ms)
    out = []
    for i, cue in enumerate(cues):
        end = min(cue.end_ms, timeline.duration_ms)
        if i + 1 < len(cues):
            end = min(end, cues[i + 1].start_ms)  # players show overlapping cues stacked
        out.append((cue.start_ms, max(end, cue.start_ms), wrap(cue.text)))
    return out


def wrap(text: str, target: int = LINE_TARGET, limit: int = LINE_MAX) -> list[str]:
    """Caption lines for `text`, broken at spaces: one line if it fits `target`, else two
    balanced lines if both fit `limit`, else as few balanced lines of <= `target` as possible."""
    words = text.split()
    if not words:
        return [""]
    one = " ".join(words)
    if len(one) <= target:
        return [one]
    words = [piece for w in words for piece in _chop(w, target)]
    two = _balanced(words, 2)
    if max(map(len, two)) <= limit:
        return two
    return _balanced(words, _greedy_count(words, target))


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
