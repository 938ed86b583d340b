"""The podcast RSS feed: a show YAML file plus the rendered MP3s -> RSS 2.0 with
iTunes and Podcasting 2.0 tags. Guids and publication dates survive re-renders."""

from __future__ import annotations

import datetime as dt
import email.utils
import glob
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from mutagen import MutagenError
from mutagen.mp3 import MP3

from audioessay import yamlsource
from audioessay.errors import InputError, Problem
from audioessay.export.id3 import read_tags
from audioessay.export.sidecars import sidecar_paths
from audioessay.fsutil import atomic_write
from audioessay.options import REQUIRED, Bool, Context, Invalid, Option, Schema, Text, run

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
GUID_TXXX = "AUDIOESSAY_GUID"

ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)


@dataclass(frozen=True)
class Show:
    title: str
    author: str
    description: str
    base_url: str  # always ends with "/"
    cover_url: str
    episodes: tuple[Path, ...]
    language: str = "ko"
    category: str | None = None  # "Arts" or "Arts/Books" (parent/subcategory)
    link: str | None = None
    email: str | None = None
    explicit: bool = False


class _Url(Text):
    def check(self, value):
        value = super().check(value)
        if not value.startswith(("http://", "https://")):
            raise Invalid(f"must be an http(s) URL, got {value!r}")
        return value


class _Episodes(Option):
    """A list of MP3 paths/globs, or one glob; kept raw here, resolved against the show's folder."""

    def check(self, value):
        patterns = [value] if isinstance(value, str) else value
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise Invalid("must be a list of MP3 paths or a glob such as 'episodes/*.mp3'")
        return patterns


SHOW = Schema({
    "title": Text(REQUIRED, "the podcast's title"),
    "author": Text(REQUIRED, "itunes:author"),
    "description": Text(REQUIRED, "channel description"),
    "base_url": _Url(REQUIRED, "where the MP3s and sidecars are published"),
    "cover_url": _Url(REQUIRED, "the show's cover image URL"),
    "episodes": _Episodes(REQUIRED, "MP3 paths or globs, relative to the show file"),
    "language": Text("ko", "feed language"),
    "category": Text(None, "iTunes category, e.g. Arts/Books"),
    "link": _Url(None, "the show's web page"),
    "email": Text(None, "owner e-mail (itunes:owner)"),
    "explicit": Bool(False, "itunes:explicit"),
})


def load_show(path: str | Path) -> Show:
    """Read and validate a show YAML file; every problem is reported at once as file:line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), None, "", f"cannot read show file ({exc})")]) from exc
    doc, problems = yamlsource.load(text, str(path))
    if doc is not None and not isinstance(doc.value, dict):
        problems.append(Problem(str(path), 1, "", "must be a mapping of keys such as title, author, episodes"))
    if problems:
        raise InputError(problems)
    ctx = Context(doc, str(path), problems)
    data = run(SHOW, doc.value, (), ctx)
    episodes = ()
    if data and data["episodes"]:
        episodes = _episode_paths(data["episodes"], path.parent, lambda m: ctx.problem(("episodes",), m))
    if problems:
        raise InputError(problems)
    base_url = data["base_url"]
    return Show(
        title=data["title"], author=data["author"], description=data["description"],
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        cover_url=data["cover_url"], episodes=episodes, language=data["language"],
        category=data["category"], link=data["link"], email=data["email"], explicit=data["explicit"],
    )


def _episode_paths(patterns: list[str], folder: Path, bad) -> tuple[Path, ...]:
    """MP3 paths from a list of paths/globs, relative to the show file."""
    found: list[Path] = []
    for pattern in patterns:
        full = folder / pattern
        if glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(str(full)))
            if not matches:
                bad(f"{pattern!r} matches no file in {folder}")
            found.extend(matches)
        elif full.is_file():
            found.append(full)
        else:
            bad(f"{pattern!r}: no such file (paths are relative to {folder}); render it first")
    unique = list(dict.fromkeys(found))
    return tuple(unique)


@dataclass(frozen=True)
class _Episode:
    path: Path
    title: str
    description: str | None
    number: int | None
    size: int
    seconds: int
    date: str | None
    mtime: float
    guid_tag: str | None


def _read_episode(path: Path) -> _Episode:
    try:
        info = MP3(str(path)).info
        size = path.stat().st_size
        mtime = path.stat().st_mtime
    except (MutagenError, OSError) as exc:
        raise InputError(f"{path}: not a readable MP3 ({exc}); re-render the episode") from exc
    tags = read_tags(path)
    return _Episode(
        path=path,
        title=tags["title"] or path.stem,
        description=tags["description"],
        number=tags["episode"],
        size=size,
        seconds=round(info.length),
        date=tags["date"],
        mtime=mtime,
        guid_tag=tags["extra"].get(GUID_TXXX),
    )


def _existing_items(existing_xml: str | None, label: str) -> dict[str, tuple[str | None, str | None]]:
    """Enclosure file name -> (guid, pubDate) from a previously written feed."""
    if not existing_xml:
        return {}
    try:
        root = ET.fromstring(existing_xml)
    except ET.ParseError as exc:
        raise InputError(
            f"{label} is not valid XML ({exc}); fix it or delete it to start a new feed "
            "(subscribers may then see every episode as new)"
        ) from exc
    items = {}
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        if enclosure is None or not enclosure.get("url"):
            continue
        name = unquote(urlsplit(enclosure.get("url")).path.rsplit("/", 1)[-1])
        items[name] = (item.findtext("guid"), item.findtext("pubDate"))
    return items


def _pub_date(episode: _Episode) -> str:
    if episode.date:
        try:
            day = dt.datetime.strptime(episode.date[:10], "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
            return email.utils.format_datetime(day)
        except ValueError:
            pass  # a malformed ID3 date: fall back to the file's time
    return email.utils.format_datetime(dt.datetime.fromtimestamp(episode.mtime, dt.timezone.utc))


def build_feed(
    show: Show,
    episodes: Sequence[str | Path],
    existing_xml: str | None,
    *,
    existing_label: str = "the existing feed",
) -> str:
    """RSS 2.0 text for `show` listing `episodes` (MP3 paths), newest first.

    Guid and pubDate of an episode already in `existing_xml` (matched by enclosure file
    name) are kept, so re-rendering an episode does not make it look new to subscribers."""
    previous = _existing_items(existing_xml, existing_label)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _channel_fields(channel, show)
    items = []
    for path in episodes:
        ep = _read_episode(Path(path))
        old_guid, old_date = previous.get(ep.path.name, (None, None))
        guid = old_guid or ep.guid_tag or str(uuid.uuid5(uuid.NAMESPACE_URL, show.base_url + ep.path.name))
        pub_date = old_date or _pub_date(ep)
        items.append((ep, guid, pub_date))
    items.sort(key=lambda t: (_sortable(t[2]), t[0].number or 0), reverse=True)
    for ep, guid, pub_date in items:
        _item(channel, show, ep, guid, pub_date)
    ET.indent(rss, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def _sortable(pub_date: str) -> float:
    try:
        return email.utils.parsedate_to_datetime(pub_date).timestamp()
    except (TypeError, ValueError):
        return 0.0


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _channel_fields(channel: ET.Element, show: Show) -> None:
    _sub(channel, "title", show.title)
    _sub(channel, "link", show.link or show.base_url)
    _sub(channel, "description", show.description)
    _sub(channel, "language", show.language)
    _sub(channel, "generator", "audioessay")
    _sub(channel, f"{{{ITUNES}}}author", show.author)
    _sub(channel, f"{{{ITUNES}}}summary", show.description)
    _sub(channel, f"{{{ITUNES}}}image", href=show.cover_url)
    if show.category:
        parent, _, child = (part.strip() for part in show.category.partition("/"))
        # the category name is an attribute called "text", which _sub's keywords cannot spell
        category = ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": parent})
        if child:
            ET.SubElement(category, f"{{{ITUNES}}}category", {"text": child})
    _sub(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    _sub(channel, f"{{{ITUNES}}}type", "episodic")
    if show.email:
        owner = _sub(channel, f"{{{ITUNES}}}owner")
        _sub(owner, f"{{{ITUNES}}}name", show.author)
        _sub(owner, f"{{{ITUNES}}}email", show.email)


def _item(channel: ET.Element, show: Show, ep: _Episode, guid: str, pub_date: str) -> None:
    item = _sub(channel, "item")
    _sub(item, "title", ep.title)
    if ep.description:
        _sub(item, "description", ep.description)
    _sub(item, "enclosure", url=_url(show, ep.path), length=str(ep.size), type="audio/mpeg")
    _sub(item, "guid", guid, isPermaLink="false")
    _sub(item, "pubDate", pub_date)
    _sub(item, f"{{{ITUNES}}}title", ep.title)
    _sub(item, f"{{{ITUNES}}}duration", str(ep.seconds))
    if ep.number is not None:
        _sub(item, f"{{{ITUNES}}}episode", str(ep.number))
    _sub(item, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    sidecars = sidecar_paths(ep.path)
    if sidecars["vtt"].is_file():
        _sub(item, f"{{{PODCAST}}}transcript", url=_url(show, sidecars["vtt"]), type="text/vtt",
             language=show.language)
    if sidecars["srt"].is_file():
        _sub(item, f"{{{PODCAST}}}transcript", url=_url(show, sidecars["srt"]), type="application/x-subrip",
             language=show.language)
    if sidecars["chapters"].is_file():
        _sub(item, f"{{{PODCAST}}}chapters", url=_url(show, sidecars["chapters"]),
             type="application/json+chapters")


def _url(show: Show, path: Path) -> str:
    return show.base_url + quote(path.name)


def write_feed(show_path: str | Path, out_path: str | Path) -> Path:
    """Build the feed for the show file and write it atomically to `out_path`,
    keeping guids and pubDates from the feed already there."""
    show = load_show(show_path)
    out_path = Path(out_path)
    existing = None
    if out_path.is_file():
        try:
            existing = out_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{out_path}: cannot read the existing feed ({exc})") from exc
    xml = build_feed(show, show.episodes, existing, existing_label=str(out_path))
    atomic_write(out_path, xml)
    return out_path

