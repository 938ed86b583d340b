"""The RSS feed, built from real tagged MP3s and parsed back with ElementTree."""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import hashlib
import io
import os
import signal
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import feedparser
import podcastparser
import pytest
from mutagen.mp3 import MP3
from test_id3 import full_tags, make_mp3, sample_timeline

from audioessay.errors import InputError
from audioessay.export.id3 import Tags, write_tags
from audioessay.export.sidecars import write_sidecars
from audioessay.publish.feed import (
    ATOM,
    CONTENT,
    ITUNES,
    PODCAST,
    PSC,
    build_feed,
    clean_text,
    load_show,
    podcast_guid,
    read_episode,
    write_feed,
)

NS = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT, "psc": PSC}
TAGGED = "01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.mp3"
EPISODE_EXTRA = {
    "AUDIOESSAY_GUID": "3f0e6a9c-guid-of-episode-one",
    "AUDIOESSAY_EPISODE_TYPE": "bonus",
    "AUDIOESSAY_SEASON": "2",
    "AUDIOESSAY_LINK": "https://example.com/essays/alley",
    "AUDIOESSAY_IMAGE": "alley.jpg",
}

SHOW_YAML = """\
title: 에세이 라디오
author: 김작가
description: 짧은 에세이를 읽어 드립니다.
language: ko
category: Arts/Books
cover_url: https://example.com/cover.jpg
base_url: https://example.com/podcast
link: https://example.com
email: writer@example.com
explicit: false
feed_url: https://example.com/podcast/feed.xml/
copyright: © 2024 김작가
type: serial
episodes: {episodes}
"""


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    one = make_mp3(episodes / "01-골목길.mp3", 4)
    write_tags(one, dataclasses.replace(full_tags(None), extra=EPISODE_EXTRA), sample_timeline().chapters)
    write_sidecars(one, sample_timeline())
    two = make_mp3(episodes / "02-bare.mp3", 2)
    write_tags(two, Tags(title="두 번째", artist="김작가", album="에세이 라디오", episode=4, date="2024-06-01"), [])
    (tmp_path / "show.yaml").write_text(SHOW_YAML.format(episodes="episodes/*.mp3"), encoding="utf-8")
    return tmp_path


def items_by_file(xml: str) -> dict[str, ET.Element]:
    channel = ET.fromstring(xml).find("channel")
    assert channel is not None
    return {item.find("enclosure").get("url").rsplit("/", 1)[-1]: item for item in channel.findall("item")}


def test_load_show(show_dir: Path) -> None:
    show = load_show(show_dir / "show.yaml")
    assert show.title == "에세이 라디오" and show.language == "ko" and show.explicit is False
    assert show.base_url == "https://example.com/podcast/"
    assert [p.name for p in show.episodes] == ["01-골목길.mp3", "02-bare.mp3"]


def test_load_show_lists_paths(show_dir: Path) -> None:
    (show_dir / "list.yaml").write_text(
        SHOW_YAML.format(episodes="\n  - episodes/02-bare.mp3\n  - episodes/01-골목길.mp3"), encoding="utf-8"
    )
    show = load_show(show_dir / "list.yaml")
    assert [p.name for p in show.episodes] == ["02-bare.mp3", "01-골목길.mp3"]


def test_show_errors_name_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "show.yaml").write_text(
        "title: ''\n"
        "author: 김작가\n"
        "cover_url: cover.jpg\n"
        "base_url: https://example.com/\n"
        "explicit: maybe\n"
        "colour: blue\n"
        "episodes:\n"
        "  - missing.mp3\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_show(tmp_path / "show.yaml")
    show = str(tmp_path / "show.yaml")
    lines = str(err.value).splitlines()
    assert f"{show}:1: title: must not be empty" in lines
    assert f"{show}:3: cover_url: must be an http(s) URL, got 'cover.jpg'" in lines
    assert f"{show}:5: explicit: must be true or false, not 'maybe'" in lines
    assert any(line.startswith(f"{show}:6: colour: unknown key") for line in lines)
    assert any(line.startswith(f"{show}:8: episodes: 'missing.mp3': no such file") for line in lines)
    assert f"{show}:1: missing required key 'description'" in lines
    assert len(lines) == 6


def test_show_bad_yaml(tmp_path: Path) -> None:
    (tmp_path / "show.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"show\.yaml:\d+: YAML syntax error"):
        load_show(tmp_path / "show.yaml")


def test_feed_fields(show_dir: Path) -> None:
    show = load_show(show_dir / "show.yaml")
    xml = build_feed(show, show.episodes, None)
    root = ET.fromstring(xml)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "에세이 라디오"
    assert channel.findtext("link") == "https://example.com"
    assert channel.findtext("description") == "짧은 에세이를 읽어 드립니다."
    assert channel.findtext("language") == "ko"
    assert channel.findtext("itunes:author", namespaces=NS) == "김작가"
    assert channel.find("itunes:image", NS).get("href") == "https://example.com/cover.jpg"
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "Arts" and category.find("itunes:category", NS).get("text") == "Books"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "writer@example.com"

    items = items_by_file(xml)
    assert list(items) == ["02-bare.mp3", "01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.mp3"]  # newest first, URL-quoted
    for path in show.episodes:
        item = next(i for name, i in items.items() if name.startswith(path.name[:2]))
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "audio/mpeg"
        assert int(enclosure.get("length")) == path.stat().st_size
        assert int(item.findtext("itunes:duration", namespaces=NS)) == round(MP3(str(path)).info.length)
        assert item.find("guid").get("isPermaLink") == "false" and item.findtext("guid")
        assert email.utils.parsedate_to_datetime(item.findtext("pubDate")) is not None

    tagged = items["01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.mp3"]
    assert tagged.findtext("title") == "골목길의 서점"
    assert tagged.findtext("description") == "오래된 골목길 이야기"
    assert tagged.findtext("itunes:episode", namespaces=NS) == "3"
    assert tagged.findtext("pubDate") == "Wed, 01 May 2024 00:00:00 +0000"
    transcripts = {t.get("type"): (t.get("url"), t.get("rel")) for t in tagged.findall("podcast:transcript", NS)}
    assert transcripts == {
        "text/vtt": ("https://example.com/podcast/01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.vtt", "captions"),
        "application/x-subrip": ("https://example.com/podcast/01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.srt", None),
        "application/json": ("https://example.com/podcast/01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.transcript.json", None),
    }
    chapters = tagged.find("podcast:chapters", NS)
    assert chapters.get("type") == "application/json+chapters"
    assert chapters.get("url").endswith(".chapters.json")

    bare = items["02-bare.mp3"]
    assert bare.find("podcast:transcript", NS) is None and bare.find("podcast:chapters", NS) is None


def test_guid_and_date_survive_rerender(show_dir: Path) -> None:
    show_path = show_dir / "show.yaml"
    out = write_feed(show_path, show_dir / "feed.xml")
    first = items_by_file(out.read_text(encoding="utf-8"))["02-bare.mp3"]
    first_guid, first_length = first.findtext("guid"), first.find("enclosure").get("length")

    # re-render episode 2: longer, a new date in its tags; subscribers must not see a new episode
    mp3 = show_dir / "episodes" / "02-bare.mp3"
    make_mp3(mp3, 6)
    write_tags(mp3, Tags(title="두 번째 (수정)", artist="김작가", album="에세이 라디오", date="2024-07-01"), [])
    assert str(mp3.stat().st_size) != first_length

    second = items_by_file(write_feed(show_path, out).read_text(encoding="utf-8"))["02-bare.mp3"]
    assert second.findtext("guid") == first_guid
    assert second.findtext("pubDate") == first.findtext("pubDate")
    assert second.find("enclosure").get("length") == str(mp3.stat().st_size)
    assert second.findtext("itunes:duration", namespaces=NS) == "6"
    assert second.findtext("title") == "두 번째 (수정)"


def test_guid_is_stable_without_existing_feed(show_dir: Path) -> None:
    show = load_show(show_dir / "show.yaml")
    a = items_by_file(build_feed(show, show.episodes, None))
    make_mp3(show.episodes[1], 3)
    b = items_by_file(build_feed(show, show.episodes, None))
    assert {k: v.findtext("guid") for k, v in a.items()} == {k: v.findtext("guid") for k, v in b.items()}


def test_guid_from_id3(show_dir: Path) -> None:
    show = load_show(show_dir / "show.yaml")
    tags = Tags(title="t", artist="a", album="b", extra={"AUDIOESSAY_GUID": "my-guid-1"})
    write_tags(show.episodes[1], tags, [])
    assert items_by_file(build_feed(show, show.episodes, None))["02-bare.mp3"].findtext("guid") == "my-guid-1"


def test_broken_existing_feed(show_dir: Path) -> None:
    (show_dir / "feed.xml").write_text("<rss><channel>", encoding="utf-8")
    with pytest.raises(InputError, match=r"feed\.xml is not valid XML.*delete it"):
        write_feed(show_dir / "show.yaml", show_dir / "feed.xml")
    assert (show_dir / "feed.xml").read_text(encoding="utf-8") == "<rss><channel>"


def test_guid_from_existing_feed_wins(show_dir: Path) -> None:
    out = write_feed(show_dir / "show.yaml", show_dir / "feed.xml")
    old = items_by_file(out.read_text(encoding="utf-8"))["02-bare.mp3"].findtext("guid")
    out.write_text(out.read_text(encoding="utf-8").replace(old, "legacy-guid-42"), encoding="utf-8")
    item = items_by_file(write_feed(show_dir / "show.yaml", out).read_text(encoding="utf-8"))["02-bare.mp3"]
    assert item.findtext("guid") == "legacy-guid-42"


# ---- Apple- and Podcasting 2.0-complete ------------------------------------------------


def test_podcast_guid_matches_the_spec_examples() -> None:
    # podcastindex docs/tags/guid.md gives these two
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://podnews.net/rss//") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_channel_has_every_required_element(show_dir: Path) -> None:
    show = load_show(show_dir / "show.yaml")
    channel = ET.fromstring(build_feed(show, show.episodes, None)).find("channel")
    for tag in ("title", "link", "description", "language", "copyright", "image/url", "image/title", "image/link",
                "itunes:author", "itunes:explicit", "itunes:type", "itunes:owner/itunes:name",
                "itunes:owner/itunes:email", "podcast:guid", "podcast:locked"):
        assert channel.findtext(tag, namespaces=NS), tag
    assert channel.find("itunes:image", NS).get("href") == "https://example.com/cover.jpg"
    assert channel.find("itunes:category", NS).get("text") == "Arts"
    assert channel.findtext("copyright") == "© 2024 김작가"
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    self_link = channel.find("atom:link", NS)
    assert (self_link.get("rel"), self_link.get("href"), self_link.get("type")) == (
        "self", "https://example.com/podcast/feed.xml/", "application/rss+xml")
    # UUIDv5 of the feed URL without scheme and trailing slashes, in the spec's namespace
    spec_ns = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    assert channel.findtext("podcast:guid", namespaces=NS) == str(uuid.uuid5(spec_ns, "example.com/podcast/feed.xml"))
    locked = channel.find("podcast:locked", NS)
    assert locked.text == "yes" and locked.get("owner") == "writer@example.com"


def test_items_carry_id3_episode_values(show_dir: Path) -> None:
    show = load_show(show_dir / "show.yaml")
    items = items_by_file(build_feed(show, show.episodes, None))
    tagged, bare = items[TAGGED], items["02-bare.mp3"]
    assert tagged.findtext("guid") == "3f0e6a9c-guid-of-episode-one"
    assert tagged.findtext("itunes:episodeType", namespaces=NS) == "bonus"
    assert tagged.findtext("itunes:season", namespaces=NS) == "2"
    assert tagged.findtext("itunes:episode", namespaces=NS) == "3"
    assert tagged.findtext("link") == "https://example.com/essays/alley"
    assert tagged.find("itunes:image", NS).get("href") == "https://example.com/podcast/alley.jpg"
    assert bare.findtext("itunes:episodeType", namespaces=NS) == "full"
    assert bare.find("itunes:season", NS) is None and bare.find("link") is None and bare.find("itunes:image", NS) is None
    # Podlove Simple Chapters inline, from the MP3's CHAP frames
    chapters = tagged.findall("psc:chapters/psc:chapter", NS)
    assert [(c.get("start"), c.get("title")) for c in chapters] == [
        ("00:00:00.000", "인트로"), ("00:00:03.000", "첫 번째 이야기"),
        ("00:00:18.000", "두 번째 이야기"), ("00:00:24.000", "아웃트로")]
    assert tagged.find("psc:chapters", NS).get("version") == "1.2"
    notes = tagged.findtext("content:encoded", namespaces=NS)
    assert "<p>오래된 골목길 이야기</p>" in notes
    assert "<li>0:03 첫 번째 이야기</li>" in notes and "<li>0:18 두 번째 이야기</li>" in notes
    assert '<a href="https://example.com/podcast/01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.vtt">' in notes


def test_clients_read_every_episode(show_dir: Path) -> None:
    """gPodder's podcastparser and feedparser read the feed as apps would."""
    show = load_show(show_dir / "show.yaml")
    xml = build_feed(show, show.episodes, None)
    sizes = {p.name: p.stat().st_size for p in show.episodes}
    seconds = {p.name: round(MP3(str(p)).info.length) for p in show.episodes}

    parsed = podcastparser.parse(show.feed_url, io.BytesIO(xml.encode("utf-8")))
    assert parsed["title"] == "에세이 라디오"
    assert len(parsed["episodes"]) == 2
    by_title = {e["title"]: e for e in parsed["episodes"]}
    for ep, name in ((by_title["골목길의 서점"], "01-골목길.mp3"), (by_title["두 번째"], "02-bare.mp3")):
        (enclosure,) = ep["enclosures"]
        assert enclosure["url"].endswith(quote(name))
        assert enclosure["file_size"] == sizes[name] and enclosure["mime_type"] == "audio/mpeg"
        assert ep["total_time"] == seconds[name]
    chapters = by_title["골목길의 서점"]["chapters"]
    assert [(c["start"], c["title"]) for c in chapters] == [
        (0, "인트로"), (3, "첫 번째 이야기"), (18, "두 번째 이야기"), (24, "아웃트로")]
    assert "chapters" not in by_title["두 번째"]

    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "에세이 라디오"
    assert len(feed.entries) == 2
    for entry in feed.entries:
        name = next(n for n in sizes if quote(n) in entry.enclosures[0].href)
        assert int(entry.enclosures[0].length) == sizes[name]
        assert int(entry.itunes_duration) == seconds[name]
        assert entry.id
    assert feed.entries[1].itunes_episodetype == "bonus" and feed.entries[1].itunes_season == "2"
    assert "0:18 두 번째 이야기" in feed.entries[1].content[0].value


def test_bad_category_names_close_matches(show_dir: Path) -> None:
    text = (show_dir / "show.yaml").read_text(encoding="utf-8").replace("Arts/Books", "Art/Bookz")
    (show_dir / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml:\d+: category: 'Art/Bookz' is not an Apple Podcasts "
                                         r"category; did you mean 'Arts/Books'") as err:
        load_show(show_dir / "bad.yaml")
    assert err.value.exit_code == 2


def test_category_subcategory_alone_suggests_parent(show_dir: Path) -> None:
    text = (show_dir / "show.yaml").read_text(encoding="utf-8").replace("Arts/Books", "Books")
    (show_dir / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"did you mean 'Arts/Books'\?"):
        load_show(show_dir / "bad.yaml")


def test_cli_bad_category_exits_2(show_dir: Path) -> None:
    from click.testing import CliRunner

    from audioessay.cli import cli

    text = (show_dir / "show.yaml").read_text(encoding="utf-8").replace("Arts/Books", "Technolgy")
    (show_dir / "show.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["feed", str(show_dir / "show.yaml")], standalone_mode=True)
    assert result.exit_code == 2 and "did you mean 'Technology'" in result.output
    assert not (show_dir / "feed.xml").exists()


def test_control_characters_in_the_show_file_are_refused_with_their_place(show_dir: Path) -> None:
    original = (show_dir / "show.yaml").read_text(encoding="utf-8")
    text = original.replace("description: 짧은 에세이를 읽어 드립니다.", 'description: "짧은\\x01 에세이\\x1b"')
    (show_dir / "show.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"show.yaml:3: description: control character U\+0001 at line 3 \(written as an escape\); remove it"):
        write_feed(show_dir / "show.yaml", show_dir / "feed.xml")
    assert not (show_dir / "feed.xml").exists()


def test_control_characters_in_tags_are_removed_with_a_warning(show_dir: Path) -> None:
    mp3 = show_dir / "episodes" / "02-bare.mp3"
    write_tags(mp3, Tags(title="벨\x07소리", artist="김작가", album="에세이 라디오", description="탭\t과\n줄바꿈\x0c"), [])
    warnings: list[str] = []
    out = write_feed(show_dir / "show.yaml", show_dir / "feed.xml", warn=warnings.append)
    xml = out.read_text(encoding="utf-8")
    ET.fromstring(xml)  # parses: nothing XML refuses was written
    item = items_by_file(xml)["02-bare.mp3"]
    assert item.findtext("title") == "벨소리" and item.findtext("description") == "탭\t과\n줄바꿈"
    assert any("02-bare.mp3: title" in w and "U+0007" in w for w in warnings)
    assert any("02-bare.mp3: description" in w and "U+000C" in w for w in warnings)
    assert feedparser.parse(xml).bozo == 0


def test_clean_text() -> None:
    assert clean_text("a\x00b\tc\nd\re\x7f\ufffeé") == "ab\tc\nde\x7fé"


def test_guid_survives_a_feed_rebuilt_from_nothing(show_dir: Path) -> None:
    out = write_feed(show_dir / "show.yaml", show_dir / "feed.xml")
    first = {k: v.findtext("guid") for k, v in items_by_file(out.read_text(encoding="utf-8")).items()}
    out.unlink()
    (show_dir / "episodes" / "01-골목길.mp3").rename(show_dir / "episodes" / "01-renamed.mp3")
    again = items_by_file(write_feed(show_dir / "show.yaml", out).read_text(encoding="utf-8"))
    assert again["01-renamed.mp3"].findtext("guid") == first[TAGGED] == EPISODE_EXTRA["AUDIOESSAY_GUID"]


def test_published_guid_wins_over_the_tag_with_a_warning(show_dir: Path) -> None:
    out = write_feed(show_dir / "show.yaml", show_dir / "feed.xml")
    published = items_by_file(out.read_text(encoding="utf-8"))["02-bare.mp3"].findtext("guid")
    mp3 = show_dir / "episodes" / "02-bare.mp3"
    write_tags(mp3, Tags(title="t", artist="a", album="b", extra={"AUDIOESSAY_GUID": "new-random-guid"}), [])
    warnings: list[str] = []
    item = items_by_file(write_feed(show_dir / "show.yaml", out, warn=warnings.append).read_text(encoding="utf-8"))
    assert item["02-bare.mp3"].findtext("guid") == published
    assert any("new-random-guid" in w and "keeping the published one" in w for w in warnings)


def test_bad_episode_type_and_season_are_left_out(show_dir: Path) -> None:
    mp3 = show_dir / "episodes" / "02-bare.mp3"
    extra = {"AUDIOESSAY_EPISODE_TYPE": "special", "AUDIOESSAY_SEASON": "two"}
    write_tags(mp3, Tags(title="t", artist="a", album="b", extra=extra), [])
    show = load_show(show_dir / "show.yaml")
    warnings: list[str] = []
    item = items_by_file(build_feed(show, show.episodes, None, warn=warnings.append))["02-bare.mp3"]
    assert item.findtext("itunes:episodeType", namespaces=NS) == "full" and item.find("itunes:season", NS) is None
    assert len(warnings) == 2 and "'special'" in warnings[0] and "'two'" in warnings[1]


def test_show_defaults(tmp_path: Path) -> None:
    make_mp3(tmp_path / "ep.mp3", 1)
    (tmp_path / "show.yaml").write_text(
        "title: t\nauthor: a\ndescription: d\nbase_url: https://h.example/pod\ncover_url: https://h.example/c.jpg\n"
        "episodes: '*.mp3'\n", encoding="utf-8")
    show = load_show(tmp_path / "show.yaml")
    assert show.feed_url == "https://h.example/pod/feed.xml" and show.type == "episodic" and show.locked
    assert show.podcast_guid == podcast_guid("https://h.example/pod/feed.xml")
    channel = ET.fromstring(build_feed(show, show.episodes, None)).find("channel")
    assert channel.find("podcast:locked", NS).get("owner") is None
    assert channel.find("itunes:owner", NS) is None and channel.find("copyright") is None


def test_podcast_guid_key_overrides(tmp_path: Path) -> None:
    make_mp3(tmp_path / "ep.mp3", 1)
    base = ("title: t\nauthor: a\ndescription: d\nbase_url: https://h.example/\ncover_url: https://h.example/c.jpg\n"
            "episodes: '*.mp3'\n")
    (tmp_path / "show.yaml").write_text(base + "podcast_guid: 917393E3-1B1E-5CEF-ACE4-EDAA54E1F810\n", encoding="utf-8")
    assert load_show(tmp_path / "show.yaml").podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    (tmp_path / "show.yaml").write_text(base + "podcast_guid: nope\ntype: daily\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_show(tmp_path / "show.yaml")
    assert "podcast_guid: must be a UUID" in str(err.value) and "type: 'daily' is not one of episodic, serial" in str(err.value)


# ---- special files: refused unopened, in one line, nothing written (issue 27) ------------------


@contextlib.contextmanager
def bounded(seconds: int = 5):
    """Fail instead of hanging: a reader that opens a FIFO blocks until this alarm."""
    def on_alarm(signum, frame):
        raise TimeoutError(f"hung for {seconds} s (a FIFO opened?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder`: a regular file's content hash, else its kind."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = os.lstat(path)
        out[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest()
                                              if path.is_file() and not path.is_symlink() else f"mode {st.st_mode:o}")
    return out


def feed_cli(*args: str):
    from click.testing import CliRunner

    from audioessay.cli import cli

    with bounded():
        return CliRunner(mix_stderr=False).invoke(cli, ["feed", *map(str, args)])


def test_a_fifo_matched_by_the_episode_glob_is_refused_with_the_show_line(show_dir: Path) -> None:
    fifo = show_dir / "episodes" / "03-pipe.mp3"
    os.mkfifo(fifo)
    before = tree(show_dir)
    result = feed_cli(show_dir / "show.yaml")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"error: {show_dir}/show.yaml:14: episodes: {fifo}: is a named pipe (FIFO), not a regular file; give a file"]
    assert tree(show_dir) == before  # no feed.xml, the FIFO still a FIFO


@pytest.mark.parametrize("kind", ["symlink to a FIFO", "device", "folder", "dangling symlink"])
def test_every_special_episode_is_refused(tmp_path: Path, kind: str) -> None:
    make_mp3(tmp_path / "ep.mp3", 1)
    entry = "'*.mp3'"
    if kind == "symlink to a FIFO":
        os.mkfifo(tmp_path / "pipe")
        (tmp_path / "link.mp3").symlink_to(tmp_path / "pipe")
        bad, said = tmp_path / "link.mp3", "is a named pipe (FIFO), not a regular file"
    elif kind == "device":
        entry, bad, said = "[ep.mp3, /dev/null]", Path("/dev/null"), "is a character device, not a regular file"
    elif kind == "folder":
        (tmp_path / "old.mp3").mkdir()
        bad, said = tmp_path / "old.mp3", "is a folder, not a regular file"
    else:
        (tmp_path / "gone.mp3").symlink_to(tmp_path / "nowhere.mp3")
        bad, said = tmp_path / "gone.mp3", "not found; check the path"
    (tmp_path / "show.yaml").write_text(
        "title: t\nauthor: a\ndescription: d\nbase_url: https://h.example/\ncover_url: https://h.example/c.jpg\n"
        f"episodes: {entry}\n", encoding="utf-8")
    with bounded(), pytest.raises(InputError) as err:
        write_feed(tmp_path / "show.yaml", tmp_path / "feed.xml")
    assert str(err.value).splitlines() == [f"{tmp_path}/show.yaml:6: episodes: {bad}: {said}" + (
        "; give a file" if kind != "dangling symlink" else "")]
    assert not (tmp_path / "feed.xml").exists()


def test_read_episode_refuses_a_fifo_unopened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "ep.mp3")
    with bounded(), pytest.raises(InputError, match=r"MP3 .*ep.mp3: is a named pipe \(FIFO\)"):
        read_episode(tmp_path / "ep.mp3")


@pytest.mark.parametrize("sidecar", ["01-골목길.vtt", "02-bare.chapters.json"])
def test_a_fifo_sidecar_beside_an_episode_is_refused(show_dir: Path, sidecar: str) -> None:
    fifo = show_dir / "episodes" / sidecar
    if fifo.exists():
        fifo.unlink()
    os.mkfifo(fifo)
    before = tree(show_dir)
    result = feed_cli(show_dir / "show.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: sidecar {fifo}: is a named pipe (FIFO), not a regular file; give a file"]
    assert tree(show_dir) == before


def test_a_fifo_cover_is_refused_at_its_line(show_dir: Path) -> None:
    os.mkfifo(show_dir / "pipe.jpg")
    text = (show_dir / "show.yaml").read_text(encoding="utf-8") + "cover: pipe.jpg\n"
    (show_dir / "show.yaml").write_text(text, encoding="utf-8")
    with bounded(), pytest.raises(InputError) as err:
        load_show(show_dir / "show.yaml")
    assert str(err.value) == (f"{show_dir}/show.yaml:15: cover: {show_dir}/pipe.jpg: is a named pipe (FIFO), "
                              "not a regular file; give a file")


def test_a_fifo_as_the_previous_feed_is_refused_unread(show_dir: Path) -> None:
    os.mkfifo(show_dir / "feed.xml")
    before = tree(show_dir)
    result = feed_cli(show_dir / "show.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: previous feed {show_dir}/feed.xml: is a named pipe (FIFO), not a regular file; give a file"]
    assert tree(show_dir) == before


def test_a_fifo_as_the_show_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "show.yaml")
    result = feed_cli(tmp_path / "show.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path}/show.yaml: is a named pipe (FIFO), not a regular file; give a file"]


@pytest.mark.parametrize("target", ["show.yaml", "episodes/02-bare.mp3", "episodes/01-골목길.vtt"])
def test_the_feed_never_overwrites_an_input(show_dir: Path, target: str) -> None:
    before = tree(show_dir)
    result = feed_cli(show_dir / "show.yaml", "-o", show_dir / target)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: feed {show_dir / target}: would overwrite ") and line.endswith(
        "; choose another file with -o")
    assert tree(show_dir) == before
