"""The static show site: pages parsed back, every local link resolved, the feed pointing into it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from serve_range import serve
from test_feed import bounded, tree
from test_id3 import full_tags, make_image, make_mp3, sample_timeline

from audioessay.errors import InputError
from audioessay.export.id3 import Tags, write_tags
from audioessay.export.sidecars import write_sidecars
from audioessay.publish.feed import ITUNES, PODCAST, podcast_guid
from audioessay.publish.site import build_site
from audioessay.publish.site.manifest import MANIFEST

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
            "01 골목길.chapters.json", MANIFEST} == names
    listed = json.loads((site / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert set(listed) == names - {MANIFEST}  # every file the site wrote, and only those
    for name, entry in listed.items():
        data = (site / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
        assert entry["mtime_ns"] == (site / name).stat().st_mtime_ns
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
    os.mkfifo(tmp_path / "pipe")
    with bounded(), pytest.raises(InputError, match=r"pipe: is a named pipe \(FIFO\); give a folder for the site"):
        build_site(show, tmp_path / "pipe")
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


# ---- the site folder is the site's alone (issue 27) ----------------------------------------------


def site_cli(show: Path, out: Path):
    from click.testing import CliRunner

    from audioessay.cli import cli

    with bounded(20):
        return CliRunner(mix_stderr=False).invoke(cli, ["site", str(show), "-o", str(out)])


def test_a_folder_of_the_users_is_refused_and_left_alone(tmp_path: Path) -> None:
    show = make_show(tmp_path / "src")
    out = tmp_path / "www"
    out.mkdir()
    (out / "index.html").write_text("<p>my own page</p>", encoding="utf-8")
    result = site_cli(show, out)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: site folder {out}: holds files audioessay did not make "
                                          "(index.html); give an empty folder with -o, or remove them"]
    assert tree(out) == {"index.html": hashlib.sha256(b"<p>my own page</p>").hexdigest()}


def test_only_temporaries_of_a_killed_build_count_as_empty(tmp_path: Path) -> None:
    show = make_show(tmp_path / "src")
    out = tmp_path / "www"
    out.mkdir()
    (out / ".index.html.k1ll3d.part").write_bytes(b"half")
    build_site(show, out)
    assert (out / "index.html").is_file() and (out / MANIFEST).is_file()
    (out / MANIFEST).unlink()  # no manifest any more: the folder is nobody's, so refused
    with pytest.raises(InputError, match=r"holds files audioessay did not make \(01 골목길.chapters.json, "
                                         r"01 골목길.html, 01 골목길.mp3 and 10 more\)"):
        build_site(show, out)


def test_a_rebuild_keeps_the_users_own_files(site: Path) -> None:
    (site / "CNAME").write_text("essays.example.com\n", encoding="utf-8")
    (site / "notes").mkdir()
    before = {n: (site / n).read_bytes() for n in ("CNAME", "index.html", "01 골목길.mp3")}
    build_site(site.parent / "src" / "show.yaml", site)
    assert {n: (site / n).read_bytes() for n in before} == before
    assert (site / "notes").is_dir()
    assert "CNAME" not in json.loads((site / MANIFEST).read_text(encoding="utf-8"))["files"]


def test_a_new_page_over_a_users_file_is_refused(site: Path) -> None:
    src = site.parent / "src"
    make_mp3(src / "episodes" / "03-new.mp3", 1)
    (site / "03-new.html").write_text("mine", encoding="utf-8")
    before = tree(site)
    result = site_cli(src / "show.yaml", site)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {site}/03-new.html: not made by audioessay (not in {MANIFEST}), so site will not overwrite it; "
        "move it away or give another folder with -o"]
    assert tree(site) == before  # not even the new episode's MP3 was copied in


def test_an_edited_file_is_refused_until_moved_away(site: Path) -> None:
    show = site.parent / "src" / "show.yaml"
    with (site / "style.css").open("a", encoding="utf-8") as f:
        f.write("body { color: red }\n")
    before = tree(site)
    result = site_cli(show, site)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {site}/style.css: changed since site wrote it; move your version away (or delete it) and run site again"]
    assert tree(site) == before
    (site / "style.css").unlink()
    build_site(show, site)
    assert "color: red" not in (site / "style.css").read_text(encoding="utf-8")


def test_a_touched_but_unchanged_file_is_no_edit(site: Path) -> None:
    os.utime(site / "index.html", ns=(1, 1))
    build_site(site.parent / "src" / "show.yaml", site)
    assert (site / "index.html").stat().st_mtime_ns != 1  # rewritten, not refused


def test_a_listed_file_replaced_by_a_fifo_is_refused_unopened(site: Path) -> None:
    (site / "feed.xml").unlink()
    os.mkfifo(site / "feed.xml")
    with bounded(), pytest.raises(InputError, match=r"feed.xml: is a named pipe \(FIFO\) now, not the file site wrote"):
        build_site(site.parent / "src" / "show.yaml", site)


def test_files_of_an_episode_taken_out_are_removed_unless_edited(site: Path) -> None:
    src = site.parent / "src"
    (site / "02-bare.html").write_text("my notes on the episode", encoding="utf-8")  # edited: the user's now
    (src / "episodes" / "01 골목길.mp3").rename(src / "01 골목길.mp3")  # out of the show's glob
    warnings: list[str] = []
    with pytest.raises(InputError, match="02-bare.html: changed since site wrote it"):
        build_site(src / "show.yaml", site, warn=warnings.append)
    (src / "episodes" / "02-bare.mp3").rename(src / "02-bare.mp3")
    (src / "01 골목길.mp3").rename(src / "episodes" / "01 골목길.mp3")  # 02 out, 01 back
    result = build_site(src / "show.yaml", site, warn=warnings.append)
    assert sorted(p.name for p in result.removed) == ["02-bare.mp3"]
    assert (site / "02-bare.html").read_text(encoding="utf-8") == "my notes on the episode"
    assert warnings == [f"{site}/02-bare.html: no longer part of the site, but changed since site wrote it; left in place"]
    assert "02-bare.html" not in json.loads((site / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert not (site / "02-bare.mp3").exists() and (site / "01 골목길.mp3").is_file()


@pytest.mark.parametrize("where", ["show folder", "episodes folder", "parent of the show"])
def test_the_site_never_goes_where_its_inputs_are(tmp_path: Path, where: str) -> None:
    show = make_show(tmp_path / "src")
    out = {"show folder": show.parent, "episodes folder": show.parent / "episodes", "parent of the show": tmp_path}[where]
    before = tree(tmp_path)
    with pytest.raises(InputError) as err:
        build_site(show, out)
    assert str(err.value).startswith(f"site folder {out}: holds ")
    assert str(err.value).endswith(f"; build the site into a folder of its own, such as {show.parent / 'site'}")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("manifest", [
    "{not json", '{"audioessay-site": 2, "files": {}}', '{"audioessay-site": 1, "files": []}',
    '{"audioessay-site": 1, "files": {"../victim.txt": {"sha256": "' + "0" * 64 + '", "size": 1, "mtime_ns": 1}}}',
    '{"audioessay-site": 1, "files": {"a/b.html": {"sha256": "' + "0" * 64 + '", "size": 1, "mtime_ns": 1}}}',
    '{"audioessay-site": 1, "files": {"x.html": {"sha256": "nope", "size": 1, "mtime_ns": 1}}}',
    '{"audioessay-site": 1, "files": {"x.html": {"sha256": "' + "0" * 64 + '", "size": true, "mtime_ns": 1}}}',
])
def test_a_manifest_audioessay_did_not_write_is_refused(tmp_path: Path, manifest: str) -> None:
    show = make_show(tmp_path / "src")
    out = tmp_path / "www"
    out.mkdir()
    (out / MANIFEST).write_text(manifest, encoding="utf-8")
    (tmp_path / "victim.txt").write_text("x", encoding="utf-8")
    before = tree(tmp_path)
    with pytest.raises(InputError) as err:
        build_site(show, out)
    (line,) = str(err.value).splitlines()
    assert line.startswith(f"site manifest {out / MANIFEST}: ")
    assert line.endswith("; it is not one audioessay wrote, so nothing was changed: build the site into an empty folder")
    assert tree(tmp_path) == before


def test_a_manifest_that_is_a_fifo_is_refused_unread(tmp_path: Path) -> None:
    show = make_show(tmp_path / "src")
    (tmp_path / "www").mkdir()
    os.mkfifo(tmp_path / "www" / MANIFEST)
    with bounded(), pytest.raises(InputError, match=r"site manifest .*: is a named pipe \(FIFO\), not a regular file"):
        build_site(show, tmp_path / "www")


@pytest.mark.parametrize("special", ["episode glob", "sidecar", "cover", "previous feed"])
def test_special_files_are_refused_before_anything_is_written(tmp_path: Path, special: str) -> None:
    show = make_show(tmp_path / "src")
    src = show.parent
    out = tmp_path / "www"
    if special == "episode glob":
        os.mkfifo(src / "episodes" / "03.mp3")
    elif special == "sidecar":
        os.mkfifo(src / "episodes" / "02-bare.vtt")
    elif special == "cover":
        os.mkfifo(src / "art.png")
        show.write_text(show.read_text(encoding="utf-8") + "cover: art.png\n", encoding="utf-8")
    else:
        build_site(show, out)
        (out / "feed.xml").unlink()
        os.mkfifo(out / "feed.xml")
    before = tree(tmp_path)
    with bounded(), pytest.raises(InputError) as err:
        build_site(show, out)
    assert len(str(err.value).splitlines()) == 1 and "is a named pipe (FIFO)" in str(err.value)
    assert tree(tmp_path) == before  # for the first three: no site folder at all


def test_a_page_that_would_land_on_the_index_is_refused(tmp_path: Path) -> None:
    show = make_show(tmp_path / "src")
    shutil.move(show.parent / "episodes" / "02-bare.mp3", show.parent / "episodes" / "index.mp3")
    with pytest.raises(InputError, match=r"the page of .*index.mp3 would be index.html in the site, as would the "
                                         r"site's index; .*rename the episode"):
        build_site(show, tmp_path / "www")
    assert not (tmp_path / "www").exists()


def test_a_failed_write_leaves_the_previous_site_whole(site: Path, monkeypatch) -> None:
    from audioessay.publish.site import manifest

    src = site.parent / "src"
    make_mp3(src / "episodes" / "03-new.mp3", 1)
    before = tree(site)

    def disk_full(records):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(manifest, "dump", disk_full)  # fails inside the group, after every temporary was filled
    with pytest.raises(OSError, match="No space left"):
        build_site(src / "show.yaml", site)
    assert tree(site) == before  # no new page, no copied MP3, no temporaries


def test_cli_site_refuses_in_one_line_and_reports_removals(tmp_path: Path) -> None:
    show = make_show(tmp_path / "src")
    out = tmp_path / "www"
    assert site_cli(show, out).exit_code == 0
    (show.parent / "episodes" / "02-bare.mp3").unlink()
    result = site_cli(show, out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("; removed 2 files of episodes no longer in the show")
