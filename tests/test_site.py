"""The static show site: pages parsed back, every local link resolved, the feed pointing into it."""

from __future__ import annotations

import dataclasses
import json
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from serve_range import serve
from test_id3 import full_tags, make_image, make_mp3, sample_timeline

from audioessay.errors import InputError
from audioessay.export.id3 import Tags, write_tags
from audioessay.export.sidecars import write_sidecars
from audioessay.publish.feed import ITUNES, PODCAST, podcast_guid
from audioessay.publish.site import build_site

SITE_URL = "https://essays.example.com/show/"
NS = {"itunes": ITUNES, "podcast": PODCAST}

SHOW_YAML = """\
title: 에세이 라디오
author: 김작가
description: |
  짧은 에세이를 읽어 드립니다.

  매주 한 편 & <새 글>.
language: ko
category: Arts/Books
cover_url: https://cdn.example.com/cover.jpg
base_url: https://cdn.example.com/podcast/
feed_url: https://cdn.example.com/podcast/feed.xml
link: {link}
email: writer@example.com
episodes: ["episodes/*.mp3"]
"""


def make_show(folder: Path, link: str = SITE_URL) -> Path:
    """A show of two episodes: one with cover art, chapters and sidecars, one bare. Returns the show file."""
    episodes = folder / "episodes"
    episodes.mkdir(parents=True)
    cover = make_image(folder / "cover.jpg", "1400x1400")
    one = make_mp3(episodes / "01 골목길.mp3", 27)
    timeline = sample_timeline()
    write_tags(one, dataclasses.replace(full_tags(cover), extra={"AUDIOESSAY_GUID": "guid-one"}), timeline.chapters)
    write_sidecars(one, timeline)
    two = make_mp3(episodes / "02-bare.mp3", 2)
    write_tags(two, Tags(title="두 번째", artist="김작가", album="에세이 라디오", episode=4, date="2024-06-01"), [])
    show = folder / "show.yaml"
    show.write_text(SHOW_YAML.format(link=link), encoding="utf-8")
    return show


class Page(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with an id/class."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.buttons: list[tuple[dict[str, str], str]] = []
        self._button: dict[str, str] | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "button":
            self._button, self._text = a, []

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            self.buttons.append((self._button, "".join(self._text)))
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    build_site(make_show(tmp_path / "src"), tmp_path / "site")
    return tmp_path / "site"


def test_site_files(site: Path) -> None:
    names = {p.name for p in site.iterdir()}
    assert {"index.html", "feed.xml", "style.css", "player.js", "cover.jpg", "01 골목길.html", "02-bare.html",
            "01 골목길.mp3", "02-bare.mp3", "01 골목길.vtt", "01 골목길.srt", "01 골목길.transcript.json",
            "01 골목길.chapters.json"} == names
    src = site.parent / "src" / "episodes"
    assert (site / "01 골목길.mp3").read_bytes() == (src / "01 골목길.mp3").read_bytes()
    assert (site / "cover.jpg").read_bytes()[:2] == b"\xff\xd8"  # the episode's cover art


def test_every_page_is_utf8_and_fetches_nothing_remote(site: Path) -> None:
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        parsed = Page(text)
        assert text.startswith("<!doctype html>")
        assert {"charset": "utf-8"} in parsed.all("meta")
        assert parsed.all("html")[0]["lang"] == "ko"
        for tag, attrs in parsed.tags:
            for key in ("src", "href"):
                ref = attrs.get(key)
                if ref is None or ref.startswith("data:") or ref.startswith("#"):
                    continue
                assert "://" not in ref, f"{page.name}: <{tag} {key}={ref}> would fetch from the network"
                assert (site / unquote(ref.split("#")[0])).is_file(), f"{page.name}: {ref} is missing"
        # buttons and links, not click handlers on divs
        assert "onclick" not in text
        assert all(tag == "button" for tag, attrs in parsed.tags if "data-start" in attrs)


def test_episode_page(site: Path) -> None:
    timeline = sample_timeline()
    parsed = Page((site / "01 골목길.html").read_text(encoding="utf-8"))
    (audio,) = parsed.all("audio")
    assert unquote(audio["src"]) == "01 골목길.mp3" and "controls" in audio
    chapters = [(a, t) for a, t in parsed.buttons if "chapter" in a["class"].split()]
    assert [float(a["data-start"]) for a, _ in chapters] == [c.start_ms / 1000 for c in timeline.chapters]
    assert [t for _, t in chapters] == [f"0:{c.start_ms // 1000:02d}{c.title}" for c in timeline.chapters]
    cues = [(a, t) for a, t in parsed.buttons if "cue" in a["class"].split()]
    assert [t for _, t in cues] == [c.text for c in timeline.cues]  # headings too, markup unescaped
    assert [(float(a["data-start"]), float(a["data-end"])) for a, _ in cues] == [
        (c.start_ms / 1000, c.end_ms / 1000) for c in timeline.cues]
    assert ["heading" in a["class"] for a, _ in cues] == [c.kind == "title" for c in timeline.cues]
    assert all(a.get("type") == "button" for a, _ in parsed.buttons)
    downloads = [unquote(a["href"]) for a in parsed.all("a") if "download" in a]
    assert downloads == ["01 골목길.mp3", "01 골목길.vtt", "01 골목길.srt", "01 골목길.transcript.json",
                         "01 골목길.chapters.json"]
    assert any(a.get("id") == "transcript" for a in parsed.all("section"))


def test_bare_episode_page_has_player_only(site: Path) -> None:
    parsed = Page((site / "02-bare.html").read_text(encoding="utf-8"))
    assert parsed.all("audio") and not parsed.buttons
    assert [unquote(a["href"]) for a in parsed.all("a") if "download" in a] == ["02-bare.mp3"]


def test_index_lists_newest_first(site: Path) -> None:
    text = (site / "index.html").read_text(encoding="utf-8")
    parsed = Page(text)
    pages = [unquote(a["href"]) for a in parsed.all("a") if a["href"].endswith(".html")]
    assert pages == ["02-bare.html", "01 골목길.html"]
    assert parsed.all("img")[0]["src"] == "cover.jpg" and parsed.all("img")[0]["alt"]
    assert "<p>매주 한 편 &amp; &lt;새 글&gt;.</p>" in text
    assert "2024-06-01" in text and "2024-05-01" in text


def test_site_feed_points_into_the_site(site: Path) -> None:
    channel = ET.parse(site / "feed.xml").getroot().find("channel")
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid("https://cdn.example.com/podcast/feed.xml")
    assert channel.find("{http://www.w3.org/2005/Atom}link").get("href") == SITE_URL + "feed.xml"
    items = channel.findall("item")
    assert [i.find("enclosure").get("url") for i in items] == [
        SITE_URL + "02-bare.mp3", SITE_URL + "01%20%EA%B3%A8%EB%AA%A9%EA%B8%B8.mp3"]
    assert [i.findtext("link") for i in items] == [
        SITE_URL + "02-bare.html", SITE_URL + "01%20%EA%B3%A8%EB%AA%A9%EA%B8%B8.html"]
    transcripts = items[1].findall("podcast:transcript", NS)
    assert all(t.get("url").startswith(SITE_URL) for t in transcripts) and len(transcripts) == 3
    assert items[1].findtext("guid") == "guid-one"
    notes = items[1].findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert f'href="{SITE_URL}01%20%EA%B3%A8%EB%AA%A9%EA%B8%B8.html#transcript"' in notes


def test_rebuild_keeps_guids_and_dates(site: Path) -> None:
    before = (site / "feed.xml").read_text(encoding="utf-8")
    build_site(site.parent / "src" / "show.yaml", site)
    after = ET.fromstring((site / "feed.xml").read_text(encoding="utf-8"))
    old = ET.fromstring(before)
    assert [(i.findtext("guid"), i.findtext("pubDate")) for i in after.iter("item")] == [
        (i.findtext("guid"), i.findtext("pubDate")) for i in old.iter("item")]


def test_site_url_option_and_errors(tmp_path: Path) -> None:
    show = make_show(tmp_path / "src")
    build_site(show, tmp_path / "out", site_url="https://other.example/pod")
    feed = (tmp_path / "out" / "feed.xml").read_text(encoding="utf-8")
    assert "https://other.example/pod/02-bare.mp3" in feed
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file; give a folder"):
        build_site(show, tmp_path / "file")
    with pytest.raises(InputError, match="must be an http"):
        build_site(show, tmp_path / "out2", site_url="ftp://x")


def test_cli_site(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from audioessay.cli import cli

    show = make_show(tmp_path / "src")
    result = CliRunner().invoke(cli, ["site", str(show), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "wrote 2 episode pages" in result.output
    assert (tmp_path / "site" / "index.html").is_file()


def test_range_server(site: Path) -> None:
    data = (site / "01 골목길.mp3").read_bytes()
    with serve(site) as base:
        req = urllib.request.Request(base + "01%20%EA%B3%A8%EB%AA%A9%EA%B8%B8.mp3", headers={"Range": "bytes=100-199"})
        with urllib.request.urlopen(req) as resp:
            assert resp.status == 206 and resp.read() == data[100:200]
            assert resp.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        req = urllib.request.Request(base + "01%20%EA%B3%A8%EB%AA%A9%EA%B8%B8.mp3", headers={"Range": "bytes=-10"})
        with urllib.request.urlopen(req) as resp:
            assert resp.read() == data[-10:]
        with urllib.request.urlopen(base + "feed.xml") as resp:
            assert resp.status == 200 and resp.headers["Accept-Ranges"] == "bytes"
        chapters = json.loads(urllib.request.urlopen(base + "01%20%EA%B3%A8%EB%AA%A9%EA%B8%B8.chapters.json").read())
        assert len(chapters["chapters"]) == 4
