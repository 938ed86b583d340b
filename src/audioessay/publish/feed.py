"""The podcast RSS feed: a show YAML file plus the rendered MP3s -> RSS 2.0 (`audioessay feed`).

With the tags Apple's podcast RSS guide asks for and the Podcasting 2.0 (podcastindex) ones.

Episode values come from each MP3's ID3 tags (TXXX frames named in txxx.FEED); guids and
publication dates already published in the previous feed.xml survive re-renders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import glob
import html
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, cast, overload
from urllib.parse import quote, unquote, urlsplit

from mutagen import MutagenError
from mutagen.mp3 import MP3, MPEGInfo

from audioessay.config import yamlsource
from audioessay.publish.categories import parse_category
from audioessay.errors import AudioessayError, InputError, Problem
from audioessay.config.groups import EPISODE_TYPES
from audioessay.export import tags as txxx
from audioessay.export.id3 import read_tags
from audioessay.export.sidecars import SIDECARS, sidecar_paths
from audioessay.util.fsutil import atomic_write, read_limited, regular_file, same_file
from audioessay.config.options import REQUIRED, Bool, Choice, Context, Invalid, Option, Schema, Text, run
from audioessay.mix.timeline import Chapter

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PSC = "http://podlove.org/simple-chapters"  # Podlove Simple Chapters, read by gPodder and others
for _prefix, _uri in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM), ("content", CONTENT), ("psc", PSC)):
    ET.register_namespace(_prefix, _uri)

# podcastindex docs/tags/guid.md: podcast:guid = UUIDv5(this namespace, feed URL without
# scheme and trailing slashes)
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


Warn = Callable[[str], None]


@dataclass(frozen=True)
class Show:
    title: str
    author: str
    description: str
    base_url: str  # always ends with "/"
    cover_url: str
    episodes: tuple[Path, ...]
    language: str = "ko"
    category: str | None = None  # "Arts" or "Arts/Books" (parent/subcategory), an Apple category
    link: str | None = None
    email: str | None = None
    explicit: bool = False
    feed_url: str = ""  # where the feed is published; base_url + "feed.xml" when not given
    copyright: str | None = None
    type: str = "episodic"  # or "serial"
    locked: bool = True
    podcast_guid: str = ""  # the show's permanent identity (podcast:guid)
    cover: Path | None = None  # a local cover image (the static site shows it)
    publish_to: str | None = None  # `publish: {to: ...}`: where `audioessay publish` uploads
    publish_endpoint_url: str | None = None  # `publish: {endpoint_url: ...}` for an S3-compatible store


class _Url(Text):
    def check(self, value):
        value = super().check(value)
        if not value.startswith(("http://", "https://")):
            raise Invalid(f"must be an http(s) URL, got {value!r}")
        return value


class _Category(Text):
    def check(self, value):
        try:
            parse_category(super().check(value))
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        return "/".join(part.strip() for part in value.split("/"))


class _Guid(Text):
    def check(self, value):
        value = super().check(value)
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise Invalid(f"must be a UUID such as 917393e3-1b1e-5cef-ace4-edaa54e1f810, got {value!r}") from None


class _Episodes(Option):
    """A list of MP3 paths/globs, or one glob; kept raw here, resolved against the show's folder."""

    def check(self, value):
        patterns = [value] if isinstance(value, str) else value
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise Invalid("must be a list of MP3 paths or a glob such as 'episodes/*.mp3'")
        return patterns


class _Publish(Option):
    """`publish: {to: URL, endpoint_url: URL}`: the default target of `audioessay publish`."""

    def check(self, value):
        if not isinstance(value, dict) or not set(value) <= {"to", "endpoint_url"} or not all(
                isinstance(v, str) and v for v in value.values()):
            raise Invalid("must be a mapping with 'to' (s3://bucket/prefix, sftp://user@host/path or a folder) "
                          "and optionally 'endpoint_url'")
        return value


SHOW = Schema({
    "title": Text(REQUIRED, "the podcast's title"),
    "author": Text(REQUIRED, "itunes:author"),
    "description": Text(REQUIRED, "channel description"),
    "base_url": _Url(REQUIRED, "where the MP3s and sidecars are published"),
    "cover_url": _Url(REQUIRED, "the show's cover image URL"),
    "episodes": _Episodes(REQUIRED, "MP3 paths or globs, relative to the show file"),
    "language": Text("ko", "feed language"),
    "category": _Category(None, "Apple Podcasts category, e.g. Arts/Books"),
    "link": _Url(None, "the show's web page"),
    "email": Text(None, "owner e-mail (itunes:owner, podcast:locked owner)"),
    "explicit": Bool(False, "itunes:explicit"),
    "feed_url": _Url(None, "the feed's own public URL (atom:link rel=self; seeds podcast:guid)"),
    "copyright": Text(None, "copyright line, e.g. '© 2025 김작가'"),
    "type": Choice(("episodic", "serial"), "episodic", "itunes:type: episodic (newest first) or serial"),
    "locked": Bool(True, "podcast:locked: other hosts may not import the feed"),
    "podcast_guid": _Guid(None, "keep the show's podcast:guid when feed_url changes"),
    "cover": Text(None, "local cover image for the static site, relative to the show file"),
    "defaults": Option(None, "script keys every episode of the show inherits (see the README)"),
    "publish": _Publish(None, "where `audioessay publish` uploads: {to: URL, endpoint_url: URL}"),
})


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 show identity: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def load_show(path: str | Path) -> Show:
    """Read and validate a show YAML file; every problem is reported at once as file:line."""
    from audioessay.script.sniff import sniff
    from audioessay.script.loader import read_script_text

    path = Path(path)
    text = read_script_text(path, sniff=False)  # regular file, size cap, UTF-8
    doc, problems = yamlsource.load(text, str(path))  # parsed once: sniff reads the same document
    hint = sniff(path, text.encode("utf-8"), expected="show", value=doc.value if doc is not None else None)
    if hint:
        raise InputError([Problem(str(path), None, "", hint.removeprefix(f"{path} "))])
    if doc is not None and not isinstance(doc.value, dict):
        problems.append(Problem(str(path), 1, "", "must be a mapping of keys such as title, author, episodes"))
    if problems:
        raise InputError(problems)
    assert doc is not None  # yamlsource.load returns no document only with problems
    ctx = Context(doc, str(path), problems)
    data = run(SHOW, doc.value, (), ctx)
    episodes: tuple[Path, ...] = ()
    if data and data["episodes"]:
        episodes = _episode_paths(data["episodes"], path.parent, lambda m: ctx.problem(("episodes",), m))
    cover = None
    if data and data["cover"]:
        cover = path.parent / data["cover"]
        if not os.path.lexists(cover):
            ctx.problem(("cover",), f"{data['cover']!r}: no such file (paths are relative to {path.parent})")
        else:
            _regular(cover, "cover", lambda m: ctx.problem(("cover",), m))
    if problems:
        raise InputError(problems)
    base_url = data["base_url"] if data["base_url"].endswith("/") else data["base_url"] + "/"
    feed_url = data["feed_url"] or base_url + "feed.xml"
    return Show(
        title=data["title"], author=data["author"], description=data["description"],
        base_url=base_url, cover_url=data["cover_url"], episodes=episodes, language=data["language"],
        category=data["category"], link=data["link"], email=data["email"], explicit=data["explicit"],
        feed_url=feed_url, copyright=data["copyright"], type=data["type"], locked=data["locked"],
        podcast_guid=data["podcast_guid"] or podcast_guid(feed_url), cover=cover,
        publish_to=(data["publish"] or {}).get("to"), publish_endpoint_url=(data["publish"] or {}).get("endpoint_url"),
    )


def _episode_paths(patterns: list[str], folder: Path, bad) -> tuple[Path, ...]:
    """MP3 paths from a list of paths/globs, relative to the show file. A match that is not a
    regular file (a FIFO named *.mp3 would block the reader, a folder) is a problem, not skipped."""
    found: list[Path] = []
    for pattern in patterns:
        full = folder / pattern
        if glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(str(full)))
            if not matches:
                bad(f"{pattern!r} matches no file in {folder}")
        elif os.path.lexists(full):
            matches = [full]
        else:
            bad(f"{pattern!r}: no such file (paths are relative to {folder}); render it first")
            continue
        found.extend(m for m in matches if _regular(m, "MP3", bad))
    unique = list(dict.fromkeys(found))
    return tuple(unique)


def _regular(path: Path, what: str, bad: Callable[[str], None]) -> bool:
    """True for a regular file; else tells `bad` what it is (the show file gives the place)."""
    try:
        regular_file(path, what)
    except InputError as exc:
        bad(str(exc).removeprefix(f"{what} "))
        return False
    return True


# ---- text XML can carry ---------------------------------------------------------------

# C0 controls other than tab and newline (CR too: parsers turn it into a newline), and what
# XML 1.0 cannot carry at all (surrogates, U+FFFE, U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` without the control characters an XML feed cannot (or should not) carry."""
    return _NOT_XML.sub("", text)


class _Clean(Protocol):
    """Text without what XML cannot carry; None stays None."""

    @overload
    def __call__(self, text: str, where: str) -> str: ...
    @overload
    def __call__(self, text: str | None, where: str) -> str | None: ...


def _cleaner(warn: Warn) -> _Clean:
    @overload
    def clean(text: str, where: str) -> str: ...
    @overload
    def clean(text: str | None, where: str) -> str | None: ...
    def clean(text: str | None, where: str) -> str | None:
        if text is None:
            return None
        cleaned = clean_text(text)
        if cleaned != text:
            found = sorted({f"U+{ord(c):04X}" for c in _NOT_XML.findall(text)})
            warn(f"{where}: removed control characters ({', '.join(found)}) that XML cannot carry")
        return cleaned
    return clean


def _ignore(message: str) -> None:
    pass


# ---- episodes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Episode:
    """What the feed and the site know of one rendered MP3."""

    path: Path
    title: str
    description: str | None
    number: int | None
    size: int
    seconds: int
    date: str | None
    mtime: float
    guid_tag: str | None
    episode_type: str = "full"
    season: int | None = None
    link: str | None = None
    image: str | None = None
    chapters: tuple[Chapter, ...] = ()
    sidecars: Mapping[str, Path] = field(default_factory=dict, hash=False)  # the ones beside the MP3


def episode_sidecars(mp3: Path) -> dict[str, Path]:
    """The sidecars beside `mp3` that exist, keyed like `sidecar_paths`. One that is there but
    is not a regular file (a FIFO named ep.vtt, a folder) is an InputError: no reader opens it."""
    found = {}
    for key, path in sidecar_paths(mp3).items():
        if os.path.lexists(path):
            found[key] = regular_file(path, "sidecar")
    return found


def read_episode(path: str | Path, warn: Warn = _ignore) -> Episode:
    """An episode's values from its MP3 and ID3 tags; bad tag values are warned about and dropped.
    A path that is not a regular file (or a special sidecar beside it) is refused unopened."""
    path = regular_file(path, "MP3")  # a FIFO would block mutagen, /dev/zero never end
    sidecars = episode_sidecars(path)
    try:
        # mutagen declares FileType.info as None; MP3 always loads an MPEGInfo (or raises)
        info = cast(MPEGInfo, MP3(str(path)).info)
        stat = path.stat()
    except (MutagenError, OSError) as exc:
        raise InputError(f"{path}: not a readable MP3 ({exc}); re-render the episode") from exc
    tags = read_tags(path)
    extra = tags.extra
    clean = _cleaner(warn)
    episode_type = extra.get(txxx.EPISODE_TYPE) or "full"
    if episode_type not in EPISODE_TYPES:
        warn(f"{path.name}: {txxx.EPISODE_TYPE} {episode_type!r} is not one of {', '.join(EPISODE_TYPES)}; using full")
        episode_type = "full"
    season = extra.get(txxx.SEASON)
    if season is not None and not (season.isdigit() and int(season) > 0):
        warn(f"{path.name}: {txxx.SEASON} {season!r} is not a positive whole number; left out")
        season = None
    chapters = tuple(
        Chapter(clean(c.title, f"{path.name}: chapter {c.title!r}") or "", c.start_ms, c.end_ms)
        for c in tags.chapters
    )
    return Episode(
        path=path,
        title=clean(tags.title or path.stem, f"{path.name}: title"),
        description=clean(tags.description, f"{path.name}: description"),
        number=tags.episode,
        size=stat.st_size,
        seconds=round(info.length),
        date=tags.date,
        mtime=stat.st_mtime,
        guid_tag=clean(extra.get(txxx.GUID), f"{path.name}: {txxx.GUID}") or None,
        episode_type=episode_type,
        season=int(season) if season else None,
        link=clean(extra.get(txxx.LINK), f"{path.name}: {txxx.LINK}") or None,
        image=clean(extra.get(txxx.IMAGE), f"{path.name}: {txxx.IMAGE}") or None,
        chapters=chapters,
        sidecars=sidecars,
    )


@dataclass(frozen=True)
class _Published:
    """What the previous feed said: enclosure file name -> (guid, pubDate), guid -> pubDate."""

    by_name: dict[str, tuple[str | None, str | None]]
    date_by_guid: dict[str, str]


def _existing_items(existing_xml: str | None, label: str) -> _Published:
    if not existing_xml:
        return _Published({}, {})
    try:
        root = ET.fromstring(existing_xml)
    except ET.ParseError as exc:
        raise InputError(
            f"{label} is not valid XML ({exc}); fix it or delete it to start a new feed "
            "(subscribers may then see every episode as new)"
        ) from exc
    by_name, by_guid = {}, {}
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        guid, date = item.findtext("guid"), item.findtext("pubDate")
        if guid and date:
            by_guid[guid] = date
        url = enclosure.get("url") if enclosure is not None else None
        if not url:
            continue
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        by_name[name] = (guid, date)
    return _Published(by_name, by_guid)


def _pub_date(episode: Episode) -> str:
    if episode.date:
        try:
            day = dt.datetime.strptime(episode.date[:10], "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
            return email.utils.format_datetime(day)
        except ValueError:
            pass  # a malformed ID3 date: fall back to the file's time
    return email.utils.format_datetime(dt.datetime.fromtimestamp(episode.mtime, dt.timezone.utc))


@dataclass(frozen=True)
class FeedItem:
    episode: Episode
    guid: str
    pub_date: str


def feed_items(show: Show, episodes: Sequence[str | Path], existing_xml: str | None, *,
               existing_label: str = "the existing feed", warn: Warn = _ignore) -> list[FeedItem]:
    """Every episode with its guid and pubDate, newest first.

    The guid already published for the file in `existing_xml` is kept (changing it would make
    every app show the episode again); else the MP3's AUDIOESSAY_GUID; else one derived from
    the episode's URL. The pubDate is the published one, else the ID3 date, else the file's time."""
    published = _existing_items(existing_xml, existing_label)
    items = []
    for path in episodes:
        ep = read_episode(path, warn)
        old_guid, old_date = published.by_name.get(ep.path.name, (None, None))
        if old_guid and ep.guid_tag and ep.guid_tag != old_guid:
            warn(f"{ep.path.name}: its {txxx.GUID} {ep.guid_tag} differs from the guid {old_guid} in "
                 f"{existing_label}; keeping the published one so subscribers do not get the episode twice")
        guid = old_guid or ep.guid_tag or str(uuid.uuid5(uuid.NAMESPACE_URL, show.base_url + ep.path.name))
        pub_date = old_date or published.date_by_guid.get(guid) or _pub_date(ep)
        items.append(FeedItem(ep, guid, pub_date))
    items.sort(key=lambda t: (_sortable(t.pub_date), t.episode.number or 0), reverse=True)
    return items


def _sortable(pub_date: str) -> float:
    try:
        return email.utils.parsedate_to_datetime(pub_date).timestamp()
    except (TypeError, ValueError):
        return 0.0


# ---- the XML ---------------------------------------------------------------------------


def build_feed(
    show: Show,
    episodes: Sequence[str | Path],
    existing_xml: str | None,
    *,
    existing_label: str = "the existing feed",
    warn: Warn = _ignore,
    page_url: Callable[[Path], str] | None = None,
) -> str:
    """RSS 2.0 text for `show` listing `episodes` (MP3 paths), newest first.

    `warn` hears about text that had to be cleaned and tag values left out; `page_url` gives
    an episode's web page (the static site) when its MP3 names no AUDIOESSAY_LINK."""
    show = _clean_show(show, warn)
    items = feed_items(show, episodes, existing_xml, existing_label=existing_label, warn=warn)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _channel_fields(channel, show)
    for item in items:
        _item(channel, show, item, page_url(item.episode.path) if page_url else None)
    ET.indent(rss, space="  ")
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"
    try:  # never hand out a file our own parser refuses
        ET.fromstring(xml)
    except ET.ParseError as exc:
        raise AudioessayError(f"the feed came out as invalid XML ({exc}); nothing was written. "
                              "This is a bug in audioessay: please report it with the show file") from exc
    return xml


def _clean_show(show: Show, warn: Warn) -> Show:
    clean = _cleaner(warn)
    return dataclasses.replace(  # cleaned (and warned about) in this order
        show, title=clean(show.title, "show title"), author=clean(show.author, "show author"),
        description=clean(show.description, "show description"),
        copyright=clean(show.copyright, "show copyright"), email=clean(show.email, "show email"))


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
    if show.copyright:
        _sub(channel, "copyright", show.copyright)
    _sub(channel, "generator", "audioessay")
    _sub(channel, f"{{{ATOM}}}link", href=show.feed_url, rel="self", type="application/rss+xml")
    image = _sub(channel, "image")
    _sub(image, "url", show.cover_url)
    _sub(image, "title", show.title)
    _sub(image, "link", show.link or show.base_url)
    _sub(channel, f"{{{ITUNES}}}author", show.author)
    _sub(channel, f"{{{ITUNES}}}summary", show.description)
    _sub(channel, f"{{{ITUNES}}}image", href=show.cover_url)
    if show.category:
        parent, child = parse_category(show.category)
        # the category name is an attribute called "text", which _sub's keywords cannot spell
        category = ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": parent})
        if child:
            ET.SubElement(category, f"{{{ITUNES}}}category", {"text": child})
    _sub(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    _sub(channel, f"{{{ITUNES}}}type", show.type)
    if show.email:
        owner = _sub(channel, f"{{{ITUNES}}}owner")
        _sub(owner, f"{{{ITUNES}}}name", show.author)
        _sub(owner, f"{{{ITUNES}}}email", show.email)
    _sub(channel, f"{{{PODCAST}}}guid", show.podcast_guid)
    locked = {"owner": show.email} if show.email else {}
    _sub(channel, f"{{{PODCAST}}}locked", "yes" if show.locked else "no", **locked)


def _item(channel: ET.Element, show: Show, feed_item: FeedItem, page: str | None) -> None:
    ep = feed_item.episode
    item = _sub(channel, "item")
    _sub(item, "title", ep.title)
    link = ep.link or page
    if link:
        _sub(item, "link", link)
    if ep.description:
        _sub(item, "description", ep.description)
    sidecars = ep.sidecars
    transcript_url = f"{page}#transcript" if page and "vtt" in sidecars else (
        _url(show, sidecars["vtt"]) if "vtt" in sidecars else None)
    _sub(item, f"{{{CONTENT}}}encoded", show_notes(ep, transcript_url, show.language))
    _sub(item, "enclosure", url=_url(show, ep.path), length=str(ep.size), type="audio/mpeg")
    _sub(item, "guid", feed_item.guid, isPermaLink="false")
    _sub(item, "pubDate", feed_item.pub_date)
    _sub(item, f"{{{ITUNES}}}title", ep.title)
    _sub(item, f"{{{ITUNES}}}duration", str(ep.seconds))
    if ep.season is not None:
        _sub(item, f"{{{ITUNES}}}season", str(ep.season))
    if ep.number is not None:
        _sub(item, f"{{{ITUNES}}}episode", str(ep.number))
    _sub(item, f"{{{ITUNES}}}episodeType", ep.episode_type)
    if ep.image:
        _sub(item, f"{{{ITUNES}}}image", href=_absolute(show, ep.image))
    _sub(item, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    for key in ("vtt", "srt", "json"):
        if key in sidecars:
            captions = {"rel": "captions"} if key == "vtt" else {}
            _sub(item, f"{{{PODCAST}}}transcript", url=_url(show, sidecars[key]), type=SIDECARS[key][1],
                 language=show.language, **captions)
    if "chapters" in sidecars:
        _sub(item, f"{{{PODCAST}}}chapters", url=_url(show, sidecars["chapters"]), type=SIDECARS["chapters"][1])
    if ep.chapters:
        psc = _sub(item, f"{{{PSC}}}chapters", version="1.2")
        for ch in ep.chapters:
            _sub(psc, f"{{{PSC}}}chapter", start=_npt(ch.start_ms), title=ch.title)


_LABELS = {"ko": ("챕터", "전체 대본 보기"), "": ("Chapters", "Read the transcript")}


def show_notes(ep: Episode, transcript_url: str | None, language: str) -> str:
    """HTML show notes: the description, the chapter list with timestamps apps make
    clickable (12:34), and a link to the transcript."""
    chapters_label, transcript_label = _LABELS.get(language.split("-")[0], _LABELS[""])
    parts = [html_paragraphs(ep.description)] if ep.description else []
    if ep.chapters:
        rows = "".join(f"<li>{clock(ch.start_ms)} {html.escape(ch.title)}</li>" for ch in ep.chapters)
        parts.append(f"<p>{chapters_label}</p><ul>{rows}</ul>")
    if transcript_url:
        parts.append(f'<p><a href="{html.escape(transcript_url)}">{transcript_label}</a></p>')
    return "\n".join(parts) or html.escape(ep.title)


def html_paragraphs(text: str) -> str:
    """Plain text as HTML: blank lines part paragraphs, single newlines become <br>."""
    if not text.strip():
        return ""
    paras = re.split(r"\n\s*\n", text.strip())
    return "\n".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paras)


def clock(ms: int) -> str:
    """12:34, or 1:02:03 past an hour: the timestamp form podcast apps link."""
    s = int(ms) // 1000
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _npt(ms: int) -> str:
    """Normal Play Time (RFC 2326) as Podlove Simple Chapters wants: HH:MM:SS.mmm."""
    s, ms = divmod(int(ms), 1000)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{ms:03d}"


def _url(show: Show, path: Path) -> str:
    return show.base_url + quote(path.name)


def _absolute(show: Show, value: str) -> str:
    """An http(s) URL as it is; anything else is a file name published beside the MP3s."""
    return value if value.startswith(("http://", "https://")) else show.base_url + quote(value)


def write_feed(show_path: str | Path, out_path: str | Path, *, warn: Warn = _ignore) -> Path:
    """Build the feed for the show file and write it atomically to `out_path`,
    keeping guids and pubDates from the feed already there."""
    show = load_show(show_path)
    out_path = Path(out_path)
    _refuse_inputs(out_path, show, Path(show_path))
    xml = build_feed(show, show.episodes, read_existing(out_path), existing_label=str(out_path), warn=warn)
    atomic_write(out_path, xml)
    return out_path


def _refuse_inputs(out_path: Path, show: Show, show_path: Path) -> None:
    """The feed may not be written over the show file, an episode, a sidecar or the cover."""
    inputs = [(show_path, "the show file"), *((p, "an episode") for p in show.episodes),
              *((p, "an episode's sidecar") for ep in show.episodes for p in sidecar_paths(ep).values()),
              *([(show.cover, "the show's cover")] if show.cover else [])]
    for path, what in inputs:
        if same_file(out_path, path):
            raise InputError(f"feed {out_path}: would overwrite {what} ({path}); choose another file with -o")


MAX_FEED_BYTES = 64 << 20  # a feed of thousands of episodes is a few MB


def read_existing(path: Path) -> str | None:
    """The text of a previously written feed, None if there is none. One that is not a regular
    file (a FIFO, a device, a folder) is refused unread."""
    if not os.path.lexists(path):
        return None
    raw = read_limited(path, MAX_FEED_BYTES, "previous feed")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"previous feed {path}: cannot be read as UTF-8 ({exc}); "
                         "fix it or delete it to start a new feed") from exc
