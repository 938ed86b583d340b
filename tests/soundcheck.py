"""Measure a rendered episode as a producer would: ffmpeg's ebur128 meter on stretches of
the decoded MP3, and numpy over the cue times the VTT gives. Shared by the sound tests
(nothing here trusts a number the renderer computed)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioessay.util import ffmpeg

RATE = 44100


def ebur128(path: Path, start: float = 0.0, duration: float | None = None) -> dict[str, float]:
    """ffmpeg's ebur128 summary (I, LRA, true peak) of [start, start + duration) of a file."""
    span = ["-ss", f"{start:.3f}"] + (["-t", f"{duration:.3f}"] if duration else [])
    proc = subprocess.run([ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
                           *span, "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]

    def value(pattern: str) -> float:
        return float(re.search(pattern, summary).group(1))

    return {"I": value(r"I:\s+(-?[\d.]+|-inf) LUFS"), "LRA": value(r"LRA:\s+(-?[\d.]+) LU"),
            "peak": value(r"Peak:\s+(-?[\d.]+|-inf) dBFS")}


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    def secs(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    cues = []
    for block in text.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        start, end = (secs(x.strip().split(" ")[0]) for x in lines[timing].split("-->"))
        cues.append((start, end, " ".join(lines[timing + 1:])))
    return cues


def db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


@dataclass
class Episode:
    samples: np.ndarray  # mono mixdown of the decoded MP3
    cues: list[tuple[float, float, str]]
    path: Path

    @classmethod
    def load(cls, mp3: Path) -> Episode:
        x = ffmpeg.decode(str(mp3), RATE, channels=1)[:, 0]
        return cls(x, vtt_cues(mp3.with_suffix(".vtt").read_text(encoding="utf-8")), mp3)

    def part(self, a: float, b: float) -> np.ndarray:
        return self.samples[int(a * RATE):int(b * RATE)]

    def pauses(self, shortest: float, longest: float, margin: float = 0.06) -> list[tuple[float, float]]:
        """Gaps between consecutive cues whose length is in [shortest, longest] seconds,
        `margin` trimmed from each side (the speech's own edges)."""
        out = []
        for (_, end, _), (start, _, _) in zip(self.cues, self.cues[1:]):
            if shortest <= start - end <= longest:
                out.append((end + margin, start - margin))
        return out

    def sentence_pause_levels(self) -> list[float]:
        """RMS (dBFS) of the bed in each pause between sentences (shorter than 1 s)."""
        return [db(self.part(a, b)) for a, b in self.pauses(0.2, 1.0)]

    def section_pauses(self, margin: float = 0.06) -> list[tuple[float, float]]:
        """The pause before each section heading after the first: from the last sentence
        cue before the chapter starts to the chapter's start (the heading's first word)."""
        from audioessay.export import id3

        out = []
        for chap in id3.read_tags(self.path).chapters:
            start = chap.start_ms / 1000
            before = [end for _, end, _ in self.cues if end <= start]
            if before and chap.title not in ("인트로", "아웃트로"):
                out.append((before[-1] + margin, start - margin))
        return out

    def section_pause_swells(self) -> list[float]:
        """Per section pause: the loudest 50 ms window in it, minus the bed's median level
        in the sentence pauses (dB)."""
        ducked = float(np.median(self.sentence_pause_levels()))
        swells = []
        for a, b in self.section_pauses():
            x = self.part(a, b)
            w = x[: len(x) // 2205 * 2205].reshape(-1, 2205)
            swells.append(max(db(row) for row in w) - ducked)
        return swells

    def sentence_end_drops(self, above_bed: bool = False) -> list[float]:
        """Per cue: its median 5 ms window level minus the level of its last audible 5 ms
        window (dB). Audible: over -60 dBFS; with `above_bed`, the bed's power in the pause
        after the cue is subtracted first and audible means louder than that bed."""
        drops = []
        w = RATE // 200
        for k, (start, end, _) in enumerate(self.cues):
            x = self.part(start, end)
            n = len(x) // w * w
            if n < 20 * w:
                continue
            power = np.mean(np.square(x[:n].reshape(-1, w), dtype=np.float64), axis=1)
            floor = 1e-6
            if above_bed and k + 1 < len(self.cues):
                after = self.part(end + 0.06, min(self.cues[k + 1][0] - 0.06, end + 0.4))
                floor = float(np.mean(np.square(after, dtype=np.float64)))
                power = power - floor
            levels = 10 * np.log10(np.maximum(power, 1e-20))
            audible = np.flatnonzero(power > floor)
            drops.append(float(np.median(levels)) - float(levels[audible[-1]]))
        return drops
