"""The RSS feed, built from real tagged MP3s and parsed back with ElementTree."""

from __future__ import annotations

import email.utils
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from test_id3 import full_tags, make_mp3, sample_timeline

from audioessay.errors import InputError
from audioessay.export.id3 import Tags, write_tags
from audioessay.export.sidecars import write_sidecars
from audioessay.feed import ITUNES, PODCAST, build_feed, load_show, write_feed

NS = {"itunes": ITUNES, "podcast": PODCAST}

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
episodes: {episodes}
"""


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    one = make_mp3(episodes / "01-골목길.mp3", 4)
    write_tags(one, full_tags(None), sample_timeline().chapters)
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
    transcripts = {t.get("type"): t.get("url") for t in tagged.findall("podcast:transcript", NS)}
    assert transcripts == {
        "text/vtt": "https://example.com/podcast/01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.vtt",
        "application/x-subrip": "https://example.com/podcast/01-%EA%B3%A8%EB%AA%A9%EA%B8%B8.srt",
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
