"""`audioessay site`: a static web site for the show, ready for any static host.

index.html (cover, description, episodes newest first), one page per episode (player,
chapter buttons, transcript following the playhead, downloads), feed.xml pointing into the
site, and the MP3s and sidecars copied beside them. No framework, nothing fetched at view
time: chapter and cue times are written into the page, so it works from file:// too."""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import html
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import quote

from audioessay.publish import feed
from audioessay.publish.site import manifest
from audioessay.publish.site.manifest import MANIFEST, Record
from audioessay.errors import InputError
from audioessay.export.id3 import image_info, load_id3
from audioessay.util.fsutil import atomic_group, file_kind, open_regular, read_limited

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
MAX_VTT_BYTES = 64 << 20  # a book's captions are a few MB


@dataclass(frozen=True)
class SiteResult:
    folder: Path
    index: Path
    feed: Path
    pages: tuple[Path, ...]
    removed: tuple[Path, ...] = ()  # files an earlier build made for episodes no longer in the show


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


Content = bytes | Path  # a file's bytes, or the regular file to copy


def build_site(show_path: str | Path, out_dir: str | Path, *, site_url: str | None = None,
               warn: Callable[[str], None] = lambda message: None) -> SiteResult:
    """Build the site for the show file into `out_dir`. `site_url` is where it will be served
    (the show's `link`, else its `base_url`, when not given): feed URLs point there.

    `out_dir` must be empty or hold a site built before (its manifest): a file of the user's
    is never overwritten, nor one edited since; nothing is written until every check passed,
    and the new files replace the old together."""
    show = feed.load_show(show_path)
    out = Path(out_dir)
    url = site_url or show.link or show.base_url
    if not url.startswith(("http://", "https://")):
        raise InputError(f"site URL {url!r} must be an http(s) URL such as https://example.com/podcast/")
    url = url if url.endswith("/") else url + "/"
    _check_folder(out, show, Path(show_path))
    owned = manifest.read(out)
    manifest.claim(out, owned, ["feed.xml"])  # the previous feed is read only if site wrote it
    labels = _LABELS.get(show.language.split("-")[0], _LABELS[""])

    site_show = dataclasses.replace(show, base_url=url, link=url, feed_url=url + "feed.xml")
    feed_path = out / "feed.xml"
    xml = feed.build_feed(site_show, show.episodes, feed.read_existing(feed_path),
                          existing_label=str(feed_path), warn=warn,
                          page_url=lambda mp3: url + quote(_page_name(mp3)))
    items = feed.feed_items(site_show, show.episodes, xml)  # newest first, as the feed has them

    files = _files(show, items, xml, labels)
    _write(out, files, manifest.claim(out, owned, files))
    removed = _remove_stale(out, owned, files, warn)
    pages = tuple(out / _page_name(item.episode.path) for item in items)
    return SiteResult(out, out / "index.html", feed_path, pages, removed)


def _check_folder(out: Path, show: feed.Show, show_path: Path) -> None:
    """`out` is a folder (or will be), and none of the show's inputs lies inside it: the site
    copies the episodes in and writes its pages, which must never land on the show's own files."""
    try:
        st = os.stat(out)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"{out}: cannot be used as the site folder ({exc.strerror}); give another with -o") from None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        kind = "a file" if stat.S_ISREG(st.st_mode) else file_kind(st.st_mode)
        raise InputError(f"{out}: is {kind}; give a folder for the site with -o")
    inputs = [(show_path, "the show file"), *((p, "an episode") for p in show.episodes),
              *([(show.cover, "the show's cover")] if show.cover else [])]
    inside = out.resolve()
    for path, what in inputs:
        if path.resolve().is_relative_to(inside):
            raise InputError(f"site folder {out}: holds {what} ({path}); build the site into a folder of its "
                             f"own, such as {show_path.parent / 'site'}")


def _files(show: feed.Show, items: list[feed.FeedItem], xml: str, labels: dict[str, str]) -> dict[str, Content]:
    """Every file of the site by name, in the order they are put in place: what the pages
    link to first, then the pages, the index and the feed."""
    files: dict[str, Content] = {}
    what = {"index.html": "the site's index", "feed.xml": "the site's feed", MANIFEST: "the site's manifest"}

    def add(name: str, content: Content, source: str) -> None:
        if name in files or (name in what and what[name] != source):
            raise InputError(f"{source} would be {name} in the site, as would {what[name]}; "
                             "the site keeps every file in one folder, so rename the episode")
        files[name], what[name] = content, source

    for name in STATIC:
        add(name, resources.files(__package__).joinpath("templates", name).read_bytes(), "the site's " + name)
    for item in items:
        mp3 = item.episode.path
        add(mp3.name, mp3, str(mp3))
        for path in item.episode.sidecars.values():
            add(path.name, path, str(path))
    for item in items:
        add(_page_name(item.episode.path), _page(show, item, labels).encode("utf-8"),
            f"the page of {item.episode.path}")
    cover = _cover(show, items)
    if cover is not None:
        add(*cover, "the cover")
    add("index.html", _index_html(show, items, cover[0] if cover else None, labels).encode("utf-8"),
        "the site's index")
    add("feed.xml", xml.encode("utf-8"), "the site's feed")
    return files


def _page_name(mp3: Path) -> str:
    return mp3.stem + ".html"


def _cover(show: feed.Show, items: list[feed.FeedItem]) -> tuple[str, Content] | None:
    """The show's local cover, else the cover art of the newest episode that has one; copied
    into the site so the index shows it without fetching anything."""
    if show.cover is not None:
        return "cover" + show.cover.suffix.lower(), show.cover
    for item in items:
        id3 = load_id3(item.episode.path)
        pics = id3.getall("APIC") if id3 is not None else []
        if pics:
            pic = next((p for p in pics if p.type == 3), pics[0])
            info = image_info(pic.data)
            if info is None:
                continue
            return "cover" + (".png" if info.mime == "image/png" else ".jpg"), pic.data
    return None


# ---- writing -------------------------------------------------------------------------------


def _write(out: Path, files: dict[str, Content], present: dict[str, Record]) -> None:
    """Every file that changed, and the manifest last, replaced together (fsutil.atomic_group).
    `present` are the files of an earlier build found unchanged; a copy among them that is
    still current (same size, newer than its source) is kept as it is."""
    kept = {name: present[name] for name, content in files.items()
            if name in present and isinstance(content, Path) and _copied_already(out / name, content)}
    records = dict(kept)
    todo = [name for name in files if name not in kept]
    out.mkdir(parents=True, exist_ok=True)
    with atomic_group([out / name for name in todo] + [out / MANIFEST]) as tmps:
        for name in todo:
            records[name] = _fill(tmps[out / name], files[name])
        _fill(tmps[out / MANIFEST], manifest.dump(records).encode("utf-8"))


def _copied_already(dst: Path, src: Path) -> bool:
    a, b = dst.stat(), src.stat()
    return a.st_size == b.st_size and a.st_mtime >= b.st_mtime


def _fill(tmp: Path, content: Content) -> Record:
    """Write `content` to the temporary `tmp` (copying a source file through), hashing it on the way."""
    h = hashlib.sha256()
    with open(tmp, "wb") as f:
        if isinstance(content, bytes):
            h.update(content)
            f.write(content)
        else:
            with open_regular(content) as src:  # checked when the show was read; never a FIFO
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    h.update(chunk)
                    f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    st = os.stat(tmp)
    return Record(h.hexdigest(), st.st_size, st.st_mtime_ns)


def _remove_stale(out: Path, owned: dict[str, Record], files: dict[str, Content],
                  warn: Callable[[str], None]) -> tuple[Path, ...]:
    """Remove what an earlier build made that is no longer part of the site (an episode taken
    out of the show), if it is unchanged; an edited one is left, and is the user's from now on."""
    removed = []
    for name, record in sorted(owned.items()):
        if name in files:
            continue
        path = out / name
        if not os.path.lexists(path):
            continue
        if manifest.current(out, name, record) is None:
            warn(f"{path}: no longer part of the site, but changed since site wrote it; left in place")
            continue
        try:
            path.unlink()
        except OSError as exc:
            warn(f"{path}: no longer part of the site, but cannot be removed ({exc.strerror})")
            continue
        removed.append(path)
    return tuple(removed)


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


def _page(show: feed.Show, item: feed.FeedItem, labels: dict[str, str]) -> str:
    ep = item.episode
    sidecars = dict(ep.sidecars)
    cues = read_vtt(sidecars["vtt"]) if "vtt" in sidecars else []
    headings = {(c.title, c.start_ms) for c in ep.chapters}
    meta = " · ".join(x for x in (_date(item.pub_date), feed.clock(ep.seconds * 1000)) if x)
    page = _template("episode.html").substitute(
        lang=_e(show.language), title=_e(ep.title), show_title=_e(show.title), meta=meta,
        description=feed.html_paragraphs(ep.description or ""), mp3=_e(quote(ep.path.name)),
        chapters=_chapters_html(ep, labels), transcript=_transcript_html(cues, headings, ep.chapters, labels),
        downloads_label=labels["downloads"], downloads=_downloads_html(ep.path, sidecars, labels),
    )
    return page


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
    raw = read_limited(path, MAX_VTT_BYTES, "transcript")  # a FIFO or a device: refused unread
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
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
