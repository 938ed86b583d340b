"""Chapters JSON and VTT/SRT transcripts, parsed back from the written files."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from test_id3 import sample_timeline

from audioessay.export.sidecars import LINE_MAX, chapters_json, srt, vtt, wrap, write_sidecars
from audioessay.timeline import Cue, Timeline

_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)[.,](\d{3}) --> (\d\d):(\d\d):(\d\d)[.,](\d{3})$")


def parse_captions(text: str, sep: str) -> list[tuple[int, int, list[str]]]:
    """(start_ms, end_ms, lines) of each cue in a VTT or SRT file."""
    blocks = [b for b in text.strip().split("\n\n") if b]
    if sep == ".":
        assert blocks.pop(0) == "WEBVTT"
    cues = []
    for n, block in enumerate(blocks, start=1):
        index, timing, *lines = block.split("\n")
        assert index == str(n)
        m = _TIME.match(timing)
        assert m, timing
        assert timing.count(sep) == 2
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, m.groups())
        cues.append(((h1 * 3600 + m1 * 60 + s1) * 1000 + ms1, (h2 * 3600 + m2 * 60 + s2) * 1000 + ms2, lines))
    return cues


@pytest.mark.parametrize(("render", "sep"), [(vtt, "."), (srt, ",")])
def test_captions_round_trip(render, sep: str) -> None:
    timeline = sample_timeline()
    sentences = [c for c in timeline.cues if c.kind == "sentence"]
    cues = parse_captions(render(timeline), sep)
    assert len(cues) == len(sentences)
    previous_end = 0
    for (start, end, lines), cue in zip(cues, sentences, strict=True):
        assert (start, end) == (cue.start_ms, cue.end_ms)
        assert previous_end <= start < end <= timeline.duration_ms
        previous_end = end
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= LINE_MAX for line in lines)
        text = " ".join(lines)
        assert (html.unescape(text) if sep == "." else text) == cue.text


def test_vtt_escapes_markup() -> None:
    text = vtt(sample_timeline())
    assert "A &lt; B &amp; C &gt; D" in text
    assert text.count("-->") == 5


def test_headings_are_optional() -> None:
    timeline = sample_timeline()
    cues = parse_captions(srt(timeline, headings=True), ",")
    assert len(cues) == len(timeline.cues)
    assert cues[0][2] == ["첫 번째 이야기"]


def test_overlapping_cues_are_trimmed() -> None:
    timeline = Timeline(
        cues=(Cue("sentence", 0, "하나", 0, 2000), Cue("sentence", 0, "둘", 1500, 4000)),
        chapters=(),
        duration_ms=3000,
    )
    cues = parse_captions(vtt(timeline), ".")
    assert [(s, e) for s, e, _ in cues] == [(0, 1500), (1500, 3000)]


def test_long_time_format() -> None:
    timeline = Timeline(cues=(Cue("sentence", 0, "늦은 문장", 3_723_004, 3_725_500),), chapters=(), duration_ms=4_000_000)
    assert "01:02:03.004 --> 01:02:05.500" in vtt(timeline)
    assert "01:02:03,004 --> 01:02:05,500" in srt(timeline)


@pytest.mark.parametrize(
    "text",
    [
        "짧은 문장입니다.",
        "가" * 30 + " " + "나" * 30,  # two lines, each over 42 but under 65
        " ".join(["낱말"] * 80),  # long sentence: more than two lines
        "띄어쓰기없는아주긴문장" * 12,  # no spaces at all
    ],
)
def test_wrap(text: str) -> None:
    lines = wrap(text)
    assert all(0 < len(line) <= LINE_MAX for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    if len(text) <= 42:
        assert lines == [text]
    elif len(text) <= 2 * LINE_MAX and " " in text:
        assert len(lines) == 2


def test_wrap_balances_two_lines() -> None:
    lines = wrap("하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열 열하나 열둘 열셋 열넷 열다섯 열여섯 열일곱 열여덟")
    assert len(lines) == 2 and abs(len(lines[0]) - len(lines[1])) <= 4


def test_chapters_json() -> None:
    timeline = sample_timeline()
    data = json.loads(chapters_json(timeline))
    assert data["version"] == "1.2.0"
    assert [c["title"] for c in data["chapters"]] == [c.title for c in timeline.chapters]
    assert [c["startTime"] for c in data["chapters"]] == [c.start_ms / 1000 for c in timeline.chapters]
    assert [c["endTime"] for c in data["chapters"]] == [c.end_ms / 1000 for c in timeline.chapters]
    assert "endTime" not in json.loads(chapters_json(timeline, end_times=False))["chapters"][0]


def test_write_sidecars(tmp_path: Path) -> None:
    mp3 = tmp_path / "01-골목길.mp3"
    timeline = sample_timeline()
    paths = write_sidecars(mp3, timeline)
    assert [p.name for p in paths] == ["01-골목길.chapters.json", "01-골목길.vtt", "01-골목길.srt"]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["chapters"][1]["title"] == "첫 번째 이야기"
    assert len(parse_captions(paths[1].read_text(encoding="utf-8"), ".")) == 5
    assert len(parse_captions(paths[2].read_text(encoding="utf-8"), ",")) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no temp files left
