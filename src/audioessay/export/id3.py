"""ID3v2.4 tags for the episode MP3: text frames, cover art, chapters (CHAP/CTOC)."""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TRCK,
    TXXX,
    CTOCFlags,
    ID3NoHeaderError,
)

from audioessay.util.cover import ImageInfo, check_cover, cover_problems, image_info  # noqa: F401 (re-exported)
from audioessay.errors import InputError, OutputError
from audioessay.util.fsutil import regular_file
from audioessay.mix.timeline import Chapter

TOC_ID = "toc"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UTF8 = 3  # ID3 text encoding id for UTF-8 (v2.4 only)
_NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: players seek by time


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    album: str
    episode: int | None = None
    date: str | None = None  # YYYY-MM-DD
    genre: str = "Podcast"
    description: str | None = None
    language: str = "kor"  # ISO 639-2, as ID3 wants
    cover: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)  # written as TXXX frames


def write_tags(mp3_path: str | Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """Replace the file's ID3 tag with an ID3v2.4 tag built from `tags` and `chapters`."""
    if tags.date is not None and not _DATE.match(tags.date):
        raise InputError(f"date: {tags.date!r} must be YYYY-MM-DD, e.g. 2024-05-01")
    id3 = ID3()
    id3.add(TIT2(encoding=_UTF8, text=[tags.title]))
    id3.add(TPE1(encoding=_UTF8, text=[tags.artist]))
    id3.add(TALB(encoding=_UTF8, text=[tags.album]))
    id3.add(TCON(encoding=_UTF8, text=[tags.genre]))
    id3.add(TLAN(encoding=_UTF8, text=[tags.language]))
    if tags.episode is not None:
        id3.add(TRCK(encoding=_UTF8, text=[str(tags.episode)]))
    if tags.date is not None:
        id3.add(TDRC(encoding=_UTF8, text=[tags.date]))
    if tags.description:
        id3.add(COMM(encoding=_UTF8, lang=tags.language, desc="", text=[tags.description]))
    if tags.cover is not None:
        mime, _, _ = check_cover(tags.cover, file_label=str(tags.cover))
        id3.add(APIC(encoding=_UTF8, mime=mime, type=3, desc="Cover", data=Path(tags.cover).read_bytes()))
    for key, value in tags.extra.items():
        id3.add(TXXX(encoding=_UTF8, desc=key, text=[value]))
    _add_chapters(id3, chapters)
    try:
        id3.save(str(mp3_path), v2_version=4, v1=0)  # v1=0 strips any ID3v1 tail
    except (MutagenError, OSError) as exc:
        raise OutputError(f"{mp3_path}: cannot write ID3 tags ({exc}); check the disk and the folder's permissions") from exc


def _add_chapters(id3: ID3, chapters: Sequence[Chapter]) -> None:
    if not chapters:
        return
    ids = [f"chp{i}" for i in range(len(chapters))]
    for element_id, ch in zip(ids, chapters, strict=True):
        if ch.end_ms <= ch.start_ms:
            raise InputError(f"chapter {ch.title!r}: ends ({ch.end_ms} ms) before it starts ({ch.start_ms} ms)")
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=int(ch.start_ms),
                end_time=int(ch.end_ms),
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[TIT2(encoding=_UTF8, text=[ch.title])],
            )
        )
    id3.add(
        CTOC(
            element_id=TOC_ID,
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=_UTF8, text=["Chapters"])],
        )
    )


def load_id3(mp3_path: str | Path) -> ID3 | None:
    """The file's ID3 tag, None if it has none. InputError if the file cannot be read, is not
    a regular file (a FIFO would block), or its tag is damaged or hostile."""
    regular_file(mp3_path, "MP3")
    try:
        return ID3(str(mp3_path))
    except ID3NoHeaderError:
        return None
    except (MutagenError, OSError) as exc:
        raise InputError(f"{mp3_path}: cannot read ID3 tags ({_first_line(exc)})") from None
    except RecursionError:
        raise InputError(f"{mp3_path}: the ID3 tag nests frames too deeply (chapters inside chapters); "
                         "re-tag or re-render the file") from None
    except Exception as exc:  # mutagen raises ValueError, struct.error, IndexError... on crafted frames
        raise InputError(f"{mp3_path}: the ID3 tag is damaged ({type(exc).__name__}: {_first_line(exc)}); "
                         "re-tag or re-render the file") from None


def _first_line(exc: BaseException) -> str:
    text = (str(exc).splitlines() or [""])[0]
    return text if len(text) <= 120 else text[:117] + "..."


_TRACK = re.compile(r"\s*([0-9]{1,9})\s*(?:/.*)?", re.DOTALL)  # "7" or "7/12"; no 5,000-digit numbers


def _track_number(text: str | None) -> int | None:
    m = _TRACK.fullmatch(text) if text else None
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class ChapterTag:
    """One CHAP frame: its element id, title (TIT2 sub-frame, "" if none) and times."""

    id: str
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class CoverTag:
    """The front cover (APIC): its declared mime type; size and colour mode are None when
    the picture is not a PNG or JPEG whose header can be read."""

    mime: str
    width: int | None
    height: int | None
    mode: str | None


@dataclass(frozen=True)
class EpisodeTags:
    """What an MP3's ID3 tag says, as plain values; a missing frame is None (or empty)."""

    title: str | None
    artist: str | None
    album: str | None
    episode: int | None
    date: str | None
    genre: str | None
    description: str | None
    language: str | None
    cover: CoverTag | None
    extra: Mapping[str, str]  # TXXX frames, description -> text (read-only)
    chapters: tuple[ChapterTag, ...]  # sorted by start time
    toc: tuple[str, ...]  # child element ids of the top-level CTOC
    toc_ordered: bool


def read_tags(mp3_path: str | Path) -> EpisodeTags:
    """The file's tags; an untagged file gives empty tags.

    Raises only InputError, whatever the file holds."""
    id3 = load_id3(mp3_path)
    if id3 is None:
        id3 = ID3()
    try:
        return _episode_tags(id3)
    except (RecursionError, Exception) as exc:  # a frame mutagen parsed but that holds nonsense
        raise InputError(f"{mp3_path}: the ID3 tag is damaged ({type(exc).__name__}: {_first_line(exc)}); "
                         "re-tag or re-render the file") from None


def _episode_tags(id3: ID3) -> EpisodeTags:

    def text(frame_id: str) -> str | None:
        frame = id3.get(frame_id)
        return str(frame.text[0]) if frame is not None and frame.text else None

    comms = id3.getall("COMM")
    apics = id3.getall("APIC")
    cover = None
    if apics:
        pic = next((a for a in apics if a.type == 3), apics[0])
        info = image_info(pic.data)
        cover = CoverTag(
            mime=pic.mime,
            width=info.width if info else None,
            height=info.height if info else None,
            mode=info.mode if info else None,
        )
    chaps = sorted(id3.getall("CHAP"), key=lambda c: c.start_time)
    tocs = id3.getall("CTOC")
    top = next((t for t in tocs if t.flags & CTOCFlags.TOP_LEVEL), tocs[0] if tocs else None)
    return EpisodeTags(
        title=text("TIT2"),
        artist=text("TPE1"),
        album=text("TALB"),
        episode=_track_number(text("TRCK")),
        date=text("TDRC"),
        genre=text("TCON"),
        description=str(comms[0].text[0]) if comms and comms[0].text else None,
        language=text("TLAN"),
        cover=cover,
        extra=MappingProxyType({f.desc: str(f.text[0]) if f.text else "" for f in id3.getall("TXXX")}),
        chapters=tuple(
            ChapterTag(
                id=c.element_id,
                title=str(c.sub_frames["TIT2"].text[0]) if "TIT2" in c.sub_frames else "",
                start_ms=c.start_time,
                end_ms=c.end_time,
            )
            for c in chaps
        ),
        toc=tuple(top.child_element_ids) if top is not None else (),
        toc_ordered=bool(top.flags & CTOCFlags.ORDERED) if top is not None else False,
    )
