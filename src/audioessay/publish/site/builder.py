"""`audioessay site`: a static web site for the show, ready for any static host.

index.html (cover, description, episodes newest first), one page per episode (player,
chapter buttons, transcript following the playhead, downloads), feed.xml pointing into the
site, and the MP3s and sidecars copied beside them. No framework, nothing fetched at view
time: chapter and cue times are written into the page, so it works from file:// too."""

from __future__ import annotations

import dataclasses
import email.utils
import html
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import quote

from audioessay.publish import feed
from audioessay.errors import InputError
from audioessay.export.id3 import image_info, load_id3
from audioessay.export.sidecars import sidecar_paths
from audioessay.util.fsutil import atomic_path, atomic_write

STATIC = ("style.css", "player.js")
_LABELS = {
    "ko": {"chapters": "챕터", "transcript": "대본", "downloads": "내려받기", "episodes": "에피소드",
           "feed": "RSS 피드로 구독하기", "mp3": "MP3 오디오", "vtt": "자막 (WebVTT)", "srt": "자막 (SRT)",
           "json": "대본 (JSON)", "chapters_file": "챕터 (JSON)", "cover": "표지"},
    "": {"chapters": "Chapters", "transcript": "Transcript", "downloads": "Downloads", "episodes": "Episodes",
         "feed": "Subscribe with the RSS feed", "mp3": "MP3 audio", "vtt": "Captions (WebVTT)",
         "srt": "Captions (SRT)", "json": "Transcript (JSON)", "chapters_file": "Chapters (JSON)", "cover": "Cover"},
}
_DOWNLOADS = ("vtt", "srt", "json", "chapters")


@dataclass(frozen=True)
class SiteResult:
    folder: Path
    index: Path
    feed: Path
    pages: tuple[Path, ...]


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


def build_site(show_path: str | Path, out_dir: str | Path, *, site_url: str | None = None,
               warn: Callable[[str], None] = lambda message: None) -> SiteResult:
    """Build the site for the show file into `out_dir`. `site_url` is where it will be served
    (the show's `link`, else its `base_url`, when not given): feed URLs point there."""
    show = feed.load_show(show_path)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; give a folder for the site with -o")
    url = site_url or show.link or show.base_url
    if not url.startswith(("http://", "https://")):
        raise InputError(f"site URL {url!r} must be an http(s) URL such as https://example.com/podcast/")
    url = url if url.endswith("/") else url + "/"
    _check_names(show.episodes)
    labels = _LABELS.get(show.language.split("-")[0], _LABELS[""])

    site_show = dataclasses.replace(show, base_url=url, link=url, feed_url=url + "feed.xml")
    feed_path = out / "feed.xml"
    xml = feed.build_feed(site_show, show.episodes, feed.read_existing(feed_path),
                          existing_label=str(feed_path), warn=warn,
                          page_url=lambda mp3: url + quote(_page_name(mp3)))
    items = feed.feed_items(site_show, show.episodes, xml)  # newest first, as the feed has them

    out.mkdir(parents=True, exist_ok=True)
    for item in items:
        _copy_episode(item.episode.path, out)
    cover = _cover(show, [i.episode.path for i in items], out)
    for name in STATIC:
        atomic_write(out / name, resources.files(__package__).joinpath("templates", name).read_bytes())
    pages = tuple(_write_page(show, item, out, labels) for item in items)
    index = out / "index.html"
    atomic_write(index, _index_html(show, items, cover, labels))
    atomic_write(feed_path, xml)
    return SiteResult(out, index, feed_path, pages)


def _check_names(episodes: tuple[Path, ...]) -> None:
    seen: dict[str, Path] = {}
    for path in episodes:
        if path.name in seen:
            raise InputError(f"{path} and {seen[path.name]} have the same file name; the site keeps every "
                             "episode in one folder, so rename one of them")
        seen[path.name] = path


def _page_name(mp3: Path) -> str:
    return mp3.stem + ".html"


def _copy(src: Path, dst: Path) -> None:
    if dst.is_file() and dst.stat().st_size == src.stat().st_size and dst.stat().st_mtime >= src.stat().st_mtime:
        return  # already there from an earlier build
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)


def _copy_episode(mp3: Path, out: Path) -> None:
    _copy(mp3, out / mp3.name)
    for path in sidecar_paths(mp3).values():
        if path.is_file():
            _copy(path, out / path.name)


def _cover(show: feed.Show, mp3s: list[Path], out: Path) -> str | None:
    """The show's local cover, else the cover art of the newest episode that has one; copied
    into the site so the index shows it without fetching anything."""
    if show.cover is not None:
        name = "cover" + show.cover.suffix.lower()
        _copy(show.cover, out / name)
        return name
    for mp3 in mp3s:
        id3 = load_id3(mp3)
        pics = id3.getall("APIC") if id3 is not None else []
        if pics:
            pic = next((p for p in pics if p.type == 3), pics[0])
            info = image_info(pic.data)
            if info is None:
                continue
            name = "cover" + (".png" if info.mime == "image/png" else ".jpg")
            atomic_write(out / name, pic.data)
            return name
    return None


# ---- pages -------------------------------------------------------------------------------


def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8"))


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _date(pub_date: str) -> str:
    try:
        return email.utils.parsedate_to_datetime(pub_date).date().isoformat()
    except (TypeError, ValueError):
        return ""


def _write_page(show: feed.Show, item: feed.FeedItem, out: Path, labels: dict[str, str]) -> Path:
    ep = item.episode
    sidecars = {k: p for k, p in sidecar_paths(ep.path).items() if p.is_file()}
    cues = read_vtt(sidecars["vtt"]) if "vtt" in sidecars else []
    headings = {(c.title, c.start_ms) for c in ep.chapters}
    meta = " · ".join(x for x in (_date(item.pub_date), feed.clock(ep.seconds * 1000)) if x)
    page = _template("episode.html").substitute(
        lang=_e(show.language), title=_e(ep.title), show_title=_e(show.title), meta=meta,
        description=feed.html_paragraphs(ep.description or ""), mp3=_e(quote(ep.path.name)),
        chapters=_chapters_html(ep, labels), transcript=_transcript_html(cues, headings, ep.chapters, labels),
        downloads_label=labels["downloads"], downloads=_downloads_html(ep.path, sidecars, labels),
    )
    path = out / _page_name(ep.path)
    atomic_write(path, page)
    return path


def _seek_button(kind: str, start_ms: int, end_ms: int, inner: str) -> str:
    return (f'<button type="button" class="seek {kind}" data-start="{start_ms / 1000:.3f}" '
            f'data-end="{end_ms / 1000:.3f}">{inner}</button>')


def _chapters_html(ep: feed.Episode, labels: dict[str, str]) -> str:
    if not ep.chapters:
        return ""
    rows = "\n".join(
        "<li>" + _seek_button("chapter", ch.start_ms, ch.end_ms,
                              f'<time>{feed.clock(ch.start_ms)}</time>{_e(ch.title)}') + "</li>"
        for ch in ep.chapters
    )
    return (f'<section aria-labelledby="chapters-heading">\n<h2 id="chapters-heading">{labels["chapters"]}</h2>\n'
            f'<ol class="chapters">\n{rows}\n</ol>\n</section>')


def _transcript_html(cues: list[Cue], headings: set, chapters, labels: dict[str, str]) -> str:
    if not cues:
        return ""
    rows = []
    for cue in cues:
        # a heading is a cue that speaks a chapter's title where the chapter starts
        heading = any(cue.text == title and abs(cue.start_ms - start) < 5000 for title, start in headings)
        kind = "cue heading" if heading else "cue"
        rows.append("<li>" + _seek_button(kind, cue.start_ms, cue.end_ms, _e(cue.text)) + "</li>")
    return (f'<section id="transcript" aria-labelledby="transcript-heading">\n'
            f'<h2 id="transcript-heading">{labels["transcript"]}</h2>\n<ol class="transcript">\n'
            + "\n".join(rows) + "\n</ol>\n</section>")


def _downloads_html(mp3: Path, sidecars: dict[str, Path], labels: dict[str, str]) -> str:
    links = [(mp3.name, labels["mp3"])]
    links += [(sidecars[k].name, labels["chapters_file" if k == "chapters" else k]) for k in _DOWNLOADS if k in sidecars]
    return "\n".join(f'<li><a href="{_e(quote(name))}" download>{label}</a></li>' for name, label in links)


def _index_html(show: feed.Show, items: list[feed.FeedItem], cover: str | None, labels: dict[str, str]) -> str:
    rows = []
    for item in items:
        ep = item.episode
        when = _date(item.pub_date)
        rows.append(f'<li><a href="{_e(quote(_page_name(ep.path)))}">{_e(ep.title)}</a> '
                    f'<span class="meta"><time datetime="{when}">{when}</time> · {feed.clock(ep.seconds * 1000)}</span></li>')
    cover_html = f'<img src="{_e(cover)}" alt="{labels["cover"]}: {_e(show.title)}">' if cover else ""
    return _template("index.html").substitute(
        lang=_e(show.language), show_title=_e(show.title), author=_e(show.author),
        description=feed.html_paragraphs(show.description), cover=cover_html, feed_label=labels["feed"],
        episodes_label=labels["episodes"], episodes="\n".join(rows),
    )


# ---- reading our own WebVTT back ---------------------------------------------------------

_TIMING = re.compile(r"^(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})")


def read_vtt(path: Path) -> list[Cue]:
    """The cues of a WebVTT file as audioessay writes them (cue text unescaped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the transcript ({exc}); re-render the episode") from exc
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        for i, line in enumerate(lines):
            m = _TIMING.match(line)
            if m:
                h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, m.groups())
                body = " ".join(lines[i + 1:])
                cues.append(Cue((h1 * 3600 + m1 * 60 + s1) * 1000 + ms1, (h2 * 3600 + m2 * 60 + s2) * 1000 + ms2,
                                html.unescape(body)))
                break
    return cues
