"""Chapters JSON, VTT/SRT captions and the JSON transcript, parsed back from the written files."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from test_id3 import sample_timeline

from audioessay.export.sidecars import (
    LINE_MAX,
    SRT_LINE_MAX,
    chapters_json,
    sidecar_paths,
    sidecar_texts,
    split_text,
    srt,
    transcript_json,
    vtt,
    wrap,
    write_sidecars,
)
from audioessay.mix.timeline import Cue, Timeline

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


def test_vtt_round_trip_with_headings() -> None:
    timeline = sample_timeline()
    cues = parse_captions(vtt(timeline), ".")
    assert len(cues) == len(timeline.cues)  # every sample sentence fits one VTT cue
    previous_end = 0
    for (start, end, lines), cue in zip(cues, timeline.cues, strict=True):
        assert (start, end) == (cue.start_ms, cue.end_ms)
        assert previous_end <= start < end <= timeline.duration_ms
        previous_end = end
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= LINE_MAX for line in lines)
        assert html.unescape(" ".join(lines)) == cue.text
    assert cues[0][2] == ["첫 번째 이야기"] and cues[4][2] == ["두 번째 이야기"]  # headings are cues


def test_srt_cues_are_short_and_cover_each_sentence() -> None:
    timeline = sample_timeline()
    cues = parse_captions(srt(timeline), ",")
    assert len(cues) > len(timeline.cues)  # the long sentence became several cues
    for start, end, lines in cues:
        assert 1 <= len(lines) <= 2, lines
        assert all(0 < len(line) <= SRT_LINE_MAX for line in lines), lines
        assert start < end
    assert [c[0] for c in cues] == sorted(c[0] for c in cues)
    for cue in timeline.cues:  # the pieces of each cue tile its time and rebuild its text
        pieces = [c for c in cues if cue.start_ms <= c[0] < cue.end_ms]
        assert pieces[0][0] == cue.start_ms and pieces[-1][1] == cue.end_ms
        assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
        assert " ".join(" ".join(p[2]) for p in pieces) == cue.text
    assert cues[0][2] == ["첫 번째 이야기"]


def test_srt_split_shares_time_by_characters() -> None:
    text = " ".join(["가" * 20, "나" * 20, "다" * 20, "라" * 5])  # no two 20s share a 32-wide line
    timeline = Timeline(cues=(Cue("sentence", 0, text, 1000, 10000),), chapters=(), duration_ms=10000)
    cues = parse_captions(srt(timeline), ",")
    assert [lines for _, _, lines in cues] == [["가" * 20, "나" * 20], ["다" * 20 + " " + "라" * 5]]
    assert cues[0][:2] == (1000, 1000 + round(9000 * 40 / 65)) and cues[1][:2] == (cues[0][1], 10000)


@pytest.mark.parametrize(
    ("text", "limit"),
    [("짧은 문장.", 32), (" ".join(["낱말"] * 80), 32), ("띄어쓰기없는아주긴문장" * 12, 32), (" ".join(["낱말"] * 80), 65)],
)
def test_split_text(text: str, limit: int) -> None:
    pieces = split_text(text, limit, limit)
    assert all(len(wrap(p, limit, limit)) <= 2 for p in pieces)
    assert all(len(line) <= limit for p in pieces for line in wrap(p, limit, limit))
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert len(pieces) <= -(-len(text) // limit)  # no more pieces than lines of text


def test_headings_can_be_left_out() -> None:
    timeline = sample_timeline()
    cues = parse_captions(vtt(timeline, headings=False), ".")
    assert len(cues) == len([c for c in timeline.cues if c.kind == "sentence"])


def test_transcript_json_segments() -> None:
    timeline = sample_timeline()
    doc = json.loads(transcript_json(timeline))
    assert doc["version"] == "1.0.0"
    assert [s["body"] for s in doc["segments"]] == [c.text for c in timeline.cues]
    assert [(s["startTime"], s["endTime"]) for s in doc["segments"]] == [
        (c.start_ms / 1000, c.end_ms / 1000) for c in timeline.cues
    ]
    assert all("speaker" not in s for s in doc["segments"])


def test_transcript_json_speaker_and_words() -> None:
    words = ((1000, 1400, "안녕하세요,"), (1500, 2100, "여러분."))
    timeline = Timeline(
        cues=(
            Cue("title", 0, "시작", 0, 900, speaker="민지"),
            Cue("sentence", 0, "안녕하세요, 여러분.", 1000, 2100, speaker="민지", words=words),
            Cue("sentence", 1, "다른 목소리 없음.", 2500, 3000),
        ),
        chapters=(),
        duration_ms=3000,
    )
    segments = json.loads(transcript_json(timeline))["segments"]
    assert segments == [
        {"speaker": "민지", "startTime": 0.0, "endTime": 0.9, "body": "시작"},
        {"speaker": "민지", "startTime": 1.0, "endTime": 1.4, "body": "안녕하세요,"},
        {"speaker": "민지", "startTime": 1.5, "endTime": 2.1, "body": "여러분."},
        {"startTime": 2.5, "endTime": 3.0, "body": "다른 목소리 없음."},
    ]


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
    assert [p.name for p in paths] == [
        "01-골목길.chapters.json", "01-골목길.vtt", "01-골목길.srt", "01-골목길.transcript.json",
    ]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["chapters"][1]["title"] == "첫 번째 이야기"
    assert len(parse_captions(paths[1].read_text(encoding="utf-8"), ".")) == 7
    assert len(parse_captions(paths[2].read_text(encoding="utf-8"), ",")) > 7
    assert len(json.loads(paths[3].read_text(encoding="utf-8"))["segments"]) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no temp files left


def test_sidecar_texts_match_paths(tmp_path: Path) -> None:
    texts = sidecar_texts(sample_timeline())
    paths = sidecar_paths(tmp_path / "ep.mp3")
    assert list(texts) == list(paths)
    write_sidecars(tmp_path / "ep.mp3", sample_timeline())
    assert all(paths[key].read_text(encoding="utf-8") == text for key, text in texts.items())
