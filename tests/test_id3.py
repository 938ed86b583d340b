"""ID3 tags, chapters and cover checks, read back from real MP3 files with mutagen."""

from __future__ import annotations

import dataclasses
import struct
import zlib
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags

from audioessay.util import ffmpeg
from audioessay.errors import InputError
from audioessay.export.id3 import ChapterTag, CoverTag, EpisodeTags, Tags, check_cover, read_tags, write_tags
from audioessay.mix.timeline import Chapter, Cue, Timeline


# ---- helpers shared by the export/feed/check tests -------------------------------------


def make_mp3(path: Path, seconds: float = 5, *, extra_af: str | None = None, volume: float | None = None) -> Path:
    """A mono 44.1 kHz 96 kbps sine MP3 made by ffmpeg."""
    args = ["-y", "-f", "lavfi", "-i", f"sine=f=440:d={seconds}"]
    filters = [f for f in (f"volume={volume}" if volume is not None else None, extra_af) if f]
    if filters:
        args += ["-af", ",".join(filters)]
    ffmpeg.run([*args, "-ac", "1", "-ar", "44100", "-b:a", "96k", str(path)])
    return path


def make_png(path: Path, width: int, height: int, color_type: int = 2) -> Path:
    """A flat-colour PNG written by hand (8-bit; colour type 0, 2, 4 or 6)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = b"\x00" + b"\x80" * (width * channels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


def make_image(path: Path, size: str, pix_fmt: str | None = None) -> Path:
    """An image encoded by ffmpeg (format from the suffix), e.g. size '1400x1400'."""
    args = ["-y", "-f", "lavfi", "-i", f"color=c=blue:s={size}", "-frames:v", "1"]
    if pix_fmt:
        args += ["-pix_fmt", pix_fmt]
    ffmpeg.run([*args, str(path)])
    return path


def jpeg_header(path: Path, width: int, height: int, components: int) -> Path:
    """Just SOI + APP0 + SOF0: enough for header checks of grayscale/CMYK JPEGs that
    ffmpeg's encoder cannot make."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comps = b"".join(bytes([i + 1, 0x11, 0]) for i in range(components))
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 8 + 3 * components, 8, height, width, components) + comps
    path.write_bytes(b"\xff\xd8" + app0 + sof + b"\xff\xd9")
    return path


def sample_timeline() -> Timeline:
    long = (
        "오늘은 아주 오래된 골목길을 걸으며 떠오른 생각들을 천천히 이야기해 보려고 합니다 "
        "그 길 끝에는 작은 서점이 있었고 주인은 늘 같은 자리에 앉아 책을 읽고 있었습니다."
    )
    cues = (
        Cue("title", 0, "첫 번째 이야기", 3000, 4500),
        Cue("sentence", 0, "안녕하세요, 여러분.", 5000, 6500),
        Cue("sentence", 0, long, 7000, 15000),
        Cue("sentence", 0, "A < B & C > D 는 기호입니다.", 15500, 17000),
        Cue("title", 1, "두 번째 이야기", 18000, 19500),
        Cue("sentence", 1, "짧은 문장.", 20000, 21000),
        Cue("sentence", 1, "마지막 문장입니다.", 21500, 23000),
    )
    chapters = (
        Chapter("인트로", 0, 3000),
        Chapter("첫 번째 이야기", 3000, 18000),
        Chapter("두 번째 이야기", 18000, 24000),
        Chapter("아웃트로", 24000, 27000),
    )
    return Timeline(cues=cues, chapters=chapters, duration_ms=27000)


def full_tags(cover: Path | None) -> Tags:
    return Tags(
        title="골목길의 서점",
        artist="김작가",
        album="에세이 라디오",
        episode=3,
        date="2024-05-01",
        description="오래된 골목길 이야기",
        cover=cover,
        extra={"AUDIOESSAY_LUFS": "-16.0", "AUDIOESSAY_PLAN": "abc123"},
    )


# ---- tags and chapters -----------------------------------------------------------------


@pytest.fixture
def cover(tmp_path: Path) -> Path:
    return make_image(tmp_path / "cover.jpg", "1400x1400")


def test_tags_and_chapters_read_back(tmp_path: Path, cover: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 27)
    timeline = sample_timeline()
    write_tags(mp3, full_tags(cover), timeline.chapters)

    raw = ID3(str(mp3))
    assert raw.version == (2, 4, 0)
    assert str(raw["TIT2"]) == "골목길의 서점"
    assert str(raw["TPE1"]) == "김작가"
    assert str(raw["TALB"]) == "에세이 라디오"
    assert str(raw["TRCK"]) == "3"
    assert str(raw["TDRC"]) == "2024-05-01"
    assert str(raw["TCON"]) == "Podcast"
    assert str(raw["TLAN"]) == "kor"
    comm = raw.getall("COMM")[0]
    assert comm.lang == "kor" and comm.text == ["오래된 골목길 이야기"]
    apic = raw.getall("APIC")[0]
    assert apic.type == 3 and apic.mime == "image/jpeg" and apic.data == cover.read_bytes()
    assert raw["TXXX:AUDIOESSAY_PLAN"].text == ["abc123"]

    chaps = {c.element_id: c for c in raw.getall("CHAP")}
    toc = raw.getall("CTOC")
    assert len(toc) == 1
    assert toc[0].flags & CTOCFlags.TOP_LEVEL and toc[0].flags & CTOCFlags.ORDERED
    assert toc[0].child_element_ids == [f"chp{i}" for i in range(len(timeline.chapters))]
    for element_id, expected in zip(toc[0].child_element_ids, timeline.chapters, strict=True):
        chap = chaps[element_id]
        assert chap.sub_frames["TIT2"].text == [expected.title]
        assert (chap.start_time, chap.end_time) == (expected.start_ms, expected.end_ms)

    tags = read_tags(mp3)
    assert tags == EpisodeTags(
        title="골목길의 서점", artist="김작가", album="에세이 라디오", episode=3, date="2024-05-01",
        genre="Podcast", description="오래된 골목길 이야기", language="kor",
        cover=CoverTag(mime="image/jpeg", width=1400, height=1400, mode="RGB"),
        extra={"AUDIOESSAY_LUFS": "-16.0", "AUDIOESSAY_PLAN": "abc123"},
        chapters=tuple(ChapterTag(f"chp{i}", c.title, c.start_ms, c.end_ms) for i, c in enumerate(timeline.chapters)),
        toc=("chp0", "chp1", "chp2", "chp3"), toc_ordered=True,
    )


def test_read_tags_are_frozen(tmp_path: Path, cover: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 3)
    write_tags(mp3, full_tags(cover), sample_timeline().chapters)
    tags = read_tags(mp3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tags.title = "다른 제목"  # type: ignore[misc]
    assert tags.cover is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        tags.cover.width = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tags.chapters[0].title = "다른 장"  # type: ignore[misc]
    with pytest.raises(TypeError):
        tags.extra["AUDIOESSAY_PLAN"] = "changed"  # type: ignore[index]
    assert read_tags(mp3).extra["AUDIOESSAY_PLAN"] == "abc123"


def test_rewriting_replaces_old_tags(tmp_path: Path, cover: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 3)
    write_tags(mp3, full_tags(cover), sample_timeline().chapters)
    write_tags(mp3, Tags(title="새 제목", artist="a", album="b"), [Chapter("하나", 0, 3000)])
    tags = read_tags(mp3)
    assert tags.title == "새 제목"
    assert tags.cover is None and tags.extra == {} and tags.episode is None
    assert tags.chapters == (ChapterTag("chp0", "하나", 0, 3000),)


def test_audio_survives_tagging(tmp_path: Path, cover: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 3)
    before = ffmpeg.decode(str(mp3), 44100)
    write_tags(mp3, full_tags(cover), sample_timeline().chapters)
    after = ffmpeg.decode(str(mp3), 44100)
    assert before.shape == after.shape and abs(before - after).max() < 1e-6


def test_read_tags_of_untagged_file(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "bare.mp3", 1)
    assert read_tags(mp3) == EpisodeTags(
        title=None, artist=None, album=None, episode=None, date=None, genre=None, description=None,
        language=None, cover=None, extra={}, chapters=(), toc=(), toc_ordered=False,
    )


def test_bad_date_is_an_input_error(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 1)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        write_tags(mp3, Tags(title="t", artist="a", album="b", date="1 May 2024"), [])


# ---- cover checks ----------------------------------------------------------------------


def test_good_covers(tmp_path: Path) -> None:
    assert check_cover(make_image(tmp_path / "c.jpg", "1400x1400"), file_label="s.yaml") == (
        "image/jpeg", 1400, 1400,
    )
    assert check_cover(make_png(tmp_path / "c.png", 3000, 3000), file_label="s.yaml") == ("image/png", 3000, 3000)
    assert check_cover(make_image(tmp_path / "f.png", "1500x1500", "rgb24"), file_label="s.yaml")[1:] == (1500, 1500)
    assert check_cover(jpeg_header(tmp_path / "h.jpg", 2000, 2000, 3), file_label="s.yaml")[1:] == (2000, 2000)


@pytest.mark.parametrize(
    ("name", "maker", "message"),
    [
        ("wide.jpg", lambda p: make_image(p, "1600x1400"), "must be square, but is 1600x1400"),
        ("small.png", lambda p: make_png(p, 1000, 1000), "1400 to 3000 px on each side, but is 1000x1000"),
        ("huge.png", lambda p: make_png(p, 3001, 3001), "but is 3001x3001"),
        ("alpha.png", lambda p: make_image(p, "1400x1400", "rgba"), "RGB without transparency, but is RGBA"),
        ("alpha2.png", lambda p: make_png(p, 1400, 1400, 6), "but is RGBA"),
        ("graya.png", lambda p: make_png(p, 1400, 1400, 4), "but is LA"),
        ("gray.jpg", lambda p: jpeg_header(p, 1400, 1400, 1), "but is L"),
        ("cmyk.jpg", lambda p: jpeg_header(p, 1400, 1400, 4), "but is CMYK"),
        ("cover.gif", lambda p: make_image(p, "1400x1400"), "must be a JPEG or PNG"),
        ("text.jpg", lambda p: p.write_text("not an image"), "must be a JPEG or PNG"),
    ],
)
def test_bad_covers(tmp_path: Path, name: str, maker, message: str) -> None:
    path = tmp_path / name
    maker(path)
    with pytest.raises(InputError) as err:
        check_cover(path, file_label="script.yaml")
    text = str(err.value)
    assert message in text
    assert text.startswith("script.yaml: cover:") and "square RGB JPEG" in text


def test_missing_cover(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        check_cover(tmp_path / "nope.jpg", file_label="script.yaml")


def test_write_tags_rejects_bad_cover(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 1)
    bad = make_png(tmp_path / "small.png", 500, 500)
    with pytest.raises(InputError, match="500x500"):
        write_tags(mp3, full_tags(bad), [])
    assert read_tags(mp3).title is None  # nothing half-written


# -- hostile tags (issue 16): read_tags raises only InputError --------------------------


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def _frame(frame_id: bytes, body: bytes) -> bytes:
    return frame_id + _syncsafe(len(body)) + b"\0\0" + body


def id3_tag(frames: bytes) -> bytes:
    return b"ID3\x04\x00\x00" + _syncsafe(len(frames)) + frames


def nested_chap_tag(depth: int) -> bytes:
    """An ID3v2.4 tag whose CHAP frame holds a CHAP frame holding a CHAP frame... `depth` deep."""
    inner = _frame(b"TIT2", b"\x03deep\x00")
    for i in range(depth):
        inner = _frame(b"CHAP", b"c%d\x00" % i + struct.pack(">IIII", 0, 1000, 0xFFFFFFFF, 0xFFFFFFFF) + inner)
    return id3_tag(inner)


def test_deeply_nested_chapters_are_one_input_error(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "deep.mp3", 1)
    mp3.write_bytes(nested_chap_tag(3000) + mp3.read_bytes())
    with pytest.raises(InputError, match=r"deep.mp3: the ID3 tag nests frames too deeply"):
        read_tags(mp3)


def test_moderately_nested_chapters_still_read(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "ok.mp3", 1)
    mp3.write_bytes(nested_chap_tag(3) + mp3.read_bytes())
    assert [c.id for c in read_tags(mp3).chapters] == ["c2"]


@pytest.mark.parametrize("track, episode", [("9" * 5000, None), ("7/12", 7), (" 8 ", 8), ("²", None),
                                            ("0x10", None), ("1234567890", None), ("-3", None)])
def test_track_numbers(tmp_path: Path, track: str, episode: int | None) -> None:
    from mutagen.id3 import TRCK

    mp3 = make_mp3(tmp_path / "t.mp3", 1)
    id3 = ID3()
    id3.add(TRCK(encoding=3, text=[track]))
    id3.save(str(mp3), v2_version=4)
    assert read_tags(mp3).episode == episode


@pytest.mark.parametrize("frames", [
    _frame(b"CHAP", b"x\x00" + b"\x01\x02"),  # too short for its four times
    _frame(b"CTOC", b"toc\x00\x03\xff" + b"a\x00"),  # claims 255 children
    _frame(b"APIC", b"\x03image/png\x00\x03\x00" + b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    _frame(b"TIT2", b"\x09junk"),  # unknown text encoding
    _frame(b"COMM", b"\x03"),
    b"\xff" * 64,
])
def test_garbage_frames_never_escape_as_other_errors(tmp_path: Path, frames: bytes) -> None:
    mp3 = make_mp3(tmp_path / "g.mp3", 1)
    mp3.write_bytes(id3_tag(frames) + mp3.read_bytes())
    try:
        tags = read_tags(mp3)
    except InputError as exc:
        assert str(mp3) in str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(tags.chapters, tuple)


def test_fuzzed_tags_raise_only_input_errors(tmp_path: Path) -> None:
    import random

    rng = random.Random(16)
    audio = make_mp3(tmp_path / "base.mp3", 1).read_bytes()
    good = ID3()
    good.add(__import__("mutagen.id3", fromlist=["TIT2"]).TIT2(encoding=3, text=["제목"]))
    path = tmp_path / "fuzz.mp3"
    path.write_bytes(audio)
    good.save(str(path), v2_version=4)
    write_tags(path, full_tags(None), sample_timeline().chapters)
    tagged = path.read_bytes()
    tag_len = 10 + int.from_bytes(bytes(b & 0x7F for b in tagged[6:10]), "big")  # approximate syncsafe
    outcomes = set()
    for _ in range(200):
        data = bytearray(tagged)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(10, tag_len)] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            read_tags(path)
            outcomes.add("read")
        except InputError:
            outcomes.add("refused")
    assert "read" in outcomes  # some mutations are harmless; none may escape as another exception


def test_read_tags_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "ep.mp3"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is a named pipe"):
        read_tags(fifo)
